"""Errors the plan services raise, so the CLI and the web app can show them plainly."""

from __future__ import annotations

from collections.abc import Sequence


class NotFoundError(LookupError):
    """The requested plan, action, asset... does not exist."""


class ConflictError(Exception):
    """Someone else saved the row since you opened it (optimistic locking).

    Carries what changed and who changed it, so the screen can say "Asha changed the due date
    and status at 10:02; reload and re-apply your edit" instead of silently overwriting.
    """

    def __init__(
        self,
        entity: str,
        entity_id: object,
        expected_version: int,
        current_version: int | None,
        changed_fields: Sequence[str] = (),
        changed_by: Sequence[str] = (),
    ) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changed_fields = list(changed_fields)
        self.changed_by = list(changed_by)
        fields = ", ".join(self.changed_fields) or "unknown fields"
        people = ", ".join(self.changed_by) or "another user"
        if current_version is None:
            detail = "it has been deleted"
        else:
            detail = f"{people} changed {fields} (version {expected_version} -> {current_version})"
        super().__init__(
            f"{entity} {entity_id} was changed since you opened it: {detail}. "
            "Reload it and apply your edit again."
        )
