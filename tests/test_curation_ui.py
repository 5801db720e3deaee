"""Curators' pages as a person uses them (issue 15): preview in place, messages for people in the
UI language, one banner, a truthful status badge, history by field, restore with confirmation,
the Edit link on public pages, import from a URL (against a local server)."""
from __future__ import annotations

import http.server
import re
import threading
from html import unescape

import pytest

from kb.curation import edits as curation
from tests.conftest import ROOT
from tests.test_curation import NEW_RECORD, app, form_for, project, sign_in, token  # noqa: F401 - fixtures

PID = "bu-aytos-administrative-service-centre"


def _post_new(client, lang="en", **changes):
    data = {**NEW_RECORD, **changes, "csrf_token": token(client, "/curate/new"), "new": "1"}
    return client.post(f"/curate/save?lang={lang}", data=data)


def test_preview_shows_title_metadata_and_body_in_place(client):
    sign_in(client)
    r = _post_new(client, action="preview")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'formaction="/curate/save#preview"' in html       # the browser lands on the preview
    preview = html.split('<section class="preview" id="preview"')[1].split('<a href="#f-title">')[0]
    assert "<h1>Ново гише за граждани в Айтос</h1>" in preview
    assert "Община Айтос" in preview and "One-stop shops" in preview and "2024" in preview
    assert "<h2>Проблем</h2>" in preview and "<p>Опашки.</p>" in preview
    # the preview comes before the form, right under the heading, and the form keeps the values
    assert html.index('id="preview"') < html.index('class="record-form"')
    assert 'value="Ново гише за граждани в Айтос"' in html


@pytest.mark.parametrize("lang,expected", [
    ("en", ["Choose at least one topic (at most 5).", "“twenty” is not a year."]),
    ("bg", ["Изберете поне една тема (най-много 5).", "„twenty“ не е година."]),
    ("es", ["Elija al menos un tema (como máximo 5).", "«twenty» no es un año."]),
])
def test_validation_messages_are_for_people_in_the_ui_language_in_one_banner(client, lang, expected):
    sign_in(client)
    r = _post_new(client, lang=lang, action="publish", topics=[], year_start=["twenty"])
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 400
    for text in expected:
        assert text in html, text
    assert "give 1 to 5 topics" not in html and "is not a year" not in html.replace("“twenty” is not a year.", "")
    assert html.count('class="problems"') == 1                  # one banner
    assert html.count('role="alert"') == 1 + 2                   # the banner and the two fields


