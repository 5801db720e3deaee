"""Exports of the current search: CSV (UTF-8 with BOM, so Excel opens Cyrillic) and an Atom feed."""
from __future__ import annotations

import csv
import datetime as dt
import io
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, g, render_template, request, url_for

from kb.indexer.schema import StoredRecord
from kb.search import LANGUAGE_NAMES, Problem
from kb.web.helpers import search_request_from_args, service, state_url
from kb.web.i18n import gettext
from kb.web.messages import problem_text

bp = Blueprint("exports", __name__)

# (column, what it holds): each controlled value has its id and, next to it, its label in the
# interface language; yes/no columns are words in the interface language.
CSV_COLUMNS = ("id", "title", "title_en", "region", "region_label", "country", "country_label",
               "lang", "language_label", "year_start", "year_end", "ongoing", "doctype", "doctype_label",
               "topics", "topics_labels", "target_groups", "target_groups_labels", "instruments",
               "instruments_labels", "organisation", "organisation_type", "organisation_type_label",
               "municipality", "status", "status_label", "illustrative", "summary", "summary_en", "url")
FEED_SIZE = 50


def _bad(problems):
    """Bad parameters: a page in the interface language (people follow these links)."""
    return render_template("error.html", title=gettext("The export could not be made"),
                           problems=[problem_text(p) if isinstance(p, Problem) else str(p) for p in problems],
                           message=""), 400


@bp.route("/export.csv")
def export_csv():
    req, problems = search_request_from_args()
    if problems:
        return _bad(problems)
    docs, problems = service().all_matching(req)
    if problems:
        return _bad(problems)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for d in docs:
        row = _labelled(d)
        row["url"] = url_for("search.practice_page", practice_id=d.id, _external=True)
        writer.writerow(["; ".join(row[c]) if isinstance(row.get(c), list) else
                         ("" if row.get(c) is None else row.get(c)) for c in CSV_COLUMNS])
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="kb-practices.csv"'})


def _labelled(d: StoredRecord) -> dict:
    """A record's stored display data with the labels of its controlled values (UI language)."""
    cfg = current_app.config["KB_CONFIG"]
    lang = g.ui_lang
    yes, no = gettext("yes"), gettext("no")
    row = d.to_dict()
    for key, vocab in (("region", cfg.regions), ("country", cfg.countries), ("doctype", cfg.doctypes),
                       ("organisation_type", cfg.organisation_types)):
        row[f"{key}_label"] = vocab.label(row[key], lang) if row.get(key) else ""
    for key, vocab in (("topics", cfg.topics), ("target_groups", cfg.target_groups),
                       ("instruments", cfg.instruments)):
        row[f"{key}_labels"] = [vocab.label(v, lang) for v in row.get(key) or []]
    row["language_label"] = LANGUAGE_NAMES.get(d.lang, {}).get(lang, d.lang)
    row["status_label"] = gettext("Published") if d.status == "published" else gettext("Draft")
    row["ongoing"] = yes if d.ongoing else no
    row["illustrative"] = yes if d.illustrative else no
    return row


def _updated(d: StoredRecord) -> str:
    if d.date:
        return f"{d.date}T00:00:00Z"
    return f"{d.year_start}-01-01T00:00:00Z"


@bp.route("/feed.atom")
def feed_atom():
    req, problems = search_request_from_args()
    if problems:
        return _bad(problems)
    req.sort = "newest"
    docs, problems = service().all_matching(req, limit=FEED_SIZE)
    if problems:
        return _bad(problems)
    self_url = request.url
    page_url = request.host_url.rstrip("/") + state_url("/")
    title = gettext("Good-governance practices") + (f": {req.q}" if req.q else "")
    updated = max((_updated(d) for d in docs), default=dt.datetime(2000, 1, 1).strftime("%Y-%m-%dT%H:%M:%SZ"))
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(title)}</title>",
             f'<link rel="self" href="{escape(self_url)}"/>',
             f'<link rel="alternate" type="text/html" href="{escape(page_url)}"/>',
             f"<id>{escape(self_url)}</id>",
             f"<updated>{updated}</updated>",
             "<author><name>kb</name></author>"]
    for d in docs:
        link = url_for("search.practice_page", practice_id=d.id, _external=True)
        summary = d.summary + (f"\n\n{d.summary_en}" if d.summary_en else "")
        parts += ["<entry>",
                  f'<title xml:lang="{d.lang}">{escape(d.title)}</title>',
                  f'<link rel="alternate" type="text/html" href="{escape(link)}"/>',
                  f"<id>{escape(link)}</id>",
                  f"<updated>{_updated(d)}</updated>",
                  f"<summary>{escape(summary)}</summary>",
                  *(f'<category term="{escape(t)}"/>' for t in d.topics),
                  "</entry>"]
    parts.append("</feed>")
    return Response("\n".join(parts) + "\n", content_type="application/atom+xml; charset=utf-8")
