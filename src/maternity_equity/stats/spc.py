"""Statistical process control charts in the NHS England "Making Data Count" style.

``xmr`` is the XmR (individuals) chart of NHSRplotthedots: mean ± 2.66 × average moving range,
with one pass of moving-range outlier screening. ``p_prime_chart`` is Laney's p′ chart for
proportions whose denominators vary. Both label special causes with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ._spc_rules import assurance, direction_sign, point_types, special_cause_labels
from ._validation import (
    as_array,
    as_number,
    check_non_negative,
    check_not_greater,
    check_positive,
)

__all__ = ["PPrimeResult", "XmRResult", "p_prime_chart", "xmr"]

LIMIT = 2.66  # used as a literal, as Making Data Count does (not 3 / 1.128)
NEAR_LIMIT = 2 * LIMIT / 3
MR_SCREEN = 3.267  # moving ranges at or above 3.267 × MR̄ are left out
D2 = 1.128  # converts an average moving range to a standard deviation
TRIAL_LIMIT_POINTS = 13  # segments shorter than this have "trial" limits


@dataclass(frozen=True, eq=False)
class XmRResult:
    """Per-point arrays (one element per input value) and chart-level summaries."""

    values: np.ndarray
    mean: np.ndarray
    lpl: np.ndarray
    upl: np.ndarray
    near_lpl: np.ndarray
    near_upl: np.ndarray
    special_cause: np.ndarray
    point_type: np.ndarray
    segment: np.ndarray
    trial_limits: np.ndarray
    variation: str
    assurance: str | None


@dataclass(frozen=True, eq=False)
class PPrimeResult(XmRResult):
    """Laney p′ chart: as XmRResult, with limits that vary with each point's denominator.

    ``values``, ``mean`` and the limits are on the proportion scale times ``multiplier``.
    """

    numerators: np.ndarray
    denominators: np.ndarray


def _segments(n: int, rebase_at: Any, dates: Any) -> np.ndarray:
    """Segment number per point; each rebase position starts a new segment at that point."""
    segment = np.zeros(n, dtype=int)
    if rebase_at is None:
        return segment
    items = list(np.atleast_1d(np.asarray(rebase_at, dtype=object)))
    if dates is not None:
        date_arr = np.asarray(dates)
        if date_arr.shape != (n,):
            raise ValueError(f"dates: need one date per value ({n}), got shape {date_arr.shape}")
        if (date_arr[1:] < date_arr[:-1]).any():
            raise ValueError("dates: must be in ascending order (sort the series first)")
    starts = []
    for item in items:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            position = int(item)
        elif dates is not None:
            matches = np.flatnonzero(date_arr == np.asarray(item, dtype=date_arr.dtype))
            if matches.size == 0:
                raise ValueError(f"rebase_at: date {item!r} is not one of the dates")
            position = int(matches[0])
        else:
            raise ValueError(
                f"rebase_at: {item!r} is not an integer position; pass dates= to rebase by date"
            )
        if not 0 <= position < n:
            raise ValueError(f"rebase_at: position {position} outside the series (0 to {n - 1})")
        starts.append(position)
    for position in sorted(set(starts)):
        if position > 0:
            segment[position:] += 1
    return segment


def _baseline_count(fix_after_n_points: Any) -> int | None:
    if fix_after_n_points is None:
        return None
    if isinstance(fix_after_n_points, bool) or int(fix_after_n_points) != fix_after_n_points:
        raise ValueError(f"fix_after_n_points: must be an integer, got {fix_after_n_points!r}")
    if fix_after_n_points < 2:
        raise ValueError("fix_after_n_points: needs at least 2 points to form a moving range")
    return int(fix_after_n_points)


def _average_moving_range(baseline: np.ndarray, screen_outliers: bool) -> float:
    """Mean moving range, after one pass of screening out ranges >= 3.267 × the first mean.

    NaN for a single point (no range); 0 for a baseline with no variation, which is not
    screened down to nothing (the callers decide what no variation means for their limits).
    """
    ranges = np.abs(np.diff(baseline))
    if ranges.size == 0:
        return float("nan")
    amr = float(ranges.mean())
    if screen_outliers and amr > 0:
        amr = float(ranges[ranges < MR_SCREEN * amr].mean())
    return amr


def _label_segments(
    values: np.ndarray,
    segment: np.ndarray,
    limits: dict[str, np.ndarray],
    improvement_direction: str,
    target: Any,
) -> tuple[np.ndarray, np.ndarray, str, str | None]:
    labels = np.empty(values.size, dtype=object)
    for seg in np.unique(segment):
        idx = segment == seg
        labels[idx] = special_cause_labels(
            values[idx],
            limits["mean"][idx],
            limits["lpl"][idx],
            limits["upl"][idx],
            limits["near_lpl"][idx],
            limits["near_upl"][idx],
        )
    kinds = point_types(labels, improvement_direction)
    if target is not None:
        target = as_number(target, "target")
    verdict = assurance(target, limits["lpl"][-1], limits["upl"][-1], improvement_direction)
    return labels, kinds, str(kinds[-1]), verdict


def _trial(segment: np.ndarray) -> np.ndarray:
    counts = np.bincount(segment)
    return counts[segment] < TRIAL_LIMIT_POINTS


def xmr(
    values: Any,
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    rebase_at: Any = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    dates: Any = None,
) -> XmRResult:
    """XmR chart with Making Data Count rules, point types, variation and assurance.

    ``rebase_at`` holds the integer positions (or, with ``dates``, the dates) where a new
    segment with its own mean and limits starts. ``fix_after_n_points`` computes each
    segment's limits from its first n points only.
    """
    direction_sign(improvement_direction)
    y = np.atleast_1d(as_array(values, "values"))
    if y.ndim != 1 or y.size == 0:
        raise ValueError("values: need a non-empty one-dimensional series")
    if np.isinf(y).any():
        raise ValueError(f"values: infinite value at position {int(np.argmax(np.isinf(y)))}")
    fix = _baseline_count(fix_after_n_points)
    segment = _segments(y.size, rebase_at, dates)
    out = {key: np.empty(y.size) for key in ("mean", "lpl", "upl", "near_lpl", "near_upl")}
    for seg in np.unique(segment):
        idx = segment == seg
        baseline = y[idx][:fix] if fix else y[idx]
        centre = float(baseline.mean())
        amr = _average_moving_range(baseline, screen_outliers)
        if amr == 0:
            # No variation to measure: limits on the mean would flag every later point that
            # differs from a constant baseline, so there are none and only the run rules apply
            # (as NHSRplotthedots, whose screening leaves no ranges in that case).
            amr = float("nan")
        out["mean"][idx] = centre
        out["lpl"][idx] = centre - LIMIT * amr
        out["upl"][idx] = centre + LIMIT * amr
        out["near_lpl"][idx] = centre - NEAR_LIMIT * amr
        out["near_upl"][idx] = centre + NEAR_LIMIT * amr
    return _result(XmRResult, y, segment, out, improvement_direction, target)


R = TypeVar("R", bound=XmRResult)


def _result(
    cls: type[R],
    values: np.ndarray,
    segment: np.ndarray,
    limits: dict[str, np.ndarray],
    improvement_direction: str,
    target: float | None,
    **extra: np.ndarray,
) -> R:
    """Label every point against its segment's limits and pack the chart (XmR or p′)."""
    labels, kinds, variation, verdict = _label_segments(
        values, segment, limits, improvement_direction, target
    )
    return cls(
        values=values,
        special_cause=labels,
        point_type=kinds,
        segment=segment,
        trial_limits=_trial(segment),
        variation=variation,
        assurance=verdict,
        **limits,
        **extra,
    )


