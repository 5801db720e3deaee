"""Make the README's screenshots (docs/*.png) at desktop and phone sizes with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py

Serves the shipped corpus from a temporary copy (its own var/ and a throw-away curator), so the
project's own var/ is untouched; the network is not used.
"""
from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from kb.curation import accounts as curators  # noqa: E402
from kb.config import load_config  # noqa: E402
from kb.indexer.build import update_index  # noqa: E402
from kb.web import create_app  # noqa: E402

DOCS = ROOT / "docs"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PASSWORD = "screenshots only"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kb-shots-"))
    try:
        shutil.copytree(ROOT / "corpus", tmp / "corpus")
        cfg = dataclasses.replace(load_config(ROOT / "config.toml"), root=tmp, corpus_dir=tmp / "corpus",
                                  var_dir=tmp / "var")
        update_index(cfg)
        curators.add_curator(cfg, "demo", PASSWORD)
        server = make_server("127.0.0.1", 0, create_app(cfg, {"TESTING": True}), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            shoot(browser, base)
            browser.close()
        server.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shoot(browser, base: str) -> None:
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    desk.goto(base + "/?q=transparencia&lang=en")
    desk.screenshot(path=str(DOCS / "search.png"))
    phone = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True).new_page()
    phone.goto(base + "/?q=transparencia&lang=en")
    phone.screenshot(path=str(DOCS / "search-phone.png"))
    phone.locator(".hit h3 a").first.click()
    phone.wait_for_url("**/practice/**")
    phone.screenshot(path=str(DOCS / "practice-phone.png"))
    phone.goto(base + "/about?lang=es")
    phone.screenshot(path=str(DOCS / "about-phone.png"))
    # a curator previews a change in place
    desk.goto(base + "/curate/login?lang=en")
    desk.fill("#name", "demo")
    desk.fill("#password", PASSWORD)
    desk.locator("form.signin button").click()
    desk.wait_for_url("**/curate/**")
    desk.goto(base + "/curate/edit/bu-aytos-administrative-service-centre?lang=en")
    desk.get_by_role("button", name="Preview").click()
    desk.wait_for_load_state()
    desk.screenshot(path=str(DOCS / "curate-preview.png"))
    for name in ("search.png", "search-phone.png", "practice-phone.png", "about-phone.png", "curate-preview.png"):
        print(f"docs/{name}: {(DOCS / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
