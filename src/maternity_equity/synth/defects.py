"""Spoil values the way real extracts are spoiled, and keep an exact ledger of the damage.

Every defect is drawn on the *final* row of a pregnancy (the one left after "latest per
pregnancy" de-duplication), so the ledger says exactly what a correct ingest must find.
Within a field the classes are exclusive (a postcode is either missing or malformed, never both).
"""

from __future__ import annotations

import numpy as np

from maternity_equity.synth import parameters as P
from maternity_equity.synth.arrowio import month_start
from maternity_equity.synth.context import Context
from maternity_equity.synth.people import Pregnancies

ETHNIC_CLASSES = ("ethnic_not_stated", "ethnic_not_known", "ethnic_missing", "ethnic_unrecognised")
POSTCODE_CLASSES = (
    "postcode_pseudo_no_fixed_abode",
    "postcode_pseudo_not_known",
    "postcode_pseudo_elsewhere",
    "postcode_malformed",
    "postcode_not_in_directory",
    "postcode_terminated",
    "postcode_missing",
)
SMOKING_CLASSES = ("smoking_booking_missing", "smoking_booking_unknown")
UNRECOGNISED_ETHNICITY = np.array(["X", "0", "White", "T", "98", "ZX"], dtype=object)
ELSEWHERE = np.array(["ZZ99 3GZ", "ZZ99 1WZ", "ZZ99 2WZ"], dtype=object)
INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
# Provider SYN02 records ethnicity and postcode worse than the others: a signal for DQ reports.
PROVIDER_DQ_MULTIPLIER = np.array([1.0, 2.0, 0.7])


def exclusive(rng: np.random.Generator, classes, rates: np.ndarray) -> np.ndarray:
    """Index into ``classes`` for each row, or -1 for no defect; ``rates`` is rows x classes."""
    cumulative = np.cumsum(rates, axis=1)
    u = rng.random(len(rates))
    hit = (cumulative < u[:, None]).sum(axis=1)
    return np.where(hit < len(classes), hit, -1)


def spoil_ethnicity(rng, preg: Pregnancies, ledger: dict) -> np.ndarray:
    n = len(preg.index)
    base = np.array([P.DEFECT_RATES[c] for c in ETHNIC_CLASSES])
    which = exclusive(
        rng, ETHNIC_CLASSES, base[None, :] * PROVIDER_DQ_MULTIPLIER[preg.provider, None]
    )
    value = preg.category.astype(object).copy()
    # A few providers send local two-character sub-codes ("A1"): valid, grouped on the first.
    local = rng.random(n) < 0.02
    value[local] = value[local] + "1"
    value[which == 0] = "Z"
    value[which == 1] = "99"
    value[which == 2] = None
    unrecognised = which == 3
    value[unrecognised] = UNRECOGNISED_ETHNICITY[
        rng.integers(0, len(UNRECOGNISED_ETHNICITY), unrecognised.sum())
    ]
    for k, name in enumerate(ETHNIC_CLASSES):
        ledger[name].append(preg.index[which == k])
    return value


def _malformed(rng, postcodes: np.ndarray) -> np.ndarray:
    """Three typing errors that no normalisation can repair."""
    out = postcodes.astype(object).copy()
    kind = rng.integers(0, 3, len(out))
    for i in range(len(out)):  # only a fraction of a percent of rows
        outward, inward = str(out[i]).split(" ")
        if kind[i] == 0:
            out[i] = f"{outward} {inward[:-1]}"  # last letter lost
        elif kind[i] == 1:
            out[i] = f"{outward} O{inward[1:]}"  # letter O typed for the digit
        else:
            out[i] = f"{outward}23 {inward}"  # digits doubled in the outward code
    return out


