"""The Whoosh schema: text fields per language, facet fields with columns, display data stored once."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.indexer.analysis import analyzer_for, simple_analyzer

# Bump when the schema or the analyzers change in a way that needs a full rebuild.
SCHEMA_VERSION = "8"

TEXT_LANGS = ("bg", "es", "en")
# Field weights (BM25F): a word in the title says more about a record than one in the body.
FIELD_BOOSTS = {"title": 4.0, "summary": 2.0, "body": 1.0}
TEXT_FIELDS = tuple(f"{part}_{lang}" for lang in TEXT_LANGS for part in FIELD_BOOSTS)
META_FIELD = "meta"            # organisation, municipality, partners, keywords, id (any language)
META_BOOST = 1.5
SPELL_FIELD = "words"

# Facet name -> index field. Multi-valued facets are KEYWORD fields.
FACET_FIELDS = {
    "region": "region", "country": "country", "topic": "topic", "doctype": "doctype",
    "language": "lang", "year": "year", "target_group": "target_group", "instrument": "instrument",
    "organisation_type": "organisation_type", "status": "status",
}
MULTI_VALUED = {"topic", "target_group", "instrument"}


def build_schema() -> Schema:
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "hash": ID(stored=True),
        "doc": STORED(),                    # the display data of a hit (dict)
        "title_sort": ID(sortable=True),    # case-folded title for sort=title
        "date_sort": NUMERIC(int, bits=32, sortable=True),   # yyyymmdd (year_start*10000 if no date)
        "year": NUMERIC(int, bits=32, stored=True, sortable=True),
        "year_end": NUMERIC(int, bits=32, sortable=True),
        META_FIELD: TEXT(analyzer=simple_analyzer(), field_boost=META_BOOST),
        # every word as written (lower-cased, unstemmed): the vocabulary of spelling suggestions
        SPELL_FIELD: TEXT(analyzer=simple_analyzer(), phrase=False),
    }
    for lang in TEXT_LANGS:
        for part, boost in FIELD_BOOSTS.items():
            fields[f"{part}_{lang}"] = TEXT(analyzer=analyzer_for(lang), field_boost=boost,
                                            phrase=True)
    for facet, name in FACET_FIELDS.items():
        if name in fields:
            continue
        if facet in MULTI_VALUED:
            fields[name] = KEYWORD(commas=True, lowercase=False, scorable=False)
        else:
            fields[name] = ID(sortable=True)
    return Schema(**fields)
