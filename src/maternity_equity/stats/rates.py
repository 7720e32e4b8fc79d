"""Crude rates with Poisson limits (the Fingertips ``phe_rate`` method)."""

from __future__ import annotations

from typing import Any

from ._types import Estimate
from ._validation import (
    as_array,
    as_scale,
    broadcast,
    check_non_negative,
    check_positive,
    finish,
    normalise_confidence,
)
from .poisson import count_interval

__all__ = ["rate"]


def rate(x: Any, n: Any, confidence: Any = 0.95, multiplier: Any = 100_000) -> Estimate:
    """x/n × multiplier with exact limits below 10 events and Byar's from 10.

    x may exceed n (a rate, not a proportion). ``method`` says "exact" or "byar" per element.
    ``multiplier`` may be an array that broadcasts with x and n.
    """
    level = normalise_confidence(confidence)
    xa = as_array(x, "x")
    na = as_array(n, "n")
    check_non_negative(xa, "x")
    check_positive(na, "n")
    scale = as_scale(multiplier)
    xa, na, scale = broadcast({"x": xa, "n": na, "multiplier": scale})
    lower, upper, method = count_interval(xa, level)
    return Estimate(
        value=finish(xa / na * scale),
        lower=finish(lower / na * scale),
        upper=finish(upper / na * scale),
        method=finish(method),
    )
