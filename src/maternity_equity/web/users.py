"""Users, password hashing and the audit log, kept in the plan database.

The web app owns three tables of the plan database: ``web_users`` and ``web_audit`` (migration
0004) and ``web_sessions`` (0005). Audit entries for sign-ins and for every change made through
the web app are written here. A signed-in session is a row of ``web_sessions``, so signing out
ends it on the server: a copy of the cookie taken before is worth nothing after.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)

from maternity_equity.web.roles import Role

metadata = MetaData()

users_table = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_table = Table(
    "web_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(80), nullable=False),
    Column("entity", String(80), nullable=False, default=""),
    Column("entity_id", String(80), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
    Column("ip", String(64), nullable=False, default=""),
)

sessions_table = Table(
    "web_sessions",
    metadata,
    # sha256 of the cookie's session token: a stolen database copy cannot be replayed
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# Lower-cost argon2id than the library default keeps sign-in under ~50 ms on a small server
# while staying above OWASP's minimum (m=19 MiB, t=2, p=1).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


def missing_tables(engine: Engine) -> list[str]:
    """The web tables the plan database lacks (it predates migration 0004)."""
    present = set(inspect(engine).get_table_names())
    return [name for name in metadata.tables if name not in present]


def _row_to_user(row) -> User:
    return User(row.id, row.username, row.display_name, Role.parse(row.role), bool(row.active))


def validate_new_password(password: str) -> str | None:
    """The error message for a password that is too weak, or None."""
    if len(password) < 12:
        return "Enter a password of at least 12 characters"
    return None


def create_user(
    engine: Engine, username: str, password: str, role: Role, display_name: str = ""
) -> User:
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise ValueError("username must be 1 to 80 characters")
    problem = validate_new_password(password)
    if problem:
        raise ValueError(f"password for {username!r}: {problem.lower()}")
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(users_table).values(
                username=username,
                display_name=display_name or username,
                role=role.name,
                password_hash=_hasher.hash(password),
                active=True,
                created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
    return User(new_id, username, display_name or username, role, True)


def get_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users_table).where(users_table.c.id == user_id)).first()
    return _row_to_user(row) if row else None


def find_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(users_table).where(users_table.c.username == username.strip().lower())
        ).first()
    return _row_to_user(row) if row else None


def count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(users_table)).scalar_one())


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(select(users_table).order_by(users_table.c.username)).all()
    return [_row_to_user(r) for r in rows]


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The active user with this password, or None (same work done either way)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(users_table).where(users_table.c.username == username.strip().lower())
        ).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(stored):
        with engine.begin() as conn:
            conn.execute(
                update(users_table)
                .where(users_table.c.id == row.id)
                .values(password_hash=_hasher.hash(password))
            )
    return _row_to_user(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user_id: int, lifetime_seconds: int) -> str:
    """A new session for ``user_id``; returns the token the cookie carries. Expired sessions
    are removed here, so the table holds only live ones."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(sessions_table).where(sessions_table.c.expires_at < now))
        conn.execute(
            insert(sessions_table).values(
                token_hash=_token_hash(token),
                user_id=user_id,
                created_at=now,
                expires_at=now + timedelta(seconds=lifetime_seconds),
            )
        )
    return token


def session_user(engine: Engine, token: str) -> User | None:
    """The active user of a live session, or None (unknown, ended or expired)."""
    query = (
        select(users_table)
        .join(sessions_table, sessions_table.c.user_id == users_table.c.id)
        .where(
            sessions_table.c.token_hash == _token_hash(token),
            sessions_table.c.expires_at > datetime.now(UTC),
            users_table.c.active.is_(True),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _row_to_user(row) if row else None


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(sessions_table).where(sessions_table.c.token_hash == _token_hash(token))
        )


def set_role(engine: Engine, user_id: int, role: Role, active: bool) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(users_table)
            .where(users_table.c.id == user_id)
            .values(role=role.name, active=active)
        )


def record_audit(
    engine: Engine,
    actor: str,
    action: str,
    entity: str = "",
    entity_id: str | int = "",
    detail: dict | None = None,
    ip: str = "",
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(audit_table).values(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                detail=json.dumps(detail or {}, default=str, sort_keys=True),
                ip=ip,
            )
        )


def recent_audit(
    engine: Engine, limit: int = 100, entity: str | None = None, entity_id: str | None = None
) -> list[dict]:
    query = select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(audit_table.c.entity == entity)
    if entity_id is not None:
        query = query.where(audit_table.c.entity_id == str(entity_id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "entity": r.entity,
            "entity_id": r.entity_id,
            "detail": json.loads(r.detail or "{}"),
            "ip": r.ip,
        }
        for r in rows
    ]
