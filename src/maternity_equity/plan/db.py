"""Connecting to the plan database and migrating it.

SQLite (one file, the default for the demo) and PostgreSQL (for an LMNS sharing the plan
between people) are both first-class: the same migrations and services run on either.

    engine = connect("sqlite:///maternity-equity-demo/plan.sqlite")
    upgrade(engine)                       # empty database -> head
    with session_scope(engine, user="alice") as session:
        ...                               # commits on success, audit rows written on flush
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from maternity_equity.plan.audit import AuditedSession

DEFAULT_DIR = Path("maternity-equity-demo")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_url(directory: Path | str = DEFAULT_DIR) -> str:
    """``sqlite:///<directory>/plan.sqlite`` (relative paths stay relative to the working dir)."""
    return f"sqlite:///{Path(directory) / 'plan.sqlite'}"


def connect(url: str | Engine | None = None) -> Engine:
    """An engine for ``url`` (default: the demo SQLite file), with SQLite made strict.

    SQLite leaves foreign keys off unless asked on each connection; we turn them on so that
    cascades and references behave as they do on PostgreSQL.
    """
    if isinstance(url, Engine):
        return url
    url = url or default_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on; wait for a busy writer; WAL so readers (the web app) never block a
    writer, with NORMAL sync (safe in WAL mode: a crash loses at most the last commit)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(engine: Engine) -> Config:
    """Alembic configured in code: no alembic.ini is needed anywhere."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(url: str | Engine | None = None, revision: str = "head") -> Engine:
    """Migrate the database at ``url`` up to ``revision`` (creating the file if needed)."""
    engine = connect(url)
    with engine.begin() as connection:
        config = _alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def downgrade(url: str | Engine | None = None, revision: str = "base") -> Engine:
    """Migrate down to ``revision`` (``base`` removes every table the migrations made)."""
    engine = connect(url)
    with engine.begin() as connection:
        config = _alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return engine


def current_revision(url: str | Engine | None = None) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine = connect(url)
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that write an audit row for every change they flush."""
    return sessionmaker(bind=engine, class_=AuditedSession, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | str | None, user: str) -> Iterator[Session]:
    """A session acting for ``user`` (recorded in the audit log); commit or roll back."""
    if not user:
        raise ValueError("session_scope needs the name of the person making changes (user)")
    factory = session_factory(connect(engine))
    session = factory(info={"user": user})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
