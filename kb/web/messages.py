"""Problems said to people in the interface language.

The search service and the record model describe problems in precise English (what `kb check`
and the JSON API show). People using the pages read them here instead: a search problem has a
stable code (kb.search.Problem), a record problem is (field, reason) and is recognised by the
reason's fixed wording (kb/model.py, kb/curation.py); each gets a sentence written for people.
"""
from __future__ import annotations

import re

from kb.web.i18n import gettext, lazy_gettext


def problem_text(p) -> str:
    """A search problem (kb.search.Problem) in the interface language."""
    v = p.params
    code = p.code
    if code == "query-too-long":
        return gettext("The search text is %(n)s characters long; at most %(limit)s are allowed.", **v)
    if code == "unknown-filter":
        return gettext("“%(param)s” is not a filter kb knows.", param=p.param)
    if code == "too-many-values":
        return gettext("At most %(limit)s values can be chosen in one filter.", **v)
    if code == "unknown-value":
        return gettext("“%(value)s” is not a known value of the filter “%(filter)s”.", value=v["value"],
                       filter=facet_title(p.param))
    if code == "year-out-of-range":
        return gettext("The year %(value)s is outside the years kb covers (%(min)s–%(max)s).", **v)
    if code == "year-range-reversed":
        return gettext("The first year (%(year_from)s) is after the last year (%(year_to)s).", **v)
    if code == "unknown-sort":
        return gettext("“%(value)s” is not a known order of results.", value=v["value"])
    if code == "page-out-of-range":
        return gettext("There is no page %(value)s; pages go from 1 to %(max)s.", **v)
    if code == "not-a-number":
        return gettext("“%(value)s” is not a whole number (%(what)s).", value=v["value"], what=param_title(p.param))
    if code == "unknown-language":
        return gettext("“%(value)s” is not an interface language of kb.", value=v["value"])
    if code == "unknown-parameter":
        return gettext("“%(param)s” is not a parameter kb knows.", param=p.param)
    return p.message


def facet_title(facet: str) -> str:
    return {
        "region": gettext("Region"), "country": gettext("Country"), "topic": gettext("Topic"),
        "doctype": gettext("Document type"), "language": gettext("Language"), "year": gettext("Year"),
        "target_group": gettext("Target group"), "instrument": gettext("Instrument"),
        "organisation_type": gettext("Organisation type"), "status": gettext("Status"),
    }.get(facet, facet)


def param_title(param: str) -> str:
    return {"page": gettext("page"), "year_from": gettext("first year"),
            "year_to": gettext("last year")}.get(param, param)


# ------------------------------------------------------------------------ records (curators)

FIELD_LABELS = {
    "id": lazy_gettext("Id"), "title": lazy_gettext("Title"), "title_en": lazy_gettext("English title"),
    "summary": lazy_gettext("Summary"), "summary_en": lazy_gettext("English summary"),
    "lang": lazy_gettext("Language of the record"), "region": lazy_gettext("Region"),
    "municipality": lazy_gettext("Municipality"), "organisation": lazy_gettext("Organisation"),
    "organisation_type": lazy_gettext("Organisation type"), "partners": lazy_gettext("Partners"),
    "topics": lazy_gettext("Topics"), "target_groups": lazy_gettext("Target groups"),
    "instruments": lazy_gettext("Instruments"), "keywords": lazy_gettext("Keywords"),
    "year_start": lazy_gettext("First year"), "year_end": lazy_gettext("Last year"),
    "ongoing": lazy_gettext("ongoing"), "date": lazy_gettext("Date of publication"),
    "doctype": lazy_gettext("Document type"), "illustrative": lazy_gettext("Illustrative example"),
    "evidence": lazy_gettext("Evidence"), "transferability": lazy_gettext("Transferability"),
    "source_url": lazy_gettext("Source"), "related": lazy_gettext("Related records"),
    "indicators": lazy_gettext("Indicators"), "attachments": lazy_gettext("Attachments"),
    "status": lazy_gettext("Status"), "body": lazy_gettext("Text"),
}


