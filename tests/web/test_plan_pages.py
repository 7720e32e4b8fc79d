"""Plan pages: interventions with their health equity assessment (HEAT), lead roles on the
action form, and the plan's CSV downloads."""

from __future__ import annotations

import csv
import io
import re

from web_helpers import csrf_from


def _intervention_id(client, ref: str) -> int:
    plan = client.get("/plan").text
    match = re.search(rf'href="/plan/interventions/(\d+)">Intervention {re.escape(ref)}:', plan)
    assert match, f"no link to intervention {ref}"
    return int(match.group(1))


def _heat_form(client, inter: int, **values) -> dict:
    form = client.get(f"/plan/interventions/{inter}/assessment").text
    version = form.split('name="version" value="')[1].split('"')[0]
    blank = {
        "prepare": "",
        "assess": "",
        "refine": "",
        "review": "",
        "completed_by": "",
        "completed_on_day": "",
        "completed_on_month": "",
        "completed_on_year": "",
        "review_date_day": "",
        "review_date_month": "",
        "review_date_year": "",
    }
    return {**blank, "csrf_token": csrf_from(form), "version": version, **values}


def test_viewer_reads_the_assessment_of_an_intervention(client_for):
    viewer = client_for("viewer")
    inter = _intervention_id(viewer, "2.1")
    html = viewer.get(f"/plan/interventions/{inter}").text
    heat = html[html.index('id="heat-summary"') : html.index("</dl>", html.index("heat-summary"))]
    # the example plan's assessment of intervention 2.1, every step and the review date
    assert "Gathered PCSP completion by IMD quintile and language" in heat
    assert "Completion falls from 71% in the least deprived fifth" in heat
    assert "Paper PCSP offered at booking" in heat
    assert "Completion by quintile reviewed quarterly" in heat
    assert "Grace Lindqvist, 2 May 2024" in heat
    assert "1 May 2025" in heat and "Review overdue" in heat  # past its review date
    assert "Change the assessment" not in html
    assert viewer.get(f"/plan/interventions/{inter}/assessment").status_code == 403
    assert 'href="/plan/interventions/' in viewer.get("/plan/actions/2").text


def test_editor_changes_the_assessment_and_the_change_is_audited(client_for):
    editor = client_for("editor")
    inter = _intervention_id(editor, "2.1")
    data = _heat_form(
        editor,
        inter,
        prepare="Re-ran PCSP completion by quintile",
        assess="Gap narrowed to 12 points",
        refine="BSL video added",
        review="Quarterly",
        completed_by="Asha Patel",
        completed_on_day="3",
        completed_on_month="2",
        completed_on_year="2025",
        review_date_day="3",
        review_date_month="2",
        review_date_year="2027",
    )
    response = editor.post(
        f"/plan/interventions/{inter}/assessment", data=data, follow_redirects=False
    )
    assert response.status_code == 303
    page = editor.get(response.headers["location"]).text
    assert "Health equity assessment saved." in page
    assert "Gap narrowed to 12 points" in page and "3 February 2027" in page
    assert "Review overdue" not in page
    history = page[page.index('id="assessment-history"') :]
    assert "editor" in history and "update" in history and "review date" in history
    # the old version is now stale: saving it again is a conflict, not an overwrite
    stale = editor.post(f"/plan/interventions/{inter}/assessment", data={**data, "refine": "x"})
    assert stale.status_code == 409 and "Changed by someone else" in stale.text


def test_editor_adds_an_assessment_where_there_was_none(client_for):
    editor = client_for("editor")
    inter = _intervention_id(editor, "3.1")
    assert (
        "No health equity assessment has been recorded"
        in editor.get(f"/plan/interventions/{inter}").text
    )
    data = _heat_form(editor, inter, prepare="Looked at recording by team")
    assert data["version"] == ""
    response = editor.post(
        f"/plan/interventions/{inter}/assessment", data=data, follow_redirects=False
    )
    assert response.status_code == 303
    page = editor.get(f"/plan/interventions/{inter}").text
    assert "Looked at recording by team" in page and "No review date" in page
    # a second editor who opened the empty form meanwhile cannot overwrite it
    again = editor.post(f"/plan/interventions/{inter}/assessment", data={**data, "prepare": "y"})
    assert again.status_code == 409


