"""Community assets register: add, edit, verify, and ranked search by need, language and area.

Search uses the database's own full-text engine (FTS5 with the Porter stemmer on SQLite,
``tsvector`` with the English configuration on PostgreSQL), kept in sync by triggers from the
migrations. Words of the query are OR-ed, so "help with debt and benefits" still finds an
asset that mentions only debt; assets matching more words, or matching in the name or the
categories, rank higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from maternity_equity.plan.errors import NotFoundError
from maternity_equity.plan.models import ASSET_CATEGORIES, CommunityAsset
from maternity_equity.plan.services.concurrency import apply_changes

ASSET_FIELDS = frozenset(
    {
        "name",
        "organisation",
        "description",
        "categories",
        "languages",
        "serves",
        "place",
        "neighbourhood",
        "postcode",
        "address",
        "contact_phone",
        "contact_email",
        "website",
        "opening_times",
        "last_verified",
    }
)
DEFAULT_STALE_MONTHS = 12

# Words people type that the register's own wording may not use.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "breastfeeding": ("infant", "feeding"),
    "formula": ("infant", "feeding"),
    "debt": ("money",),
    "benefits": ("money",),
    "money": ("debt",),
    "interpreter": ("interpreting", "translation", "language"),
    "translator": ("interpreting", "translation", "language"),
    "homeless": ("housing",),
    "homelessness": ("housing",),
    "depression": ("mental",),
    "anxiety": ("mental",),
    "dv": ("domestic", "abuse"),
    "violence": ("abuse",),
    "foodbank": ("food",),
    "church": ("faith",),
    "mosque": ("faith",),
    "temple": ("faith",),
    "gurdwara": ("faith",),
    "refugee": ("asylum",),
    "asylum": ("refugee",),
}
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "help",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "near",
        "need",
        "needs",
        "of",
        "on",
        "or",
        "our",
        "please",
        "some",
        "that",
        "the",
        "to",
        "we",
        "where",
        "who",
        "with",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
_POSTCODE_AREA = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*([0-9][A-Z]{0,2}))?$")


@dataclass(frozen=True)
class AssetHit:
    """One search result: the asset, its rank (higher is better) and whether it is stale."""

    asset: CommunityAsset
    rank: float
    stale: bool


def query_terms(query: str) -> list[str]:
    """Lower-case words of ``query`` without stopwords, plus synonyms, in first-seen order."""
    terms: list[str] = []
    for word in _WORD.findall(query.casefold()):
        if word in STOPWORDS:
            continue
        for term in (word, *SYNONYMS.get(word, ())):
            if term not in terms:
                terms.append(term)
    return terms


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_stale(
    asset: CommunityAsset, months: int = DEFAULT_STALE_MONTHS, today: date | None = None
) -> bool:
    """Not verified in the last ``months`` months (never verified counts as stale)."""
    today = today or date.today()
    return asset.last_verified is None or asset.last_verified < months_before(today, months)


def _full_text_ranks(session: Session, terms: list[str]) -> dict[int, float]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = session.execute(
            text(
                "SELECT rowid, bm25(community_assets_fts, 10.0, 6.0, 2.0, 8.0, 1.0, 2.0, 1.0) "
                "FROM community_assets_fts WHERE community_assets_fts MATCH :q"
            ),
            {"q": match},
        )
        return {int(r[0]): -float(r[1]) for r in rows}  # bm25: more negative is better
    if dialect == "postgresql":
        rows = session.execute(
            text(
                "SELECT id, ts_rank(search_vector, websearch_to_tsquery('english', :q)) "
                "FROM community_assets WHERE search_vector @@ websearch_to_tsquery('english', :q)"
            ),
            {"q": " or ".join(terms)},
        )
        return {int(r[0]): float(r[1]) for r in rows}
    raise NotImplementedError(f"asset search supports sqlite and postgresql, not {dialect}")


def _speaks(asset: CommunityAsset, language: str) -> bool:
    wanted = language.strip().casefold()
    return any(str(lang).strip().casefold() == wanted for lang in asset.languages)


def _in_area(asset: CommunityAsset, area: str) -> bool:
    """Area is a postcode district/sector (``LE1``, ``LE1 6``) or a place/neighbourhood name."""
    wanted = area.strip().upper()
    postcode = asset.postcode.strip().upper()
    match = _POSTCODE_AREA.match(wanted)
    if match and postcode:
        outward = postcode.split()[0] if " " in postcode else postcode[:-3]
        inward = postcode[len(outward) :].strip()
        if outward == match.group(1):
            return match.group(2) is None or inward.startswith(match.group(2))
    needle = area.strip().casefold()
    return needle in asset.place.casefold() or needle in asset.neighbourhood.casefold()


def search_assets(
    session: Session,
    query: str = "",
    *,
    language: str | None = None,
    area: str | None = None,
    category: str | None = None,
    include_stale: bool = True,
    stale_months: int = DEFAULT_STALE_MONTHS,
    today: date | None = None,
    limit: int | None = 20,
) -> list[AssetHit]:
    """Assets matching the need in ``query`` (ranked), narrowed by language, area and category.

    An empty query lists every asset passing the filters, by name. Stale entries are returned
    with ``stale=True`` (or left out with ``include_stale=False``) so nobody is sent to a
    service that may have closed without being told.
    """
    if category is not None and category not in ASSET_CATEGORIES:
        raise ValueError(f"unknown asset category {category!r}; see ASSET_CATEGORIES")
    terms = query_terms(query)
    ranks = _full_text_ranks(session, terms) if terms else None
    if ranks is not None and not ranks:
        return []
    statement = select(CommunityAsset)
    if ranks is not None:
        statement = statement.where(CommunityAsset.id.in_(ranks))
    hits: list[AssetHit] = []
    for asset in session.scalars(statement):
        if language and not _speaks(asset, language):
            continue
        if area and not _in_area(asset, area):
            continue
        if category and category not in asset.categories:
            continue
        stale = is_stale(asset, stale_months, today)
        if stale and not include_stale:
            continue
        hits.append(AssetHit(asset, ranks[asset.id] if ranks else 0.0, stale))
    hits.sort(key=lambda h: (-h.rank, h.asset.name))
    return hits[:limit] if limit else hits


def stale_assets(
    session: Session, months: int = DEFAULT_STALE_MONTHS, today: date | None = None
) -> list[CommunityAsset]:
    """Assets not verified in ``months`` months, oldest verification first (never first of all)."""
    assets = [a for a in list_assets(session) if is_stale(a, months, today)]
    return sorted(assets, key=lambda a: (a.last_verified is not None, a.last_verified or date.min))


def list_assets(session: Session) -> list[CommunityAsset]:
    return list(session.scalars(select(CommunityAsset).order_by(CommunityAsset.name)))


def get_asset(session: Session, asset_id: int) -> CommunityAsset:
    asset = session.get(CommunityAsset, asset_id)
    if asset is None:
        raise NotFoundError(f"no community asset with id {asset_id}")
    return asset


def _validate(fields: dict[str, Any]) -> None:
    unknown_categories = [c for c in fields.get("categories", []) if c not in ASSET_CATEGORIES]
    if unknown_categories:
        raise ValueError(
            f"unknown asset categories {unknown_categories}; use codes of ASSET_CATEGORIES"
        )
    for key in ("categories", "languages"):
        if key in fields and not isinstance(fields[key], list):
            raise ValueError(f"{key} must be a list of strings")


def create_asset(session: Session, name: str, **fields: Any) -> CommunityAsset:
    unknown = set(fields) - ASSET_FIELDS
    if unknown:
        raise ValueError(f"unknown asset fields: {', '.join(sorted(unknown))}")
    _validate(fields)
    asset = CommunityAsset(name=name, **fields)
    session.add(asset)
    session.flush()
    return asset


def update_asset(
    session: Session, asset_id: int, changes: dict[str, Any], expected_version: int | None
) -> CommunityAsset:
    _validate(changes)
    return apply_changes(
        session, get_asset(session, asset_id), changes, expected_version, ASSET_FIELDS
    )


def verify_asset(
    session: Session, asset_id: int, on: date | None = None, expected_version: int | None = None
) -> CommunityAsset:
    """Mark an asset as checked (still open, details right) on ``on`` (default today)."""
    return update_asset(session, asset_id, {"last_verified": on or date.today()}, expected_version)


def delete_asset(session: Session, asset_id: int) -> None:
    session.delete(get_asset(session, asset_id))
    session.flush()
