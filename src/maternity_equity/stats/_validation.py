"""Input checks shared by every statistic.

Statistics fail loudly: a NaN that slips into a confidence interval looks like a real number on
a dashboard, so every argument is checked up front and the error names the argument, the
position of the first offending element and the rule it broke.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import ndtri

__all__ = [
    "as_array",
    "check_choice",
    "check_finite",
    "check_non_negative",
    "check_not_greater",
    "check_positive",
    "finish",
    "normalise_confidence",
    "z_value",
]


def _where(mask: np.ndarray) -> str:
    """Human description of the first True element of ``mask``."""
    if mask.ndim == 0:
        return "(scalar)"
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return f"at position {index[0] if len(index) == 1 else index}"


def normalise_confidence(confidence: Any) -> float:
    """Return the confidence level as a fraction in (0, 1].

    Both 0.95 and 95 mean 95%: values of 90 or more are read as percentages (the Fingertips
    convention). Anything else outside (0, 1] is ambiguous or meaningless and is refused.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence: expected a number such as 0.95 or 95, got {confidence!r}")
    level = float(confidence)
    if not np.isfinite(level):
        raise ValueError(f"confidence: must be a finite number, got {confidence!r}")
    if level >= 90:
        level /= 100
    if not 0 < level <= 1:
        raise ValueError(
            "confidence: must be a fraction in (0, 1] or a percentage in [90, 100], "
            f"got {confidence!r}"
        )
    return level


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level (inf at 100%)."""
    return float(ndtri(level + (1 - level) / 2))


def as_array(value: Any, name: str, *, allow_nan: bool = False) -> np.ndarray:
    """Convert to a float array; refuse text, missing values and infinities."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {value!r}") from exc
    if not allow_nan:
        missing = np.isnan(arr)
        if missing.any():
            raise ValueError(f"{name}: missing value (NaN) {_where(missing)}; rule: no missing")
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    infinite = np.isinf(arr)
    if infinite.any():
        raise ValueError(f"{name}: infinite value {_where(infinite)}; rule: must be finite")


def check_non_negative(arr: np.ndarray, name: str) -> None:
    check_finite(arr, name)
    negative = arr < 0
    if negative.any():
        raise ValueError(
            f"{name}: negative value {arr[negative].flat[0]!r} {_where(negative)}; "
            "rule: must be >= 0"
        )


def check_positive(arr: np.ndarray, name: str) -> None:
    check_finite(arr, name)
    bad = arr <= 0
    if bad.any():
        raise ValueError(f"{name}: value {arr[bad].flat[0]!r} {_where(bad)}; rule: must be > 0")


def check_not_greater(x: np.ndarray, n: np.ndarray, x_name: str, n_name: str) -> None:
    xb, nb = np.broadcast_arrays(x, n)
    bad = xb > nb
    if bad.any():
        raise ValueError(
            f"{x_name}: {xb[bad].flat[0]!r} is greater than {n_name} {nb[bad].flat[0]!r} "
            f"{_where(bad)}; rule: {x_name} <= {n_name}"
        )


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def finish(arr: Any) -> Any:
    """Return a numpy scalar for 0-d results and the array otherwise."""
    arr = np.asarray(arr)
    return arr[()] if arr.ndim == 0 else arr
