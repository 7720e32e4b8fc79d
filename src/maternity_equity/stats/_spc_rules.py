"""Making Data Count special-cause rules, point types and assurance (NHSRplotthedots v0.2).

The rules are applied within one rebase segment at a time, in this precedence order:
a point outside the process limits; a run of 7 points all rising or all falling; 2 of 3
consecutive points in the near-limit band on the same side of the mean; 7 points on the same
side of the mean. Run lengths are counted in points, not differences.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ASSURANCE_TYPES",
    "POINT_TYPES",
    "SPECIAL_CAUSE_LABELS",
    "assurance",
    "point_types",
    "special_cause_labels",
]

RUN = 7  # points in a trend or a shift

SPECIAL_CAUSE_LABELS = (
    "Above UCL",
    "Below LCL",
    "7 Point Trend (Increasing)",
    "7 Point Trend (Decreasing)",
    "2 in 3 Above CL",
    "2 in 3 Below CL",
    "7 Points Above CL",
    "7 Points Below CL",
    "Common Cause",
)
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")
DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}


def _spread_back(run_ends: np.ndarray) -> np.ndarray:
    """Flag every point of a run: a point is in a run if one ends at it or in the next 6."""
    n = run_ends.size
    flagged = np.zeros(n, dtype=bool)
    for offset in range(min(RUN, n)):
        flagged[: n - offset] |= run_ends[offset:]
    return flagged


def _shift_points(side: np.ndarray) -> np.ndarray:
    """Points in a run of 7 on the same side of the mean (a point on the mean breaks it)."""
    n = side.size
    ends = np.zeros(n, dtype=bool)
    if n >= RUN:
        windows = np.lib.stride_tricks.sliding_window_view(side, RUN)
        ends[RUN - 1 :] = (windows == windows[:, -1:]).all(axis=1) & (windows[:, -1] != 0)
    return _spread_back(ends)


def _trend_points(y: np.ndarray) -> np.ndarray:
    """Points in a run of 7 strictly rising or strictly falling values (ties break it)."""
    n = y.size
    ends = np.zeros(n, dtype=bool)
    if n >= RUN:
        steps = np.lib.stride_tricks.sliding_window_view(np.sign(np.diff(y)), RUN - 1)
        ends[RUN - 1 :] = (steps == 1).all(axis=1) | (steps == -1).all(axis=1)
    return _spread_back(ends)


def _trend_direction(y: np.ndarray, in_trend: np.ndarray) -> np.ndarray:
    """+1 / −1 per trend point: the step to the next point when it is also in a trend,
    otherwise the step from the previous point."""
    steps = np.sign(np.diff(y))
    if steps.size == 0:
        return np.zeros_like(y)
    right = np.append(steps, steps[-1])
    left = np.insert(steps, 0, 0.0)
    next_in_trend = np.append(in_trend[1:], False)
    return np.where(next_in_trend & in_trend, right, left)


def _two_in_three_points(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Near-limit points that are 2 (or 3) of 3 consecutive near-limit points, with all three
    points on the same side of the mean."""
    n = close.size
    hit = np.zeros(n, dtype=bool)
    if n >= 3:
        c = np.lib.stride_tricks.sliding_window_view(close.astype(int), 3).sum(axis=1)
        s = np.abs(np.lib.stride_tricks.sliding_window_view(side, 3).sum(axis=1))
        window_ok = (c >= 2) & (s == 3)
        for offset in range(3):
            hit[offset : offset + n - 2] |= window_ok
    return hit & close


def special_cause_labels(
    y: np.ndarray,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    near_lpl: np.ndarray,
    near_upl: np.ndarray,
) -> np.ndarray:
    """Label each point of ONE segment with its highest-precedence special cause."""
    with np.errstate(invalid="ignore"):
        side = np.sign(y - mean)
        outside = (y > upl) | (y < lpl)
        close = ~outside & ((y < near_lpl) | (y > near_upl))
    in_trend = _trend_points(y)
    direction = _trend_direction(y, in_trend)
    two_of_three = _two_in_three_points(close, side)
    shift = _shift_points(side)
    above = side > 0
    return np.select(
        [outside, in_trend, two_of_three, shift],
        [
            np.where(side == 1, "Above UCL", "Below LCL"),
            np.where(direction == 1, "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"),
            np.where(above, "2 in 3 Above CL", "2 in 3 Below CL"),
            np.where(above, "7 Points Above CL", "7 Points Below CL"),
        ],
        default="Common Cause",
    ).astype(object)


def direction_sign(improvement_direction: str) -> int:
    if improvement_direction not in DIRECTIONS:
        raise ValueError(
            "improvement_direction: must be 'increase', 'decrease' or 'neutral', "
            f"got {improvement_direction!r}"
        )
    return DIRECTIONS[improvement_direction]


def point_types(labels: np.ndarray, improvement_direction: str) -> np.ndarray:
    """Orient each label: improvement / concern, or high / low when the direction is neutral."""
    sign = direction_sign(improvement_direction)
    text = np.asarray(labels, dtype=str)
    up = np.char.find(text, "Above") >= 0
    up |= np.char.find(text, "Increasing") >= 0
    down = (np.char.find(text, "Below") >= 0) | (np.char.find(text, "Decreasing") >= 0)
    v = up.astype(int) - down.astype(int)
    if sign == 0:
        kinds = np.select(
            [v > 0, v < 0],
            ["special_cause_neutral_high", "special_cause_neutral_low"],
            default="common_cause",
        )
    else:
        v = v * sign
        kinds = np.select(
            [v > 0, v < 0],
            ["special_cause_improvement", "special_cause_concern"],
            default="common_cause",
        )
    return kinds.astype(object)


def assurance(
    target: float | None, lpl: float, upl: float, improvement_direction: str
) -> str | None:
    """Can the process meet the target? Compared with the latest segment's limits (strictly)."""
    sign = direction_sign(improvement_direction)
    if target is None or sign == 0 or np.isnan(lpl) or np.isnan(upl):
        return None
    if target > upl:
        return "consistent_fail" if sign == 1 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if sign == 1 else "consistent_fail"
    return "inconsistent"
