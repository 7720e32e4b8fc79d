"""Small hand-built warehouses: every warehouse column present, only the ones a test needs set."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from maternity_equity.warehouse import Warehouse
from maternity_equity.warehouse.schema import EXTRACT_TABLES


def table_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A frame with all warehouse columns of ``name``; unset values are null."""
    columns = [c.name for c in EXTRACT_TABLES[name].warehouse_columns()]
    unknown = {k for r in rows for k in r} - set(columns)
    assert not unknown, f"test rows use columns {unknown} that {name} does not have"
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    for col in EXTRACT_TABLES[name].warehouse_columns():
        if col.dtype == "date":  # ISO strings in tests are fine
            frame[col.name] = pd.to_datetime(frame[col.name]).dt.date
    return frame.astype(object).where(frame.notna(), None)


def pregnancy(i: int, **values) -> dict:
    """A valid booking in January 2024 unless told otherwise."""
    row = {
        "pregnancy_id": f"P{i:04d}",
        "mother_id": f"M{i:04d}",
        "rp_start_date": date(2024, 1, 1),
        "provider_code": "RX1",
        "booking_site_code": "RX1A",
        "community_team": "Team A",
        "booking_date": date(2024, 1, 15),
        "ethnic_category": "A",
        "ethnic_status": "valid",
        "postcode_status": "valid",
        "smoking_at_booking": "non_smoker",
        "gestation_at_booking_days": 63,
    }
    row.update(values)
    return row


def build_warehouse(path: Path, **tables: list[dict]) -> Path:
    """A DuckDB warehouse file holding the given canonical tables."""
    with Warehouse(path) as wh:
        wh.replace_tables({t: table_frame(t, rows) for t, rows in tables.items()})
    return path


@pytest.fixture
def make_warehouse(tmp_path: Path) -> Callable[..., Path]:
    def build(name: str = "wh.duckdb", **tables: list[dict]) -> Path:
        return build_warehouse(tmp_path / name, **tables)

    return build