def test_assessment_form_errors_use_the_error_summary(client_for):
    editor = client_for("editor")
    inter = _intervention_id(editor, "2.1")
    data = _heat_form(
        editor,
        inter,
        prepare="p",
        completed_on_day="1",
        completed_on_month="6",
        completed_on_year="2025",
        review_date_day="1",
        review_date_month="1",
        review_date_year="2025",
    )
    response = editor.post(f"/plan/interventions/{inter}/assessment", data=data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#review_date-day"' in response.text
    assert "Review date must be the same as or after the date completed" in response.text
    empty = _heat_form(editor, inter)
    response = editor.post(f"/plan/interventions/{inter}/assessment", data=empty)
    assert response.status_code == 400 and 'href="#prepare"' in response.text


def test_action_form_changes_lead_roles(client_for):
    editor = client_for("editor")
    form = editor.get("/plan/actions/2/edit").text
    assert 'id="lead_roles"' in form and "Consultant midwife for public health" in form
    version = form.split('name="version" value="')[1].split('"')[0]
    response = editor.post(
        "/plan/actions/2/edit",
        data={
            "csrf_token": csrf_from(form),
            "version": version,
            "status": "in_progress",
            "lead_roles": "Director of midwifery\nHead of midwifery",
            "lead_people": "Grace Lindqvist",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = editor.get("/plan/actions/2").text
    summary = page[page.index('id="action-summary"') : page.index("</dl>")]
    assert "Director of midwifery, Head of midwifery" in summary
    history = page[page.index('id="action-history"') :]
    assert "lead roles" in history and "Head of midwifery" in history


def test_plan_downloads_as_csv(client_for):
    def rows(role, name):
        return list(csv.DictReader(io.StringIO(client_for(role).get(f"/downloads/{name}").text)))

    heat = {r["ref"]: r for r in rows("viewer", "interventions.csv")}
    assert heat["2.1"]["heat_review_date"] == "2025-05-01"
    assert heat["2.1"]["heat_completed_by"] == "Grace Lindqvist"
    assert heat["3.1"]["heat_prepare"] == ""
    # participants are counts of people: published (rounded) below analyst; the example
    # plan's groups had 11, 7 and 23 people
    viewer = sorted(int(r["participants"]) for r in rows("viewer", "coproduction.csv"))
    analyst = sorted(int(r["participants"]) for r in rows("analyst", "coproduction.csv"))
    assert analyst == [7, 11, 23] and viewer == [5, 10, 25]
    page = client_for("viewer").get("/plan/coproduction").text
    assert "(10 people)" in page and "(11 people)" not in page
    listed = client_for("viewer").get("/downloads").text
    for name in ("wres.csv", "coproduction.csv", "interventions.csv", "actions.csv"):
        assert f'href="/downloads/{name}"' in listed


def test_pages_kept_from_the_plan_database_follow_its_changes(client_for):
    """The plan page, the map's assets and the explorer's action dates are kept between
    requests until the plan's audit log moves: a change shows on the next request."""
    viewer, editor = client_for("viewer"), client_for("editor")
    # action 1.1.2 (id 2) targets folic acid and starts on 1 June 2024, inside the chart
    assert "Action 1.1.2" in viewer.get("/explorer?indicator=p1_folic_acid").text
    before = viewer.get("/plan").text
    row = before[before.index('href="/plan/actions/2"') :]
    assert "Amber" in row[: row.index("</tr>")]
    form = editor.get("/plan/actions/2/edit").text
    version = form.split('name="version" value="')[1].split('"')[0]
    saved = editor.post(
        "/plan/actions/2/edit",
        data={
            "csrf_token": csrf_from(form),
            "version": version,
            "status": "in_progress",
            "rag": "red",
            "start_day": "1",
            "start_month": "9",
            "start_year": "2025",  # after the chart's last month (February 2025)
            "lead_people": "Grace Lindqvist",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = viewer.get("/plan").text
    row = after[after.index('href="/plan/actions/2"') :]
    assert "Red" in row[: row.index("</tr>")]
    # the explorer's SPC chart follows the new start date, now beyond its last month
    assert "Action 1.1.2" not in viewer.get("/explorer?indicator=p1_folic_acid").text
    # an asset moved to another neighbourhood moves on the map
    form = editor.get("/assets/2/edit").text
    version = form.split('name="version" value="')[1].split('"')[0]
    moved = editor.post(
        "/assets/2/edit",
        data={
            "csrf_token": csrf_from(form),
            "version": version,
            "name": "Eastgate Money Advice",
            "neighbourhood": "Hollowfield",
            "categories": ["money_and_debt"],
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303
    table = viewer.get("/map").text
    table = table[table.index('id="map-assets-table"') :]
    hollowfield = table[table.index("Hollowfield") :]
    assert "Eastgate Money Advice" in hollowfield[: hollowfield.index("</tr>")]
