"""The four roles and what each may do; every check in the app goes through here."""

from __future__ import annotations

from enum import IntEnum

from maternity_equity.quality import can_see_records


class Role(IntEnum):
    """Ordered: each role can do everything the roles below it can."""

    viewer = 0  # published, disclosure-controlled figures only
    editor = 1  # + keeps the action plan and the registers
    analyst = 2  # + unsuppressed figures and data-quality worklists
    admin = 3  # + manages users

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().lower()]
        except KeyError:
            raise ValueError(
                f"unknown role {text!r}: expected one of {', '.join(r.name for r in cls)}"
            ) from None


def sees_unsuppressed(role: Role | None) -> bool:
    """Below analyst, every figure goes through disclosure control on the server."""
    return role is not None and role >= Role.analyst


def can_edit_plan(role: Role | None) -> bool:
    return role is not None and role >= Role.editor


def can_see_worklists(role: Role | None) -> bool:
    """Record-level worklists: the quality stage owns the rule (analyst and above)."""
    return role is not None and can_see_records(role.name)


def can_manage_users(role: Role | None) -> bool:
    return role is not None and role >= Role.admin
