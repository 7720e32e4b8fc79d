"""Fixtures: an app on a small known warehouse, a plan database, and a signed-in client per role."""

from __future__ import annotations

import re

import pytest
import web_fixtures as fixtures
from fastapi.testclient import TestClient

from maternity_equity.web.app import create_app
from maternity_equity.web.commands import DEMO_USERS
from maternity_equity.web.settings import WebSettings

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def plan_template(tmp_path_factory):
    return fixtures.make_plan_template(tmp_path_factory.mktemp("plan-template"))


@pytest.fixture
def app_factory(tmp_path, plan_template):
    def build(*, attacks: bool = False, extras: tuple[str, ...] = (), **overrides):
        fixtures.write_warehouse(tmp_path, attacks=attacks, extras=extras)
        url = fixtures.write_plan_db(plan_template, tmp_path)
        settings = WebSettings(
            warehouse_path=tmp_path / "warehouse.duckdb",
            plan_db_url=url,
            secret_key="test-secret-key-0123456789",
            **overrides,
        )
        app = create_app(settings)
        return app

    return build


@pytest.fixture
def app(app_factory):
    return app_factory()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, role: str) -> TestClient:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "username": role,
            "password": DEMO_USERS[role][1],
            "next": "/",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client_for(app):
    def make(role: str | None) -> TestClient:
        client = TestClient(app)
        return sign_in(client, role) if role else client

    return make
