"""HTML pages: the search page and the practice page. The URL's query string is the whole state."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request

from kb.search import FILTER_FACETS, LANGUAGE_NAMES, SORTS, NoIndex, SearchRequest
from kb.web.helpers import (STATE_PARAMS, back_url, cached_page, kb_config, practice_url,
                            search_request_from_args, service, state_url, toggle_url)
from kb.web.i18n import gettext, setup_i18n
from kb.web.messages import problem_text
from kb.web.render import markdown_to_html

bp = Blueprint("search", __name__)

def init_app(app: Flask) -> None:
    setup_i18n(app)


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
