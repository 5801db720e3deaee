"""The OpenAPI 3 description of the JSON API, served at /openapi.json and checked by the tests."""
from __future__ import annotations

FACETS = ["region", "country", "topic", "doctype", "language", "target_group", "instrument",
          "organisation_type"]

_str = {"type": "string"}
_int = {"type": "integer"}
_nullable_int = {"type": ["integer", "null"]}
_strs = {"type": "array", "items": _str}
_labels = {"type": "object", "additionalProperties": _str}

PROBLEM = {"type": "object", "required": ["error", "problems"],
           "properties": {"error": _str, "problems": _strs,
                          "details": {"type": "array", "description": "the problems with a stable code each",
                                      "items": {"type": "object", "required": ["code", "param", "message"],
                                                "properties": {"code": _str, "param": _str, "message": _str}}}}}

HIT = {"type": "object",
       "required": ["id", "title", "lang", "region", "year_start", "score", "snippet_html", "topics"],
       "properties": {
           "id": _str, "title": _str, "title_en": _str, "summary": _str, "summary_en": _str,
           "lang": _str, "region": _str, "region_label": _str, "country": _str,
           "year_start": _int, "year_end": _nullable_int, "ongoing": {"type": "boolean"},
           "doctype": _str, "doctype_label": _str, "status": _str, "illustrative": {"type": "boolean"},
           "score": {"type": "number", "description": "relevance (sort=relevance, else 0): BM25F "
                     "re-ranked by passages and feedback; only the order it gives is meaningful"},
           "snippet_html": _str, "snippet_text": _str,
           "matched_via": {"type": "array", "description": "how the record answers the query where not "
                           "through the typed words in its own text", "items": {"type": "object", "properties": {
                               "typed": _str, "matched": _str,
                               "kind": {"type": "string", "enum": ["translit", "translation", "topic", "spelling",
                                                                   "abstract", "names", "tag"]}}}},
           "missing": {"type": "array", "items": _str, "description": "the query's words the record does "
                       "not hold in any form: when no record holds them all (`explanation.relaxed`), or a "
                       "record in another language than the query's lacks one of three or more words "
                       "(a translation the dictionaries lack); [] otherwise"},
           "topics": {"type": "array", "items": {"type": "object", "required": ["id", "label"],
                                                  "properties": {"id": _str, "label": _str}}}}}

FACET_VALUE = {"type": "object", "required": ["value", "label", "count", "selected"],
               "properties": {"value": _str, "label": _str, "count": _int, "selected": {"type": "boolean"}}}

SEARCH_RESULT = {
    "type": "object",
    "required": ["query", "total", "page", "pages", "page_size", "hits", "facets"],
    "properties": {
        "query": _str, "total": _int, "page": _int, "pages": _int, "page_size": _int, "sort": _str,
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
        "suggestion": {"type": ["string", "null"]}, "message": {"type": ["string", "null"]},
        "drop_hints": {"type": "array", "items": {"type": "object", "properties": {"facet": _str, "count": _int}}},
        "explanation": {"$ref": "#/components/schemas/Explanation"},
    }}

EXPLANATION = {
    "type": "object", "description": "What was searched (kb.search.results.Explanation)",
    "properties": {
        "words": {"type": "array", "items": {"type": "object", "properties": {
            "typed": _str, "required": {"type": "boolean", "description": "stop words are not required"},
            "records": {"type": "integer", "description": "published records holding the word in some form"},
            "also": {"type": "array", "description": "what else was looked up for the word",
                     "items": {"type": "object", "properties": {
                         "text": _str, "kind": {"type": "string", "enum": ["translit", "translation", "topic", "spelling"]},
                         "lang": _str}}},
            "topics": {"type": "array", "items": {"type": "object", "properties": {"id": _str, "label": _str}}}}}},
        "relaxed": {"type": ["object", "null"], "description": "no record holds every word: the records "
                    "holding `required` of the `of` words are listed; `missing`: words no record holds",
                    "properties": {"required": _int, "of": _int, "missing": _strs}},
        "corrected": {"type": "string", "description": "the query as corrected when a word was corrected "
                      "(results also hold the corrected word); '' otherwise"},
    }}

PRACTICE = {"type": "object", "required": ["id", "title", "summary", "lang", "region", "topics", "year_start",
                                           "doctype", "status"],
            "properties": {"id": _str, "title": _str, "summary": _str, "lang": _str, "region": _str,
                           "country": _str, "topics": _strs, "year_start": _int, "year_end": _nullable_int,
                           "doctype": _str, "status": _str, "body": _str, "illustrative": {"type": "boolean"},
                           "date": {"type": ["string", "null"]}}}

