"""Curators' room: sign-in, the list with drafts, create/edit/preview/publish, HTML import, history.

Everything under /curate/ needs a signed-in curator (Flask-Login); every form carries a CSRF
token (Flask-WTF). Writes go through kb.curation, which serialises them and keeps history.
"""
from __future__ import annotations

import difflib
import re

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from kb.curation import accounts as curators, edits as curation
from kb.curation.documents import import_document
from kb.curation.importer import ImportError_, import_html as parse_page, page_text, suggest_id
from kb.records.model import RecordError, parse_practice
from kb.search import LANGUAGE_NAMES
from kb.web.i18n import gettext
from kb.web.fetch import FetchError, fetch
from kb.web.messages import fetch_error_text, field_label, import_note_text, problem_text, record_problem_text
from kb.web.render import markdown_to_html
from kb.web.helpers import search_request_from_args, service

bp = Blueprint("curate", __name__, url_prefix="/curate")
login_manager = LoginManager()
csrf = CSRFProtect()
MAX_UPLOAD = 2 * 1024 * 1024      # bytes of HTML accepted by the import form
MAX_DOCUMENT_UPLOAD = 10 * 1024 * 1024   # bytes of PDF/DOCX/ODT (kb.curation.documents.MAX_DOCUMENT_BYTES)


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
        app.config["MAX_CONTENT_LENGTH"] = max(MAX_UPLOAD, MAX_DOCUMENT_UPLOAD) + 64 * 1024
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
                               message=gettext("Files up to %(n)s MB can be imported.", n=MAX_DOCUMENT_UPLOAD // (1024 * 1024))), 413


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


def _saved_status(practice_id: str | None) -> str | None:
    """The status of the record as saved in the corpus (None: not saved yet). The badge shows
    this, never what the form asked for: a refused Publish leaves a draft a draft."""
    loaded = curation.load(cfg(), practice_id) if practice_id else None
    return loaded[0].status if loaded else None


def _form_page(values, *, new: bool, version: str | None, problems=None, message=None, preview=None,
               status=200, warnings=None, info=None):
    by_field: dict[str, list[str]] = {}
    for f, reason in problems or []:
        by_field.setdefault(f.split("[")[0].split(".")[0], []).append(record_problem_text(f, reason))
    labels = {f: field_label(f) for f in by_field}
    saved = None if new else _saved_status(values.get("id"))
    return render_template("curate_form.html", v=values, new=new, version=version or "",
                           problems=by_field, labels=labels, message=message, preview=preview,
                           choices=_choices(), warnings=warnings or [], saved_status=saved, info=info,
                           body_html=markdown_to_html(preview.body) if preview else "",
                           cfg=cfg(), related=[], similar=[], preview_mode=True), status


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


def conflict_text(exc: curation.Conflict) -> str:
    if exc.code == "id-taken":
        return gettext("A record with this id already exists. Choose another id.")
    if exc.code == "gone":
        return gettext("This record no longer exists (someone deleted or renamed it).")
    return gettext("Someone else changed this record after you opened it. Your text is kept below: "
                   "compare it with the current version, then save again.")


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
    try:
        practice = curation.form_to_record(form, cfg())
    except RecordError as exc:
        return _form_page(values, new=is_new, version=version, problems=exc.problems, status=400,
                          message=gettext("Nothing was saved. Please correct the marked fields."))
    if action == "preview":
        return _form_page(values, new=is_new, version=version, preview=practice)
    try:
        new_version, warning = curation.save(
            cfg(), practice, base_version=version, author=current_user.name,
            message=request.form.get("message", "").strip()[:500], action=action, new=is_new)
    except curation.Conflict as exc:
        return _form_page(values, new=is_new, version=version, status=409,
                          message=gettext("Nothing was saved.") + " " + conflict_text(exc),
                          warnings=[gettext("Open the current version in a new tab to compare.")]
                          if exc.current_version else None)
    except RecordError as exc:
        return _form_page(values, new=is_new, version=version, problems=exc.problems, status=400,
                          message=gettext("Nothing was saved. Please correct the marked fields."))
    except curation.LockTimeout:
        return _form_page(values, new=is_new, version=version, status=503,
                          message=gettext("Nothing was saved: another save is taking too long. Try again in a moment."))
    service().store.invalidate()
    done = {"publish": gettext("Saved and published."), "unpublish": gettext("Saved; the record is now a draft."),
            "draft": gettext("Saved as a draft.")}[action]
    if warning:
        done += " " + gettext("The search index could not be updated; it will be brought up to date by the "
                              "next “kb index”.")
    flash(done)
    return redirect(url_for("curate.edit", practice_id=practice.id))


# --------------------------------------------------------------------------- history

def action_label(action: str) -> str:
    return {"draft": gettext("saved as a draft"), "save": gettext("saved"), "publish": gettext("published"),
            "unpublish": gettext("unpublished"), "restore": gettext("restored"),
            "import": gettext("version found in the corpus")}.get(action, action)


def revision_message(rev) -> str:
    m = re.fullmatch(r"restored revision (\d+)", rev.message or "")
    if m:
        return gettext("Restored revision %(n)s.", n=m.group(1))
    if rev.message == "version found in the corpus":
        return gettext("The version that was in the corpus before the first save through kb.")
    return rev.message


def revision_author(rev) -> str:
    return gettext("(before kb curation)") if rev.author == "(before kb curation)" else rev.author


def _record_of(practice_id: str, seq: int | None):
    """A revision (or, with seq None, the current file) as a record, or None if unreadable."""
    text = (curation.revision_text(cfg(), practice_id, seq) if seq is not None else
            (lambda f: f.read_text(encoding="utf-8") if f else None)(curation.find_file(cfg(), practice_id)))
    if text is None:
        return None
    try:
        return parse_practice(text, cfg(), f"history/{practice_id}")
    except RecordError:
        return None


def _shown(field: str, value) -> str:
    """A form value as a person reads it: labels for controlled values, words for yes/no."""
    c = cfg()
    lang = g.ui_lang
    vocab = {"region": c.regions, "organisation_type": c.organisation_types, "doctype": c.doctypes,
             "topics": c.topics, "target_groups": c.target_groups, "instruments": c.instruments}.get(field)
    if vocab is not None:
        items = value if isinstance(value, list) else [value] if value else []
        return ", ".join(vocab.label(v, lang) for v in items)
    if field in ("ongoing", "illustrative"):
        return gettext("yes") if value else gettext("no")
    if field == "status":
        return gettext("Published") if value == "published" else gettext("Draft")
    if field == "lang":
        return LANGUAGE_NAMES.get(value, {}).get(lang, value)
    if field == "transferability":
        return {"high": gettext("high"), "medium": gettext("medium"), "low": gettext("low")}.get(value, value)
    return value if isinstance(value, str) else ", ".join(value)


COMPARED_FIELDS = ("status", "title", "title_en", "summary", "summary_en", "lang", "region", "municipality",
                   "organisation", "organisation_type", "partners", "topics", "target_groups", "instruments",
                   "keywords", "year_start", "year_end", "ongoing", "date", "doctype", "illustrative",
                   "evidence", "transferability", "source_url", "related", "indicators", "attachments")


def compare_records(old, new) -> dict:
    """Field-by-field comparison of two versions of a record (old None: the first version):
    {"fields": [(label, before, after)], "body": [(kind, paragraph)]} with kind one of
    "del", "ins", "same" ("same" paragraphs only as "…(n unchanged)…" markers)."""
    before = curation.record_to_form(old) if old else {}
    after = curation.record_to_form(new)
    fields = []
    for f in COMPARED_FIELDS:
        b, a = before.get(f, ""), after.get(f, "")
        if isinstance(a, list) and sorted(b or []) == sorted(a):
            continue                    # the same values in another order
        if (b or "") != (a or ""):
            fields.append((field_label(f), _shown(f, b) if b else "", _shown(f, a) if a else ""))
    old_paras = [p.strip() for p in re.split(r"\n\s*\n", old.body) if p.strip()] if old else []
    new_paras = [p.strip() for p in re.split(r"\n\s*\n", new.body) if p.strip()]
    body = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_paras, b=new_paras, autojunk=False).get_opcodes():
        if op == "equal":
            body.append(("same", i2 - i1))
            continue
        body += [("del", p) for p in old_paras[i1:i2]] + [("ins", p) for p in new_paras[j1:j2]]
    if all(kind == "same" for kind, _ in body):
        body = []
    return {"fields": fields, "body": body}


