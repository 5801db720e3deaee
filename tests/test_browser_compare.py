"""Real-browser test of /compare: Debian's Chromium driven by Playwright against a live kb server."""
from __future__ import annotations

import pytest

from tests.browser_fixtures import ARTIFACTS, browser, browser_page, live_server  # noqa: F401 - fixtures


@pytest.fixture()
def page(browser):
    # the page must work without JS
    with browser_page(browser, viewport={"width": 1440, "height": 1000}, java_script_enabled=False) as p:
        yield p


def result_count(page) -> int:
    text = page.locator(".results .summary p").first.inner_text()
    return int(text.split()[0])


def test_matrix_cell_opens_the_search_with_the_same_count(page, live_server):
    page.goto(live_server + "/compare?lang=en")
    assert page.locator("h1").inner_text() == "Compare regional approaches"
    assert page.locator("table.matrix tbody tr").count() == 15
    assert page.locator("figure.chart svg[role=img]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-page.png"), full_page=True)

    cell = page.locator('td.cell a[data-topic="citizen-participation"][data-region="badajoz"]')
    number = int(cell.locator(".n").inner_text())
    assert number == int(cell.get_attribute("data-count")) > 0
    cell.click()
    page.wait_for_url("**/?topic=citizen-participation&region=badajoz**")
    assert result_count(page) == number
    assert page.locator(".hit").count() == number

    # a gap cell: the search it opens is empty
    page.go_back()
    page.wait_for_url("**/compare?lang=en")
    gap = page.locator("td.cell.gap a").first
    assert gap.get_attribute("data-count") == "0"
    assert "in the other regions" in gap.get_attribute("title")
    gap.click()
    page.wait_for_url("**/?topic=**")
    assert result_count(page) == 0


def test_form_chooses_topic_and_regions_and_explains_bad_choices(page, live_server):
    page.goto(live_server + "/compare?lang=en")
    page.locator(".compare-topics summary").click()
    page.get_by_label("Citizen participation and consultation").check()
    page.get_by_role("checkbox", name="Cáceres").uncheck()
    page.get_by_role("checkbox", name="Stara Zagora").uncheck()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**topic=citizen-participation**")
    assert "region=burgas" in page.url and "region=badajoz" in page.url and "caceres" not in page.url
    assert [t.split() for t in page.locator(".sbs-column h3").all_inner_texts()] == [["Burgas", "0"], ["Badajoz", "4"]]
    assert page.locator(".sbs-column").first.locator(".empty-col").count() == 1     # Burgas has none yet
    assert page.locator(".counterparts li").count() > 0

    # keyboard only: untick Badajoz with the space bar, submit with Enter on the button
    page.get_by_role("checkbox", name="Badajoz").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Compare").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator(".problems[role=alert]").inner_text().count("Choose at least 2 regions") == 1
