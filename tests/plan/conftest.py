"""Plan database fixtures: every test using ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL tests use a schema of their own (unique per test session, dropped at the end), so
parallel runs never clash; they are skipped with the reason when the server is unreachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from maternity_equity.plan import db
from maternity_equity.plan.models import Base

PG_URL = os.environ.get(
    "MATERNITY_EQUITY_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
KEEP = {"priorities", "alembic_version"}


def pg_unreachable_reason() -> str | None:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any connection failure means "skip", with the reason
        return f"PostgreSQL at {PG_URL} unreachable: {type(exc).__name__}: {exc}"[:300]
    return None


@contextmanager
def fresh_pg_schema() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema (dropped afterwards)."""
    reason = pg_unreachable_reason()
    if reason:
        pytest.skip(reason)
    schema = f"me_plan_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    try:
        # synchronous_commit=off: the tests do not need each commit flushed to disk.
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> Iterator[str]:
    """URL of an empty database (nothing migrated) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
    else:
        with fresh_pg_schema() as url:
            yield url


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(request, tmp_path_factory) -> Iterator[sa.Engine]:
    """One migrated database per backend for the whole session (cleaned per test)."""
    if request.param == "sqlite":
        engine = db.upgrade(f"sqlite:///{tmp_path_factory.mktemp('plan') / 'plan.sqlite'}")
        yield engine
        engine.dispose()
    else:
        with fresh_pg_schema() as url:
            engine = db.upgrade(url)
            yield engine
            engine.dispose()


def empty_tables(engine: sa.Engine) -> None:
    """Delete every row except the reference priorities (search indexes follow by trigger)."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def engine(migrated_engine: sa.Engine) -> sa.Engine:
    """The backend's database with every table emptied (reference priorities kept)."""
    empty_tables(migrated_engine)
    return migrated_engine


@pytest.fixture
def example_engine(engine: sa.Engine) -> sa.Engine:
    """The database holding the shipped example plan."""
    from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file

    with db.session_scope(engine, "loader") as session:
        import_plan_file(session, example_plan_path())
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def example_readonly(request, tmp_path_factory) -> Iterator[sa.Engine]:
    """A separate database holding the example plan, loaded once; tests must not change it."""
    from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file

    def _load(engine: sa.Engine) -> sa.Engine:
        with db.session_scope(engine, "loader") as session:
            import_plan_file(session, example_plan_path())
        return engine

    if request.param == "sqlite":
        engine = _load(db.upgrade(f"sqlite:///{tmp_path_factory.mktemp('ex') / 'ex.sqlite'}"))
        yield engine
        engine.dispose()
    else:
        with fresh_pg_schema() as url:
            engine = _load(db.upgrade(url))
            yield engine
            engine.dispose()


@pytest.fixture
def emptier():
    """``empty_tables`` as a fixture (test modules here are not a package)."""
    return empty_tables
