"""HTML pages: the search page and the practice page. The URL's query string is the whole state."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, render_template

from kb.search import FILTER_FACETS, LANGUAGE_NAMES, SORTS
from kb.web.helpers import (cached_page, kb_config, search_request_from_args, service, state_url,
                            toggle_url)
from kb.web.i18n import gettext, setup_i18n
from kb.web.render import markdown_to_html

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    setup_i18n(app)


@bp.app_context_processor
def template_helpers():
    return {"state_url": state_url, "toggle_url": toggle_url, "kb": kb_config(),
            "language_names": LANGUAGE_NAMES}


@bp.route("/")
def search_page():
    return cached_page(_search_page)


def _search_page():
    req, problems = search_request_from_args()
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
    return render_template("search.html", req=req, result=result, problems=problems, chips=chips,
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
                           cfg=kb_config(), related=related, similar=similar), 200


@bp.app_errorhandler(404)
def not_found(_exc):
    return render_template("error.html", title=gettext("Not found"),
                           message=gettext("There is no page at this address.")), 404


@bp.app_errorhandler(500)
def server_error(_exc):  # pragma: no cover - last resort
    return render_template("error.html", title=gettext("Something went wrong"),
                           message=gettext("The error was logged. Please try again.")), 500
