"""Referential checks: every child record must point at a parent that was loaded.

Tables load parents first (``LOAD_ORDER``), so by the time care plans are checked the
pregnancies of this load and of earlier loads are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from maternity_equity.ingest import quarantine as q
from maternity_equity.ingest.sources import SourceFrame

LOAD_ORDER = ("pregnancies", "deliveries", "babies", "care_plans", "care_contacts")
REFERENCES: dict[str, dict[str, str]] = {  # table -> {column: parent table}
    "deliveries": {"pregnancy_id": "pregnancies"},
    "babies": {"delivery_id": "deliveries", "pregnancy_id": "pregnancies"},
    "care_plans": {"pregnancy_id": "pregnancies"},
    "care_contacts": {"pregnancy_id": "pregnancies"},
}
SINGULAR = {
    "pregnancies": "pregnancy",
    "deliveries": "delivery",
    "babies": "baby",
    "care_plans": "care plan",
    "care_contacts": "care contact",
}


def isin(values: pd.Series, allowed: pd.Index) -> pd.Series:
    """``values.isin(allowed)`` through Arrow (pandas' Arrow-string isin loops in Python)."""
    hit = pc.is_in(
        pa.array(values.astype(object), pa.string()),
        value_set=pa.array(allowed.astype(object), pa.string()),
    )
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index).fillna(False)


@dataclass
class KnownKeys:
    """Keys of every table stored so far in this load (this load's rows and earlier loads')."""

    keys: dict[str, pd.Index] = field(default_factory=dict)
    delivery_pregnancy: pd.Series | None = None  # delivery_id -> pregnancy_id

    def remember(self, table: str, final: pd.DataFrame, key: str) -> None:
        self.keys[table] = pd.Index(final[key].dropna().unique())
        if table == "deliveries":
            self.delivery_pregnancy = final.set_index("delivery_id")["pregnancy_id"]

    def problems(self, src: SourceFrame, typed: pd.DataFrame) -> list[pd.DataFrame]:
        """Orphans (parent never loaded) and, for babies, a delivery of another pregnancy."""
        table = src.table
        found = []
        for column, parent in REFERENCES.get(table, {}).items():
            orphan = typed[column].notna() & ~isin(typed[column], self.keys[parent])
            found.append(
                q.entries(
                    src,
                    orphan,
                    column,
                    q.UNKNOWN_REFERENCE,
                    f"this {SINGULAR[table]} refers to a {SINGULAR[parent]} that is not in this "
                    "extract (or was rejected) nor in the warehouse",
                    show_value=False,
                )
            )
        if table == "babies" and self.delivery_pregnancy is not None:
            expected = typed["delivery_id"].map(self.delivery_pregnancy)
            given = typed["pregnancy_id"]
            clash = (expected.notna() & given.notna() & (expected != given)).fillna(False)
            found.append(
                q.entries(
                    src,
                    clash,
                    "pregnancy_id",
                    q.INCONSISTENT_REFERENCE,
                    "this baby's delivery belongs to a different pregnancy than the one given",
                    show_value=False,
                )
            )
        return found
