"""Figures that compare two groups, recomputed from the groups' published counts.

A ratio from unrounded counts at full precision pins the counts down (a relative likelihood of
2.5605786618 has one solution among the few counts that round to the published ones), so every
published comparison is computed again from rounded counts by the engine's own method, and
withheld (ratio_significance "suppressed") when either group rests on 1 to 7 events or is
itself hidden.
"""

from __future__ import annotations

import math

import numpy as np

from maternity_equity.indicators import statistics
from maternity_equity.publish.counts import published_counts, small_counts
from maternity_equity.publish.secondary import ENOUGH
from maternity_equity.publish.symbols import RATIO_SUPPRESSED


def compare(px, pn, prx, prn, ci_method: str) -> tuple[np.ndarray, ...]:
    """Ratio, interval and significance word of published counts against a reference's.

    The engine's ``statistics.compare`` (Katz for proportions, ratio of rates otherwise); with
    no interval method the ratio is still shown, without an interval.
    """
    arrays = [np.atleast_1d(np.asarray(a, dtype=float)) for a in (px, pn, prx, prn)]
    if ci_method != "none":
        return statistics.compare(*arrays, ci_method=ci_method)
    x1, n1, x2, n2 = arrays
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (x1 / n1) / (x2 / n2)
    ratio = np.where(np.isfinite(ratio), ratio, np.nan)
    nan = np.full(len(x1), np.nan)
    return ratio, nan, nan.copy(), np.full(len(x1), "not_compared", dtype=object)


def to_reference(
    at: np.ndarray,
    ref: np.ndarray,
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    hidden: np.ndarray,
    small: np.ndarray,
    is_reference: np.ndarray,
    ci_method: str,
) -> tuple[np.ndarray, ...]:
    """Each row ``at`` against its reference row ``ref`` (-1: none): ratio, interval, word."""
    _, _, px, pn = counts
    m = len(at)
    ratio, lo, hi = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    sig = np.full(m, "not_compared", dtype=object)
    found = ref >= 0
    if not found.any():
        return ratio, lo, hi, sig
    a, r = at[found], ref[found]
    got = compare(px[a], pn[a], px[r], pn[r], ci_method)
    ratio[found], lo[found], hi[found], sig[found] = got
    self_row = is_reference & found
    lo[self_row], hi[self_row], sig[self_row] = np.nan, np.nan, "not_compared"
    withheld = np.zeros(m, dtype=bool)
    withheld[found] = hidden[a] | hidden[r] | small[a] | small[r]
    ratio[withheld], lo[withheld], hi[withheld] = np.nan, np.nan, np.nan
    sig[withheld] = RATIO_SUPPRESSED
    return ratio, lo, hi, sig


def group_ratio(
    pos: int,
    target: list[int],
    reference: list[int],
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    hidden: np.ndarray,
    small: np.ndarray,
    ci_method: str,
) -> tuple[float, float, float, str] | None:
    """A group-ratio row (its own counts are the target groups') against the sum of the
    reference groups' rows; None when it may not be published.

    The row's rounded numerator is the sum of its target groups, so when some of them are
    hidden it may only be shown if those hidden ones could not be told apart from it (two or
    more, holding 8 or more events, as secondary suppression requires); a hidden reference
    group would be given away by the ratio itself.
    """
    x, n, px, pn = counts
    if not reference or any(hidden[i] for i in reference):
        return None
    hid = [i for i in target if hidden[i]]
    if hid and (len(hid) < 2 or float(x[hid].sum()) < ENOUGH):
        return None
    rx, rn = float(x[reference].sum()), float(n[reference].sum())
    if small[pos] or small_counts([rx])[0]:
        return None
    prx, prn = published_counts([rx, rn])
    r, lo, hi, sig = compare(px[pos], pn[pos], prx, prn, ci_method)
    return float(r[0]), float(lo[0]), float(hi[0]), str(sig[0])


def between_groups(
    value: float,
    pair: tuple[int, int],
    names: tuple[str, str],
    reference: str,
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    hidden: np.ndarray,
    small: np.ndarray,
    ci_method: str,
) -> tuple[float, float, float] | None:
    """A value a return gave without counts that is the ratio of the rates of the two groups
    of a breakdown (a WRES relative likelihood): the same ratio of the groups' published rates,
    with the group the row names as its reference (else the one that reproduces the given
    value from the unrounded counts) below the line; None when it may not be published."""
    x, n, px, pn = counts
    a, b = pair

    def rate_ratio(p: int, q: int) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float((x[p] / n[p]) / (x[q] / n[q]))

    if reference in names:
        given = [(b, a)] if names[0] == reference else [(a, b)]
    else:
        given = [
            (p, q)
            for p, q in ((a, b), (b, a))
            if math.isfinite(rate_ratio(p, q))
            and math.isclose(rate_ratio(p, q), value, rel_tol=1e-6, abs_tol=1e-9)
        ]
    if not given or hidden[[a, b]].any() or small[[a, b]].any():
        return None
    p, q = given[0]
    ratio, lo, hi, _ = compare(px[p], pn[p], px[q], pn[q], ci_method)
    return float(ratio[0]), float(lo[0]), float(hi[0])
