"""The Handbook on the web: GET /handbook (print-styled HTML; ?format=pdf for the PDF) and
GET /handbook.pdf, with the search page's filter parameters (default: every published practice)
and its ?lang= (the handbook's language). The work is kb.handbook's; this only reads the request.

A PDF of the whole corpus takes WeasyPrint tens of seconds, so finished PDFs are kept in memory
per worker, keyed by the selection, the language and the state of the index (a changed corpus
makes a new one), and one worker makes one PDF at a time.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, g, render_template, request, url_for

from kb.handbook import HandbookError, build_handbook, render_html, render_pdf
from kb.search import NoIndex, Problem
from kb.web.helpers import search_request_from_args, service, state_url
from kb.web.i18n import gettext
from kb.web.messages import problem_text

bp = Blueprint("handbook", __name__)
PDF_CACHE_SIZE = 8
_build_lock = threading.Lock()
_cache_lock = threading.Lock()


def _problem_page(problems: list, status: int = 400):
    """Search problems (kb.search.Problem) said in the interface language; others as they are."""
    return render_template("error.html", title=gettext("The handbook could not be made"),
                           message="; ".join(problem_text(p) if isinstance(p, Problem) else str(p)
                                             for p in problems)), status


def _build():
    req, problems = search_request_from_args()
    if problems:
        return None, problems
    try:
        return build_handbook(service(), req, g.ui_lang), []
    except HandbookError as exc:
        return None, exc.problems


@bp.route("/handbook")
def handbook_page():
    fmt = request.args.get("format", "html")
    if fmt == "pdf":
        return handbook_pdf()
    if fmt != "html":
        return _problem_page([f"format: unknown format {fmt[:20]!r} (known: html, pdf)"])
    return _handbook_html()          # not from the page cache: the cover shows today's date


def _handbook_html():
    handbook, problems = _build()
    if problems:
        return _problem_page(problems)
    html = render_html(handbook, stylesheet_href=url_for("static", filename="handbook.css"),
                       back_href=state_url("/", lang=g.ui_lang), pdf_href=state_url("/handbook.pdf", lang=g.ui_lang))
    return html, 200


@bp.route("/handbook.pdf")
def handbook_pdf():
    try:
        state = service().store.snapshot().key
    except NoIndex:
        state = None
    params = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k not in ("format", "lang")))
    key = (params, g.ui_lang, state, dt.date.today())       # the cover shows the date
    cache = current_app.extensions.setdefault("kb_handbook_pdfs", OrderedDict())
    with _cache_lock:
        pdf = cache.get(key)
    if pdf is None:
        with _build_lock:                    # one PDF at a time; whoever waited finds it made
            with _cache_lock:
                pdf = cache.get(key)
            if pdf is None:
                handbook, problems = _build()
                if problems:
                    return _problem_page(problems)
                try:
                    pdf = render_pdf(handbook)
                except HandbookError as exc:     # WeasyPrint unusable on this machine
                    return _problem_page(exc.problems, 503)
                if state is not None:
                    with _cache_lock:
                        cache[key] = pdf
                        while len(cache) > PDF_CACHE_SIZE:
                            cache.popitem(last=False)
    name = f"kb-handbook-{g.ui_lang}.pdf"
    return Response(pdf, content_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
