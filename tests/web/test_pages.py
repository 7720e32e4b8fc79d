"""Every page renders for the roles allowed to see it, with the numbers the fixture implies."""

from __future__ import annotations

import csv
import io

import pytest
from web_helpers import csrf_from

PAGES = [
    "/",
    "/explorer",
    "/map",
    "/population",
    "/quality",
    "/plan",
    "/plan/coproduction",
    "/plan/wres",
    "/assets",
    "/assets/1",
    "/plan/actions/2",
    "/downloads",
    "/accessibility",
]


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_every_page_renders_with_layout(client_for, role):
    client = client_for(role)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        html = response.text
        assert 'href="#maincontent"' in html  # skip link
        assert "Maternity equity" in html  # service name in the header
        assert "nhsuk-footer" in html


def test_explorer_defaults_to_ethnic_group_for_the_lmns(client_for):
    html = client_for("analyst").get("/explorer?indicator=p1_folic_acid").text
    assert "Test LMNS" in html
    # analyst sees unrounded counts: 123 / 456 = 26.97...% -> "27.0"
    assert ">27.0<" in html
    assert "<svg" in html and 'role="img"' in html  # the bar chart and SPC chart
    assert 'id="results-table"' in html


def test_filter_to_one_neighbourhood(client_for):
    html = (
        client_for("analyst")
        .get("/explorer?indicator=p1_folic_acid&breakdown=ethnic_group&area=neighbourhood:NB001")
        .text
    )
    assert "Eastgate" in html
    # the Asian group in Eastgate: 6 / 53 = 11.3%
    assert ">11.3<" in html


def test_spc_annotated_with_plan_action_start(client_for):
    # example plan: action 1.1.2 targets p1_folic_acid and starts on 1 June 2024
    html = client_for("analyst").get("/explorer?indicator=p1_folic_acid").text
    assert "Action 1.1.2" in html


def test_invalid_filters_fall_back_instead_of_failing(client_for):
    response = client_for("viewer").get(
        "/explorer?indicator=nope&breakdown=zzz&area=x:y&period_type=q&period=2000-01-01"
    )
    assert response.status_code == 200
    assert "Test LMNS" in response.text


def test_map_lists_neighbourhoods_with_deprivation_and_assets(client_for):
    html = client_for("viewer").get("/map").text
    assert 'id="map-table"' in html and 'id="map-chart"' in html
    table = html[html.index('id="map-table"') :]
    # Eastgate: deciles 1 and 2 -> mean 1.5, both LSOAs in quintile 1 -> 100%;
    # example register lists 3 assets in Eastgate
    row = table[table.index("Eastgate") : table.index("</tr>", table.index("Eastgate"))]
    cells = [c.split("<")[0] for c in row.split('nhsuk-table__cell">')[1:]]
    assert cells == ["Riverside", "2", "1.5", "100", "3"]


def test_quality_summary_against_thresholds(client_for):
    html = client_for("viewer").get("/quality").text
    assert "Does not meet threshold" in html and "Meets threshold" in html
    assert "PSEUDO-7F3A9C" not in html  # worklist is not for viewers
    analyst = client_for("analyst")
    assert "PSEUDO-7F3A9C" in analyst.get("/quality").text
    one_team = analyst.get("/quality?team=Hollowfield+team").text
    assert "PSEUDO-B81D04" in one_team and "PSEUDO-7F3A9C" not in one_team


