"""Figures that no extract holds (MVP membership, training, incidents, PMRT, Baby Friendly
status, maternal deaths, ...) enter as a returns DataFrame and leave as ordinary result rows.

Template columns (one CSV per return, any subset of indicators): ``indicator_id, period_start,
period_end, geography_type, geography_code, breakdown, group, numerator, denominator, value``.
Give numerator and denominator where they exist so the engine computes the CI itself; a given
``value`` is kept as the source published it (e.g. a rounded survey percentage). Optional
columns (:data:`OPTIONAL_COLUMNS`) carry what a source computed itself: a row's own scale
(``multiplier``, e.g. 100 for a percentage row of a ratio indicator), its interval, and its
comparison (``ratio`` with its interval and ``reference_group``, e.g. WRES relative
likelihoods); they replace what the engine would compute for that row.
"""

from __future__ import annotations

import pandas as pd

from maternity_equity.indicators.definitions import Indicator
from maternity_equity.indicators.rollup import GEOGRAPHIES

RETURN_COLUMNS = (
    "indicator_id",
    "period_start",
    "period_end",
    "geography_type",
    "geography_code",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
)
OPTIONAL_COLUMNS = (
    "multiplier",
    "lower_ci",
    "upper_ci",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "ci_method",
    "reference_group",
)
_OPTIONAL_NUMBERS = ("multiplier", "lower_ci", "upper_ci", "ratio", "ratio_lower", "ratio_upper")
# (what the column must hold, which values break it); intervals of a value may be negative
_NUMBER_RULES = {
    "multiplier": ("a positive number", lambda v: v <= 0),
    "ratio": ("a ratio >= 0", lambda v: v < 0),
    "ratio_lower": ("a ratio >= 0", lambda v: v < 0),
    "ratio_upper": ("a ratio >= 0", lambda v: v < 0),
}


def _period_type(start: pd.Timestamp, end: pd.Timestamp) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return "month"
    if months == 3 and start.month in (1, 4, 7, 10):
        return "quarter"
    if months == 12:
        return "financial_year" if start.month == 4 else "rolling_12m"
    return f"{months}_months"


def returns_to_rows(returns: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    """Validate a returns frame and shape it like the engine's aggregated rows."""
    missing = [c for c in RETURN_COLUMNS if c not in returns.columns]
    if missing:
        raise ValueError(f"returns: missing columns {missing} (template: {list(RETURN_COLUMNS)})")
    frame = returns.reset_index(drop=True)
    for i, row in frame.iterrows():
        where = f"returns row {i + 1}"
        if row["indicator_id"] not in indicators:
            raise ValueError(f"{where}, column indicator_id: unknown id {row['indicator_id']!r}")
        if row["geography_type"] not in GEOGRAPHIES:
            raise ValueError(
                f"{where}, column geography_type: {row['geography_type']!r} is not "
                f"one of {GEOGRAPHIES}"
            )
        num, den, val = row["numerator"], row["denominator"], row["value"]
        if pd.isna(val) and (pd.isna(num) or pd.isna(den)):
            raise ValueError(f"{where}: give numerator and denominator, or value")
        if pd.notna(num) and pd.notna(den) and (num < 0 or den < 0):
            raise ValueError(f"{where}, columns numerator/denominator: counts must be >= 0")
    start = pd.to_datetime(frame["period_start"], errors="coerce")
    end = pd.to_datetime(frame["period_end"], errors="coerce")
    bad = start.isna() | end.isna() | (end < start)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(
            f"returns row {i + 1}, columns period_start/period_end: not a valid date range"
        )
    given = _optional(frame)
    out = pd.DataFrame(
        {
            "indicator_id": frame["indicator_id"],
            "period_type": [_period_type(s, e) for s, e in zip(start, end, strict=True)],
            "period_start": start.dt.date,
            "period_end": end.dt.date,
            "geography_type": frame["geography_type"],
            "geography_code": frame["geography_code"].astype(str),
            "breakdown": frame["breakdown"].fillna("all").astype(str),
            "group": frame["group"].fillna("All").astype(str),
            "num": pd.to_numeric(frame["numerator"], errors="coerce"),
            "den": pd.to_numeric(frame["denominator"], errors="coerce"),
            "given_value": pd.to_numeric(frame["value"], errors="coerce"),
            **given,
        }
    )
    return out


def _optional(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The optional columns present, as ``given_<name>``; numbers checked row by row."""
    out: dict[str, pd.Series] = {}
    for name in OPTIONAL_COLUMNS:
        if name not in frame.columns:
            continue
        raw = frame[name]
        if name in _OPTIONAL_NUMBERS:
            values = pd.to_numeric(raw, errors="coerce")
            text = raw.astype(str).str.strip()
            unreadable = values.isna() & raw.notna() & ~text.isin(["", "nan", "None"])
            rule, wrong = _NUMBER_RULES.get(name, ("a number", lambda v: v != v))
            bad = unreadable | wrong(values)
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise ValueError(
                    f"returns row {i + 1}, column {name}: {raw.iloc[i]!r} is not {rule}"
                )
            out[f"given_{name}"] = values.astype(float)
        else:
            out[f"given_{name}"] = raw.where(raw.notna(), "").astype(str).astype(object)
    return out
