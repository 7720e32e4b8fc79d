"""Everything a chunk of pregnancies is drawn from, computed once from the geography.

Keeping this separate from the per-chunk drawing means a 3-million-pregnancy run shares one
set of arrays, and every chunk is reproducible from the seed alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from maternity_equity.reference.geography import Geography
from maternity_equity.synth import parameters as P
from maternity_equity.synth.arrowio import EPOCH
from maternity_equity.synth.calibrate import calibrate

PROVIDERS = ("SYN01", "SYN02", "SYN03")  # fictional ODS-like provider codes
# A woman booked up to 38 weeks before the extract starts may still give birth inside it; such
# ongoing pregnancies are part of a real extract (their rows are resubmitted every month).
LEAD_IN_DAYS = 266


def to_days(value: date) -> int:
    return int((np.datetime64(value, "D") - EPOCH).astype(np.int64))


@dataclass
class Context:
    start: int  # days since epoch: first day of the extract (births are complete from here)
    end: int  # first day after the extract
    first_booking: int  # bookings start this much earlier, so births are steady from ``start``
    day_weights: np.ndarray  # booking day probabilities (seasonality)
    lsoa_codes: np.ndarray
    lsoa_weights: np.ndarray
    lsoa_decile: np.ndarray
    lsoa_neighbourhood: np.ndarray  # neighbourhood index
    lsoa_provider: np.ndarray  # provider index
    group_cum: np.ndarray  # LSOAs x 5 cumulative group probabilities
    live_codes: np.ndarray  # live postcodes sorted by LSOA
    live_offset: np.ndarray  # first live postcode of each LSOA
    live_count: np.ndarray
    terminated_codes: np.ndarray  # sorted by termination day
    terminated_day: np.ndarray
    all_postcodes: np.ndarray  # sorted, for "not in directory" checks
    rates: dict[str, np.ndarray]  # calibrated (group x quintile) probabilities


def singleton_preterm(all_births: np.ndarray) -> np.ndarray:
    """Singleton preterm rate that gives ``all_births`` once twins (mostly preterm) are added.

    Twins are 2 x TWINS / (1 + TWINS) of babies, and TWIN_PRETERM of them are preterm.
    """
    twin_babies = 2 * P.TWINS / (1 + P.TWINS)
    return (np.asarray(all_births) - twin_babies * P.TWIN_PRETERM) / (1 - twin_babies)


def _group_probabilities(lsoas: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Ethnic group mix per LSOA: deprivation gradient plus a neighbourhood effect."""
    decile = lsoas["imd_decile"].fillna(5).to_numpy(float)
    codes, neighbourhood = np.unique(lsoas["neighbourhood_code"].astype(str), return_inverse=True)
    effect = rng.normal(0, 1, (len(codes), 5)) * P.NEIGHBOURHOOD_SPREAD
    log_share = (
        np.log(P.BASE_GROUP_SHARES)[None, :]
        + P.DEPRIVATION_SLOPE[None, :] * (5.5 - decile)[:, None]
        + effect[neighbourhood]
    )
    shares = np.exp(log_share)
    return shares / shares.sum(axis=1, keepdims=True)


def window_end(start: date, years: int) -> date:
    """The first day after a window of ``years`` years from ``start`` (29 February, in a year
    that has none, ends on 28 February)."""
    try:
        return date(start.year + years, start.month, start.day)
    except ValueError:
        return date(start.year + years, start.month, 28)


