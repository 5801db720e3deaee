"""HTML pages: the search page and the practice page. The URL's query string is the whole state."""
from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request
from flask_login import current_user

from kb.indexer.store import NoIndex
from kb.search import FILTER_FACETS, LANGUAGE_NAMES, MAX_VALUES_PER_FACET, SORTS, Problem, SearchRequest
from kb.web.i18n import gettext, setup_i18n
from kb.web.messages import problem_text
from kb.web.render import markdown_to_html

bp = Blueprint("search", __name__)

STATE_PARAMS = FILTER_FACETS + ("q", "year_from", "year_to", "sort", "page", "lang")
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


def init_app(app: Flask) -> None:
    setup_i18n(app)


def service():
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
        ui_lang=g.ui_lang, include_drafts=include_drafts)
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


def shared_terms_ui(terms: list[str]) -> list[dict]:
    """Shared terms (English words of the abstracts) in the interface language: of the
    dictionary's translations, the one most used in kb's own texts in that language (a
    dictionary's first sense is often not the one meant: open -> искрен, not отворен). A term
    without a translation used in kb stays in English, marked as such."""
    lang = g.ui_lang
    memo = current_app.extensions.setdefault("kb_term_memo", {})
    out = []
    for term in terms:
        key = (term, lang)
        if key not in memo:
            memo[key] = _translated_term(term, lang) if lang != "en" else None
            if len(memo) > 20_000:
                memo.clear()
        shown = memo[key]
        out.append({"text": shown, "lang": lang} if shown else {"text": term, "lang": "en"})
    return out


def _translated_term(term: str, lang: str) -> str | None:
    try:
        candidates = service().expander.dictionaries.translate(term, "en", lang, limit=4)
        snap = service().store.snapshot()
        with snap.lock:
            field = snap.searcher.schema[f"body_{lang}"]

            def df(word):
                return sum(snap.searcher.doc_frequency(f"body_{lang}", t)
                           for t in field.process_text(word, mode="index"))

            if lang != "bg" and df(term):
                return term         # the same word in Spanish (portal, digital): not a translation
            best, best_df = None, 0
            for word in candidates:
                n = df(word)
                if n > best_df:
                    best, best_df = word, n
        return best
    except Exception:  # noqa: BLE001 - a display nicety must not fail the page
        return None


@bp.app_context_processor
def template_helpers():
    return {"state_url": state_url, "toggle_url": toggle_url, "kb": kb_config(),
            "language_names": LANGUAGE_NAMES, "state_params": STATE_PARAMS,
            "practice_url": practice_url, "shared_terms_ui": shared_terms_ui}


@bp.route("/")
def search_page():
    return cached_page(_search_page)


def _search_page():
    req, problems = search_request_from_args()
    if not problems and req.year_from is not None and request.args.get("year_from", "").strip() != str(req.year_from):
        # a reversed year range was read as the range it means: show that range's own address
        return redirect(state_url(year_from=str(req.year_from), year_to=str(req.year_to)), 302)
    if problems:
        result = None
        status = 400
    else:
        result = service().search(req)
        status = 200
    facet_titles = {
        "region": gettext("Region"), "country": gettext("Country"), "topic": gettext("Topic"),
        "doctype": gettext("Document type"), "language": gettext("Language"), "year": gettext("Year"),
        "target_group": gettext("Target group"), "instrument": gettext("Instrument"),
        "organisation_type": gettext("Organisation type"), "status": gettext("Status"),
    }
    chips = []
    for facet in FILTER_FACETS:
        for value in req.selected(facet):
            vocab = kb_config().vocabulary(facet)
            label = vocab.label(value, g.ui_lang) if vocab else value
            chips.append({"facet": facet_titles.get(facet, facet), "label": label,
                          "url": toggle_url(facet, value)})
    for name in ("year_from", "year_to"):
        if getattr(req, name) is not None:
            chips.append({"facet": facet_titles["year"],
                          "label": (gettext("from") if name == "year_from" else gettext("to"))
                          + f" {getattr(req, name)}",
                          "url": state_url(**{name: None})})
    sort_labels = {"relevance": gettext("relevance"), "newest": gettext("newest first"),
                   "oldest": gettext("oldest first"), "title": gettext("title")}
    return render_template("search.html", req=req, result=result, problems=[problem_text(p) for p in problems],
                           chips=chips,
                           facet_titles=facet_titles, sorts=SORTS, sort_labels=sort_labels), status


@bp.route("/practice/<practice_id>")
def practice_page(practice_id: str):
    return cached_page(lambda: _practice_page(practice_id))


def _practice_page(practice_id: str):
    practice = service().practice(practice_id)
    if practice is None:
        abort(404)
    related = [d for d in (service().get(r) for r in practice.related) if d]
    similar = service().similar(practice.id, g.ui_lang)
    return render_template("practice.html", p=practice, body_html=markdown_to_html(practice.body),
                           cfg=kb_config(), related=related, similar=similar, back_url=back_url()), 200


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; the vendored icon answers."""
    return current_app.send_static_file("favicon.ico"), 200, {"Cache-Control": "public, max-age=604800"}


@bp.route("/help")
def help_page():
    return redirect(state_url("/about"), 301)


@bp.route("/about")
def about_page():
    return cached_page(_about_page)


def _about_page():
    try:
        result = service().search(SearchRequest(q="", ui_lang=g.ui_lang))
    except NoIndex:
        result = None
    regions = result.facet("region").values if result and result.facet("region") else []
    return render_template("about.html", total=result.total if result else 0, regions=regions), 200


@bp.app_errorhandler(404)
def not_found(_exc):
    return render_template("error.html", title=gettext("Not found"),
                           message=gettext("There is no page at this address.")), 404


@bp.app_errorhandler(500)
def server_error(_exc):  # pragma: no cover - last resort
    return render_template("error.html", title=gettext("Something went wrong"),
                           message=gettext("The error was logged. Please try again.")), 500
