"""How the app answers requests outside the happy path: HEAD, unreadable forms and addresses."""

from __future__ import annotations

import pytest
from web_helpers import csrf_from

GET_PAGES = ["/", "/explorer", "/map", "/population", "/quality", "/plan", "/assets", "/downloads"]


@pytest.mark.parametrize("path", GET_PAGES)
def test_head_is_answered_like_get_without_a_body(client_for, path):
    client = client_for("viewer")
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200 and head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) > 0


def test_head_keeps_sign_in_and_method_rules(client_for):
    anonymous = client_for(None)
    response = anonymous.head("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    # a POST-only address is not turned into a page by HEAD
    assert client_for("editor").head("/plan/actions/2/progress").status_code == 405


def test_a_form_missing_its_version_gets_the_error_page_not_json(client_for):
    client = client_for("editor")
    form = client.get("/plan/actions/2/edit")
    response = client.post(
        "/plan/actions/2/edit",
        data={"csrf_token": csrf_from(form.text), "status": "in_progress"},
        headers={"referer": "http://testserver/plan/actions/2/edit"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "nhsuk-error-summary" in html and "There is a problem" in html
    assert "missing its version number" in html
    assert 'href="/plan/actions/2/edit">Go back to the form' in html
    assert "<title>Error: " in html


def test_unreadable_query_and_path_values_are_pages_too(client_for):
    client = client_for("analyst")
    bad_page = client.get("/quality?page=two")
    assert bad_page.status_code == 400 and "Page must be a whole number" in bad_page.text
    assert client.get("/plan/actions/abc").status_code == 404
    assert "Page not found" in client.get("/plan/actions/abc").text


def test_the_json_api_keeps_json_errors(client_for):
    response = client_for("viewer").get("/api/results?limit=zero")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
