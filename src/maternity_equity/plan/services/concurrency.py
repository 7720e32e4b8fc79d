"""Optimistic locking: compare the version a person opened with the version stored now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from maternity_equity.plan.audit import IGNORED_FIELDS
from maternity_equity.plan.errors import ConflictError
from maternity_equity.plan.models import AuditEntry


def changes_since(session: Session, obj: Any, version: int) -> tuple[list[str], list[str]]:
    """Fields changed and people who changed them since ``version`` (read from the audit log)."""
    table = inspect(obj).mapper.local_table.name
    entity_id = "/".join(str(p) for p in inspect(obj).identity)
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == table, AuditEntry.entity_id == entity_id)
        .where(AuditEntry.operation == "update")
        .order_by(AuditEntry.id)
    ).all()
    fields: list[str] = []
    people: list[str] = []
    for entry in entries:
        after_version = (entry.after or {}).get("version")
        if after_version is None or after_version <= version:
            continue
        for key, value in (entry.after or {}).items():
            if key in IGNORED_FIELDS or key == "version" or key in fields:
                continue
            if (entry.before or {}).get(key) != value:
                fields.append(key)
        if entry.who not in people:
            people.append(entry.who)
    return fields, people


def check_version(session: Session, obj: Any, expected_version: int | None) -> None:
    """Raise ``ConflictError`` when ``obj`` is no longer at ``expected_version``.

    ``None`` means the caller did not open a particular version (e.g. a script): no check.
    """
    if expected_version is None or obj.version == expected_version:
        return
    fields, people = changes_since(session, obj, expected_version)
    raise ConflictError(
        inspect(obj).mapper.class_.__name__,
        obj.id,
        expected_version,
        obj.version,
        fields,
        people,
    )


def apply_changes(
    session: Session,
    obj: Any,
    changes: Mapping[str, Any],
    expected_version: int | None,
    allowed: frozenset[str],
) -> Any:
    """Check the version, set the allowed fields and flush (turning races into conflicts).

    The flush is where SQLAlchemy's ``WHERE version = :old`` catches two saves that both
    passed the check at the same moment.
    """
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(
            f"cannot change {', '.join(sorted(unknown))} on "
            f"{type(obj).__name__}; allowed: {', '.join(sorted(allowed))}"
        )
    check_version(session, obj, expected_version)
    for key, value in changes.items():
        setattr(obj, key, value)
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        cls, key = type(obj), obj.id
        current = session.get(cls, key, populate_existing=True)
        if current is None:
            raise ConflictError(cls.__name__, key, expected_version or 0, None) from exc
        check_version(session, current, expected_version or 0)
        raise ConflictError(cls.__name__, key, expected_version or 0, current.version) from exc
    return obj
