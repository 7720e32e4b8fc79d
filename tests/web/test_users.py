"""Users: argon2 hashes, the first administrator, demo accounts, role parsing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from maternity_equity.plan.db import upgrade
from maternity_equity.web import users
from maternity_equity.web.commands import DEMO_USERS, ensure_demo_users, ensure_first_admin
from maternity_equity.web.roles import Role


@pytest.fixture
def engine(tmp_path):
    return upgrade(f"sqlite:///{tmp_path / 'users.sqlite'}")


def test_passwords_are_stored_as_argon2id_hashes(engine):
    users.create_user(engine, "Asha", "correct horse battery", Role.editor, "Asha Patel")
    with engine.connect() as conn:
        stored = conn.execute(select(users.users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.authenticate(engine, "asha", "correct horse battery").role is Role.editor
    assert users.authenticate(engine, "asha", "wrong password here") is None
    assert users.authenticate(engine, "nobody", "correct horse battery") is None


def test_short_passwords_and_switched_off_accounts_refused(engine):
    with pytest.raises(ValueError, match="at least 12 characters"):
        users.create_user(engine, "short", "tiny", Role.viewer)
    user = users.create_user(engine, "leaver", "long enough password", Role.viewer)
    users.set_role(engine, user.id, Role.viewer, active=False)
    assert users.authenticate(engine, "leaver", "long enough password") is None


def test_first_admin_generated_once(engine, monkeypatch):
    monkeypatch.delenv("MATERNITY_EQUITY_ADMIN_USER", raising=False)
    monkeypatch.delenv("MATERNITY_EQUITY_ADMIN_PASSWORD", raising=False)
    username, password = ensure_first_admin(engine)
    assert username == "admin" and len(password) >= 20
    assert users.authenticate(engine, "admin", password).role is Role.admin
    assert ensure_first_admin(engine) is None  # never a second time


def test_first_admin_from_environment(engine, monkeypatch):
    monkeypatch.setenv("MATERNITY_EQUITY_ADMIN_USER", "lead")
    monkeypatch.setenv("MATERNITY_EQUITY_ADMIN_PASSWORD", "from the environment")
    assert ensure_first_admin(engine) == ("lead", None)
    assert users.authenticate(engine, "lead", "from the environment").role is Role.admin


def test_demo_users_one_per_role(engine):
    assert sorted(ensure_demo_users(engine)) == sorted(DEMO_USERS)
    assert ensure_demo_users(engine) == []
    for role, (_, password) in DEMO_USERS.items():
        assert users.authenticate(engine, role, password).role is Role[role]


def test_role_parse_names_the_choices():
    assert Role.parse(" Analyst ") is Role.analyst
    with pytest.raises(ValueError, match="viewer, editor, analyst, admin"):
        Role.parse("superuser")


def test_app_refuses_a_plan_database_without_the_web_tables(tmp_path):
    from maternity_equity.web.app import create_app
    from maternity_equity.web.settings import WebSettings

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0003").dispose()  # a plan database from before the web tables' migration
    settings = WebSettings(
        warehouse_path=tmp_path / "warehouse.duckdb", plan_db_url=url, migrate_plan=False
    )
    with pytest.raises(RuntimeError, match="lacks web_users, web_audit"):
        create_app(settings)
    settings = WebSettings(warehouse_path=tmp_path / "warehouse.duckdb", plan_db_url=url)
    create_app(settings)  # migrating at start-up (the default) brings them
    with upgrade(url).connect() as connection:
        assert connection.execute(select(users.users_table)).first() is None
