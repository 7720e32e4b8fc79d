"""The board report's table cells, from results rows already published or stored.

Disclosure control and data-quality gating are applied once, to whole results frames, by
:mod:`maternity_equity.publish` (the same rule as the web app): the published variant reads the
rows it returns, the internal variant the stored, unrounded rows. This module only turns a row
into cells with the dashboard's symbols, so the renderers format what they are given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from maternity_equity.publish import (
    FAILING_DQ_TEXT,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    RATIO_SUPPRESSED,
    RULE_TEXT,
    SUPPRESSED,
    ZERO,
)
from maternity_equity.publish.counts import published_counts
from maternity_equity.quality.gating import FAIL

__all__ = [
    "COMPARED",
    "FAILING_DQ_TEXT",
    "FAILING_MARK",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "RULE_TEXT",
    "SUPPRESSED",
    "SYMBOLS",
    "ZERO",
    "Cell",
    "Figures",
    "figures",
    "round_count",
]

FAILING_MARK = "†"  # internal variant: a figure shown although its data-quality checks fail
SYMBOLS: dict[str, str] = {
    SUPPRESSED: "suppressed: fewer than 8 events, or hidden so that a suppressed figure cannot "
    "be worked out from a total",
    NOT_AVAILABLE: "not available",
    NOT_APPLICABLE: "not applicable",
    ZERO: "zero (a rate or comparison that is not computed because there were no events)",
    FAILING_DQ_TEXT: "the data-quality checks this figure depends on fail for the period, so no "
    "number is shown",
    FAILING_MARK: "internal variant: the figure fails the data-quality checks it depends on for "
    "the period (the published report shows it as failing data quality)",
}
COMPARED = {
    "higher": "Higher",
    "lower": "Lower",
    "similar": "Similar",
    "not_compared": "Not compared",
    RATIO_SUPPRESSED: SUPPRESSED,
}


@dataclass(frozen=True)
class Cell:
    """One published figure: the number (None when withheld) and the text shown."""

    value: float | int | None
    text: str

    @property
    def withheld(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Figures:
    """The cells of one results row."""

    numerator: Cell
    denominator: Cell
    value: Cell
    lower: Cell
    upper: Cell
    ratio: Cell
    ratio_lower: Cell
    ratio_upper: Cell
    compared: Cell
    suppressed: bool = False
    failing_dq: bool = False


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def round_count(n: float) -> int:
    """NHS England maternity rounding of a count: 0 -> 0, 1..7 -> 5, else nearest 5 (half up)."""
    if _is_missing(n) or n < 0:
        raise ValueError(f"count must be a non-negative number, got {n!r}")
    return int(published_counts([float(n)])[0])


def _count_cell(n: Any) -> Cell:
    if _is_missing(n):
        return Cell(None, NOT_AVAILABLE)
    n = float(n)
    return Cell(int(n), f"{int(n):,}") if n.is_integer() else Cell(n, f"{n:,.1f}")


def _num_cell(x: Any, decimals: int = 1) -> Cell:
    if _is_missing(x) or not math.isfinite(float(x)):  # e.g. a ratio to a reference of 0
        return Cell(None, NOT_AVAILABLE)
    x = round(float(x), decimals)
    return Cell(x, f"{x:,.{decimals}f}")


def _marked(cell: Cell) -> Cell:
    return cell if cell.withheld else Cell(cell.value, cell.text + FAILING_MARK)


def figures(row: Mapping[str, Any], *, variant: str = "published") -> Figures:
    """The cells of one row: in the published variant a row of ``publish.publish_results``
    (rounded, suppressed, gated), in the internal variant a stored row (its figures as they
    are, those failing data quality marked with ``FAILING_MARK``)."""
    if variant not in ("published", "internal"):
        raise ValueError(f"variant must be 'published' or 'internal', got {variant!r}")
    failing = row.get("dq_status") == FAIL
    num, den = _count_cell(row.get("numerator")), _count_cell(row.get("denominator"))
    if bool(row.get("suppressed")):
        s = Cell(None, SUPPRESSED)
        return Figures(s, den, s, s, s, s, s, s, s, suppressed=True, failing_dq=failing)
    sig = row.get("ratio_significance")
    compared = Cell(
        None, NOT_APPLICABLE if _is_missing(sig) else COMPARED.get(sig, str(sig).replace("_", " "))
    )
    value = _num_cell(row.get("value"))
    lower, upper = _num_cell(row.get("lower_ci")), _num_cell(row.get("upper_ci"))
    ratios = [_num_cell(row.get(k), 2) for k in ("ratio", "ratio_lower", "ratio_upper")]
    zero = num.value == 0
    if zero and value.value == 0 and variant == "published":
        value = Cell(0.0, ZERO)
    den_value = row.get("denominator")
    if _is_missing(row.get("value")) and not _is_missing(den_value) and float(den_value) == 0:
        value = Cell(None, NOT_APPLICABLE)
    if variant == "published":
        if sig == RATIO_SUPPRESSED:
            ratios = [Cell(None, SUPPRESSED)] * 3
        elif zero:
            ratios = [Cell(None, ZERO)] * 3
        if failing:
            value = Cell(None, FAILING_DQ_TEXT)
            lower = upper = Cell(None, NOT_AVAILABLE)
            ratios = [Cell(None, NOT_AVAILABLE)] * 3
    elif failing:
        value, lower, upper = _marked(value), _marked(lower), _marked(upper)
    return Figures(num, den, value, lower, upper, *ratios, compared, failing_dq=failing)
