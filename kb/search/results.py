"""What a search answers: plain dataclasses (hits, facets with their values, pages, hints) that
templates, the JSON API and the CLI render without thinking."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from kb.search.request import SearchRequest

# Names of the content languages in each interface language (facet labels).
LANGUAGE_NAMES = {
    "bg": {"bg": "Български", "es": "Búlgaro", "en": "Bulgarian"},
    "es": {"bg": "Испански", "es": "Español", "en": "Spanish"},
    "en": {"bg": "Английски", "es": "Inglés", "en": "English"},
}


def plain(obj):
    """A dataclass as a dict of its fields, in order, nested dataclasses (and lists of them)
    converted; other lists and dicts are shared, not copied, as the result is only serialised
    (dataclasses.asdict's deep copy was 15% of a distinct API search's time)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {name: plain(getattr(obj, name)) for name in obj.__dataclass_fields__}
    if isinstance(obj, list) and obj and hasattr(obj[0], "__dataclass_fields__"):
        return [plain(x) for x in obj]
    return obj


@dataclass
class Hit:
    id: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    lang: str
    region: str
    region_label: str
    country: str
    year_start: int
    year_end: int | None
    ongoing: bool
    doctype: str
    doctype_label: str
    topics: list[dict]
    status: str
    illustrative: bool
    score: float
    snippet_html: str                 # escaped text with <mark> around matched words
    snippet_text: str
    # why the record is here, where not through the typed words in its own text:
    # [{"typed", "matched", "kind": translit|translation|topic|spelling|abstract|tag}]
    matched_via: list[dict] = field(default_factory=list)
    # the query's words the record does not hold in any form: when no record holds them all,
    # or a record in another language lacks one (kb.search.matching.other_language_partial)
    missing: list[str] = field(default_factory=list)


@dataclass
class Similar:
    id: str
    title: str
    title_en: str
    lang: str
    region: str
    region_label: str
    year_start: int
    score: float
    shared_terms: list[str]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    values: list[FacetValue]


@dataclass
class DropHint:
    """On a zero-result page: removing this facet's selection would give `count` results."""
    facet: str
    count: int


@dataclass(frozen=True)
class Alternative:
    """Something searched for a typed word besides the word itself."""
    text: str
    kind: str                 # translit | translation | topic | spelling
    lang: str                 # content language it was looked up in ('' for any)


@dataclass
class SearchedWord:
    """One clause of the query as it was searched."""
    typed: str
    required: bool            # stop words are searched but not required
    records: int              # published records holding it in some form (filters aside)
    also: list[Alternative] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)     # [{"id", "label"}] taxonomy topics it names


@dataclass
class Relaxed:
    """No record holds every word: the list shows the records holding the most of them."""
    required: int             # each listed record holds at least this many of the words
    of: int                   # the number of words required by default
    missing: list[str] = field(default_factory=list)     # words no record holds in any form


@dataclass
class Explanation:
    words: list[SearchedWord] = field(default_factory=list)
    relaxed: Relaxed | None = None
    corrected: str = ""       # the query with its corrected words, when a word was corrected

    def to_dict(self) -> dict:
        return plain(self)


@dataclass
class SearchResult:
    request: SearchRequest
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: list[Facet]
    suggestion: str = ""
    message: str = ""
    drop_hints: list[DropHint] = field(default_factory=list)
    explanation: Explanation = field(default_factory=Explanation)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)

    def to_dict(self) -> dict:
        return {
            "query": self.request.q, "total": self.total, "page": self.page, "pages": self.pages,
            "page_size": self.page_size, "sort": self.request.sort,
            "hits": [plain(h) for h in self.hits],
            "facets": {f.name: [plain(v) for v in f.values] for f in self.facets},
            "suggestion": self.suggestion or None, "message": self.message or None,
            "drop_hints": [plain(h) for h in self.drop_hints],
            "explanation": self.explanation.to_dict(),
        }
