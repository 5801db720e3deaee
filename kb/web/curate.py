"""Curators' room: sign-in, the list with drafts, create/edit/preview/publish, HTML import, history.

Everything under /curate/ needs a signed-in curator (Flask-Login); every form carries a CSRF
token (Flask-WTF). Writes go through kb.curation, which serialises them and keeps history.
"""
from __future__ import annotations

import difflib

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from kb import curation, curators
from kb.model import RecordError
from kb.web.i18n import gettext
from kb.web.messages import field_label, problem_text, record_problem_text
from kb.web.render import markdown_to_html
from kb.web.views import search_request_from_args, service

bp = Blueprint("curate", __name__, url_prefix="/curate")
login_manager = LoginManager()
csrf = CSRFProtect()
MAX_UPLOAD = 2 * 1024 * 1024      # bytes of HTML accepted by the import form


class Curator(UserMixin):
    def __init__(self, name: str):
        self.id = name
        self.name = name


def cfg():
    return current_app.config["KB_CONFIG"]


def init_app(app: Flask) -> None:
    config = app.config["KB_CONFIG"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = curators.secret_key(config)
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD + 64 * 1024
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=config.secure_cookies,
                      REMEMBER_COOKIE_SECURE=config.secure_cookies,
                      WTF_CSRF_TIME_LIMIT=None)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "curate.login"
    login_manager.login_message = None

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return render_template("error.html", title=gettext("The form expired"),
                               message=gettext("Please go back, reload the page and submit the form again.")), 400

    @app.errorhandler(413)
    def _too_large(_exc):
        return render_template("error.html", title=gettext("Upload too large"),
                               message=gettext("Files up to %(n)s MB can be imported.", n=MAX_UPLOAD // (1024 * 1024))), 413


@login_manager.user_loader
def _load_user(name: str):
    return Curator(name) if curators.exists(cfg(), name) else None


# --------------------------------------------------------------------------- sign in / out

@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        name = request.form.get("name", "").strip().lower()
        password = request.form.get("password", "")
        throttle = curators.Throttle(cfg())
        keys = (f"name:{name}", f"addr:{request.remote_addr}")
        wait = throttle.blocked_for(*keys)
        if wait:
            error = gettext("Too many failed sign-ins. Try again in %(m)s minutes.", m=max(1, wait // 60))
            status = 429
        elif curators.verify(cfg(), name, password):
            throttle.clear(f"name:{name}")
            login_user(Curator(name))
            curation.audit(cfg(), name, "sign-in", "-")
            target = request.args.get("next", "")
            if not target.startswith("/curate") or "//" in target:
                target = url_for("curate.index")
            return redirect(target)
        else:
            throttle.fail(*keys)
            error = gettext("Wrong name or password.")
            status = 401
    return render_template("curate_login.html", error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("search.search_page"))


# --------------------------------------------------------------------------- list

@bp.route("/")
@login_required
def index():
    req, problems = search_request_from_args(include_drafts=True)
    result = None if problems else service().search(req)
    return render_template("curate_index.html", req=req, result=result,
                           problems=[problem_text(p) for p in problems])


# --------------------------------------------------------------------------- create / edit

def _choices():
    c = cfg()
    lang = g.ui_lang
    return {name: [(t.id, t.label_in(lang)) for t in vocab] for name, vocab in (
        ("region", c.regions), ("topics", c.topics), ("target_groups", c.target_groups),
        ("instruments", c.instruments), ("organisation_type", c.organisation_types),
        ("doctype", c.doctypes))}


def _form_page(values, *, new: bool, version: str | None, problems=None, message=None, preview=None,
               status=200, warnings=None):
    by_field: dict[str, list[str]] = {}
    for f, reason in problems or []:
        by_field.setdefault(f.split("[")[0].split(".")[0], []).append(reason)
    return render_template("curate_form.html", v=values, new=new, version=version or "",
                           problems=by_field, message=message, preview=preview, choices=_choices(),
                           warnings=warnings or []), status


@bp.route("/new")
@login_required
def new():
    region = request.args.get("region", "")
    values = {"status": "draft", "lang": "", "region": region if region in cfg().regions else "",
              "topics": [], "target_groups": [], "instruments": []}
    return _form_page(values, new=True, version=None)


@bp.route("/edit/<practice_id>")
@login_required
def edit(practice_id):
    loaded = curation.load(cfg(), practice_id)
    if loaded is None:
        abort(404)
    practice, version = loaded
    return _form_page(curation.record_to_form(practice), new=False, version=version)


@bp.route("/save", methods=["POST"])
@login_required
def save():
    form = request.form.to_dict(flat=False)
    values = {k: (v if k in curation.LIST_FIELDS else (v[0] if v else "")) for k, v in form.items()}
    is_new = request.form.get("new") == "1"
    version = request.form.get("version") or None
    action = request.form.get("action", "draft")
    if action not in ("draft", "publish", "unpublish", "preview"):
        action = "draft"
    if action in ("publish", "draft", "unpublish"):
        form["status"] = ["published" if action == "publish" else "draft"]
        values["status"] = form["status"][0]
    try:
        practice = curation.form_to_record(form, cfg())
    except RecordError as exc:
        return _form_page(values, new=is_new, version=version, problems=exc.problems,
                          message=gettext("Please correct the marked fields."), status=400)
    if action == "preview":
        return _form_page(values, new=is_new, version=version, preview=markdown_to_html(practice.body))
    try:
        new_version, warning = curation.save(
            cfg(), practice, base_version=version, author=current_user.name,
            message=request.form.get("message", "").strip()[:500], action=action, new=is_new)
    except curation.Conflict as exc:
        return _form_page(values, new=is_new, version=version, status=409,
                          message=gettext("Not saved: %(reason)s", reason=str(exc)),
                          warnings=[gettext("Open the current version in a new tab to compare.")]
                          if exc.current_version else None)
    except RecordError as exc:
        return _form_page(values, new=is_new, version=version, problems=exc.problems, status=400,
                          message=gettext("Please correct the marked fields."))
    except curation.LockTimeout as exc:
        return _form_page(values, new=is_new, version=version, status=503, message=str(exc))
    service().store.invalidate()
    flash(gettext("Saved.") + (" " + warning if warning else ""))
    return redirect(url_for("curate.edit", practice_id=practice.id))


# --------------------------------------------------------------------------- history

@bp.route("/history/<practice_id>")
@login_required
def history(practice_id):
    if curation.find_file(cfg(), practice_id) is None and not curation.revisions(cfg(), practice_id):
        abort(404)
    revs = curation.revisions(cfg(), practice_id)
    diffs = []
    for newer, older in zip(revs, revs[1:] + [None]):
        new_text = curation.revision_text(cfg(), practice_id, newer.seq) or ""
        old_text = curation.revision_text(cfg(), practice_id, older.seq) if older else ""
        diff = list(difflib.unified_diff((old_text or "").splitlines(), new_text.splitlines(),
                                         f"#{older.seq}" if older else "(none)", f"#{newer.seq}",
                                         lineterm="", n=2))
        diffs.append((newer, diff))
    return render_template("curate_history.html", practice_id=practice_id, diffs=diffs)


@bp.route("/restore/<practice_id>/<int:seq>", methods=["POST"])
@login_required
def restore(practice_id, seq):
    try:
        curation.restore(cfg(), practice_id, seq, author=current_user.name)
    except KeyError:
        abort(404)
    except (curation.Conflict, RecordError, curation.LockTimeout) as exc:
        flash(gettext("Not restored: %(reason)s", reason=str(exc)))
        return redirect(url_for("curate.history", practice_id=practice_id))
    service().store.invalidate()
    flash(gettext("Revision %(n)s restored.", n=seq))
    return redirect(url_for("curate.edit", practice_id=practice_id))


# --------------------------------------------------------------------------- HTML import

@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_html():
    if request.method == "GET":
        return render_template("curate_import.html", error=None)
    from kb.importer import ImportError_, import_html as parse_page, suggest_id
    upload = request.files.get("file")
    html = upload.read(MAX_UPLOAD + 1) if upload and upload.filename else request.form.get("html", "").encode("utf-8")
    if len(html) > MAX_UPLOAD:
        return render_template("curate_import.html", error=gettext("Files up to %(n)s MB can be imported.",
                                                                   n=MAX_UPLOAD // (1024 * 1024))), 413
    if upload and upload.filename and not upload.filename.lower().endswith((".html", ".htm")):
        return render_template("curate_import.html", error=gettext("Upload an .html file.")), 400
    region = request.form.get("region", "")
    try:
        page = parse_page(html, url=request.form.get("url") or None)
    except ImportError_ as exc:
        return render_template("curate_import.html", error=str(exc)), 400
    values = {"status": "draft", "title": page.title, "summary": page.summary, "body": page.body_markdown,
              "lang": page.lang or "", "date": page.date.isoformat() if page.date else "",
              "year_start": str(page.date.year) if page.date else "", "source_url": page.source_url or "",
              "region": region if region in cfg().regions else "", "doctype": "case-study",
              "id": suggest_id(page.title, region) if region in cfg().regions else "",
              "topics": [], "target_groups": [], "instruments": [], "illustrative": ""}
    return _form_page(values, new=True, version=None, warnings=page.warnings,
                      message=gettext("Imported: review every field, then save as a draft or publish."))
