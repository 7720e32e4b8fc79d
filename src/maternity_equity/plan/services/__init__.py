"""The plan services: the only code that reads or writes the plan database.

The CLI (``plan/commands.py``) and the web app call these functions with a SQLAlchemy session
from ``plan.db.session_scope(engine, user)``; they never write SQL themselves. Editing
functions take ``expected_version`` (the version the person opened) and raise
``plan.errors.ConflictError`` when someone saved in between.
"""

from maternity_equity.plan.services import (
    actions,
    assets,
    coproduction,
    history,
    plans,
)

__all__ = ["actions", "assets", "coproduction", "history", "plans"]
