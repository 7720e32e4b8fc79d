"""Sessions live on the server: signing out (or an expired or switched-off account) ends them,
whatever copy of the cookie someone kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_helpers import csrf_from

from maternity_equity.web import users
from maternity_equity.web.security import SESSION_COOKIE


def _copy_of(client: TestClient, app) -> TestClient:
    """A second browser holding the same session cookie (as a thief would)."""
    other = TestClient(app)
    other.cookies.set(SESSION_COOKIE, client.cookies.get(SESSION_COOKIE))
    return other


def test_a_cookie_copied_before_sign_out_signs_nobody_in_after(app, client_for):
    client = client_for("analyst")
    stolen = _copy_of(client, app)
    assert stolen.get("/explorer", follow_redirects=False).status_code == 200
    token = csrf_from(client.get("/sign-out").text)
    assert (
        client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert stolen.get("/explorer", follow_redirects=False).status_code == 303  # to sign-in
    assert client.get("/explorer", follow_redirects=False).status_code == 303


def test_expired_and_switched_off_sessions_end(app, client_for):
    engine = app.state.web.engine
    viewer = client_for("viewer")
    editor = client_for("editor")
    assert viewer.get("/plan", follow_redirects=False).status_code == 200
    with engine.begin() as conn:
        viewer_id = conn.execute(
            select(users.users_table.c.id).where(users.users_table.c.username == "viewer")
        ).scalar_one()
        conn.execute(
            update(users.sessions_table)
            .where(users.sessions_table.c.user_id == viewer_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert viewer.get("/plan", follow_redirects=False).status_code == 303
    editor_user = users.find_user(engine, "editor")
    users.set_role(engine, editor_user.id, editor_user.role, active=False)
    assert editor.get("/plan", follow_redirects=False).status_code == 303


def test_the_table_keeps_hashes_of_tokens_not_the_tokens(app, client_for):
    client = client_for("viewer")
    cookie = app.state.web.codec.loads(client.cookies.get(SESSION_COOKIE))
    with app.state.web.engine.connect() as conn:
        stored = conn.execute(select(users.sessions_table.c.token_hash)).scalars().all()
    assert cookie["sid"] not in stored and len(stored) == 1 and len(stored[0]) == 64
