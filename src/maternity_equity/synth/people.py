"""Draw the women and their pregnancies for one chunk: who, where, when, and what happened.

All values here are the *true* ones; defects.py later spoils some of them the way real
extracts are spoiled, and records the damage.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy.special import expit

from maternity_equity.synth import parameters as P
from maternity_equity.synth.context import Context

CATEGORY_CODES = np.array(list("ABCHJKLMNPDEFGRS"))


def _category_table() -> tuple[np.ndarray, np.ndarray]:
    """Per group: cumulative shares and indices into CATEGORY_CODES (padded to 4)."""
    cum = np.ones((5, 4))
    index = np.zeros((5, 4), dtype=int)
    position = {code: i for i, code in enumerate(CATEGORY_CODES)}
    for group, pairs in P.CATEGORIES.items():
        shares = np.cumsum([s for _, s in pairs])
        cum[group, : len(pairs)] = shares / shares[-1]
        index[group, : len(pairs)] = [position[c] for c, _ in pairs]
        index[group, len(pairs) :] = index[group, len(pairs) - 1]
    return cum, index


CATEGORY_CUM, CATEGORY_INDEX = _category_table()
MIGRANT_RATE = np.array([P.RECENT_MIGRANT_BY_CATEGORY.get(c, 0.01) for c in CATEGORY_CODES])
HAS_OWN_LANGUAGE = np.array([P.LANGUAGES.get(c, ("en",)) != ("en",) for c in CATEGORY_CODES])


def pick(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw from cumulative probabilities (rows x k)."""
    u = rng.random(len(cumulative))
    return np.minimum((cumulative < u[:, None]).sum(axis=1), cumulative.shape[1] - 1)


def choice(rng: np.random.Generator, pairs, n: int) -> np.ndarray:
    values = np.array([v for v, _ in pairs], dtype=object)
    probs = np.array([p for _, p in pairs], dtype=float)
    return values[rng.choice(len(values), n, p=probs / probs.sum())]


def subset(preg: Pregnancies, rows: np.ndarray, first: int) -> Pregnancies:
    """The given rows, renumbered from ``first``."""
    values = {f.name: getattr(preg, f.name)[rows] for f in fields(preg)}
    values["index"] = first + np.arange(len(rows), dtype=np.int64)
    return Pregnancies(**values)


@dataclass
class Pregnancies:
    """One entry per pregnancy (arrays of equal length)."""

    index: np.ndarray
    lsoa: np.ndarray
    decile: np.ndarray
    quintile: np.ndarray
    group: np.ndarray
    category: np.ndarray  # true ethnic category letter
    provider: np.ndarray
    neighbourhood: np.ndarray
    postcode: np.ndarray  # a live postcode in her LSOA
    booking: np.ndarray  # days since epoch
    gestation_at_booking: np.ndarray
    edd: np.ndarray
    birth_date: np.ndarray
    age: np.ndarray
    parity: np.ndarray
    substance: np.ndarray
    migrant: np.ndarray
    english: np.ndarray
    abuse: np.ndarray
    complex: np.ndarray
    language: np.ndarray
    interpreter: np.ndarray
    folic: np.ndarray
    smoker_booking: np.ndarray
    smoker_delivery: np.ndarray
    twins: np.ndarray
    gestation_at_birth: np.ndarray  # days; same for both twins
    delivery: np.ndarray  # days since epoch
    delivered: np.ndarray  # delivery falls inside the extract


