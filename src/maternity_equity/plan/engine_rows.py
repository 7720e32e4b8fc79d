"""The row shape that returns and WRES hand to the indicator engine.

The first twelve columns are the contract the engine relies on; the extra columns carry a row's
own scale (``multiplier``, e.g. 100 for a percentage row of a ratio indicator), ratios and caveats
where a return has them (empty otherwise), so both sources have one shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from maternity_equity.indicators.returns import RETURN_COLUMNS

# the engine's returns template (indicators.returns), then who loaded each row and when
ENGINE_COLUMNS: tuple[str, ...] = (*RETURN_COLUMNS, "loaded_by", "loaded_at")
EXTRA_COLUMNS: tuple[str, ...] = (
    "multiplier",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "ci_method",
    "reference_group",
    "note",
)
ALL_COLUMNS = ENGINE_COLUMNS + EXTRA_COLUMNS
_NUMERIC = (
    "numerator",
    "denominator",
    "value",
    "multiplier",
    "ratio",
    "ratio_lower",
    "ratio_upper",
)
_TEXT = ("ci_method", "reference_group", "note")


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def engine_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with exactly ``ALL_COLUMNS`` in order (missing extras become empty)."""
    frame = pd.DataFrame(list(rows), columns=list(ALL_COLUMNS))
    for column in _NUMERIC:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in _TEXT:
        frame[column] = [_text(v) for v in frame[column]]
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["loaded_at"] = pd.to_datetime(frame["loaded_at"], utc=True)
    return frame