TERM = {"type": "object", "required": ["id", "label"], "properties": {"id": _str, "label": _labels}}
TAXONOMY = {"type": "object", "required": ["regions", "topics", "doctypes"],
            "properties": {k: {"type": "array", "items": {"$ref": "#/components/schemas/Term"}}
                           for k in ("countries", "regions", "topics", "doctypes", "target_groups",
                                     "instruments", "organisation_types")}}


def _param(name, schema, description, multi=False):
    p = {"name": name, "in": "query", "required": False, "description": description,
         "schema": {"type": "array", "items": schema} if multi else schema}
    if multi:
        p.update(style="form", explode=True)
    return p


def search_params(config=None) -> list[dict]:
    """The /api/search parameters; with the configuration, filter values are listed (enum) so
    that every request the schema allows is one kb answers with 200."""
    def values(facet):
        if config is None:
            return {"type": "string"}
        # an empty value is ignored (as an HTML form may send it)
        if facet == "language":
            return {"type": "string", "enum": ["", *config.content_languages]}
        return {"type": "string", "enum": ["", *config.vocabulary(facet).ids()]}

    max_q = config.max_query_length if config is not None else 500
    langs = list(config.ui_languages) if config is not None else ["bg", "es", "en"]
    return [
        _param("q", {"type": "string", "maxLength": max_q}, "Query: words, \"phrases\", -excluded, a OR b"),
        *[{**_param(f, values(f), f"Filter on {f} (repeat for OR; an empty value is ignored)", multi=True),
           "schema": {"type": "array", "items": values(f), "maxItems": 50}} for f in FACETS],
        _param("year_from", {"type": "integer", "minimum": 1990, "maximum": 2100},
               "Practices running in or after this year (a year_from after year_to is read as the "
               "range between the two)"),
        _param("year_to", {"type": "integer", "minimum": 1990, "maximum": 2100}, "Practices running in or before this year"),
        _param("sort", {"type": "string", "enum": ["", "relevance", "newest", "oldest", "title"]},
               "Order of results (empty: relevance)"),
        _param("page", {"type": "integer", "minimum": 1, "maximum": 1000}, "Page number (20 results a page)"),
        _param("lang", {"type": "string", "enum": langs}, "Language of labels"),
        _param("expand", {"type": "string", "enum": ["0", "1"]},
               "0: search only the words as typed (no Cyrillic readings, translations, topic names or "
               "corrections); 1 (default): with them"),
    ]


SEARCH_PARAMS = search_params()
UNKNOWN_PARAMETERS = ("Parameters other than the documented ones are refused with 400, naming each "
                      "unknown parameter (for example page_size: pages have 20 results).")


# ---- compare regional approaches (/api/compare; kb.compare.CompareResult.to_dict)
_search_params = {"type": "object", "description": "Search-page parameters (q, topic, region) whose total is the count",
                  "properties": {"q": _str, "topic": _strs, "region": _strs}}
_id_label = {"type": "object", "required": ["id", "label"], "properties": {"id": _str, "label": _str}}

COMPARE_CELL = {"type": "object",
                "required": ["region", "region_label", "count", "gap", "in_other_regions", "params", "search_url"],
                "properties": {"region": _str, "region_label": _str, "count": _int,
                               "gap": {"type": "boolean", "description": "true exactly when count is 0"},
                               "in_other_regions": {"type": "integer", "description": "the topic's practices in the other chosen regions"},
                               "params": _search_params, "search_url": _str}}
COUNTERPART = {"type": "object", "required": ["id", "title", "region", "score", "shared_terms"],
               "properties": {"id": _str, "title": _str, "title_en": _str, "lang": _str, "region": _str,
                              "region_label": _str, "year_start": _int, "score": {"type": "number"},
                              "shared_terms": _strs}}
COMPARE_PRACTICE = {"type": "object", "required": ["id", "title", "region", "years", "abstract", "counterparts"],
                    "properties": {"id": _str, "title": _str, "title_en": _str, "lang": _str, "region": _str,
                                   "years": _str, "doctype": _str, "doctype_label": _str,
                                   "topics": {"type": "array", "items": _id_label},
                                   "instruments": {"type": "array", "items": _id_label},
                                   "target_groups": {"type": "array", "items": _id_label},
                                   "abstract": _str, "abstract_lang": _str, "illustrative": {"type": "boolean"},
                                   "counterparts": {"type": "array", "items": {"$ref": "#/components/schemas/Counterpart"}}}}
