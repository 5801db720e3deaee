"""Real-browser tests: Debian's Chromium driven by Playwright against a live kb server."""
from __future__ import annotations

import pytest

from tests.browser_fixtures import ARTIFACTS, browser, browser_page, live_server  # noqa: F401 - fixtures


@pytest.fixture()
def page(browser):
    with browser_page(browser, viewport={"width": 1280, "height": 1000}) as p:
        yield p


def result_count(page) -> int:
    text = page.locator(".results .summary p").first.inner_text()
    return int(text.split()[0])


def test_search_filter_back_language_and_practice(page, live_server):
    page.goto(live_server + "/?lang=en")
    all_count = result_count(page)
    page.fill("#q", "transparencia")
    page.press("#q", "Enter")
    page.wait_for_url("**q=transparencia**")
    q_count = result_count(page)
    assert 0 < q_count < all_count

    # tick two regions: counts and results change, the URL keeps both
    region = page.locator('ul[aria-labelledby="facet-region"]')
    region.locator('a[data-value="badajoz"]').click()
    page.wait_for_url("**region=badajoz**")
    badajoz_count = result_count(page)
    assert 0 < badajoz_count <= q_count
    titles_badajoz = page.locator(".hit h3").all_inner_texts()
    region = page.locator('ul[aria-labelledby="facet-region"]')
    region.locator('a[data-value="caceres"]').click()
    page.wait_for_url("**region=caceres**")
    assert "region=badajoz" in page.url
    both = result_count(page)
    assert both > badajoz_count
    assert page.locator('ul[aria-labelledby="facet-region"] a.on').count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-page.png"), full_page=True)

    # the back button restores the previous state
    page.go_back()
    page.wait_for_url("**region=badajoz**")
    assert "caceres" not in page.url
    assert page.locator(".hit h3").all_inner_texts() == titles_badajoz

    # switch the interface to Spanish, then open a practice
    page.get_by_role("link", name="Español").click()
    page.wait_for_url("**lang=es**")
    assert page.locator("label[for=q]").inner_text() == "Buscar prácticas"
    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/practice/**")
    assert page.locator("h1").inner_text() == title
    assert "Ejemplo ilustrativo" in page.content()


def test_facets_work_with_the_keyboard(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.focus("#q")
    # tab forward until a facet value has focus, then press Enter on it
    for _ in range(40):
        page.keyboard.press("Tab")
        value = page.evaluate("document.activeElement.dataset.value || ''")
        if value:
            break
    else:
        pytest.fail("no facet value reachable with Tab")
    focus_style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_style != "none"                      # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(f"**={value}**")
    assert page.locator(".facets a.on").count() == 1
    assert page.locator(".chips li").count() == 2     # the filter chip and "clear all"
