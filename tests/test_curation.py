"""Curators: sign-in, CSRF, throttling, drafts, publishing, conflicts, history, concurrent saves."""
from __future__ import annotations

import dataclasses
import re
import shutil
import threading
import time

import pytest

from kb.curation import accounts as curators, edits as curation
from kb.indexer.build import update_index
from kb.search import SearchRequest, SearchService
from tests.conftest import ROOT

PASSWORD = "correct horse battery"


@pytest.fixture()
def project(tmp_path, shipped_config):
    """A copy of the shipped corpus with its own var/, index and one curator."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    cfg = dataclasses.replace(shipped_config, root=tmp_path, corpus_dir=tmp_path / "corpus",
                              var_dir=tmp_path / "var")
    update_index(cfg)
    curators.add_curator(cfg, "maria", PASSWORD)
    return cfg


@pytest.fixture()
def app(project):
    from kb.web import create_app
    return create_app(project, {"TESTING": True})


def token(client, url="/curate/login"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, name="maria", password=PASSWORD):
    return client.post("/curate/login", data={"name": name, "password": password, "csrf_token": token(client)})


def form_for(client, url):
    """The values of the record form at `url`, as a multi-dict ready to post back."""
    html = client.get(url).get_data(as_text=True)
    data: dict[str, list[str]] = {}
    for m in re.finditer(r'<input ([^>]*)>', html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in m.group(1):
                data.setdefault(attrs["name"], []).append(attrs.get("value", "1"))
        else:
            data.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    for m in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[m.group(1)] = [_unescape(m.group(2))]
    for m in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        sel = re.search(r'<option value="([^"]*)" selected>', m.group(2))
        data[m.group(1)] = [sel.group(1) if sel else ""]
    return {k: [_unescape(v) for v in vs] for k, vs in data.items()}


def _unescape(s):
    import html
    return html.unescape(s)


NEW_RECORD = {
    "id": ["bu-test-new-desk"], "lang": ["bg"], "title": ["Ново гише за граждани в Айтос"],
    "summary": ["Общината откри ново гише."], "title_en": ["A new citizen desk in Aytos"],
    "summary_en": ["The municipality opened a new desk."], "region": ["burgas"],
    "organisation": ["Община Айтос"], "organisation_type": ["municipality"], "topics": ["one-stop-shops"],
    "year_start": ["2024"], "doctype": ["case-study"], "message": ["first version"],
    "body": ["## Проблем\n\nОпашки.\n\n## Решение\n\nНово гише.\n\n## Резултати\n\nПо-кратко чакане.\n"],
}


def test_everything_under_curate_requires_sign_in(client):
    for url in ("/curate/", "/curate/new", "/curate/edit/bu-aytos-administrative-service-centre",
                "/curate/history/bu-aytos-administrative-service-centre", "/curate/import"):
        r = client.get(url)
        assert r.status_code == 302 and "/curate/login" in r.headers["Location"], url
    r = client.post("/curate/save", data={**NEW_RECORD, "csrf_token": token(client), "new": "1", "action": "publish"})
    assert r.status_code == 302 and "/curate/login" in r.headers["Location"]


def test_posts_without_csrf_token_are_refused(client):
    r = client.post("/curate/login", data={"name": "maria", "password": PASSWORD})
    assert r.status_code == 400
    sign_in(client)
    r = client.post("/curate/save", data={**NEW_RECORD, "new": "1", "action": "publish"})
    assert r.status_code == 400


def test_wrong_password_then_throttling(client):
    for _ in range(curators.MAX_FAILURES):
        assert sign_in(client, password="wrong password!").status_code == 401
    r = sign_in(client)                      # even the right password waits now
    assert r.status_code == 429 and "Too many failed sign-ins" in r.get_data(as_text=True)


def test_session_cookie_flags(client):
    r = sign_in(client)
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_draft_is_invisible_until_published(client, project):
    sign_in(client)
    data = {**NEW_RECORD, "csrf_token": token(client, "/curate/new"), "new": "1", "action": "draft"}
    r = client.post("/curate/save", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    svc = SearchService(project)
    assert client.get("/practice/bu-test-new-desk").status_code == 404
    assert client.get("/api/practices/bu-test-new-desk").status_code == 404
    assert "bu-test-new-desk" not in {h.id for h in svc.search(SearchRequest(q="Айтос гише", page_size=100)).hits}
    curated = client.get("/curate/?q=Айтос гише").get_data(as_text=True)
    assert "bu-test-new-desk" in curated and 'data-value="draft"' in curated

    form = form_for(client, "/curate/edit/bu-test-new-desk")
    form["action"] = ["publish"]
    assert client.post("/curate/save", data=form).status_code == 302
    deadline = time.monotonic() + 1.0          # searchable within a second
    found = False
    while time.monotonic() < deadline and not found:
        found = "bu-test-new-desk" in {h.id for h in svc.search(SearchRequest(q="Айтос гише")).hits}
        time.sleep(0.05)
    assert found
    assert client.get("/practice/bu-test-new-desk").status_code == 200
    text = (project.corpus_dir / "burgas" / "bu-test-new-desk.md").read_text(encoding="utf-8")
    assert 'status = "published"' in text


def test_validation_errors_are_shown_per_field_and_nothing_is_written(client, project):
    sign_in(client)
    data = {**NEW_RECORD, "year_start": ["twenty"], "topics": ["e-gov"], "csrf_token": token(client, "/curate/new"),
            "new": "1", "action": "publish"}
    r = client.post("/curate/save", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "“twenty” is not a year." in html
    assert "“e-gov” is not in the list; choose one of the offered values." in html
    assert 'aria-invalid="true"' in html
    assert not (project.corpus_dir / "burgas" / "bu-test-new-desk.md").exists()


def test_concurrent_edit_conflict_keeps_the_curators_text(client, project):
    sign_in(client)
    url = "/curate/edit/bu-aytos-administrative-service-centre"
    first, second = form_for(client, url), form_for(client, url)
    first["summary"] = ["Първа редакция."]
    first["action"] = ["publish"]
    assert client.post("/curate/save", data=first).status_code == 302
    second["summary"] = ["Втора редакция, която не трябва да се загуби."]
    second["action"] = ["publish"]
    r = client.post("/curate/save", data=second)
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Someone else changed this record after you opened it." in html
    assert "Втора редакция, която не трябва да се загуби." in html       # still in the form
    current = curation.load(project, "bu-aytos-administrative-service-centre")[0]
    assert current.summary == "Първа редакция."


def test_history_shows_diffs_and_restore_brings_back_an_old_version(client, project):
    sign_in(client)
    pid = "bu-aytos-administrative-service-centre"
    original = curation.load(project, pid)[0].summary
    form = form_for(client, f"/curate/edit/{pid}")
    form["summary"] = ["Съвсем ново резюме."]
    form["action"] = ["publish"]
    form["message"] = ["shorter summary"]
    client.post("/curate/save", data=form)
    html = client.get(f"/curate/history/{pid}").get_data(as_text=True)
    assert "shorter summary" in html and "maria" in html
    row = re.search(r"<tr><th scope=\"row\">Summary</th>(.*?)</tr>", html, re.S).group(1)
    assert "<ins>Съвсем ново резюме.</ins>" in row and "<del>" in row
    revs = curation.revisions(project, pid)
    assert [r.seq for r in revs] == [2, 1]
    # restoring asks first: a POST without the confirmation shows the question, changes nothing
    r = client.post(f"/curate/restore/{pid}/1", data={"csrf_token": token(client, f"/curate/history/{pid}")})
    assert r.status_code == 200 and "Restore version 1?" in r.get_data(as_text=True)
    assert len(curation.revisions(project, pid)) == 2
    r = client.post(f"/curate/restore/{pid}/1", data={"csrf_token": token(client, f"/curate/restore/{pid}/1"),
                                                      "confirm": "1"})
    assert r.status_code == 302
    assert curation.load(project, pid)[0].summary == original
    assert len(curation.revisions(project, pid)) == 3
    log = (project.var_dir / "audit.log").read_text(encoding="utf-8")
    assert '"action": "restore"' in log and '"curator": "maria"' in log


def test_two_clients_saving_twenty_records_each_lose_nothing(app, project):
    errors = []

    def curator_session(prefix):
        client = app.test_client()
        sign_in(client)
        for i in range(20):
            data = {**NEW_RECORD, "id": [f"bu-{prefix}-{i:02d}"], "title": [f"Гише {prefix} {i}"],
                    "csrf_token": token(client, "/curate/new"), "new": "1", "action": "publish"}
            r = client.post("/curate/save", data=data)
            if r.status_code != 302:
                errors.append((prefix, i, r.status_code))

    threads = [threading.Thread(target=curator_session, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = {f"bu-{p}-{i:02d}" for p in "ab" for i in range(20)}
    on_disk = {p.stem for p in (project.corpus_dir / "burgas").glob("bu-[ab]-*.md")}
    assert on_disk == ids
    assert sum(len(curation.revisions(project, i)) for i in ids) == 40
    svc = SearchService(project)
    time.sleep(0.3)
    indexed = {h.id for h in svc.search(SearchRequest(filters={"region": ["burgas"]}, page_size=200)).hits}
    assert ids <= indexed
    from kb.records.corpus import load_corpus
    assert load_corpus(project).ok


def test_curator_cli_add_list_remove(project, monkeypatch):
    from click.testing import CliRunner
    from kb.cli import main
    import kb.cli
    monkeypatch.setattr(kb.cli, "_config", lambda ctx: project)
    runner = CliRunner()
    r = runner.invoke(main, ["curator", "add", "ivan"], input="another long password\n")
    assert r.exit_code == 0 and "curator ivan added" in r.output
    assert "ivan" in runner.invoke(main, ["curator", "list"]).output
    stored = (project.var_dir / "curators.json").read_text()
    assert "another long password" not in stored and "scrypt" in stored
    assert runner.invoke(main, ["curator", "add", "x"], input="short\n").exit_code == 1
    assert runner.invoke(main, ["curator", "remove", "ivan"]).exit_code == 0
    assert "ivan" not in runner.invoke(main, ["curator", "list"]).output


def test_html_page_to_published_practice_without_touching_a_file(client, project):
    sign_in(client)
    page = (ROOT / "tests" / "pages" / "sz_seed_news.html").read_bytes()
    from io import BytesIO
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"), "region": "stara-zagora",
                                            "file": (BytesIO(page), "news.html")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Imported: review every field" in html
    assert 'value="2013-02-16"' in html and "Пета работна среща" in html
    assert "<script" not in html.split('name="body"')[1].split("</textarea>")[0]
    # post what the import produced, completed by the curator
    import re as _re
    values = {m.group(1): [_unescape(m.group(2))] for m in _re.finditer(r'<input id="f-(\w+)" name="\w+" type="\w+" size="\d+" value="([^"]*)"', html)}
    body = _unescape(_re.search(r'<textarea id="f-body" name="body"[^>]*>(.*?)</textarea>', html, _re.S).group(1))
    summary = _unescape(_re.search(r'<textarea id="f-summary" name="summary"[^>]*>(.*?)</textarea>', html, _re.S).group(1))
    data = {**{k: v for k, v in values.items() if k in ("id", "title", "date", "year_start", "source_url")},
            "summary": [summary], "body": [body], "lang": ["bg"], "region": ["stara-zagora"],
            "organisation": ["Областна администрация Стара Загора"], "organisation_type": ["regional-administration"],
            "topics": ["cross-border-cooperation"], "doctype": ["news"], "title_en": ["Fifth working meeting"],
            "summary_en": ["The team met in Stara Zagora."], "csrf_token": [token(client, "/curate/new")],
            "new": ["1"], "action": ["publish"]}
    r = client.post("/curate/save", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    pid = values["id"][0]
    assert client.get(f"/practice/{pid}").status_code == 200


def test_import_refuses_unknown_and_broken_uploads_and_oversized_ones(client):
    from io import BytesIO
    sign_in(client)
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"),
                                            "file": (BytesIO(b"a,b\n1,2\n"), "report.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "Upload an .html, .pdf, .docx or .odt file." in r.get_data(as_text=True)
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"),
                                            "file": (BytesIO(b"%PDF-1.4"), "report.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "the PDF is damaged" in r.get_data(as_text=True)
    big = b"<html><body>" + b"<p>x</p>" * 400_000 + b"</body></html>"
    r = client.post("/curate/import", data={"csrf_token": token(client, "/curate/import"),
                                            "file": (BytesIO(big), "big.html")},
                    content_type="multipart/form-data")
    assert r.status_code == 413


def test_page_cache_never_mixes_curators_and_visitors(app):
    """Visitors' pages come from a per-worker cache keyed by URL, language and index state; a
    signed-in curator's page (with drafts and forms) is never stored nor served to others."""
    visitor, curator = app.test_client(), app.test_client()
    assert sign_in(curator).status_code in (200, 302)
    page = curator.get("/?q=services").get_data(as_text=True)
    assert "Signed in as maria" in page
    first = visitor.get("/?q=services").get_data(as_text=True)
    assert "Signed in" not in first and "csrf_token" not in first
    assert visitor.get("/?q=services").get_data(as_text=True) == first
    assert "Signed in as maria" in curator.get("/?q=services").get_data(as_text=True)
    assert visitor.get("/?q=services&lang=bg").get_data(as_text=True) != first