def build_context(geo: Geography, rng: np.random.Generator, start: date, years: int) -> Context:
    lsoas = geo.lsoas.reset_index(drop=True)
    lsoas = lsoas[lsoas["imd_decile"].notna()].reset_index(drop=True)
    if lsoas.empty:
        raise ValueError("the geography has no LSOA with an IMD decile to place women in")
    start_day = to_days(start)
    end_day = to_days(window_end(start, years))
    postcodes = geo.postcodes
    introduced = pd.to_datetime(postcodes["introduced"])
    terminated = pd.to_datetime(postcodes["terminated"])
    live = terminated.isna() & (introduced.isna() | (introduced <= pd.Timestamp(start)))
    live_table = postcodes.loc[live, ["postcode", "lsoa_code"]]
    lsoa_index = pd.Index(lsoas["lsoa_code"].astype(str))
    position = lsoa_index.get_indexer(live_table["lsoa_code"].astype(str))
    keep = position >= 0
    order = np.argsort(position[keep], kind="stable")
    live_codes = live_table["postcode"].to_numpy(str)[keep][order]
    live_count = np.bincount(position[keep], minlength=len(lsoas))
    live_offset = np.concatenate([[0], np.cumsum(live_count)[:-1]])

    population = lsoas["population"].astype("Float64").fillna(1500).to_numpy(float)
    weights = np.where(live_count > 0, population, 0.0)
    if weights.sum() == 0:
        raise ValueError("no LSOA of the footprint has a live postcode to place women at")
    weights /= weights.sum()

    gone = terminated.notna()
    term_days = (terminated[gone].to_numpy("datetime64[D]") - EPOCH).astype(np.int64)
    term_order = np.argsort(term_days, kind="stable")

    first_booking = start_day - LEAD_IN_DAYS
    days = np.arange(first_booking, end_day)
    birth_day_of_year = (
        (EPOCH + (days + 210).astype("timedelta64[D]")).astype("datetime64[D]")
        - (EPOCH + (days + 210).astype("timedelta64[D]")).astype("datetime64[Y]")
    ).astype(np.int64)
    season = 1 + P.SEASONAL_AMPLITUDE * np.cos(
        2 * np.pi * (birth_day_of_year - P.BIRTH_PEAK_DAY_OF_YEAR) / 365.25
    )

    _, neighbourhood = np.unique(lsoas["neighbourhood_code"].astype(str), return_inverse=True)
    places, place = np.unique(lsoas["place_code"].astype(str), return_inverse=True)
    provider = place % min(len(PROVIDERS), len(places))
    group_probs = _group_probabilities(lsoas, rng)
    decile = lsoas["imd_decile"].to_numpy(int)

    # Expected (group x quintile) mix of pregnancies, for calibrating the outcome rates.
    quintile = (decile + 1) // 2
    joint = np.zeros((5, 5))
    for q in range(1, 6):
        joint[:, q - 1] = (weights[quintile == q, None] * group_probs[quintile == q]).sum(axis=0)
    rates = {
        "stillbirth": calibrate(joint, P.STILLBIRTH, P.STILLBIRTH_DEPRIVATION),
        "neonatal": calibrate(joint, P.NEONATAL, P.NEONATAL_DEPRIVATION),
        "preterm": calibrate(
            joint,
            singleton_preterm(P.PRETERM),
            tuple(singleton_preterm(np.array(P.PRETERM_DEPRIVATION))),
        ),
        "lbw_term": calibrate(joint, P.LBW_TERM, P.LBW_TERM_DEPRIVATION),
        "breast_milk": calibrate(joint, P.BREAST_MILK, P.BREAST_MILK_DEPRIVATION),
        "smoking_booking": calibrate(joint, P.SMOKING_BOOKING, P.SMOKING_BOOKING_DEPRIVATION),
    }
    return Context(
        start=start_day,
        end=end_day,
        first_booking=first_booking,
        day_weights=season / season.sum(),
        lsoa_codes=lsoas["lsoa_code"].to_numpy(str),
        lsoa_weights=weights,
        lsoa_decile=decile,
        lsoa_neighbourhood=neighbourhood,
        lsoa_provider=provider,
        group_cum=np.cumsum(group_probs, axis=1),
        live_codes=live_codes,
        live_offset=live_offset,
        live_count=live_count,
        terminated_codes=postcodes.loc[gone, "postcode"].to_numpy(str)[term_order],
        terminated_day=term_days[term_order],
        all_postcodes=np.sort(postcodes["postcode"].dropna().to_numpy(str)),
        rates=rates,
    )
