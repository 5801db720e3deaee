"""Real-browser tests of what a person sees (issue 15): the phone layout, exports, /about, sorting.
Debian's Chromium driven by Playwright against a live kb server."""
from __future__ import annotations

import pytest

from tests.browser_fixtures import ARTIFACTS, browser, browser_page, live_server  # noqa: F401 - fixtures

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(browser):
    with browser_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1) as p:
        yield p


@pytest.fixture()
def phone_nojs(browser):
    with browser_page(browser, viewport=PHONE, java_script_enabled=False) as p:
        yield p


@pytest.fixture()
def desktop(browser):
    with browser_page(browser, viewport={"width": 1280, "height": 900}) as p:
        yield p


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


# what a finger has to hit: controls and navigation (links inside running text excepted)
TAP_TARGETS = ("button:visible, select:visible, input:not([type=hidden]):visible, summary:visible, "
               "header.site a:visible, .facet a:visible, .chips a:visible, .pages a:visible, "
               ".exports a:visible, .crumbs a:visible, .hit h3 a:visible")


def small_targets(page) -> list[str]:
    out = []
    for el in page.locator(TAP_TARGETS).all():
        if el.evaluate("e => e.type === 'checkbox' || e.type === 'radio'"):
            el = el.locator("xpath=ancestor::label[1]")        # the label is what one taps
        box = el.bounding_box()
        if box and box["height"] < 44 - 0.5:
            out.append(f"{el.evaluate('e => e.outerHTML.slice(0, 80)')} {box['height']:.0f}px")
    return out


def test_phone_layout_every_page(phone, live_server):
    practice_id = None
    for path in ("/?lang=en", "/?q=transparencia&lang=en", "/?q=прозрачност&region=burgas&lang=bg",
                 "/compare?lang=en", "/about?lang=es", "/curate/login?lang=bg", "/no-such-page"):
        phone.goto(live_server + path)
        assert overflow(phone) <= 0, path
        assert small_targets(phone) == [], path
        if path.startswith("/?q=transparencia"):
            # the first result within the first screen and a half; the filters behind "Filters"
            top = phone.locator(".hit").first.bounding_box()["y"]
            assert top < 1.5 * PHONE["height"], top
            filters = phone.locator("details.filters")
            assert filters.get_attribute("open") is None
            assert not phone.locator(".facet").first.is_visible()
            ARTIFACTS.mkdir(exist_ok=True)
            phone.screenshot(path=str(ARTIFACTS / "search-phone.png"))
            phone.locator("details.filters > summary").click()
            assert phone.locator('ul[aria-labelledby="facet-region"]').is_visible()
            assert overflow(phone) <= 0
            practice_id = phone.locator(".hit h3 a").first.get_attribute("href")
    # practice pages with the widest content: indicators tables, long titles, source addresses
    for path in (practice_id, "/practice/ba-almendralejo-declaracion-responsable-actividades?lang=en",
                 "/practice/sz-fifth-working-meeting-2013?lang=bg"):
        phone.goto(live_server + path)
        assert overflow(phone) <= 0, path
        h1 = phone.locator("h1").bounding_box()
        assert h1["x"] >= 0 and h1["x"] + h1["width"] <= PHONE["width"], path
        for row in phone.locator(".indicators tbody tr").all():        # each indicator fits too
            box = row.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], path
    phone.screenshot(path=str(ARTIFACTS / "practice-phone.png"))


def test_phone_filters_work_without_javascript(phone_nojs, live_server):
    page = phone_nojs
    page.goto(live_server + "/?q=transparencia&lang=en")
    assert page.locator(".hit").first.bounding_box()["y"] < 1.5 * PHONE["height"]
    page.locator("details.filters > summary").click()
    page.locator('ul[aria-labelledby="facet-region"] a[data-value="badajoz"]').click()
    page.wait_for_url("**region=badajoz**")
    assert page.locator(".chips li").count() == 2
    assert overflow(page) <= 0


def test_desktop_shows_filters_beside_results_and_export_links(desktop, live_server):
    desktop.goto(live_server + "/?q=transparencia&region=badajoz&lang=en")
    assert desktop.locator("details.filters > summary").is_hidden()
    facets = desktop.locator('ul[aria-labelledby="facet-region"]').bounding_box()
    hits = desktop.locator(".hit").first.bounding_box()
    assert facets["x"] + facets["width"] < hits["x"]         # side by side
    assert overflow(desktop) <= 0
    csv_link = desktop.get_by_role("link", name="Download CSV")
    atom_link = desktop.get_by_role("link", name="Follow this search (Atom)")
    assert csv_link.is_visible() and atom_link.is_visible()
    with desktop.expect_download() as dl:
        csv_link.click()
    path = dl.value.path()
    text = open(path, encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("id,title,title_en,region,region_label")
    n = int(desktop.locator(".results .summary p").first.inner_text().split()[0])
    assert len(text.strip().splitlines()) == n + 1
    feed = desktop.request.get(live_server + atom_link.get_attribute("href"))
    assert feed.ok and "<feed" in feed.text()
    ARTIFACTS.mkdir(exist_ok=True)
    desktop.screenshot(path=str(ARTIFACTS / "search-desktop.png"))


def test_sort_applies_on_change_with_javascript(desktop, live_server):
    desktop.goto(live_server + "/?q=transparencia&lang=en")
    assert desktop.locator("form.sort button").is_hidden()    # the script submits on change
    desktop.select_option("#sort", "newest")
    desktop.wait_for_url("**sort=newest**")
    assert "q=transparencia" in desktop.url
    assert desktop.locator("#sort").input_value() == "newest"
    shown = [h.split("/practice/")[1].split("?")[0] for h in
             desktop.locator(".hit h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    api = desktop.request.get(live_server + "/api/search?q=transparencia&sort=newest").json()
    relevance = desktop.request.get(live_server + "/api/search?q=transparencia").json()
    assert shown == [h["id"] for h in api["hits"]] != [h["id"] for h in relevance["hits"]]


def test_sort_by_button_without_javascript(phone_nojs, live_server):
    page = phone_nojs
    page.goto(live_server + "/?q=transparencia&lang=en")
    page.select_option("#sort", "title")
    assert "sort=" not in page.url                            # nothing happens by itself
    page.locator("form.sort button").click()
    page.wait_for_url("**sort=title**")


@pytest.mark.parametrize("lang,heading,tip", [("en", "About kb", "Bulgarian in Latin letters"),
                                             ("bg", "За kb", "Български на латиница"),
                                             ("es", "Acerca de kb", "Búlgaro en letras latinas")])
def test_about_page_in_each_language(desktop, live_server, lang, heading, tip):
    desktop.goto(live_server + f"/?lang={lang}")
    desktop.locator("nav.rooms a[href^='/about']").click()
    desktop.wait_for_url("**/about**")
    assert desktop.locator("h1").inner_text() == heading
    assert desktop.locator("html").get_attribute("lang") == lang
    assert desktop.get_by_text(tip).is_visible()
    example = desktop.locator(".about-tips a", has_text="prozrachnost")
    example.click()
    desktop.wait_for_url("**q=prozrachnost**")
    assert desktop.locator(".hit").count() > 0
