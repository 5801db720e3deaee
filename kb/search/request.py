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


def validate(config: Config, req: SearchRequest) -> list[str]:
    """Problems with the request's parameters, each naming the parameter (empty = fine)."""
    problems = []
    if len(req.q) > config.max_query_length:
        problems.append(f"q: the query is {len(req.q)} characters long; the limit is "
                        f"{config.max_query_length}")
    for facet, values in req.filters.items():
        if facet not in FILTER_FACETS:
            problems.append(f"{facet}: unknown filter (known: {', '.join(FILTER_FACETS)})")
            continue
        if len(values) > MAX_VALUES_PER_FACET:
            problems.append(f"{facet}: at most {MAX_VALUES_PER_FACET} values per filter")
        vocab = config.vocabulary(facet)
        known = (vocab.ids() if vocab else list(config.content_languages) if facet == "language"
                 else ["draft", "published"] if facet == "status" else None)
        for v in values:
            if v and known is not None and v not in known:
                problems.append(f"{facet}: unknown value {v!r} (known: {', '.join(known)})")
    for name in ("year_from", "year_to"):
        v = getattr(req, name)
        if v is not None and not YEAR_MIN <= v <= YEAR_MAX:
            problems.append(f"{name}: {v} is out of range ({YEAR_MIN}-{YEAR_MAX})")
    if req.year_from is not None and req.year_to is not None and req.year_from > req.year_to:
        problems.append(f"year_from: {req.year_from} is after year_to {req.year_to}")
    if req.sort not in SORTS:
        problems.append(f"sort: unknown sort {req.sort!r} (known: {', '.join(SORTS)})")
    if not 1 <= req.page <= MAX_PAGE:
        problems.append(f"page: {req.page} is out of range (1-{MAX_PAGE})")
    if req.ui_lang not in config.ui_languages:
        problems.append(f"lang: unknown interface language {req.ui_lang!r}")
    return problems
