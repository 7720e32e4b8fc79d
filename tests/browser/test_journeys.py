"""End-to-end journeys in a real browser, with axe on every page and screenshots saved."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PASSWORDS = {
    "editor": "demo-editor-password",
    "analyst": "demo-analyst-password",
    "viewer": "demo-viewer-password",
}
PAGES = {
    "overview": "/",
    "explorer": "/explorer?indicator=p1_folic_acid",
    "map": "/map",
    "population": "/population",
    "quality": "/quality",
    "plan": "/plan",
    "action": "/plan/actions/2",
    "action-edit": "/plan/actions/2/edit",
    "coproduction": "/plan/coproduction",
    "wres": "/plan/wres",
    "audit": "/plan/audit",
    "assets": "/assets?q=debt",
    "asset": "/assets/3",
    "asset-edit": "/assets/3/edit",
    "downloads": "/downloads",
    "accessibility": "/accessibility",
}


def sign_in(page, role: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(PASSWORDS[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def choose_and_wait_for_swap(page, label: str, value: str) -> None:
    """Pick an option in an htmx form and wait until the new page content is wired up.

    htmx swaps the new content in, pushes the URL, and only attaches its listeners to the new
    form in the settle step that follows; a second change made before then would be lost.
    """
    page.evaluate(
        """() => { window.__swapSettled = new Promise(resolve =>
            document.body.addEventListener('htmx:afterSettle', () => resolve(), {once: true})); }"""
    )
    page.get_by_label(label, exact=True).select_option(value)
    page.evaluate("() => window.__swapSettled")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_passes_axe(page, screenshots):
    sign_in(page, "editor")
    failures = {}
    for name, path in PAGES.items():
        page.goto(path)
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        found = serious_violations(page)
        if found:
            failures[name] = found
    page.goto("/sign-out")
    page.screenshot(path=str(screenshots / "sign-out.png"))
    assert not failures, failures
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_sign_in_page_passes_axe(page, screenshots):
    page.goto("/sign-in")
    page.screenshot(path=str(screenshots / "sign-in.png"))
    assert not serious_violations(page)
    page.get_by_role("button", name="Sign in").click()  # empty form: error summary
    assert page.get_by_text("There is a problem").is_visible()
    assert not serious_violations(page)


def test_explore_an_indicator_and_filter_to_one_neighbourhood(page, screenshots):
    sign_in(page, "analyst")
    page.goto("/explorer")
    choose_and_wait_for_swap(page, "Indicator", "p1_folic_acid")
    assert "indicator=p1_folic_acid" in page.url
    choose_and_wait_for_swap(
        page, "Area (LMNS, provider, place or neighbourhood)", "neighbourhood:NB001"
    )
    page.wait_for_url(re.compile("area=neighbourhood%3ANB001|area=neighbourhood:NB001"))
    results = page.locator("#explorer-results")
    results.get_by_text("Eastgate").first.wait_for()
    table = page.locator("#results-table")
    asian = table.locator("tr", has_text="Asian")
    assert "11.3" in asian.inner_text()  # 6 / 53 = 11.3%
    page.screenshot(path=str(screenshots / "explorer-eastgate.png"), full_page=True)
    assert not serious_violations(page)


def test_explorer_form_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill(PASSWORDS["viewer"])
    page.get_by_role("button", name="Sign in").click()
    page.goto("/explorer")
    page.get_by_label("Area (LMNS, provider, place or neighbourhood)").select_option(
        "neighbourhood:NB002"
    )
    page.get_by_role("button", name="Show results").click()
    assert "Hollowfield" in page.locator("#explorer-results h2").first.inner_text()
    context.close()


def test_edit_an_action_and_see_the_audit_entry(page, screenshots):
    sign_in(page, "editor")
    page.goto("/plan/actions/4")
    page.get_by_role("button", name="Change this action").click()
    page.get_by_label("On hold").check()
    page.get_by_label("Red").check()
    page.locator("#due-day").fill("30")
    page.locator("#due-month").fill("9")
    page.locator("#due-year").fill("2026")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Action saved.").wait_for()
    history = page.locator("#action-history")
    first_row = history.locator("tbody tr").first.inner_text()
    assert "editor" in first_row and "update" in first_row
    assert "on_hold" in first_row and "2026-09-30" in first_row
    page.screenshot(path=str(screenshots / "action-saved.png"), full_page=True)


def test_search_assets(page):
    sign_in(page, "viewer")
    page.goto("/assets")
    page.get_by_label("What help is needed?").fill("interpreter")
    page.get_by_role("button", name="Search").click()
    assert "Riverside Interpreting Hub" in page.locator("#asset-results").inner_text()


def test_download_csv(page):
    sign_in(page, "viewer")
    page.goto("/downloads")
    with page.expect_download() as info:
        page.get_by_role("link", name="Indicator results (CSV)").click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"indicator_id", "value", "numerator"} <= set(rows[0])
    # viewer download is disclosure-controlled: the 3-event cell is "*", not 7.28..., and its
    # numerator is withheld with it
    black = [
        r
        for r in rows
        if r["indicator_id"] == "perinatal_mortality"
        and r["geography_code"] == "NB001"
        and r["group"] == "Black"
    ]
    assert black[0]["value"] == "*" and black[0]["numerator"] == ""