COMPARE_RESULT = {
    "type": "object",
    "required": ["query", "topics", "regions", "lists_practices", "matrix", "columns"],
    "properties": {
        "query": _str, "topics": {"type": "array", "items": _id_label},
        "regions": {"type": "array", "items": _id_label},
        "lists_practices": {"type": "boolean", "description": "columns list practices only for a topic or a query"},
        "matrix": {"type": "array", "items": {
            "type": "object", "required": ["topic", "topic_label", "total", "cells"],
            "properties": {"topic": _str, "topic_label": _str, "total": _int,
                           "cells": {"type": "array", "items": {"$ref": "#/components/schemas/CompareCell"}}}}},
        "columns": {"type": "array", "items": {
            "type": "object", "required": ["region", "region_label", "total", "topics_covered", "gaps", "practices"],
            "properties": {"region": _str, "region_label": _str, "total": _int, "topics_covered": _int,
                           "gaps": _int, "more": _int, "params": _search_params, "search_url": _str,
                           "practices": {"type": "array", "items": {"$ref": "#/components/schemas/ComparePractice"}}}}},
        "message": {"type": ["string", "null"]},
    }}
def compare_params(config=None) -> list[dict]:
    """The /api/compare parameters; with the configuration, regions and topics are listed (enum),
    and the region list is none (the default four) or two to four different regions."""
    region = {"type": "string", **({"enum": config.regions.ids()} if config is not None else {})}
    topic = {"type": "string", **({"enum": config.topics.ids()} if config is not None else {})}
    max_q = config.max_query_length if config is not None else 500
    langs = list(config.ui_languages) if config is not None else ["bg", "es", "en"]
    regions = _param("region", region, "Region id, two to four different ones (none: the first four regions)", multi=True)
    regions["schema"] = {"anyOf": [{"type": "array", "items": region, "maxItems": 0},
                                   {"type": "array", "items": region, "minItems": 2, "maxItems": 4,
                                    "uniqueItems": True}]}
    topics = _param("topic", topic, "Topic id, each at most once (repeat for several; none: the whole taxonomy)", multi=True)
    topics["schema"]["uniqueItems"] = True
    return [
        topics,
        regions,
        _param("q", {"type": "string", "maxLength": max_q}, "Only practices matching this query"),
        _param("lang", {"type": "string", "enum": langs}, "Language of labels and abstracts"),
    ]


COMPARE_PARAMS = compare_params()


def _json(schema_ref, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def openapi_document(config=None) -> dict:
    bad = _json("#/components/schemas/Problem", "Bad parameters, each named with what is wrong")
    return {
        "openapi": "3.1.0",
        "info": {"title": "kb — regional good-governance practices", "version": "1.0",
                 "description": "Search the knowledge base of the Stara Zagora, Burgas, Badajoz and Cáceres partnership."},
        "paths": {
            "/api/search": {"get": {"operationId": "search", "summary": "Search practices",
                                    "description": UNKNOWN_PARAMETERS,
                                    "parameters": search_params(config),
                                    "responses": {"200": _json("#/components/schemas/SearchResult"), "400": bad}}},
            "/api/practices/{id}": {"get": {
                "operationId": "getPractice", "summary": "One published practice",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}}],
                "responses": {"200": _json("#/components/schemas/Practice"),
                              "404": _json("#/components/schemas/Problem", "No such published practice")}}},
            "/api/taxonomy": {"get": {"operationId": "taxonomy", "summary": "Controlled vocabularies with labels",
                                      "responses": {"200": _json("#/components/schemas/Taxonomy")}}},
            "/api/compare": {"get": {
                "operationId": "compare", "summary": "Compare regions: topic × region matrix, practices side by side, counterparts",
                "parameters": compare_params(config),
                "responses": {"200": _json("#/components/schemas/CompareResult"), "400": bad}}},
        },
        "components": {"schemas": {"Problem": PROBLEM, "Hit": HIT, "FacetValue": FACET_VALUE,
                                   "SearchResult": SEARCH_RESULT, "Explanation": EXPLANATION,
                                   "Practice": PRACTICE, "Term": TERM,
                                   "Taxonomy": TAXONOMY,
                                   "CompareResult": COMPARE_RESULT, "CompareCell": COMPARE_CELL,
                                   "ComparePractice": COMPARE_PRACTICE, "Counterpart": COUNTERPART}},
    }
