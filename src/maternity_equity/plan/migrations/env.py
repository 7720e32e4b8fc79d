"""Alembic environment, configured in code by ``plan.db`` (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from maternity_equity.plan.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - we never emit SQL scripts
    raise SystemExit("offline migrations are not supported; use plan.db.upgrade(url)")
run_migrations_online()
