"""The audit hook: after each flush, one ``audit_log`` row per inserted, updated, deleted row.

Doing it in the session (rather than in each service) means a change cannot skip the trail.
The acting person comes from ``session.info["user"]``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from maternity_equity.plan.base import utcnow

IGNORED_FIELDS = frozenset({"updated_at"})


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def row_snapshot(obj: Any, *, before: bool = False) -> dict[str, Any]:
    """Column values of ``obj`` as JSON-safe data; ``before=True`` gives the pre-flush values.

    Reads only what is already loaded (no SQL may run inside a flush).
    """
    state = inspect(obj)
    snapshot: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS:
            continue
        if before:
            history = state.attrs[key].history
            if history.deleted:
                snapshot[key] = _json_value(history.deleted[0])
                continue
            if history.added and not history.unchanged:
                continue  # attribute had no loaded value before
        if key in state.dict:
            snapshot[key] = _json_value(state.dict[key])
    return snapshot


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity is None:
        mapper = inspect(obj).mapper
        identity = tuple(getattr(obj, c.key) for c in mapper.primary_key)
    return "/".join(str(part) for part in identity)


_BEFORE_KEY = "_audit_before"


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Take the before-images now: during the flush SQLAlchemy bumps version columns in place."""
    images = session.info.setdefault(_BEFORE_KEY, {})
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            images[id(obj)] = row_snapshot(obj, before=True)


def _after_flush(session: Session, _context: Any) -> None:
    from maternity_equity.plan.models.audit import AuditEntry

    who = session.info.get("user") or "system"
    images = session.info.pop(_BEFORE_KEY, {})
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, AuditEntry):
            continue
        rows.append(_entry(obj, "insert", None, row_snapshot(obj), who, now))
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) or not session.is_modified(obj, include_collections=False):
            continue
        before = images.get(id(obj)) or row_snapshot(obj, before=True)
        after = row_snapshot(obj)
        if before == after:
            continue
        rows.append(_entry(obj, "update", before, after, who, now))
    for obj in session.deleted:
        rows.append(_entry(obj, "delete", row_snapshot(obj), None, who, now))
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def _entry(obj: Any, operation: str, before, after, who: str, now: datetime) -> dict[str, Any]:
    return {
        "at": now,
        "who": who,
        "entity": inspect(obj).mapper.local_table.name,
        "entity_id": _entity_id(obj),
        "operation": operation,
        "before": before,
        "after": after,
    }


class AuditedSession(Session):
    """Session class with the audit hook attached once, at import.

    Attaching to each new sessionmaker instead is unsafe: SQLAlchemy's event registry is keyed
    by object id, so a new sessionmaker class can reuse a dead one's id and look "already
    hooked" while it is not.
    """


event.listen(AuditedSession, "before_flush", _before_flush)
event.listen(AuditedSession, "after_flush", _after_flush)


def install_audit(target: sessionmaker | type[Session] | Session) -> None:
    """Attach the audit hook to another sessionmaker, Session class or session (idempotent)."""
    if isinstance(target, AuditedSession) or (
        isinstance(target, type) and issubclass(target, AuditedSession)
    ):
        return
    if isinstance(target, sessionmaker) and issubclass(target.class_, AuditedSession):
        return
    if not event.contains(target, "after_flush", _after_flush):
        event.listen(target, "before_flush", _before_flush)
        event.listen(target, "after_flush", _after_flush)