def _not_in_directory(ctx: Context, rng, postcodes: np.ndarray) -> np.ndarray:
    """Well-formed codes in the same districts that the directory does not hold."""
    outward = np.array([str(p).split(" ")[0] for p in postcodes], dtype=object)
    out = np.empty(len(postcodes), dtype=object)
    todo = np.arange(len(postcodes))
    while len(todo):
        digit = rng.integers(0, 10, len(todo)).astype(str)
        letters = INWARD_LETTERS[rng.integers(0, 20, (len(todo), 2))]
        candidate = outward[todo] + " " + digit.astype(object) + letters[:, 0] + letters[:, 1]
        position = np.searchsorted(ctx.all_postcodes, candidate.astype(str))
        position = np.minimum(position, len(ctx.all_postcodes) - 1)
        known = ctx.all_postcodes[position] == candidate.astype(str)
        out[todo[~known]] = candidate[~known]
        todo = todo[known]
    return out


def spoil_postcodes(ctx: Context, rng, preg: Pregnancies, ledger: dict) -> np.ndarray:
    n = len(preg.index)
    base = np.array([P.DEFECT_RATES[c] for c in POSTCODE_CLASSES])
    rates = base[None, :] * PROVIDER_DQ_MULTIPLIER[preg.provider, None]
    # No fixed abode is an equity signal: three times as common in the most deprived quintile.
    rates[:, 0] *= np.where(preg.quintile == 1, 2.0, 0.6)
    which = exclusive(rng, POSTCODE_CLASSES, rates)
    value = preg.postcode.astype(object).copy()
    # Harmless variation a loader must normalise: lower case, no space, double space.
    style = rng.random(n)
    lower = style < 0.02
    nospace = (style >= 0.02) & (style < 0.04)
    value[lower] = [str(v).lower() for v in value[lower]]
    value[nospace] = [str(v).replace(" ", "") for v in value[nospace]]
    value[which == 0] = "ZZ99 3VZ"
    value[which == 1] = "ZZ99 3WZ"
    value[which == 2] = ELSEWHERE[rng.integers(0, 3, (which == 2).sum())]
    value[which == 3] = _malformed(rng, preg.postcode[which == 3])
    value[which == 4] = _not_in_directory(ctx, rng, preg.postcode[which == 4])
    # Terminated: a directory postcode whose termination month is before the booking month.
    rows = np.flatnonzero(which == 5)
    booking_month = month_start(preg.booking[rows])
    available = np.searchsorted(ctx.terminated_day, booking_month, side="left")
    possible = available > 0
    pick = (rng.random(len(rows)) * np.maximum(available, 1)).astype(np.int64)
    value[rows[possible]] = ctx.terminated_codes[pick[possible]]
    which[rows[~possible]] = -1
    value[which == 6] = None
    for k, name in enumerate(POSTCODE_CLASSES):
        ledger[name].append(preg.index[which == k])
    return value


def spoil_gestation(rng, preg: Pregnancies, ledger: dict) -> tuple[np.ndarray, np.ndarray]:
    """EDD validity and LMP validity masks: most have an EDD, some only an LMP, a few neither."""
    n = len(preg.index)
    neither = rng.random(n) < P.DEFECT_RATES["gestation_missing"]
    lmp_only = ~neither & (rng.random(n) < 0.015)
    has_edd = ~neither & ~lmp_only
    has_lmp = ~neither & (lmp_only | (rng.random(n) < 0.6))
    ledger["gestation_missing"].append(preg.index[neither])
    return has_edd, has_lmp


def spoil_smoking_booking(rng, preg: Pregnancies, ledger: dict) -> np.ndarray:
    n = len(preg.index)
    value = np.where(preg.smoker_booking, "smoker", "non_smoker").astype(object)
    rates = np.array([P.DEFECT_RATES[c] for c in SMOKING_CLASSES])
    which = exclusive(rng, SMOKING_CLASSES, np.broadcast_to(rates, (n, 2)))
    value[which == 0] = None
    value[which == 1] = "unknown"
    for k, name in enumerate(SMOKING_CLASSES):
        ledger[name].append(preg.index[which == k])
    return value
