"""What the web rooms share: the app's search service and config, the search request read from
the query string (problems with stable codes), URLs that change one part of the search state or
lead back to it, and the worker's page cache."""
from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from flask import current_app, g, request
from flask_login import current_user

from kb.search import FILTER_FACETS, MAX_VALUES_PER_FACET, NoIndex, Problem, SearchRequest, SearchService

STATE_PARAMS = FILTER_FACETS + ("q", "year_from", "year_to", "sort", "page", "lang", "expand")
BACK_PARAM = "back"       # on a practice page: the query string of the search it was opened from
PAGE_CACHE_SIZE = 512
_page_lock = threading.Lock()


def cached_page(make):
    """A page as HTML, from the worker's page cache when possible. A page seen by a visitor who
    is not signed in depends only on its URL, the interface language and the state of the index
    (the key); signed-in curators see drafts and forms and always get a fresh page."""
    if current_user.is_authenticated:
        return make()
    try:
        state = service().store.snapshot().key
    except NoIndex:
        return make()
    key = (request.endpoint, request.full_path, g.ui_lang, state)
    cache = current_app.extensions.setdefault("kb_page_cache", OrderedDict())
    with _page_lock:
        page = cache.get(key)
        if page is not None:
            cache.move_to_end(key)
            return page
    page = make()
    if not isinstance(page, tuple) or not isinstance(page[0], str):
        return page                          # a Response object is never shared between requests
    with _page_lock:
        cache[key] = page
        while len(cache) > PAGE_CACHE_SIZE:
            cache.popitem(last=False)
    return page



def service() -> SearchService:
    return current_app.extensions["kb_search"]


def kb_config():
    return current_app.config["KB_CONFIG"]


def _int_arg(name: str, problems: list[Problem]) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        problems.append(Problem("not-a-number", name, {"value": raw[:20]},
                                f"{name}: {raw[:20]!r} is not a whole number"))
        return None


def search_request_from_args(include_drafts: bool = False) -> tuple[SearchRequest, list[Problem]]:
    """Read a SearchRequest from the query string; problems name the parameter at fault (str()
    of a problem is precise English, problem_text() says it in the interface language).

    A reversed year range (year_from after year_to) is read as the range it means."""
    problems: list[Problem] = []
    filters = {f: [v for v in request.args.getlist(f) if v] for f in FILTER_FACETS
               if f != "status" or include_drafts}
    for f in FILTER_FACETS:                 # counted as sent (empty values included)
        if len(request.args.getlist(f)) > MAX_VALUES_PER_FACET:
            problems.append(Problem("too-many-values", f, {"limit": MAX_VALUES_PER_FACET},
                                    f"{f}: at most {MAX_VALUES_PER_FACET} values per filter"))
    page = _int_arg("page", problems)
    page = 1 if page is None else page
    year_from, year_to = _int_arg("year_from", problems), _int_arg("year_to", problems)
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    req = SearchRequest(
        q=request.args.get("q", "").strip(),
        filters={k: v for k, v in filters.items() if v},
        year_from=year_from, year_to=year_to,
        sort=request.args.get("sort", "relevance") or "relevance", page=page,
        ui_lang=g.ui_lang, include_drafts=include_drafts,
        expand=request.args.get("expand", "1") != "0")
    expand = request.args.getlist("expand")
    if len(expand) > 1 or (expand and expand[0] not in ("0", "1")):
        problems.append(Problem("bad-expand", "expand", {},
                                "expand: give 0 (only the words as typed) or 1"))
    seen = {p.message for p in problems}
    problems.extend(p for p in service().problems(req) if p.message not in seen)
    return req, problems


API_PARAMS = tuple(p for p in STATE_PARAMS if p != "status")     # drafts are for curators' pages


def unknown_params(known=API_PARAMS) -> list[Problem]:
    """Parameters a machine client sent that kb does not know (the API refuses them by name)."""
    return [Problem("unknown-parameter", name, {"known": ", ".join(known)},
                    f"{name[:40]}: unknown parameter (known: {', '.join(known)})")
            for name in dict.fromkeys(request.args.keys()) if name not in known]


def state_url(endpoint_path: str = "/", **changes) -> str:
    """The current search URL with some parameters changed (None removes one); page resets.

    Parameters keep their places, so URLs stay stable and comparable."""
    params = [(k, v) for k, v in request.args.items(multi=True)
              if (k in STATE_PARAMS or k == BACK_PARAM) and v != ""]
    if "page" not in changes:
        changes["page"] = None
    out, placed = [], set()
    for key, value in params:
        if key not in changes:
            out.append((key, value))
        elif key not in placed:
            placed.add(key)
            out.extend(_values(key, changes[key]))
    for key, value in changes.items():
        if key not in placed:
            out.extend(_values(key, value))
    return endpoint_path + ("?" + urlencode(out) if out else "")


def _values(key, value) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [(key, v) for v in value]
    return [(key, value)]


def toggle_url(facet: str, value: str, path: str = "/") -> str:
    """URL that adds `value` to the facet's selection, or removes it if it is selected."""
    current = request.args.getlist(facet)
    new = [v for v in current if v != value] if value in current else current + [value]
    return state_url(path, **{facet: new or None})


def practice_url(practice_id: str) -> str:
    """A practice page's address; from a search, it carries the search (the way back keeps it)."""
    state = [(k, v) for k, v in request.args.items(multi=True) if k in STATE_PARAMS and v != ""]
    path = f"/practice/{practice_id}"
    if request.endpoint == "search.search_page" and state:
        return path + "?" + urlencode({BACK_PARAM: urlencode(state)})
    return path


def back_url() -> str | None:
    """The search a practice page was opened from (only known search parameters are kept; the
    interface language is the page's own), or None."""
    raw = request.args.get(BACK_PARAM, "")
    if not raw or len(raw) > 2000:
        return None
    pairs = [(k, v) for k, v in parse_qsl(raw) if k in STATE_PARAMS and k != "lang"]
    if "lang" in request.args or any(k == "lang" for k, _ in parse_qsl(raw)):
        pairs.append(("lang", g.ui_lang))
    return "/?" + urlencode(pairs) if pairs else None
