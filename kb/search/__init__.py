"""The read side: query parsing (`parse`), expansion across scripts and languages (`expansion`),
query building (`querybuild`), the serving index (`store`), evaluation over whole posting lists
(`vector`), re-ranking (`rerank`), facets, snippets (`highlight`), spelling, more-like-this
(`similar`), retrieval evaluation (`evaluation`), and `service.SearchService`, which
orchestrates them. This package re-exports what the web layer, the CLI and compare use."""
from kb.search.request import FILTER_FACETS, MAX_VALUES_PER_FACET, SORTS, Problem, SearchRequest  # noqa: F401
from kb.search.highlight import short_text  # noqa: F401
from kb.search.results import (LANGUAGE_NAMES, DropHint, Facet, FacetValue, Hit,  # noqa: F401
                               SearchResult, Similar)
from kb.search.service import SearchService  # noqa: F401
from kb.search.store import NoIndex  # noqa: F401