@bp.route("/history/<practice_id>")
@login_required
def history(practice_id):
    if curation.find_file(cfg(), practice_id) is None and not curation.revisions(cfg(), practice_id):
        abort(404)
    revs = curation.revisions(cfg(), practice_id)
    records = {r.seq: _record_of(practice_id, r.seq) for r in revs}
    entries = []
    for newer, older in zip(revs, revs[1:] + [None]):
        new_rec, old_rec = records[newer.seq], records.get(older.seq) if older else None
        changes = compare_records(old_rec, new_rec) if new_rec else None
        entries.append({"rev": newer, "changes": changes, "first": older is None,
                        "action": action_label(newer.action), "message": revision_message(newer),
                        "author": revision_author(newer)})
    return render_template("curate_history.html", practice_id=practice_id, entries=entries)


@bp.route("/restore/<practice_id>/<int:seq>", methods=["GET", "POST"])
@login_required
def restore(practice_id, seq):
    """GET: what restoring would change, and a button to confirm; POST (confirmed): restore."""
    if curation.revision_text(cfg(), practice_id, seq) is None:
        abort(404)
    if request.method == "GET" or request.form.get("confirm") != "1":
        old, current = _record_of(practice_id, seq), _record_of(practice_id, None)
        changes = compare_records(current, old) if old else None
        rev = next((r for r in curation.revisions(cfg(), practice_id) if r.seq == seq), None)
        return render_template("curate_restore.html", practice_id=practice_id, seq=seq, rev=rev,
                               changes=changes, author=revision_author(rev) if rev else "",
                               action=action_label(rev.action) if rev else "")
    try:
        curation.restore(cfg(), practice_id, seq, author=current_user.name)
    except KeyError:
        abort(404)
    except curation.Conflict as exc:
        flash(gettext("Not restored.") + " " + conflict_text(exc))
        return redirect(url_for("curate.history", practice_id=practice_id))
    except RecordError as exc:
        flash(gettext("Not restored.") + " " + "; ".join(f"{field_label(f)}: {record_problem_text(f, r)}"
                                                         for f, r in exc.problems))
        return redirect(url_for("curate.history", practice_id=practice_id))
    except curation.LockTimeout:
        flash(gettext("Not restored: another save is taking too long. Try again in a moment."))
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
    upload = request.files.get("file")
    name = upload.filename.lower() if upload and upload.filename else ""
    is_document = name.endswith((".pdf", ".docx", ".odt"))
    limit = MAX_DOCUMENT_UPLOAD if is_document else MAX_UPLOAD
    address = request.form.get("url", "").strip()
    pasted = request.form.get("html", "")
    if name and not is_document and not name.endswith((".html", ".htm")):
        return render_template("curate_import.html", error=gettext("Upload an .html, .pdf, .docx or .odt file.")), 400
    if name:
        html = upload.read(limit + 1)
    elif pasted.strip():
        html = pasted.encode("utf-8")
    elif address:
        try:
            fetched = fetch(address, max_bytes=MAX_UPLOAD, timeout=current_app.config.get("KB_IMPORT_TIMEOUT", 10.0),
                            allow_loopback=bool(current_app.config.get("KB_IMPORT_ALLOW_LOOPBACK")))
        except FetchError as exc:
            curation.audit(cfg(), current_user.name, "import-fetch-refused", "-", url=address[:300], reason=exc.code)
            return render_template("curate_import.html", error=fetch_error_text(exc)), 400
        curation.audit(cfg(), current_user.name, "import-fetch", "-", url=fetched.url[:300], bytes=len(fetched.content))
        html, address = fetched.content, fetched.url
    else:
        return render_template("curate_import.html",
                               error=gettext("Give the address of a page, upload a saved page or paste its HTML.")), 400
    if len(html) > limit:
        return render_template("curate_import.html", error=gettext("Files up to %(n)s MB can be imported.",
                                                                   n=limit // (1024 * 1024))), 413
    region = request.form.get("region", "")
    try:
        page = import_document(html, name) if is_document else parse_page(html, url=address or None)
    except ImportError_ as exc:
        return render_template("curate_import.html", error=str(exc) if is_document else gettext(
            "This does not look like a web page with text; nothing could be imported.")), 400
    if is_document and address.startswith(("http://", "https://")):
        page.source_url = address
    text = page.body_markdown if is_document else page_text(html)
    found = curation.guess_publisher(page.title + "\n" + text, page.source_url or address or None)
    notes = [import_note_text(n) for n in page.warnings]
    if found.get("organisation"):
        notes.append(gettext("Organisation, its type and municipality were taken from the page; check them."))
    if not found.get("doctype"):
        notes.append(gettext("Choose the document type."))
    values = {"status": "draft", "title": page.title, "summary": page.summary, "body": page.body_markdown,
              "lang": page.lang or "", "date": page.date.isoformat() if page.date else "",
              "year_start": str(page.date.year) if page.date else "", "source_url": page.source_url or "",
              "region": region if region in cfg().regions else "", "doctype": found.get("doctype", ""),
              "organisation": found.get("organisation", ""), "organisation_type": found.get("organisation_type", ""),
              "municipality": found.get("municipality", ""),
              "id": suggest_id(page.title, region) if region in cfg().regions else "",
              "topics": [], "target_groups": [], "instruments": [], "illustrative": ""}
    return _form_page(values, new=True, version=None, warnings=notes,
                      info=gettext("Imported: review every field, then save as a draft or publish."))
