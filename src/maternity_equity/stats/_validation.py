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
    "as_number",
    "as_scale",
    "broadcast",
    "check_choice",
    "check_events_have_population",
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


def as_number(value: Any, name: str) -> float:
    """One finite number, for settings that belong to a whole chart or fit (a target, the SII
    multiplier): an array here is a mistake, not something to broadcast."""
    arr = as_array(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name}: must be a single number, got an array of shape {arr.shape}")
    check_finite(arr, name)
    return float(arr)


def as_scale(value: Any, name: str = "multiplier") -> np.ndarray:
    """A positive multiplier: a number, or an array that broadcasts with the results."""
    arr = as_array(value, name)
    check_positive(arr, name)
    return arr


def broadcast(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """np.broadcast_arrays with an error that names the arguments and their shapes."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{name} {arr.shape}" for name, arr in arrays.items())
        raise ValueError(
            f"{'/'.join(arrays)}: shapes do not broadcast together ({shapes}); "
            "rule: one value, or one per element"
        ) from exc


def check_finite(arr: np.ndarray, name: str) -> None:
    infinite = np.isinf(arr)
    if infinite.any():
        raise ValueError(f"{name}: infinite value {_where(infinite)}; rule: must be finite")


def check_non_negative(arr: np.ndarray, name: str) -> None:
    check_finite(arr, name)
    negative = arr < 0
    if negative.any():
        raise ValueError(
            f"{name}: negative value {float(arr[negative].flat[0])!r} {_where(negative)}; "
            "rule: must be >= 0"
        )


def check_positive(arr: np.ndarray, name: str) -> None:
    check_finite(arr, name)
    bad = arr <= 0
    if bad.any():
        raise ValueError(
            f"{name}: value {float(arr[bad].flat[0])!r} {_where(bad)}; rule: must be > 0"
        )


def check_not_greater(x: np.ndarray, n: np.ndarray, x_name: str, n_name: str) -> None:
    xb, nb = broadcast({x_name: x, n_name: n})
    bad = xb > nb
    if bad.any():
        raise ValueError(
            f"{x_name}: {float(xb[bad].flat[0])!r} is greater than {n_name} "
            f"{float(nb[bad].flat[0])!r} {_where(bad)}; rule: {x_name} <= {n_name}"
        )


def check_events_have_population(x: np.ndarray, n: np.ndarray, x_name: str, n_name: str) -> None:
    """Events cannot happen in no population: x must be 0 wherever n is 0."""
    xb, nb = broadcast({x_name: x, n_name: n})
    bad = (nb == 0) & (xb > 0)
    if bad.any():
        raise ValueError(
            f"{x_name}: {float(xb[bad].flat[0])!r} events where {n_name} is 0 {_where(bad)}; "
            f"rule: {x_name} = 0 where {n_name} = 0"
        )


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def finish(arr: Any) -> Any:
    """Return a numpy scalar for 0-d results and the array otherwise."""
    arr = np.asarray(arr)
    return arr[()] if arr.ndim == 0 else arr