def p_prime_chart(
    numerators: Any,
    denominators: Any,
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    rebase_at: Any = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = False,
    multiplier: float = 1,
    dates: Any = None,
) -> PPrimeResult:
    """Laney p′ chart: p̄ ± 3·σ_i·σ_z with σ_i = √(p̄(1−p̄)/n_i) and σ_z = MR̄(z)/1.128.

    The z-scores (p_i − p̄)/σ_i absorb the between-period variation that makes an ordinary
    p chart flag everything when denominators are large. Limits are clipped to [0, 1] and,
    like ``values`` and ``target``, expressed on the proportion scale times ``multiplier``
    (one number for the whole chart).
    """
    direction_sign(improvement_direction)
    x = np.atleast_1d(as_array(numerators, "numerators"))
    n = np.atleast_1d(as_array(denominators, "denominators"))
    if x.shape != n.shape or x.ndim != 1 or x.size == 0:
        raise ValueError("numerators/denominators: need two non-empty series of the same length")
    check_non_negative(x, "numerators")
    check_positive(n, "denominators")
    check_not_greater(x, n, "numerators", "denominators")
    scale = as_number(multiplier, "multiplier")
    check_positive(np.asarray(scale), "multiplier")
    fix = _baseline_count(fix_after_n_points)
    segment = _segments(x.size, rebase_at, dates)
    p = x / n
    out = {key: np.empty(x.size) for key in ("mean", "lpl", "upl", "near_lpl", "near_upl")}
    for seg in np.unique(segment):
        idx = segment == seg
        base = slice(None, fix)
        centre = x[idx][base].sum() / n[idx][base].sum()
        sigma = np.sqrt(centre * (1 - centre) / n[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sigma > 0, (p[idx] - centre) / sigma, 0.0)
        sigma_z = _average_moving_range(z[base], screen_outliers) / D2
        spread = sigma * sigma_z
        out["mean"][idx] = centre
        out["lpl"][idx] = np.clip(centre - 3 * spread, 0, 1)
        out["upl"][idx] = np.clip(centre + 3 * spread, 0, 1)
        out["near_lpl"][idx] = np.clip(centre - 2 * spread, 0, 1)
        out["near_upl"][idx] = np.clip(centre + 2 * spread, 0, 1)
    out = {key: arr * scale for key, arr in out.items()}
    values = p * scale
    return _result(
        PPrimeResult,
        values,
        segment,
        out,
        improvement_direction,
        target,
        numerators=x,
        denominators=n,
    )