def test_status_badge_tells_the_truth_after_a_failed_publish(client, project):
    sign_in(client)
    assert _post_new(client, action="draft").status_code == 302
    form = form_for(client, "/curate/edit/bu-test-new-desk")
    assert re.search(r'<span class="badge status draft">Draft</span>', client.get("/curate/edit/bu-test-new-desk").get_data(as_text=True))
    form["action"] = ["publish"]
    form["topics"] = []
    r = client.post("/curate/save", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert '<span class="badge status draft">Draft</span>' in html and ">Published</span>" not in html
    assert curation.load(project, "bu-test-new-desk")[0].status == "draft"
    # a new record that fails is "not saved yet", not "Published"
    html = _post_new(client, action="publish", topics=[]).get_data(as_text=True)
    assert "Not saved yet" in html and ">Published</span>" not in html


def test_saving_says_what_happened_in_the_ui_language(client):
    sign_in(client)
    r = _post_new(client, lang="es", action="publish")
    assert r.status_code == 302
    html = client.get(r.headers["Location"] + "?lang=es").get_data(as_text=True)
    assert "Guardado y publicado." in html
    assert '<span class="badge status">Publicado</span>' in html


def _save_change(client, **changes):
    form = form_for(client, f"/curate/edit/{PID}")
    form.update(changes)
    form["action"] = ["publish"]
    assert client.post("/curate/save", data=form).status_code == 302


def test_history_compares_field_by_field_with_labels_and_the_text_by_paragraph(client):
    sign_in(client)
    form = form_for(client, f"/curate/edit/{PID}")
    paragraphs = form["body"][0].split("\n\n")
    new_body = "\n\n".join(paragraphs[:2] + ["Нов абзац за резултатите."] + paragraphs[2:])
    _save_change(client, summary=["Съвсем ново резюме."], topics=form["topics"] + ["e-services"],
                 body=[new_body], message=["shorter summary"])
    html = unescape(client.get(f"/curate/history/{PID}?lang=en").get_data(as_text=True))
    assert "@@" not in html and 'summary = "' not in html                   # no raw file diff
    latest = html.split('id="rev-2"')[1].split('id="rev-1"')[0]
    rows = dict(re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', latest, re.S))
    assert set(rows) == {"Summary", "Topics"}
    assert "<ins>Съвсем ново резюме.</ins>" in rows["Summary"]
    assert "<ins>" in rows["Topics"] and "E-services" in rows["Topics"]      # labels, not ids
    assert '<li class="ins"><span class="sr">added: </span><ins>Нов абзац за резултатите.</ins></li>' in latest
    assert "paragraphs unchanged" in latest and '<li class="del">' not in latest
    es = client.get(f"/curate/history/{PID}?lang=es").get_data(as_text=True)
    assert "Resumen" in es and "publicado" in es and ">Summary<" not in es


def test_restore_asks_for_confirmation_then_restores_with_translated_history(client, project):
    sign_in(client)
    original = curation.load(project, PID)[0].summary
    _save_change(client, summary=["Съвсем ново резюме."])
    history = client.get(f"/curate/history/{PID}?lang=es").get_data(as_text=True)
    link = re.search(rf'<a class="button" href="(/curate/restore/{PID}/1)">', history).group(1)
    page = client.get(link + "?lang=es").get_data(as_text=True)
    assert "¿Restaurar la versión 1?" in page
    assert "<del>Съвсем ново резюме.</del>" in page and f"<ins>{original}</ins>" in unescape(page)
    assert len(curation.revisions(project, PID)) == 2                       # nothing happened yet
    r = client.post(link, data={"csrf_token": token(client, link), "confirm": "1"})
    assert r.status_code == 302
    assert curation.load(project, PID)[0].summary == original
    history = client.get(f"/curate/history/{PID}?lang=es").get_data(as_text=True)
    assert "Se restauró la versión 1." in history and "restaurado" in history
    assert "restored revision" not in history


def test_edit_link_on_public_pages_for_curators_only_and_never_cached(app):
    visitor, curator = app.test_client(), app.test_client()
    url = f"/practice/{PID}?lang=en"
    first = visitor.get(url).get_data(as_text=True)
    assert f'/curate/edit/{PID}' not in first
    sign_in(curator)
    assert f'<a class="button" href="/curate/edit/{PID}">Edit</a>' in curator.get(url).get_data(as_text=True)
    assert visitor.get(url).get_data(as_text=True) == first                 # the visitor's cached page


# ---------------------------------------------------------------- import from a URL

class _Pages(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict, bytes]] = {}

    def do_GET(self):  # noqa: N802 - http.server's name
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"no"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def page_server():
    zafra = (ROOT / "tests" / "pages" / "ayto_zafra_sin_lang.html").read_bytes()
    html = {"Content-Type": "text/html; charset=utf-8"}
    _Pages.routes = {
        "/noticias/2014/presupuestos-participativos": (200, html, zafra),
        "/moved": (302, {"Location": "/noticias/2014/presupuestos-participativos"}, b""),
        "/big": (200, html, b"<html><body>" + b"<p>x</p>" * 400_000 + b"</body></html>"),
        "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _import(client, url, lang="en"):
    return client.post(f"/curate/import?lang={lang}", data={"csrf_token": token(client, "/curate/import"),
                                                            "url": url, "region": "badajoz"},
                       content_type="multipart/form-data")


def test_import_from_a_url_prefills_publisher_and_type_and_shows_notices(client, app, page_server):
    app.config["KB_IMPORT_ALLOW_LOOPBACK"] = True           # the test's page server is on 127.0.0.1
    sign_in(client)
    r = _import(client, page_server + "/moved", lang="es")
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:3000]
    assert 'id="f-organisation" name="organisation" type="text" size="60" value="Ayuntamiento de Zafra"' in html
    assert 'id="f-municipality" name="municipality" type="text" size="60" value="Zafra"' in html
    assert re.search(r'<option value="municipality" selected>', html)
    assert re.search(r'<option value="news" selected>', html) and not re.search(r'<option value="case-study" selected>', html)
    assert "Presupuestos Participativos" in html
    notes = re.search(r'<div class="notice" role="note">(.*?)</div>', html, re.S).group(1)
    assert "El idioma se reconoció a partir del texto" in notes and "language guessed" not in notes
    assert 'class="problems"' not in html                     # notices are not errors


def test_import_from_a_url_refuses_the_servers_own_networks_and_bad_addresses(client, app, page_server):
    sign_in(client)
    app.config["KB_IMPORT_ALLOW_LOOPBACK"] = False
    for url in (page_server + "/moved", "http://localhost:9/", "http://10.0.0.1/", "http://169.254.169.254/latest/",
                "http://[::1]/", "http://0.0.0.0/"):
        r = _import(client, url)
        assert r.status_code == 400, url
        assert "the server's own network" in unescape(r.get_data(as_text=True)), url
    r = _import(client, "ftp://example.org/page.html")
    assert r.status_code == 400 and "Only http:// and https:// addresses" in r.get_data(as_text=True)
    r = _import(client, "file:///etc/passwd")
    assert r.status_code == 400 and "Only http:// and https://" in r.get_data(as_text=True)
    app.config["KB_IMPORT_ALLOW_LOOPBACK"] = True
    r = _import(client, page_server + "/big")
    assert r.status_code == 400 and "too large" in r.get_data(as_text=True)
    r = _import(client, page_server + "/report.pdf")
    assert r.status_code == 400 and "does not lead to a web page" in r.get_data(as_text=True)
    r = _import(client, page_server + "/missing")
    assert r.status_code == 400 and "404" in r.get_data(as_text=True)


def test_fetch_times_out(app):
    import socket
    from kb.web.fetch import FetchError, fetch
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)                     # accepts the connection, never answers
    port = listener.getsockname()[1]
    try:
        with pytest.raises(FetchError) as exc:
            fetch(f"http://127.0.0.1:{port}/", max_bytes=1000, timeout=0.5, allow_loopback=True)
        assert exc.value.code == "timeout"
    finally:
        listener.close()
