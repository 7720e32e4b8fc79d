"""Reading the audit trail (who changed what, when, from what to what)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.models import AuditEntry


def history(
    session: Session, entity: str | None = None, entity_id: object | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Audit entries, newest first; ``entity`` is a table name such as ``actions``."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return list(session.scalars(query))


def changed_fields(entry: AuditEntry) -> list[str]:
    """Fields whose value differs between before and after (all fields for insert/delete)."""
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k) != after.get(k) and k != "version"]
