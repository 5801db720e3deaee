"""The compare room: /compare (page), /compare/matrix.csv, /compare/practices.csv, /api/compare.

The query string is the whole state (topic, region, q, lang, all repeatable where it makes sense);
the numbers come from kb.compare.CompareService, which asks the search service for them.
"""
from __future__ import annotations

import csv
import io
import math
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for

from kb.compare import EXPORT_LIMIT, CompareRequest, CompareResult, CompareService, Problem
from kb.web.i18n import gettext
from kb.web.helpers import service

bp = Blueprint("compare", __name__)

SWATCHES = 6            # region colours in kb.css: .swatch-0 … .swatch-5, by the region's place in config.toml


def compare_service() -> CompareService:
    """One CompareService per app, on top of the app's search service."""
    ext = current_app.extensions
    if "kb_compare" not in ext:
        ext["kb_compare"] = CompareService(service())
    return ext["kb_compare"]


def compare_request_from_args(**overrides) -> CompareRequest:
    """The CompareRequest in the query string; no region at all means the default four."""
    regions = [v.strip() for v in request.args.getlist("region") if v.strip()]
    req = CompareRequest(
        topics=list(dict.fromkeys(v.strip() for v in request.args.getlist("topic") if v.strip())),
        regions=regions or compare_service().default_regions(),
        q=request.args.get("q", "").strip(), ui_lang=g.ui_lang)
    for k, v in overrides.items():
        setattr(req, k, v)
    return req


def problem_text(p: Problem) -> str:
    """A problem in the interface language."""
    known = ", ".join(p.known)
    if p.code == "too-few-regions":
        return gettext("Choose at least %(min)s regions to compare (you chose %(n)s).", min=p.limit, n=p.n)
    if p.code == "too-many-regions":
        return gettext("Choose at most %(max)s regions to compare (you chose %(n)s).", max=p.limit, n=p.n)
    if p.code == "unknown-region":
        return gettext("Unknown region “%(value)s”. Known regions: %(known)s.", value=p.value, known=known)
    if p.code == "unknown-topic":
        return gettext("Unknown topic “%(value)s”. Known topics: %(known)s.", value=p.value, known=known)
    if p.code == "query-too-long":
        return gettext("The query is %(n)s characters long; the limit is %(limit)s.", n=p.n, limit=p.limit)
    return str(p)


