"""WRES indicators 1 to 9 from counts (pure functions, no database).

Definitions follow docs/statistical-methods.md section 3 (check them against the current NHS
England WRES technical guidance before publishing). Groups are ``White`` and ``BME``; unknown
ethnicity is left out of every numerator and denominator.

Relative likelihoods come with a Katz log interval. **WRES itself defines no interval: the
interval is our addition**, shown so that a board does not read a ratio built on a handful of
people as a firm finding. Small numbers are handled explicitly (see ``relative_likelihood``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from maternity_equity.stats import ratio_of_proportions

#: Fewer events than this in either group and a relative likelihood is flagged as unstable.
SMALL_COUNT = 10
KATZ_METHOD = "katz_log (our addition; WRES defines no interval)"


@dataclass(frozen=True)
class Likelihood:
    """``count`` of ``total`` in one group, e.g. 47 appointed of 100 shortlisted White people."""

    group: str
    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass(frozen=True)
class RelativeLikelihood:
    """``focus`` likelihood divided by ``reference`` likelihood, with interval and caveats.

    ``ratio`` is ``None`` when it cannot be calculated (a group with no one in it, or no event
    in the reference group); ``notes`` says why, and flags small numbers.
    """

    focus: Likelihood
    reference: Likelihood
    ratio: float | None
    lower: float | None
    upper: float | None
    method: str
    small_numbers: bool
    notes: tuple[str, ...] = field(default_factory=tuple)


def _clean(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def relative_likelihood(
    focus: Likelihood,
    reference: Likelihood,
    *,
    confidence: float = 0.95,
    small_count: int = SMALL_COUNT,
) -> RelativeLikelihood:
    """RL = (focus.count / focus.total) / (reference.count / reference.total).

    Small-number rules, in order:
    - a group with a total of 0: no ratio ("not calculable");
    - no event in the reference group: no ratio (it would be infinite);
    - no event in the focus group: ratio 0, no interval;
    - fewer than ``small_count`` events in either group: ratio and interval shown, flagged.
    """
    notes: list[str] = []
    for lk in (focus, reference):
        if lk.count < 0 or lk.total < 0 or lk.count > lk.total:
            raise ValueError(
                f"{lk.group}: count {lk.count} and total {lk.total} must satisfy "
                "0 <= count <= total"
            )
    small = min(focus.count, reference.count) < small_count
    if focus.total == 0 or reference.total == 0:
        empty = focus.group if focus.total == 0 else reference.group
        notes.append(f"not calculable: no {empty} staff or applicants in the denominator")
        return RelativeLikelihood(focus, reference, None, None, None, "", True, tuple(notes))
    if reference.count == 0:
        notes.append(f"not calculable: no events among {reference.group} (ratio would be infinite)")
        return RelativeLikelihood(focus, reference, None, None, None, "", True, tuple(notes))
    estimate = ratio_of_proportions(
        focus.count, focus.total, reference.count, reference.total, confidence
    )
    ratio, lower, upper = _clean(estimate.value), _clean(estimate.lower), _clean(estimate.upper)
    if focus.count == 0:
        notes.append(f"no events among {focus.group}: ratio is 0 and has no interval")
    if small:
        notes.append(
            f"small numbers: fewer than {small_count} events in a group; the ratio is unstable"
        )
    method = KATZ_METHOD if lower is not None else ""
    return RelativeLikelihood(focus, reference, ratio, lower, upper, method, small, tuple(notes))


def rl_from_percentages(focus_percent: float, reference_percent: float) -> float:
    """RL from two published percentages (how trust reports quote it), e.g. 46.99 / 14.65."""
    if reference_percent <= 0:
        raise ValueError("the reference percentage must be above 0")
    return focus_percent / reference_percent


def percent_bme(bme: int, white: int) -> float | None:
    """% BME of staff with known ethnicity (unknown excluded), or ``None`` when there are none."""
    known = bme + white
    return 100.0 * bme / known if known else None


def board_workforce_gap(
    board_bme: int, board_white: int, workforce_bme: int, workforce_white: int
) -> float | None:
    """Indicator 9: %BME of the board minus %BME of the workforce, in percentage points."""
    board, workforce = (
        percent_bme(board_bme, board_white),
        percent_bme(workforce_bme, workforce_white),
    )
    if board is None or workforce is None:
        return None
    return board - workforce


@dataclass(frozen=True)
class BandShare:
    """Indicator 1 for one band: % BME in the band against % BME in the whole staff group."""

    band: str
    bme: int
    white: int
    unknown: int
    percent_bme: float | None
    ratio_to_overall: float | None


def band_shares(
    headcounts: dict[str, dict[str, int]],
) -> tuple[list[BandShare], float | None]:
    """``headcounts[band][group]`` -> per-band shares and the overall % BME."""
    total_bme = sum(h.get("BME", 0) for h in headcounts.values())
    total_white = sum(h.get("White", 0) for h in headcounts.values())
    overall = percent_bme(total_bme, total_white)
    shares = []
    for band in sorted(headcounts, key=band_sort_key):
        h = headcounts[band]
        pct = percent_bme(h.get("BME", 0), h.get("White", 0))
        ratio = pct / overall if pct is not None and overall else None
        shares.append(
            BandShare(band, h.get("BME", 0), h.get("White", 0), h.get("Unknown", 0), pct, ratio)
        )
    return shares, overall


_BAND_ORDER = [
    "band 1", "band 2", "band 3", "band 4", "band 5", "band 6", "band 7",
    "band 8a", "band 8b", "band 8c", "band 8d", "band 9", "vsm",
]  # fmt: skip


def band_sort_key(band: str) -> tuple[int, str]:
    """Agenda for Change order (Band 1 ... Band 9, VSM), anything else after, alphabetically."""
    name = band.split(" (")[0].strip().casefold()
    return (_BAND_ORDER.index(name) if name in _BAND_ORDER else len(_BAND_ORDER), band)
