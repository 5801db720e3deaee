"""What a search asks for (SearchRequest) and the check of its parameters against the config."""
from __future__ import annotations

from dataclasses import dataclass, field

from kb.config import Config

SORTS = ("relevance", "newest", "oldest", "title")
FILTER_FACETS = ("region", "country", "topic", "doctype", "language", "target_group", "instrument",
                 "organisation_type", "status")
MAX_PAGE = 1000
MAX_VALUES_PER_FACET = 50
YEAR_MIN, YEAR_MAX = 1990, 2100


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    ui_lang: str = "en"
    include_drafts: bool = False          # curators only
    page_size: int | None = None
    expand: bool = True                   # transliteration, translation, topic names
    facets: bool = True                   # count the facets (False: hits and total only)
    snippets: bool = True                 # highlight matched words (False: the summary start)

    def selected(self, facet: str) -> list[str]:
        return [v for v in self.filters.get(facet, []) if v]


@dataclass(frozen=True)
class Problem:
    """One problem with a search's parameters: a stable code, the parameter, the values the
    message needs, and the message in precise English (str() of the problem)."""
    code: str
    param: str
    params: dict
    message: str

    def __str__(self) -> str:
        return self.message


def validate(config: Config, req: SearchRequest) -> list[str]:
    """Problems with the request's parameters, each naming the parameter (empty = fine)."""
    return [p.message for p in problems(config, req)]


def problems(config: Config, req: SearchRequest) -> list[Problem]:
    """validate() with a stable code and the values for each problem, so that the web layer
    can say it in the interface language (the message stays precise English)."""
    out: list[Problem] = []
    add = out.append
    if len(req.q) > config.max_query_length:
        add(Problem("query-too-long", "q", {"n": len(req.q), "limit": config.max_query_length},
                    f"q: the query is {len(req.q)} characters long; the limit is {config.max_query_length}"))
    for facet, values in req.filters.items():
        if facet not in FILTER_FACETS:
            add(Problem("unknown-filter", facet, {"known": ", ".join(FILTER_FACETS)},
                        f"{facet}: unknown filter (known: {', '.join(FILTER_FACETS)})"))
            continue
        if len(values) > MAX_VALUES_PER_FACET:
            add(Problem("too-many-values", facet, {"limit": MAX_VALUES_PER_FACET},
                        f"{facet}: at most {MAX_VALUES_PER_FACET} values per filter"))
        vocab = config.vocabulary(facet)
        known = (vocab.ids() if vocab else list(config.content_languages) if facet == "language"
                 else ["draft", "published"] if facet == "status" else None)
        for v in values:
            if v and known is not None and v not in known:
                add(Problem("unknown-value", facet, {"value": v[:40], "known": ", ".join(known)},
                            f"{facet}: unknown value {v!r} (known: {', '.join(known)})"))
    for name in ("year_from", "year_to"):
        v = getattr(req, name)
        if v is not None and not YEAR_MIN <= v <= YEAR_MAX:
            add(Problem("year-out-of-range", name, {"value": v, "min": YEAR_MIN, "max": YEAR_MAX},
                        f"{name}: {v} is out of range ({YEAR_MIN}-{YEAR_MAX})"))
    if req.year_from is not None and req.year_to is not None and req.year_from > req.year_to:
        add(Problem("year-range-reversed", "year_from", {"year_from": req.year_from, "year_to": req.year_to},
                    f"year_from: {req.year_from} is after year_to {req.year_to}"))
    if req.sort not in SORTS:
        add(Problem("unknown-sort", "sort", {"value": req.sort[:40], "known": ", ".join(SORTS)},
                    f"sort: unknown sort {req.sort!r} (known: {', '.join(SORTS)})"))
    if not 1 <= req.page <= MAX_PAGE:
        add(Problem("page-out-of-range", "page", {"value": req.page, "max": MAX_PAGE},
                    f"page: {req.page} is out of range (1-{MAX_PAGE})"))
    if req.ui_lang not in config.ui_languages:
        add(Problem("unknown-language", "lang", {"value": req.ui_lang[:20],
                                                 "known": ", ".join(config.ui_languages)},
                    f"lang: unknown interface language {req.ui_lang!r}"))
    return out
