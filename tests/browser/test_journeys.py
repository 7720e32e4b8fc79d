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
    "explorer-sii": "/explorer?indicator=m_perinatal_sii_deprivation&breakdown=imd_decile",
    "map": "/map",
    "map-need": "/map?shade=need",
    "population": "/population",
    "quality": "/quality",
    "quality-rule": "/quality/rules/ethnic_category_valid_at_booking",
    "plan": "/plan",
    "plan-overdue": "/plan?view=overdue",
    "action": "/plan/actions/2",
    "action-edit": "/plan/actions/2/edit",
    "intervention": "/plan/interventions/2",
    "assessment-edit": "/plan/interventions/2/assessment",
    "coproduction": "/plan/coproduction",
    "wres": "/plan/wres",
    "audit": "/plan/audit",
    "assets": "/assets?q=debt",
    "asset": "/assets/3",
    "asset-edit": "/assets/3/edit",
    "downloads": "/downloads",
    "api-docs": "/api/docs",
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
    choose_and_wait_for_swap(page, "Breakdown", "ethnic_group")
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
    page.goto("/explorer?indicator=p1_folic_acid")
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


def test_every_page_passes_axe_for_an_analyst(page, screenshots):
    """Analysts see more (worklists, unsuppressed figures and charts): check those pages too."""
    sign_in(page, "analyst")
    failures = {}
    for name in ("overview", "quality", "quality-rule", "population", "wres", "explorer-sii"):
        page.goto(PAGES[name])
        page.screenshot(path=str(screenshots / f"analyst-{name}.png"), full_page=True)
        found = serious_violations(page)
        if found:
            failures[name] = found
    assert not failures, failures


def test_overview_shows_headlines_against_baseline_and_target(page, screenshots):
    sign_in(page, "analyst")
    sii = page.locator("#card-m_perinatal_sii_deprivation")
    text = sii.inner_text()
    # the SII's latest rolling year, 3.9 per 1,000 against the 4.39 baseline
    assert "3.9" in text and "April 2024 to March 2025" in text and "Baseline" in text
    assert "Hits and misses the baseline" in text
    coc = page.locator("#card-p4c_coc_black_asian_mixed").inner_text()
    assert "Consistently misses the target" in coc and "Up 5.0 from 50.0" in coc
    sii.get_by_text("Figures for this chart").click()  # the trend's table, without JavaScript
    assert sii.locator("table").is_visible()
    page.screenshot(path=str(screenshots / "overview-analyst.png"), full_page=True)


def test_quality_team_failing_now_opens_its_worklist(page, screenshots):
    sign_in(page, "analyst")
    page.goto("/quality")
    section = page.locator("#teams-ethnic_category_valid_at_booking")
    section.get_by_role("link", name="Eastgate team").click()
    page.wait_for_url(re.compile("team=Eastgate"))
    scope = page.locator("#worklist-scope").inner_text()
    assert scope.startswith("1 record to correct (pseudonymised) for Eastgate team")
    assert "PSEUDO-7F3A9C" in page.locator("#dq-worklist").inner_text()
    page.screenshot(path=str(screenshots / "quality-worklist.png"), full_page=True)
    assert not serious_violations(page)


def test_edit_a_health_equity_assessment_and_see_the_audit_entry(page, screenshots):
    sign_in(page, "editor")
    page.goto("/plan")
    page.get_by_role("link", name=re.compile("^Intervention 2.1:")).click()
    page.get_by_role("button", name="Change the assessment").click()
    page.locator("#review_date-day").fill("1")
    page.locator("#review_date-month").fill("1")
    page.locator("#review_date-year").fill("2024")  # before the date it was completed
    page.get_by_role("button", name="Save the assessment").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Review date must be the same as or after the date completed" in summary.inner_text()
    assert not serious_violations(page)
    page.screenshot(path=str(screenshots / "assessment-error.png"), full_page=True)
    page.get_by_label("Refine").fill("Easy-read and BSL versions published")
    page.locator("#review_date-year").fill("2027")
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("Health equity assessment saved.").wait_for()
    assert "Easy-read and BSL versions published" in page.locator("#heat-summary").inner_text()
    history = page.locator("#assessment-history tbody tr").first.inner_text()
    assert "editor" in history and "update" in history and "refine" in history
    page.screenshot(path=str(screenshots / "assessment-saved.png"), full_page=True)


def test_a_form_missing_a_field_gets_the_error_page(page, screenshots):
    """A stale or tampered form (no version) gets the NHS.UK error page, not JSON."""
    sign_in(page, "editor")
    page.goto("/plan/actions/3/edit")
    page.evaluate("() => document.querySelector('input[name=version]').remove()")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "missing its version number" in summary.inner_text()
    assert page.get_by_role("link", name="Go back to the form").get_attribute("href") == (
        "/plan/actions/3/edit"
    )
    page.screenshot(path=str(screenshots / "form-error-page.png"), full_page=True)
    assert not serious_violations(page)
