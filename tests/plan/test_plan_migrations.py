"""Migrations: an empty database upgrades to head and downgrades to base cleanly."""

from __future__ import annotations

import sqlalchemy as sa

from maternity_equity.plan import db
from maternity_equity.plan.models import Base
from maternity_equity.web import users


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _search_functions(engine: sa.Engine) -> int:
    """How many copies of the asset-search trigger function the current schema holds."""
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'community_assets_search_update' "
                "AND pronamespace = current_schema()::regnamespace"
            )
        ).scalar()


def test_upgrade_creates_every_model_table_and_seeds_priorities(empty_url):
    engine = db.upgrade(empty_url)
    try:
        assert db.current_revision(engine) == "0005"
        assert set(Base.metadata.tables) <= _tables(engine)
        with engine.connect() as connection:
            codes = connection.execute(
                sa.text("SELECT code FROM priorities ORDER BY sort_order")
            ).scalars()
            # The guidance: five priorities, with 4a-4e under priority 4.
            assert list(codes) == ["1", "2", "3", "4", "4a", "4b", "4c", "4d", "4e", "5"]
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(empty_url):
    engine = db.upgrade(empty_url)
    try:
        if engine.dialect.name == "postgresql":
            assert _search_functions(engine) == 1
        db.downgrade(engine, "base")
        assert db.current_revision(engine) is None
        assert _tables(engine) <= {"alembic_version"}
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                leftovers = connection.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE type IN ('trigger','table')")
                ).scalars()
                assert set(leftovers) <= {"alembic_version"}
        else:
            assert _search_functions(engine) == 0
        db.upgrade(engine)
        assert db.current_revision(engine) == "0005"
    finally:
        engine.dispose()


def test_models_and_migrations_agree(empty_url):
    """Autogenerate finds nothing to do: the migrations build exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = db.upgrade(empty_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, [Base.metadata, users.metadata])
        # The search index (PostgreSQL column, SQLite FTS5 tables) belongs to the search
        # migration, not to a model.
        diff = [
            d
            for d in diff
            if "search_vector" not in str(d) and "community_assets_fts" not in str(d)
        ]
        assert diff == []
    finally:
        engine.dispose()


def test_default_url_is_the_demo_folder():
    assert db.default_url() == "sqlite:///maternity-equity-demo/plan.sqlite"


def test_web_tables_made_by_an_older_app_are_kept_by_the_upgrade(empty_url):
    # before migration 0004 the web app created its two tables itself at start-up
    engine = db.upgrade(empty_url, "0003")
    try:
        users.metadata.create_all(engine, tables=[users.users_table, users.audit_table])
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO web_users (username, display_name, role, password_hash, "
                    "active, created_at) VALUES ('asha', 'Asha', 'editor', 'x', true, "
                    "CURRENT_TIMESTAMP)"
                )
            )
        db.upgrade(engine)
        assert db.current_revision(engine) == "0005"
        with engine.connect() as connection:
            names = connection.execute(sa.text("SELECT username FROM web_users")).scalars()
            assert list(names) == ["asha"]
        db.downgrade(engine, "0003")
        assert not {"web_users", "web_audit"} & _tables(engine)
    finally:
        engine.dispose()


def test_a_database_holding_a_plan_downgrades_to_base_and_past_the_seed(empty_url):
    """Stepping back past 0002 keeps the priorities an intervention still uses (no foreign-key
    failure); going on to base drops every table."""
    from maternity_equity.plan.db import session_scope
    from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file

    engine = db.upgrade(empty_url)
    try:
        with session_scope(engine, "tester") as session:
            import_plan_file(session, example_plan_path())
        with engine.connect() as connection:
            used = set(
                connection.execute(sa.text("SELECT DISTINCT priority_code FROM interventions"))
                .scalars()
                .all()
            )
        db.downgrade(engine, "0001")
        with engine.connect() as connection:
            kept = set(connection.execute(sa.text("SELECT code FROM priorities")).scalars())
        # the used sub-priorities (4a..4e) keep their parent "4"
        parents = {code[0] for code in used if len(code) > 1}
        assert used and kept == used | parents
        db.downgrade(engine, "base")
        assert _tables(engine) <= {"alembic_version"}
    finally:
        engine.dispose()