def test_edit_action_and_see_the_audit_entry(client_for):
    client = client_for("editor")
    form = client.get("/plan/actions/2/edit")
    assert form.status_code == 200
    version = form.text.split('name="version" value="')[1].split('"')[0]
    response = client.post(
        "/plan/actions/2/edit",
        data={
            "csrf_token": csrf_from(form.text),
            "version": version,
            "status": "in_progress",
            "rag": "amber",
            "start_day": "1",
            "start_month": "6",
            "start_year": "2024",
            "due_day": "31",
            "due_month": "3",
            "due_year": "2026",
            "lead_people": "Asha Patel",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    history = page[page.index('id="action-history"') :]
    assert "editor" in history and "update" in history
    assert "amber" in history and "Asha Patel" in page


def test_edit_form_shows_error_summary(client_for):
    client = client_for("editor")
    form = client.get("/plan/actions/2/edit")
    version = form.text.split('name="version" value="')[1].split('"')[0]
    response = client.post(
        "/plan/actions/2/edit",
        data={
            "csrf_token": csrf_from(form.text),
            "version": version,
            "status": "in_progress",
            "start_day": "1",
            "start_month": "6",
            "start_year": "2024",
            "due_day": "31",
            "due_month": "2",
            "due_year": "2026",
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#due-day"' in response.text
    assert "Due date must be a real date" in response.text


def test_stale_version_is_a_conflict_not_an_overwrite(client_for):
    client = client_for("editor")
    form = client.get("/plan/actions/2/edit")
    token = csrf_from(form.text)
    version = int(form.text.split('name="version" value="')[1].split('"')[0])
    data = {
        "csrf_token": token,
        "status": "complete",
        "rag": "",
        "start_day": "",
        "start_month": "",
        "start_year": "",
        "due_day": "",
        "due_month": "",
        "due_year": "",
        "lead_people": "",
    }
    first = client.post(
        "/plan/actions/2/edit", data={**data, "version": version}, follow_redirects=False
    )
    assert first.status_code == 303
    second = client.post(
        "/plan/actions/2/edit", data={**data, "version": version, "status": "on_hold"}
    )
    assert second.status_code == 409


def test_asset_search_by_need_language_and_area(client_for):
    client = client_for("viewer")
    html = client.get("/assets?q=debt").text
    assert "Eastgate Money Advice" in html
    html = client.get("/assets?language=Polish&area=Hollowfield").text
    results = html[html.index('id="asset-results"') :]
    assert "Downs Breastfeeding Peer Supporters" in results
    assert "Eastgate Money Advice" not in results


def test_editor_updates_an_asset(client_for):
    client = client_for("editor")
    form = client.get("/assets/2/edit")
    version = form.text.split('name="version" value="')[1].split('"')[0]
    response = client.post(
        "/assets/2/edit",
        data={
            "csrf_token": csrf_from(form.text),
            "version": version,
            "name": "Eastgate Money Advice",
            "languages": "English, Somali, Tigrinya",
            "categories": ["money_and_debt"],
            "contact_email": "advice@example.org",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Tigrinya" in client.get("/assets/2").text


def test_results_csv_download(client_for):
    response = client_for("analyst").get("/downloads/results.csv?indicator=p1_folic_acid")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["indicator_id"] for r in rows} == {"p1_folic_acid"}
    asian_eastgate = [r for r in rows if r["geography_code"] == "NB001" and r["group"] == "Asian"]
    assert float(asian_eastgate[0]["numerator"]) == 6.0


def test_other_downloads(client_for):
    client = client_for("viewer")
    actions = list(csv.DictReader(io.StringIO(client.get("/downloads/actions.csv").text)))
    assert len(actions) == 27  # the example plan has 27 actions
    assets = client.get("/downloads/assets.csv").text
    assert "Riverside Interpreting Hub" in assets
    geography = client.get("/downloads/geography.csv").text
    assert geography.count("E0100000") == 4


def test_overview_shows_spc_judgement(client_for):
    html = client_for("viewer").get("/").text
    assert "Perinatal mortality" in html
    # the fixture's monthly perinatal rates stay inside their limits; no target is set
    assert "Common cause variation" in html and "No target set" in html
    assert "3 of 4 data-quality rules meet their threshold" in html


def test_admin_adds_a_user(client_for):
    client = client_for("admin")
    page = client.get("/admin/users")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(page.text),
            "username": "newperson",
            "display_name": "New",
            "role": "editor",
            "password": "long-enough-password",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "newperson" in client.get("/admin/users").text
    short = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(page.text),
            "username": "other",
            "role": "viewer",
            "password": "short",
        },
    )
    assert short.status_code == 400 and "at least 12 characters" in short.text


def test_board_report_download(app, client_for):
    folder = app.state.web.settings.warehouse_path.parent / "report"
    folder.mkdir()
    (folder / "board-report-published.html").write_text("<h1>Board report</h1>")
    (folder / "board-report-internal.html").write_text("unsuppressed")
    client = client_for("viewer")
    page = client.get("/downloads").text
    assert "board-report-published.html" in page and "internal" not in page
    response = client.get("/downloads/report/board-report-published.html")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert client.get("/downloads/report/board-report-internal.html").status_code == 404
    assert client.get("/downloads/report/..%2Fwarehouse.duckdb").status_code == 404
