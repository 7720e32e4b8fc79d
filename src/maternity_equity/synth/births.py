"""Babies of delivered pregnancies: outcome, gestation, weight, sex, first feed, death."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maternity_equity.synth.context import Context
from maternity_equity.synth.people import Pregnancies

# Median birth weight by gestation for preterm babies (UK-WHO charts, rounded).
PRETERM_WEIGHT = (
    (161, 550),
    (168, 650),
    (196, 1100),
    (224, 1700),
    (238, 2200),
    (252, 2700),
    (259, 2900),
)
TERM_MEAN_WEIGHT = np.array([3420, 3150, 3300, 3350, 3300])  # by group (ONS, approximate)


@dataclass
class Babies:
    pregnancy: np.ndarray  # row in the chunk's Pregnancies
    order: np.ndarray  # 1, 2
    outcome: np.ndarray  # "01".."05"
    gestation: np.ndarray
    weight: np.ndarray
    sex: np.ndarray
    breast_milk: np.ndarray  # bool, live births only meaningful
    first_feed: np.ndarray  # object codes or None
    death_day: np.ndarray  # days since epoch, -1 = alive
    birth_day: np.ndarray


def draw_babies(ctx: Context, rng: np.random.Generator, preg: Pregnancies) -> Babies:
    rows = np.flatnonzero(preg.delivered)
    per = np.where(preg.twins[rows], 2, 1)
    pregnancy = np.repeat(rows, per)
    order = np.ones(len(pregnancy), dtype=int)
    order[1:][pregnancy[1:] == pregnancy[:-1]] = 2
    n = len(pregnancy)
    group = preg.group[pregnancy]
    q = preg.quintile[pregnancy] - 1
    gestation = preg.gestation_at_birth[pregnancy].copy()

    booked_at = preg.gestation_at_booking[pregnancy]
    # Stillbirths are births from 24+0 weeks; most happen before term, so their gestation is
    # redrawn, never later than the planned birth and never before the booking.
    still = (gestation >= 168) & (rng.random(n) < ctx.rates["stillbirth"][group, q])
    still_gestation = np.where(
        rng.random(n) < 0.6, rng.integers(168, 259, n), rng.integers(259, 295, n)
    )
    # ...and never before the extract starts (the pregnancy was chosen as still open then).
    earliest = np.maximum(booked_at + 1, ctx.start - (preg.edd[pregnancy] - 280))
    still_gestation = np.maximum(np.minimum(still_gestation, gestation), earliest)
    gestation = np.where(still, np.maximum(still_gestation, 168), gestation)
    top = ~still & (gestation >= 190) & (earliest < 168) & (rng.random(n) < 0.0004)
    gestation = np.where(top, rng.integers(168, 190, n), gestation)
    outcome = np.full(n, "01", dtype=object)
    outcome[still] = np.array(["02", "03", "04"], dtype=object)[
        rng.choice(3, still.sum(), p=[0.8, 0.1, 0.1])
    ]
    outcome[top] = "05"
    live = outcome == "01"
    birth_day = preg.edd[pregnancy] - 280 + gestation
    # Twins share a birth day: use the first twin's.
    second = order == 2
    birth_day[second] = birth_day[np.flatnonzero(second) - 1]
    gestation[second] = gestation[np.flatnonzero(second) - 1]

    term = (gestation >= 259) & (gestation <= 300)
    low = term & live & (rng.random(n) < ctx.rates["lbw_term"][group, q])
    term_weight = np.maximum(
        rng.normal(TERM_MEAN_WEIGHT[group] + (gestation - 280) * 12, 420), 2500
    )
    xs, ys = zip(*PRETERM_WEIGHT, strict=True)
    preterm_weight = np.interp(gestation, xs, ys) * rng.lognormal(0, 0.12, n)
    weight = np.where(term, np.where(low, rng.integers(1800, 2500, n), term_weight), preterm_weight)
    weight = np.where(preg.twins[pregnancy], weight * 0.86, weight)
    weight = np.clip(np.round(weight), 300, 5800).astype(np.int64)

    sex = np.where(rng.random(n) < 0.513, "1", "2").astype(object)
    sex[rng.random(n) < 0.0005] = "9"
    breast_milk = rng.random(n) < ctx.rates["breast_milk"][group, q]
    donor = breast_milk & (gestation < 224) & (rng.random(n) < 0.3)
    first_feed = np.where(breast_milk, np.where(donor, "02", "01"), "03").astype(object)
    first_feed[~live] = None
    died = live & (rng.random(n) < ctx.rates["neonatal"][group, q])
    age_at_death = np.minimum(np.floor(rng.exponential(4.0, n)), 27).astype(np.int64)
    # A death after the extract ends is not in the extract yet.
    death_day = np.where(died & (birth_day + age_at_death < ctx.end), birth_day + age_at_death, -1)
    return Babies(
        pregnancy,
        order,
        outcome,
        gestation,
        weight,
        sex,
        breast_milk,
        first_feed,
        death_day,
        birth_day,
    )