def _with_lang(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if "lang" in request.args:
        pairs.append(("lang", g.ui_lang))
    return pairs


def search_url(params: dict) -> str:
    """The search page for these parameters (its total is the number shown next to the link)."""
    return "/?" + urlencode(_with_lang(_pairs(params)))


def compare_url(req: CompareRequest, path: str = "/compare", **changes) -> str:
    """This comparison's URL (or an export's) with some of topic/region/q changed."""
    state = {"topic": req.topics, "region": req.regions, "q": req.q}
    state.update(changes)
    pairs = _with_lang(_pairs(state))
    return path + ("?" + urlencode(pairs) if pairs else "")


def _pairs(params: dict) -> list[tuple[str, str]]:
    out = []
    for key in ("q", "topic", "region"):
        value = params.get(key)
        if isinstance(value, (list, tuple)):
            out.extend((key, v) for v in value)
        elif value:
            out.append((key, value))
    return out


def heat(count: int, top: int) -> int:
    """Shade 0–4 of a matrix cell: 0 for none, then by the share of the largest count."""
    return 0 if not count or not top else max(1, math.ceil(4 * count / top))


def chart(result: CompareResult, swatch: dict[str, int]) -> dict:
    """Geometry of the coverage chart: small multiples, one panel per region, a bar per topic, on a
    shared scale so panels compare; the template only draws what this returns."""
    label_w, panel_w, panel_gap, row_h, bar_h, head = 330, 200, 24, 32, 16, 32
    top = max(result.max_count, 1)
    plot_w = panel_w - 26                       # room for the count after the longest bar
    panels = []
    for j, col in enumerate(result.columns):
        x0 = label_w + j * (panel_w + panel_gap)
        bars = [{"y": head + i * row_h + (row_h - bar_h) / 2, "h": bar_h,
                 "w": round(plot_w * row.cells[j].count / top, 1), "count": row.cells[j].count,
                 "gap": row.cells[j].gap, "topic": row.topic_label}
                for i, row in enumerate(result.matrix)]
        panels.append({"x": x0, "label": col.region_label, "swatch": swatch.get(col.region, 0), "bars": bars})
    rows = []
    for i, row in enumerate(result.matrix):
        lines = _wrap(row.topic_label, 40)
        mid = head + i * row_h + row_h / 2
        rows.append({"y": head + i * row_h, "band": i % 2 == 0,
                     "lines": [{"text": t, "y": round(mid + 5 + (k - (len(lines) - 1) / 2) * 15, 1)}
                               for k, t in enumerate(lines)]})
    width = label_w + len(panels) * (panel_w + panel_gap) - panel_gap + 6
    height = head + len(rows) * row_h + 4
    return {"width": width, "height": height, "label_w": label_w, "panel_w": panel_w,
            "row_h": row_h, "head": head, "panels": panels, "rows": rows}


def _wrap(text: str, width: int) -> list[str]:
    """At most two lines of about `width` characters (SVG text does not wrap by itself)."""
    if len(text) <= width:
        return [text]
    words, first = text.split(), ""
    while words and len(first) + len(words[0]) + 1 <= width + 1:
        first = f"{first} {words.pop(0)}".strip()
    if not first:
        first = words.pop(0)
    return [first, " ".join(words)] if words else [first]


def _swatches() -> dict[str, int]:
    return {rid: i % SWATCHES for i, rid in enumerate(current_app.config["KB_CONFIG"].regions.ids())}


@bp.route("/compare")
def compare_page():
    req = compare_request_from_args()
    result = compare_service().compare(req)
    swatch = _swatches()
    status = 400 if result.problems else 200
    cfg = current_app.config["KB_CONFIG"]
    gaps = []        # (column, [(row, cell)]) of topics a region lacks while another chosen region has some
    if not result.problems:
        for j, col in enumerate(result.columns):
            missing = [(row, row.cells[j]) for row in result.matrix if row.cells[j].gap and row.cells[j].in_other_regions]
            if missing:
                gaps.append((col, missing))
    return render_template(
        "compare.html", req=req, result=result, problems=[problem_text(p) for p in result.problems],
        problem_params=[p.param for p in result.problems],
        cfg=cfg, swatch=swatch, heat=heat, search_url=search_url, compare_url=compare_url, gaps=gaps,
        chart=chart(result, swatch) if result.matrix else None), status


def _bad(result: CompareResult):
    return jsonify({"error": "bad request", "problems": [str(p) for p in result.problems]}), 400


API_PARAMS = ("topic", "region", "q", "lang")


def _api_strictness() -> list[str]:
    """What the API refuses though the page forgives it: unknown parameters, empty or padded ids,
    a region named twice (the page trims, drops empties and counts a region once)."""
    problems = [f"{k[:40]}: unknown parameter (known: {', '.join(API_PARAMS)})"
                for k in dict.fromkeys(request.args.keys()) if k not in API_PARAMS]
    cfg = current_app.config["KB_CONFIG"]
    for name, vocab in (("region", cfg.regions), ("topic", cfg.topics)):
        values = request.args.getlist(name)
        problems += [f"{name}: unknown {name} {v[:40]!r} (known: {', '.join(vocab.ids())})"
                     for v in values if v not in vocab and v.strip() in vocab or not v.strip()]
        if len(values) != len(set(values)):
            problems.append(f"{name}: a {name} is given more than once")
    return problems


@bp.route("/api/compare")
def api_compare():
    strict = _api_strictness()
    if strict:
        return jsonify({"error": "bad request", "problems": strict}), 400
    result = compare_service().compare(compare_request_from_args())
    if result.problems:
        return _bad(result)
    data = result.to_dict()
    for row in data["matrix"]:
        for cell in row["cells"]:
            cell["search_url"] = search_url(cell["params"])
    for col in data["columns"]:
        col["search_url"] = search_url(col["params"])
    return jsonify(data)


def _csv(rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    out.write("\ufeff")                  # BOM: Excel then reads UTF-8 (Cyrillic, accents) correctly
    csv.writer(out).writerows(rows)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/compare/matrix.csv")
def matrix_csv():
    result = compare_service().compare(compare_request_from_args(counterparts=0, column_limit=0))
    if result.problems:
        return _bad(result)
    rows = [["topic_id", gettext("Topic"), *(r["label"] for r in result.regions), gettext("All chosen regions")]]
    for row in result.matrix:
        rows.append([row.topic, row.topic_label, *(c.count for c in row.cells), row.total])
    return _csv(rows, "kb-compare-matrix.csv")


PRACTICE_COLUMNS = ("region", "region_label", "id", "title", "title_en", "lang", "years", "doctype",
                    "topics", "instruments", "target_groups", "abstract", "abstract_lang", "counterparts", "url")


@bp.route("/compare/practices.csv")
def practices_csv():
    result = compare_service().compare(compare_request_from_args(column_limit=EXPORT_LIMIT))
    if result.problems:
        return _bad(result)
    rows = [list(PRACTICE_COLUMNS)]
    for col in result.columns:
        for p in col.practices:
            rows.append([
                col.region, col.region_label, p.id, p.title, p.title_en, p.lang, p.years, p.doctype_label,
                "; ".join(t["label"] for t in p.topics), "; ".join(t["label"] for t in p.instruments),
                "; ".join(t["label"] for t in p.target_groups), p.abstract, p.abstract_lang,
                "; ".join(f"{c.id} ({c.region_label})" for c in p.counterparts),
                url_for("search.practice_page", practice_id=p.id, _external=True)])
    return _csv(rows, "kb-compare-practices.csv")
