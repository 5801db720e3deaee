"""What the web rooms share: the app's search service and config, the search request read from
the query string, URLs that change one part of the search state, and the worker's page cache."""
from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import urlencode

from flask import current_app, g, request
from flask_login import current_user

from kb.search import FILTER_FACETS, NoIndex, SearchRequest, SearchService

STATE_PARAMS = FILTER_FACETS + ("q", "year_from", "year_to", "sort", "page", "lang", "expand")
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


def _int_arg(name: str, problems: list[str]) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        problems.append(f"{name}: {raw[:20]!r} is not a whole number")
        return None


def search_request_from_args(include_drafts: bool = False) -> tuple[SearchRequest, list[str]]:
    """Read a SearchRequest from the query string; problems name the parameter at fault."""
    problems: list[str] = []
    filters = {f: [v for v in request.args.getlist(f) if v] for f in FILTER_FACETS
               if f != "status" or include_drafts}
    page = _int_arg("page", problems)
    page = 1 if page is None else page
    req = SearchRequest(
        q=request.args.get("q", "").strip(),
        filters={k: v for k, v in filters.items() if v},
        year_from=_int_arg("year_from", problems), year_to=_int_arg("year_to", problems),
        sort=request.args.get("sort", "relevance") or "relevance", page=page,
        ui_lang=g.ui_lang, include_drafts=include_drafts,
        expand=request.args.get("expand", "1") != "0")
    expand = request.args.getlist("expand")
    if len(expand) > 1 or (expand and expand[0] not in ("0", "1")):
        problems.append("expand: give 0 (only the words as typed) or 1")
    problems.extend(service().validate(req))
    return req, problems


def state_url(endpoint_path: str = "/", **changes) -> str:
    """The current search URL with some parameters changed (None removes one); page resets.

    Parameters keep their places, so URLs stay stable and comparable."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k in STATE_PARAMS and v != ""]
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