def field_label(field: str) -> str:
    """The form label of a record field (indicators[2].year -> Indicators)."""
    base = field.split("[")[0].split(".")[0]
    return str(FIELD_LABELS.get(base, base))


# (pattern of the English reason, message for people); the first that matches is used.
_RECORD_REASONS: list[tuple[re.Pattern, object]] = []


def _reason(pattern: str):
    def register(fn):
        _RECORD_REASONS.append((re.compile(pattern, re.S), fn))
        return fn
    return register


@_reason(r"^missing required field$")
def _missing(m):
    return gettext("This field is required.")


@_reason(r"^must not be empty$")
def _empty(m):
    return gettext("This field cannot be empty.")


@_reason(r"^give 1 to (\d+) topics, not (\d+)$")
def _topics(m):
    if m.group(2) == "0":
        return gettext("Choose at least one topic (at most %(max)s).", max=m.group(1))
    return gettext("Choose at most %(max)s topics (you chose %(n)s).", max=m.group(1), n=m.group(2))


@_reason(r"^'(.*)' is not a valid id")
def _bad_id(m):
    return gettext("“%(value)s” cannot be an id: use 3 to 80 lower-case Latin letters, digits and "
                   "hyphens, e.g. bu-e-services-2015.", value=m.group(1))


@_reason(r"^(-?\d+) is not a plausible year")
def _year(m):
    return gettext("%(value)s is not a plausible year (1990–2100).", value=m.group(1))


@_reason(r"^(-?\d+) is before year_start (-?\d+)$")
def _year_order(m):
    return gettext("The last year (%(end)s) is before the first year (%(start)s).", end=m.group(1), start=m.group(2))


@_reason(r"^an ongoing practice has no year_end")
def _ongoing(m):
    return gettext("An ongoing practice has no last year: clear the last year or untick “ongoing”.")


@_reason(r"^'(.*)' is not a year$")
def _not_year(m):
    return gettext("“%(value)s” is not a year.", value=m.group(1))


@_reason(r"^'(.*)' is not a date")
def _not_date(m):
    return gettext("“%(value)s” is not a date; use the form YYYY-MM-DD.", value=m.group(1))


@_reason(r"^'(.*)' is not an http\(s\) address$")
def _url(m):
    return gettext("“%(value)s” is not a web address (it must start with http:// or https://).", value=m.group(1))


@_reason(r"^no record has the id '(.*)'$")
def _no_related(m):
    return gettext("No record has the id “%(value)s”.", value=m.group(1))


@_reason(r"^'(.*)' is not a record id$")
def _not_related_id(m):
    return gettext("“%(value)s” is not a record id.", value=m.group(1))


@_reason(r"^a record cannot be related to itself$")
def _self_related(m):
    return gettext("A record cannot be related to itself.")


@_reason(r"^lists the same value twice$")
def _twice(m):
    return gettext("The same value is chosen twice.")


@_reason(r"^unknown language '(.*)'")
def _lang(m):
    return gettext("Choose the language of the record.")


@_reason(r"^unknown (region|organisation type|doctype|topic|target group|instrument) '(.*)'")
def _unknown_term(m):
    return gettext("“%(value)s” is not in the list; choose one of the offered values.", value=m.group(2))


@_reason(r"^'(.*)' does not match the folder")
def _folder(m):
    return gettext("The region does not match the record's folder.")


@_reason(r"^'(.*)' is not one of")
def _not_one_of(m):
    return gettext("“%(value)s” is not one of the offered values.", value=m.group(1))


@_reason(r"^line (\d+): (baseline|result) '(.*)' is not a number$")
def _indicator_number(m):
    return gettext("Line %(n)s: “%(value)s” is not a number.", n=m.group(1), value=m.group(3))


@_reason(r"^line (\d+): year '(.*)' is not a year$")
def _indicator_year(m):
    return gettext("Line %(n)s: “%(value)s” is not a year.", n=m.group(1), value=m.group(2))


@_reason(r"^missing: every indicator needs a name$")
def _indicator_name(m):
    return gettext("Every indicator needs a name (the text before the first |).")


