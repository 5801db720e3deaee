"""Real-browser tests of the curators' pages (issue 15): preview in place, history comparison,
restore confirmation, the Edit link. Debian's Chromium driven by Playwright."""
from __future__ import annotations

import dataclasses
import shutil
import threading

import pytest

from kb.curation import accounts as curators, edits as curation
from tests.browser_fixtures import ARTIFACTS, browser, browser_page  # noqa: F401 - fixtures
from tests.conftest import ROOT

PASSWORD = "correct horse battery"
PID = "bu-aytos-administrative-service-centre"


@pytest.fixture(scope="module")
def project(tmp_path_factory, shipped_config):
    from kb.indexer.build import update_index
    root = tmp_path_factory.mktemp("curation-browser")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    cfg = dataclasses.replace(shipped_config, root=root, corpus_dir=root / "corpus", var_dir=root / "var")
    update_index(cfg)
    curators.add_curator(cfg, "maria", PASSWORD)
    return cfg


@pytest.fixture(scope="module")
def server(project):
    from werkzeug.serving import make_server
    from kb.web import create_app
    app = create_app(project, {"TESTING": True})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture()
def page(browser, server):
    with browser_page(browser, viewport={"width": 1280, "height": 900}) as p:
        p.goto(server + "/curate/login?lang=en")
        p.fill("#name", "maria")
        p.fill("#password", PASSWORD)
        p.get_by_role("button", name="Sign in").click()
        p.wait_for_url("**/curate/**")
        yield p


def in_viewport(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_preview_is_shown_in_place_with_title_and_metadata(page, server):
    page.goto(server + f"/curate/edit/{PID}?lang=en")
    page.fill("#f-title", "Център за административно обслужване — ново име")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert page.url.endswith("#preview")
    assert in_viewport(page, "#preview h1")               # the browser shows the preview, not the top
    preview = page.locator("#preview")
    assert preview.locator("h1").inner_text() == "Център за административно обслужване — ново име"
    assert preview.locator("dl.fields").is_visible()       # metadata as on the public page
    assert preview.locator(".body h2").count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "curate-preview.png"))
    assert page.locator("#f-title").input_value() == "Център за административно обслужване — ново име"


def test_history_comparison_and_restore_confirmation(page, server, project):
    original = curation.load(project, PID)[0].summary
    page.goto(server + f"/curate/edit/{PID}?lang=es")
    page.fill("#f-summary", "Resumen nuevo para la prueba.")
    page.fill("#f-message", "resumen más corto")
    page.get_by_role("button", name="Publicar", exact=True).click()
    page.wait_for_url(f"**/curate/edit/{PID}")
    assert page.locator(".notice.ok").inner_text() == "Guardado y publicado."
    assert page.locator("h1 .badge").inner_text() == "Publicado"

    page.get_by_role("link", name="Historial").click()
    latest = page.locator("section.revision").first
    row = latest.locator("table.changes tr", has=page.locator("th", has_text="Resumen"))
    assert row.locator("td.after ins").inner_text() == "Resumen nuevo para la prueba."
    assert row.locator("td.before del").inner_text() == original
    assert "@@" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "curate-history.png"), full_page=False)

    # restore: a confirmation page first, which changes nothing; then the button does it
    page.get_by_role("link", name="Restaurar esta versión…").first.click()
    page.wait_for_url("**/curate/restore/**")
    assert page.locator("h1").inner_text().startswith("¿Restaurar la versión")
    assert page.locator("table.changes del").first.inner_text() == "Resumen nuevo para la prueba."
    assert curation.load(project, PID)[0].summary == "Resumen nuevo para la prueba."
    page.get_by_role("link", name="Cancelar").click()
    page.wait_for_url("**/curate/history/**")
    assert curation.load(project, PID)[0].summary == "Resumen nuevo para la prueba."
    page.get_by_role("link", name="Restaurar esta versión…").first.click()
    page.get_by_role("button", name="Sí, restaurar").click()
    page.wait_for_url(f"**/curate/edit/{PID}")
    assert curation.load(project, PID)[0].summary == original
    assert page.locator(".notice.ok").inner_text() == "Versión 1 restaurada."


def test_signed_in_curator_has_an_edit_link_on_the_public_page(page, server):
    page.goto(server + f"/practice/{PID}?lang=en")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/curate/edit/{PID}")
    assert page.locator("#f-title").is_visible()


def test_curators_pages_fit_a_phone(browser, server):
    context = browser.new_context(locale="bg-BG", viewport={"width": 390, "height": 844})
    p = context.new_page()
    p.goto(server + "/curate/login?lang=bg")
    p.fill("#name", "maria")
    p.fill("#password", PASSWORD)
    p.locator("form.signin button").click()
    p.wait_for_url("**/curate/**")
    for path in ("/curate/", f"/curate/edit/{PID}", f"/curate/history/{PID}", f"/curate/restore/{PID}/1",
                 "/curate/import", "/curate/new"):
        p.goto(server + path)
        assert p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, path
    context.close()