def draw_pregnancies(ctx: Context, rng: np.random.Generator, first: int, n: int) -> Pregnancies:
    index = first + np.arange(n, dtype=np.int64)
    lsoa = rng.choice(len(ctx.lsoa_codes), n, p=ctx.lsoa_weights)
    decile = ctx.lsoa_decile[lsoa]
    quintile = (decile + 1) // 2
    group = pick(rng, ctx.group_cum[lsoa])
    within = pick(rng, CATEGORY_CUM[group])
    category_index = CATEGORY_INDEX[group, within]
    category = CATEGORY_CODES[category_index]
    provider = np.where(rng.random(n) < 0.1, rng.integers(0, 3, n), ctx.lsoa_provider[lsoa])
    offset = ctx.live_offset[lsoa] + (rng.random(n) * ctx.live_count[lsoa]).astype(np.int64)
    postcode = ctx.live_codes[offset]
    booking = ctx.first_booking + rng.choice(len(ctx.day_weights), n, p=ctx.day_weights)

    age = rng.normal(
        P.MATERNAL_AGE_MEAN + P.AGE_DEPRIVATION_SHIFT * (decile - 5.5) / 9, P.MATERNAL_AGE_SD
    )
    age = np.clip(age, 15, 47)
    birth_date = booking - np.floor(age * 365.25).astype(np.int64)
    lam = np.clip(0.85 + 0.35 * np.isin(category, ["J", "K"]) + 0.045 * (age - 30), 0.05, None)
    parity = np.minimum(rng.poisson(lam), 9)

    deprived = (11 - decile) / 5.5  # 1.8 in decile 1, 0.18 in decile 10
    substance = rng.random(n) < P.SUBSTANCE_MISUSE * deprived
    migrant = rng.random(n) < MIGRANT_RATE[category_index]
    own_language = HAS_OWN_LANGUAGE[category_index]
    english = own_language & (
        rng.random(n)
        < np.where(migrant, P.ENGLISH_DIFFICULTY_IF_MIGRANT, P.ENGLISH_DIFFICULTY_OTHERWISE)
    )
    abuse = rng.random(n) < P.DOMESTIC_ABUSE * (0.5 + 0.5 * deprived)
    complex_ = substance | migrant | english | abuse | (age < 20)
    language = np.full(n, "en", dtype=object)
    speaks_other = english | (migrant & own_language & (rng.random(n) < 0.5))
    for code, options in P.LANGUAGES.items():
        rows = np.flatnonzero(speaks_other & (category == code))
        language[rows] = np.array(options, dtype=object)[rng.integers(0, len(options), len(rows))]
    interpreter = english & (rng.random(n) < P.INTERPRETER_IF_DIFFICULTY)
    folic = choice(rng, P.FOLIC_ACID, n)

    p_smoke = ctx.rates["smoking_booking"][group, quintile - 1]
    smoker_booking = rng.random(n) < p_smoke
    smoker_delivery = np.where(
        smoker_booking,
        rng.random(n) >= P.SMOKING_QUIT_BY_DELIVERY,
        rng.random(n) < P.SMOKING_START_BY_DELIVERY,
    )

    early = rng.random(n) < expit(
        P.EARLY_BOOKING_INTERCEPT
        + P.EARLY_BOOKING_ETHNIC[group]
        + P.EARLY_BOOKING_PER_DECILE * (decile - 1)
        + P.EARLY_BOOKING_CSF * complex_
    )
    late_band = rng.choice(3, n, p=[0.55, 0.33, 0.12])
    late = np.choose(
        late_band, [rng.integers(71, 91, n), rng.integers(91, 141, n), rng.integers(141, 197, n)]
    )
    gestation_at_booking = np.where(early, rng.integers(42, 71, n), late)
    edd = booking - gestation_at_booking + 280

    twins = rng.random(n) < P.TWINS
    p_preterm = np.where(twins, P.TWIN_PRETERM, ctx.rates["preterm"][group, quintile - 1])
    preterm = rng.random(n) < p_preterm
    preterm_band = rng.choice(4, n, p=[0.08, 0.10, 0.12, 0.70])
    preterm_days = np.choose(
        preterm_band,
        [
            rng.integers(161, 196, n),
            rng.integers(196, 224, n),
            rng.integers(224, 238, n),
            rng.integers(238, 259, n),
        ],
    )
    term_days = np.clip(np.round(rng.normal(281, 8, n)), 259, 300).astype(np.int64)
    gestation_at_birth = np.where(preterm, preterm_days, term_days)
    gestation_at_birth = np.maximum(gestation_at_birth, gestation_at_booking + 1)
    delivery = edd - 280 + gestation_at_birth
    return Pregnancies(
        index=index,
        lsoa=lsoa,
        decile=decile,
        quintile=quintile,
        group=group,
        category=category,
        provider=provider,
        neighbourhood=ctx.lsoa_neighbourhood[lsoa],
        postcode=postcode,
        booking=booking,
        gestation_at_booking=gestation_at_booking,
        edd=edd,
        birth_date=birth_date,
        age=np.floor(age).astype(int),
        parity=parity,
        substance=substance,
        migrant=migrant,
        english=english,
        abuse=abuse,
        complex=complex_,
        language=language,
        interpreter=interpreter,
        folic=folic,
        smoker_booking=smoker_booking,
        smoker_delivery=smoker_delivery,
        twins=twins,
        gestation_at_birth=gestation_at_birth,
        delivery=delivery,
        delivered=delivery < ctx.end,
    )


def link_repeat_mothers(rng: np.random.Generator, preg: Pregnancies, share: float) -> np.ndarray:
    """Make about ``share`` of pregnancies a later pregnancy of a woman already in the chunk.

    The earlier pregnancy is in the same LSOA and ethnic group (so the outcome models, drawn
    on group and area, stay consistent) and ended at least 60 days before this booking. The
    later one takes her date of birth, ethnic category and postcode, and one more previous
    birth. Returns, for each row, the row of the woman's first pregnancy (itself if none).
    """
    n = len(preg.index)
    mother = np.arange(n)
    key = preg.lsoa.astype(np.int64) * 5 + preg.group
    big = np.int64(1) << 20  # larger than any day number
    combined = key * big + preg.delivery
    order = np.argsort(combined, kind="stable")
    ordered = combined[order]
    later = np.flatnonzero(rng.random(n) < share)
    low = np.searchsorted(ordered, key[later] * big, side="left")
    high = np.searchsorted(ordered, key[later] * big + preg.booking[later] - 60, side="left")
    possible = high > low
    later, low, high = later[possible], low[possible], high[possible]
    earlier = order[low + (rng.random(len(later)) * (high - low)).astype(np.int64)]
    # One later pregnancy per woman, and a woman chosen as "later" is not also someone's first.
    _, first_use = np.unique(earlier, return_index=True)
    later, earlier = later[first_use], earlier[first_use]
    keep = ~np.isin(earlier, later)
    later, earlier = later[keep], earlier[keep]
    mother[later] = earlier
    preg.birth_date[later] = preg.birth_date[earlier]
    preg.category[later] = preg.category[earlier]
    preg.postcode[later] = preg.postcode[earlier]
    preg.parity[later] = preg.parity[earlier] + 1
    preg.age[later] = np.floor((preg.booking[later] - preg.birth_date[later]) / 365.25).astype(int)
    return mother
