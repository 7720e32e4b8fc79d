"""Web app users and audit log (``web_users``, ``web_audit``).

Before this revision the web app created these two tables itself at start-up; a database that
already has them (from that) keeps them and their rows, and is only stamped.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _existing() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    existing = _existing()
    if "web_users" not in existing:
        op.create_table(
            "web_users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("username", sa.String(80), nullable=False, unique=True),
            sa.Column("display_name", sa.String(200), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("password_hash", sa.String(255), nullable=False),
            sa.Column("active", sa.Boolean, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
    if "web_audit" not in existing:
        op.create_table(
            "web_audit",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(80), nullable=False),
            sa.Column("action", sa.String(80), nullable=False),
            sa.Column("entity", sa.String(80), nullable=False),
            sa.Column("entity_id", sa.String(80), nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
            sa.Column("ip", sa.String(64), nullable=False),
        )


def downgrade() -> None:
    op.drop_table("web_audit")
    op.drop_table("web_users")
