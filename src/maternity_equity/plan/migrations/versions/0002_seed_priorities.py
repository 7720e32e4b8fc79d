"""Seed the guidance's five priorities and sub-priorities 4a to 4e (reference data).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Titles as the guidance (NHS England, 2021) names them.
PRIORITIES = [
    ("1", None, "Restore NHS services inclusively", 10),
    ("2", None, "Mitigate against digital exclusion", 20),
    ("3", None, "Ensure datasets are complete and timely", 30),
    (
        "4",
        None,
        "Accelerate preventative programmes that engage those at greatest risk of poor health "
        "outcomes",
        40,
    ),
    ("4a", "4", "Understand your population and co-produce interventions", 41),
    ("4b", "4", "Action on maternal mortality, morbidity and experience", 42),
    ("4c", "4", "Action on perinatal mortality and morbidity", 43),
    ("4d", "4", "Support for maternity and neonatal staff", 44),
    ("4e", "4", "Enablers", 45),
    ("5", None, "Strengthen leadership and accountability", 50),
]

_priorities = sa.table(
    "priorities",
    sa.column("code", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("title", sa.String),
    sa.column("sort_order", sa.Integer),
)


def upgrade() -> None:
    op.bulk_insert(
        _priorities,
        [{"code": c, "parent_code": p, "title": t, "sort_order": o} for c, p, t, o in PRIORITIES],
    )


def downgrade() -> None:
    """Remove the seeded priorities no intervention refers to.

    Priorities still in use stay, so a plan database holding a plan can step back past this
    revision without a foreign-key failure; 0001 then drops every table if going to base.
    """
    in_use = sa.select(sa.column("priority_code")).select_from(sa.table("interventions"))
    unused = _priorities.c.code.not_in(in_use)
    parents_in_use = sa.select(_priorities.c.parent_code).where(
        _priorities.c.parent_code.is_not(None), _priorities.c.code.in_(in_use)
    )
    op.execute(_priorities.delete().where(_priorities.c.parent_code.is_not(None), unused))
    op.execute(
        _priorities.delete().where(
            _priorities.c.parent_code.is_(None), unused, _priorities.c.code.not_in(parents_in_use)
        )
    )
