"""JSON API: the same search as the page, single records and the taxonomy."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from kb.search import Problem
from kb.web.helpers import cached_page, search_request_from_args, service, unknown_params
from kb.web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")


def _error(status: int, problems: list):
    """A 400/404 answer: `problems` in precise English, each naming its parameter; `details` give
    a stable code per problem (kb.search.Problem codes) for programs."""
    body = {"error": "bad request" if status == 400 else "not found", "problems": [str(p) for p in problems]}
    if any(isinstance(p, Problem) for p in problems):
        body["details"] = [{"code": p.code, "param": p.param, "message": p.message}
                           for p in problems if isinstance(p, Problem)]
    return jsonify(body), status


@bp.before_app_request
def _strict_api_language():
    """The JSON API refuses an unknown `lang` (pages fall back to a known language instead)."""
    if not request.path.startswith("/api/"):
        return None
    values = request.args.getlist("lang")
    known = current_app.config["KB_CONFIG"].ui_languages
    if len(values) > 1:
        return _error(400, ["lang: give one interface language"])
    if values and values[0] not in known:
        return _error(400, [f"lang: unknown interface language {values[0][:20]!r} (known: {', '.join(known)})"])
    return None


@bp.route("/search")
def api_search():
    return cached_page(_api_search)


def _api_search():
    req, problems = search_request_from_args()
    problems = unknown_params() + problems
    if problems:
        return _error(400, problems)
    body = current_app.json.dumps(service().search(req).to_dict())
    return body, 200, {"Content-Type": "application/json"}


@bp.route("/practices/<practice_id>")
def api_practice(practice_id: str):
    p = service().practice(practice_id)
    if p is None:
        return _error(404, [f"id: no published practice {practice_id[:80]!r}"])
    d = p.to_dict()
    d.pop("path", None)
    return jsonify(d)


def openapi_json():
    return jsonify(openapi_document(current_app.config["KB_CONFIG"]))


@bp.route("/taxonomy")
def api_taxonomy():
    cfg = current_app.config["KB_CONFIG"]

    def terms(vocab, with_synonyms=False):
        out = []
        for t in vocab:
            item = {"id": t.id, "label": t.label}
            if t.country:
                item["country"] = t.country
            if with_synonyms:
                item["synonyms"] = {k: list(v) for k, v in t.synonyms.items()}
            out.append(item)
        return out

    return jsonify({
        "languages": list(cfg.content_languages),
        "countries": terms(cfg.countries), "regions": terms(cfg.regions),
        "topics": terms(cfg.topics, True), "doctypes": terms(cfg.doctypes),
        "target_groups": terms(cfg.target_groups), "instruments": terms(cfg.instruments),
        "organisation_types": terms(cfg.organisation_types),
    })
