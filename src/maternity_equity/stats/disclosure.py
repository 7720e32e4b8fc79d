"""Statistical disclosure control for published figures, as pluggable rules.

Rules are applied only when figures leave the system; internal results stay unrounded.
Symbols follow the Maternity and Neonatal Equalities dashboard: "-" zero, ":" not available,
"z" not applicable, "*" suppressed; an ordinary published value has the symbol "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import (
    as_array,
    as_scale,
    broadcast,
    check_choice,
    check_events_have_population,
    check_non_negative,
    check_not_greater,
)

__all__ = ["DISCLOSURE_RULES", "Disclosed", "disclose", "register_rule", "round_to_5"]

ZERO, NOT_AVAILABLE, NOT_APPLICABLE, SUPPRESSED, SHOWN = "-", ":", "z", "*", ""
RARE_EVENT_MINIMUM = 8
STATISTICS = ("proportion", "rate")


@dataclass(frozen=True, eq=False)
class Disclosed:
    """Publication-safe numerator, denominator and value (NaN where not shown) with symbols."""

    numerator: Any
    denominator: Any
    value: Any
    symbol: Any
    rule: str


def round_to_5(counts: np.ndarray) -> np.ndarray:
    """Nearest multiple of 5, halves rounded up (12.5 → 15), whatever the float rounding mode."""
    return np.floor(counts / 5 + 0.5) * 5


def _nhs_england_maternity(x: np.ndarray, n: np.ndarray, rare_event: bool) -> tuple:
    """0 stays 0, 1-7 are shown as 5, others go to the nearest 5.

    Ordinary values come from the rounded figures; rare-event rates come from the unrounded
    counts but are suppressed when the numerator is 1 to 7.
    """

    def publish(c: np.ndarray) -> np.ndarray:
        return np.where(c == 0, 0.0, np.where(c <= 7, 5.0, round_to_5(c)))

    px, pn = publish(x), publish(n)
    suppress = rare_event & (x > 0) & (x < RARE_EVENT_MINIMUM)
    return px, pn, (x, n) if rare_event else (px, pn), suppress


def _hes(x: np.ndarray, n: np.ndarray, rare_event: bool) -> tuple:
    """Counts 1-7 are suppressed ("*"); others go to the nearest 5."""
    small_x = (x > 0) & (x <= 7)
    px = np.where(small_x, np.nan, round_to_5(x))
    pn = np.where((n > 0) & (n <= 7), np.nan, round_to_5(n))
    suppress = small_x | ((n > 0) & (n <= 7))
    return px, pn, (x, n) if rare_event else (px, pn), suppress


def _none_internal(x: np.ndarray, n: np.ndarray, rare_event: bool) -> tuple:
    """No rounding: for internal, access-controlled use only."""
    return x, n, (x, n), np.zeros(np.broadcast(x, n).shape, dtype=bool)


Rule = Callable[[np.ndarray, np.ndarray, bool], tuple]
DISCLOSURE_RULES: dict[str, Rule] = {
    "nhs_england_maternity": _nhs_england_maternity,
    "hes": _hes,
    "none_internal": _none_internal,
}


def register_rule(name: str, rule: Rule) -> None:
    """Add a rule: a function (numerator, denominator, rare_event) returning published
    numerator, published denominator, the (numerator, denominator) pair the value is computed
    from, and a suppression mask."""
    DISCLOSURE_RULES[name] = rule


def disclose(
    numerator: Any,
    denominator: Any,
    rule: str = "nhs_england_maternity",
    *,
    multiplier: Any = 100,
    rare_event: bool = False,
    statistic: str = "proportion",
) -> Disclosed:
    """Apply a disclosure rule; ``value`` is numerator/denominator × multiplier.

    A missing (NaN) numerator or denominator is "not available" (":"); 0 out of 0 is "not
    applicable" ("z"); a zero numerator is shown as 0 with "-"; suppressed values are NaN with
    "*". Set ``rare_event=True`` for rates of rare events (e.g. per 1,000 births). Counts are
    checked before anything is published: negative or infinite counts, events out of a
    denominator of 0, and, for ``statistic="proportion"`` (the default, as for a percentage),
    a numerator above its denominator raise ValueError; ``statistic="rate"`` allows it.
    """
    if rule not in DISCLOSURE_RULES:
        raise ValueError(
            f"rule: unknown disclosure rule {rule!r}; known: {', '.join(sorted(DISCLOSURE_RULES))}"
        )
    check_choice(statistic, "statistic", STATISTICS)
    scale = as_scale(multiplier)
    x = as_array(numerator, "numerator", allow_nan=True)
    n = as_array(denominator, "denominator", allow_nan=True)
    x, n, scale = broadcast({"numerator": x, "denominator": n, "multiplier": scale})
    missing = np.isnan(x) | np.isnan(n)
    xs, ns = np.where(missing, 0.0, x), np.where(missing, 1.0, n)
    check_non_negative(xs, "numerator")
    check_non_negative(ns, "denominator")
    check_events_have_population(xs, ns, "numerator", "denominator")
    if statistic == "proportion":
        check_not_greater(xs, ns, "numerator", "denominator")
    px, pn, (vx, vn), suppress = DISCLOSURE_RULES[rule](xs, ns, rare_event)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = vx / vn * scale
    not_applicable = ~missing & (ns == 0)
    symbol = np.select(
        [missing, not_applicable, suppress, xs == 0],
        [NOT_AVAILABLE, NOT_APPLICABLE, SUPPRESSED, ZERO],
        default=SHOWN,
    )
    hidden = missing | not_applicable | suppress
    value = np.where(hidden, np.nan, value)
    px = np.where(missing, np.nan, px)
    pn = np.where(missing, np.nan, pn)

    def out(arr: np.ndarray) -> Any:
        return arr[()] if arr.ndim == 0 else arr

    return Disclosed(out(px), out(pn), out(value), out(symbol.astype(object)), rule)
