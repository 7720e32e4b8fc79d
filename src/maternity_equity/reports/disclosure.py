"""Publication-safe figures for the board report (NHS England maternity disclosure rules).

Primary control, one row at a time, is ``stats.disclose(rule="nhs_england_maternity")``:
counts 0 stay 0, 1 to 7 are shown as 5, all others are rounded to the nearest 5 (half up);
proportions and their intervals are recomputed from the rounded numerator and denominator;
rare-event rates (deaths, preterm births) are shown from unrounded counts but suppressed (``*``)
when the numerator is from 1 to 7. A comparison (ratio) of a group whose numerator is 1 to 7 is
suppressed too, because its interval would betray the count.

Secondary control, one table at a time: when a table shows a total and exactly one group is
suppressed, the group with the next smallest numerator is suppressed as well, so the hidden
figure cannot be recovered by subtracting the other groups from the total. The slope index of
inequality is a weighted sum of the quintile values, so it is suppressed whenever a quintile is.

The internal variant shows the stored, unrounded figures. Stored results are never changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from maternity_equity.stats import disclose, proportion, rate

SUPPRESSED = "*"
NOT_AVAILABLE = ":"
NOT_APPLICABLE = "z"
ZERO = "-"
SYMBOLS: dict[str, str] = {
    SUPPRESSED: "suppressed: fewer than 8 events, or hidden so that a suppressed figure cannot "
    "be worked out from a total",
    NOT_AVAILABLE: "not available",
    NOT_APPLICABLE: "not applicable",
    ZERO: "zero (a rate or comparison that is not computed because there were no events)",
}
RULE_TEXT = (
    "Counts from 1 to 7 are shown as 5 and all other counts are rounded to the nearest 5 (0 stays "
    "0). Percentages and their 95% confidence intervals are calculated from the rounded numerator "
    "and denominator. Rates of rare events (per 1,000) are calculated from unrounded counts and "
    "suppressed when there were fewer than 8 events. Where a table has a total and only one group "
    "is suppressed, a second group is suppressed too."
)
COMPARED = {
    "higher": "Higher",
    "lower": "Lower",
    "similar": "Similar",
    "not_compared": "Not compared",
}
SMALL_MAX = 7
RULE = "nhs_england_maternity"


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
    """The published cells of one results row."""

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
    raw_numerator: float | None = None  # kept for secondary suppression, never shown


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def round_count(n: float) -> int:
    """NHS England maternity rounding of a count: 0 -> 0, 1..7 -> 5, else nearest 5 (half up)."""
    if _is_missing(n) or n < 0:
        raise ValueError(f"count must be a non-negative number, got {n!r}")
    return int(disclose(float(n), float(n), RULE).numerator)


def _count_cell(n: float) -> Cell:
    if _is_missing(n):
        return Cell(None, NOT_AVAILABLE)
    return Cell(int(n), f"{int(n):,}") if float(n).is_integer() else Cell(float(n), f"{n:,.1f}")


def _num_cell(x: Any, decimals: int = 1) -> Cell:
    if _is_missing(x) or not math.isfinite(float(x)):  # e.g. a ratio to a reference of 0
        return Cell(None, NOT_AVAILABLE)
    x = round(float(x), decimals)
    return Cell(x, f"{x:,.{decimals}f}")


def _suppressed_figures(numerator: Cell, denominator: Cell, raw: float | None) -> Figures:
    s = Cell(None, SUPPRESSED)
    return Figures(numerator, denominator, s, s, s, s, s, s, s, suppressed=True, raw_numerator=raw)


def publish_row(
    row: Mapping[str, Any], *, disclosure_class: str = "count", variant: str = "published"
) -> Figures:
    """The figures of one results row as the given report variant shows them."""
    if variant not in ("published", "internal"):
        raise ValueError(f"variant must be 'published' or 'internal', got {variant!r}")
    num, den = row.get("numerator"), row.get("denominator")
    mult = row.get("multiplier")
    mult = 1.0 if _is_missing(mult) else float(mult)
    compared = row.get("ratio_significance")
    compared_cell = Cell(
        None, NOT_APPLICABLE if _is_missing(compared) else COMPARED.get(compared, str(compared))
    )
    if variant == "internal" or _is_missing(num):
        # internal: stored figures; a row with no count (a ratio or SII metric) has nothing to round
        return Figures(
            _count_cell(num) if variant == "internal" else Cell(None, NOT_AVAILABLE),
            _count_cell(den) if variant == "internal" else Cell(None, NOT_AVAILABLE),
            _num_cell(row.get("value")),
            _num_cell(row.get("lower_ci")),
            _num_cell(row.get("upper_ci")),
            _num_cell(row.get("ratio"), 2),
            _num_cell(row.get("ratio_lower"), 2),
            _num_cell(row.get("ratio_upper"), 2),
            compared_cell,
            raw_numerator=None if _is_missing(num) else float(num),
        )
    num = float(num)
    rare = disclosure_class == "rare_event"
    d = disclose(
        num, math.nan if _is_missing(den) else float(den), RULE, multiplier=mult, rare_event=rare
    )
    num_cell = Cell(None, NOT_AVAILABLE) if _is_missing(d.numerator) else _int_cell(d.numerator)
    den_cell = Cell(None, NOT_AVAILABLE) if _is_missing(d.denominator) else _int_cell(d.denominator)
    small = 0 < num <= SMALL_MAX
    if d.symbol == SUPPRESSED:
        return _suppressed_figures(Cell(None, SUPPRESSED), den_cell, num)
    if d.symbol in (NOT_AVAILABLE, NOT_APPLICABLE):
        value = lower = upper = Cell(None, str(d.symbol))
    elif rare:
        # rare events: value and interval from the unrounded counts (numerator is at least 8)
        value = _num_cell(d.value)
        lower, upper = (_num_cell(row.get(k)) for k in ("lower_ci", "upper_ci"))
    else:
        px, pn = float(d.numerator), float(d.denominator)
        if str(row.get("ci_method") or "wilson").lower().startswith("wilson") and px <= pn:
            est = proportion(px, pn, multiplier=mult)
        else:
            est = rate(px, pn, multiplier=mult)
        value = _num_cell(d.value)
        lower, upper = _num_cell(float(est.lower)), _num_cell(float(est.upper))
    if d.symbol == ZERO:
        value = Cell(0.0, ZERO)
    if num == 0:
        ratio = ratio_lower = ratio_upper = Cell(None, ZERO)
    elif small:
        ratio = ratio_lower = ratio_upper = Cell(None, SUPPRESSED)
        compared_cell = Cell(None, SUPPRESSED)
    else:
        ratio, ratio_lower, ratio_upper = (
            _num_cell(row.get(k), 2) for k in ("ratio", "ratio_lower", "ratio_upper")
        )
    return Figures(
        num_cell,
        den_cell,
        value,
        lower,
        upper,
        ratio,
        ratio_lower,
        ratio_upper,
        compared_cell,
        raw_numerator=num,
    )


def _int_cell(x: Any) -> Cell:
    n = round(float(x))
    return Cell(n, f"{n:,}")


def secondary_suppression(groups: Sequence[Figures], total: Figures | None) -> list[Figures]:
    """Suppress more groups while a shown total would reveal what the suppressed ones hold.

    ``groups`` are the rows that add up to ``total``. Subtracting the shown groups from the total
    gives the sum of the hidden ones, so suppression continues until at least two groups are
    hidden and together they hold 8 or more events. Each complement is the smallest group that
    gets there (or the largest, if none does alone), so the least information is lost.
    """
    out = list(groups)
    if total is None or total.suppressed:
        return out

    def raw(f: Figures) -> float:
        return f.raw_numerator if f.raw_numerator is not None else math.inf

    while True:
        hidden = [f for f in out if f.suppressed]
        hidden_sum = sum(raw(f) for f in hidden)
        if not hidden or (len(hidden) >= 2 and hidden_sum > SMALL_MAX):
            return out
        candidates = sorted((raw(f), i) for i, f in enumerate(out) if not f.suppressed)
        if not candidates:
            return out
        enough = [c for c in candidates if c[0] + hidden_sum > SMALL_MAX]
        _, i = enough[0] if enough else candidates[-1]
        f = out[i]
        out[i] = _suppressed_figures(Cell(None, SUPPRESSED), f.denominator, f.raw_numerator)
