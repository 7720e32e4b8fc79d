"""Full-text search over community assets: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Both indexes are kept in sync by triggers, so every way of writing an asset (service, import,
hand edit) is searchable at once.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE_LIST = "(SELECT group_concat(replace(value, '_', ' '), ' ') FROM json_each({}))"
_SQLITE_VALUES = ", ".join(
    [
        "{p}.id",
        "{p}.name",
        "{p}.organisation",
        "{p}.description",
        _SQLITE_LIST.format("{p}.categories"),
        _SQLITE_LIST.format("{p}.languages"),
        "{p}.serves",
        "{p}.place || ' ' || {p}.neighbourhood || ' ' || {p}.postcode",
    ]
)
_SQLITE_COLUMNS = "rowid, name, organisation, description, categories, languages, serves, area"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE community_assets_fts USING fts5("
    "name, organisation, description, categories, languages, serves, area, "
    "tokenize = 'porter unicode61')",
    "CREATE TRIGGER community_assets_fts_ai AFTER INSERT ON community_assets BEGIN "
    f"INSERT INTO community_assets_fts ({_SQLITE_COLUMNS}) "
    f"VALUES ({_SQLITE_VALUES.format(p='new')}); END",
    "CREATE TRIGGER community_assets_fts_ad AFTER DELETE ON community_assets BEGIN "
    "DELETE FROM community_assets_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER community_assets_fts_au AFTER UPDATE ON community_assets BEGIN "
    "DELETE FROM community_assets_fts WHERE rowid = old.id; "
    f"INSERT INTO community_assets_fts ({_SQLITE_COLUMNS}) "
    f"VALUES ({_SQLITE_VALUES.format(p='new')}); END",
    f"INSERT INTO community_assets_fts ({_SQLITE_COLUMNS}) "
    f"SELECT {_SQLITE_VALUES.format(p='community_assets')} FROM community_assets",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS community_assets_fts_au",
    "DROP TRIGGER IF EXISTS community_assets_fts_ad",
    "DROP TRIGGER IF EXISTS community_assets_fts_ai",
    "DROP TABLE IF EXISTS community_assets_fts",
]

# Weights: A = what it is and what it offers, B = description and who it serves, C = area and
# languages (those are also filters, so they only nudge the rank).
_PG_LIST = "coalesce((SELECT string_agg(translate(v, '_', ' '), ' ') FROM json_array_elements_text(NEW.{}) AS v), '')"  # noqa: E501
PG_UP = [
    "ALTER TABLE community_assets ADD COLUMN search_vector tsvector",
    "CREATE INDEX ix_community_assets_search_vector ON community_assets USING gin (search_vector)",
    "CREATE FUNCTION community_assets_search_update() RETURNS trigger AS $$ BEGIN "
    "NEW.search_vector := "
    "setweight(to_tsvector('english', coalesce(NEW.name, '') || ' ' || "
    "coalesce(NEW.organisation, '')), 'A') || "
    f"setweight(to_tsvector('english', {_PG_LIST.format('categories')}), 'A') || "
    "setweight(to_tsvector('english', coalesce(NEW.description, '') || ' ' || "
    "coalesce(NEW.serves, '')), 'B') || "
    f"setweight(to_tsvector('english', {_PG_LIST.format('languages')} || ' ' || "
    "coalesce(NEW.place, '') || ' ' || coalesce(NEW.neighbourhood, '') || ' ' || "
    "coalesce(NEW.postcode, '')), 'C'); "
    "RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER community_assets_search_trigger BEFORE INSERT OR UPDATE "
    "ON community_assets FOR EACH ROW EXECUTE FUNCTION community_assets_search_update()",
    "UPDATE community_assets SET name = name",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS community_assets_search_trigger ON community_assets",
    "DROP FUNCTION IF EXISTS community_assets_search_update()",
    "DROP INDEX IF EXISTS ix_community_assets_search_vector",
    "ALTER TABLE community_assets DROP COLUMN IF EXISTS search_vector",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return PG_UP if up else PG_DOWN
    raise NotImplementedError(f"asset search supports sqlite and postgresql, not {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