@_reason(r"^every attachment needs a title and a url")
def _attachment(m):
    return gettext("Every attachment needs a title and an address: title | https://…")


@_reason(r"^a case study needs the sections (.*?)(?: \(|$)")
def _sections(m):
    return gettext("A case study needs these sections in its text, as ## headings (in English, Bulgarian "
                   "or Spanish): %(names)s.", names=m.group(1).replace("'", ""))


@_reason(r"^expected (.*), got (.*)$")
def _expected(m):
    return gettext("This value has the wrong form.")


def record_problem_text(field: str, reason: str) -> str:
    """A record problem (field, English reason) said for people, in the interface language."""
    for pattern, make in _RECORD_REASONS:
        m = pattern.search(reason)
        if m:
            return make(m)
    return gettext("This value cannot be accepted (%(detail)s).", detail=reason)


# ------------------------------------------------------------------------ import notices and fetch errors

_IMPORT_NOTES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^the URL passed in is not an http\(s\) address"),
     lambda m: gettext("The address given is not an http(s) address; it was not used.")),
    (re.compile(r"^the page has no <article> or <main> element"),
     lambda m: gettext("The page does not mark its main text; kb chose the densest part. Check that nothing is missing or extra.")),
    (re.compile(r"^no title found; used the first heading"),
     lambda m: gettext("The page has no title; the first heading of the text was used.")),
    (re.compile(r"^no title found; used the first words"),
     lambda m: gettext("The page has no title; the first words of the text were used.")),
    (re.compile(r"^the page declares language '(.*?)' but the text is clearly '(.*?)'"),
     lambda m: gettext("The page says its language is “%(declared)s” but the text is clearly “%(lang)s”; “%(lang)s” was chosen.",
                       declared=m.group(1), lang=m.group(2))),
    (re.compile(r"^the page declares language '(.*?)', which is not"),
     lambda m: gettext("The page says its language is “%(declared)s”, which kb does not hold.", declared=m.group(1))),
    (re.compile(r"^language guessed from the text \((.*?)\)"),
     lambda m: gettext("The language was recognised from the text (%(lang)s); check it.", lang=m.group(1))),
    (re.compile(r"^language could not be determined"),
     lambda m: gettext("The language could not be recognised; choose it.")),
    (re.compile(r"^date read from the page text \('(.*?)'\)"),
     lambda m: gettext("The date was read from the page text (“%(text)s”); check it.", text=m.group(1))),
    (re.compile(r"^no date found"), lambda m: gettext("No date was found; fill in the first year.")),
    (re.compile(r"^no source URL found"), lambda m: gettext("The page does not give its address; fill in the source if you know it.")),
    (re.compile(r"^no summary could be made"), lambda m: gettext("No summary could be made; write one.")),
]


def import_note_text(note: str) -> str:
    """A note of the HTML importer (plain English, kb/importer.py) for a curator, in the UI language."""
    for pattern, make in _IMPORT_NOTES:
        m = pattern.search(note)
        if m:
            return make(m)
    return note


def fetch_error_text(exc) -> str:
    """Why a page could not be fetched (kb.web.fetch.FetchError), in the UI language."""
    code, detail = exc.code, exc.detail
    if code == "bad-scheme":
        return gettext("Only http:// and https:// addresses can be imported.")
    if code == "bad-url":
        return gettext("This is not a web address.")
    if code == "unknown-host":
        return gettext("The server “%(host)s” could not be found.", host=detail)
    if code == "refused-address":
        return gettext("This address leads to the server's own network (%(address)s); kb does not fetch such pages.",
                       address=detail)
    if code == "timeout":
        return gettext("The page did not answer within %(s)s seconds.", s=detail)
    if code == "too-large":
        return gettext("The page is too large to import.")
    if code == "http-status":
        return gettext("The server answered with the error %(status)s.", status=detail)
    if code == "not-html":
        return gettext("The address does not lead to a web page (it is “%(type)s”).", type=detail)
    if code == "too-many-redirects":
        return gettext("The address redirects too many times.")
    return gettext("The page could not be fetched (%(detail)s).", detail=detail or code)
