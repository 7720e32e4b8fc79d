"""Care plans (antenatal, birth, postnatal; CoC and PCSP flags) and antenatal contacts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from maternity_equity.synth import parameters as P
from maternity_equity.synth.arrowio import dates, ids, ints, join, month_start, strings
from maternity_equity.synth.context import PROVIDERS, Context
from maternity_equity.synth.people import Pregnancies, choice

PROFESSIONALS_PER_TEAM = 8


def team_ids(preg: Pregnancies) -> np.ndarray:
    """Community team: one per provider and neighbourhood, e.g. "SYN01-T007"."""
    provider = np.asarray(PROVIDERS, dtype=object)[preg.provider]
    return provider + "-T" + np.char.zfill(preg.neighbourhood.astype(str), 3).astype(object)


def professional_ids(team: np.ndarray, slot: np.ndarray) -> np.ndarray:
    return team + "-MW" + slot.astype(str).astype(object)


def last_day(ctx: Context, preg: Pregnancies) -> np.ndarray:
    """The last day care can happen before birth or the end of the extract."""
    return np.minimum(preg.delivery - 1, ctx.end - 1)


def build_care_plans(ctx: Context, rng: np.random.Generator, preg: Pregnancies) -> pa.Table:
    n = len(preg.index)
    team = team_ids(preg)
    own_midwife = professional_ids(team, rng.integers(1, PROFESSIONALS_PER_TEAM + 1, n))
    conception = preg.edd - 280
    priority = np.isin(preg.group, [1, 2, 3]) | (preg.decile <= 2)
    placed = rng.random(n) < np.where(priority, P.COC_PRIORITY, P.COC_OTHER)
    at_booking = placed & (rng.random(n) < 0.5)
    later_gestation = np.where(
        rng.random(n) < P.COC_BY_29_WEEKS, rng.integers(0, 204, n), rng.integers(204, 240, n)
    )
    later_gestation = np.maximum(later_gestation, preg.gestation_at_booking + 7)
    stop = last_day(ctx, preg)

    parts = []

    def add(rows, plan_type, day, coc, pcsp, seq):
        rows = rows[day[rows] <= stop[rows]]
        if len(rows) == 0:
            return
        coc_rows = coc[rows]
        m = len(rows)
        has_professional = coc_rows | (rng.random(m) < 0.6)
        has_professional &= ~(coc_rows & (rng.random(m) < 0.04))
        has_team = coc_rows | (rng.random(m) < 0.8)
        parts.append(
            {
                "i": preg.index[rows],
                "seq": np.full(m, seq),
                "type": np.full(m, plan_type, object),
                "day": day[rows],
                "pcsp": np.where(pcsp[rows], "Y", "N").astype(object),
                "coc": np.where(coc_rows, "Y", "N").astype(object),
                "prof": np.where(has_professional, own_midwife[rows], None),
                "team": np.where(has_team, team[rows], None),
            }
        )

    everyone = np.arange(n)
    add(everyone, "05", preg.booking.copy(), at_booking, rng.random(n) < P.PCSP_ANTENATAL, 1)
    later = np.flatnonzero(placed & ~at_booking)
    add(later, "05", conception + later_gestation, placed, np.ones(n, bool), 2)
    add(
        everyone,
        "06",
        conception + np.maximum(rng.integers(196, 267, n), preg.gestation_at_booking + 7),
        placed,
        rng.random(n) < P.PCSP_BIRTH,
        3,
    )
    add(
        everyone,
        "07",
        conception + np.maximum(rng.integers(224, 274, n), preg.gestation_at_booking + 14),
        placed,
        rng.random(n) < P.PCSP_POSTNATAL,
        4,
    )
    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((merged["seq"], merged["i"]))
    merged = {k: v[order] for k, v in merged.items()}
    day = merged["day"]
    return pa.table(
        {
            "care_plan_id": join(ids("CP", merged["i"], 9), "-", ids("", merged["seq"], 1)),
            "pregnancy_id": ids("PREG", merged["i"], 9),
            "rp_start_date": dates(
                np.maximum(month_start(day), month_start(np.array([ctx.start]))[0])
            ),
            "record_number": ints(merged["i"] * 10 + merged["seq"]),
            "plan_type": strings(merged["type"]),
            "plan_date": dates(day),
            "personalised_plan": strings(merged["pcsp"]),
            "coc_pathway": strings(merged["coc"]),
            "professional_id": strings(
                merged["prof"], np.array([v is not None for v in merged["prof"]])
            ),
            "team_id": strings(merged["team"], np.array([v is not None for v in merged["team"]])),
        }
    )


def build_contacts(ctx: Context, rng: np.random.Generator, preg: Pregnancies) -> pa.Table:
    """About 7-12 antenatal contacts: NICE schedule by parity, more for complex needs."""
    n = len(preg.index)
    planned = np.where(preg.parity == 0, 10, 7) + rng.integers(-2, 3, n) + 2 * preg.complex
    planned = np.clip(planned, 3, 16)
    stop = last_day(ctx, preg)
    span = np.maximum(stop - preg.booking, 0)
    row = np.repeat(np.arange(n), planned)
    number = np.arange(len(row)) - np.repeat(np.cumsum(planned) - planned, planned)
    fraction = np.where(number == 0, 0.0, rng.random(len(row)))
    day = preg.booking[row] + np.floor(fraction * span[row]).astype(np.int64)
    keep = day <= stop[row]
    row, number, day = row[keep], number[keep], day[keep]
    order = np.lexsort((day, row))
    row, day = row[order], day[order]
    number = np.arange(len(row)) - np.repeat(
        np.cumsum(np.bincount(row, minlength=n)) - np.bincount(row, minlength=n),
        np.bincount(row, minlength=n),
    )
    m = len(row)
    attend_p = P.CONTACT_ATTENDED - 0.04 * preg.complex[row] - 0.006 * (10 - preg.decile[row])
    attended = np.where(rng.random(m) < attend_p, "Y", "N").astype(object)
    medium = choice(rng, P.CONTACT_MEDIUM, m)
    medium[number == 0] = "01"
    team = team_ids(preg)[row]
    slot = rng.integers(1, PROFESSIONALS_PER_TEAM + 1, m)
    return pa.table(
        {
            "contact_id": join(ids("CC", preg.index[row], 9), "-", ids("", number + 1, 2)),
            "pregnancy_id": ids("PREG", preg.index[row], 9),
            "rp_start_date": dates(
                np.maximum(month_start(day), month_start(np.array([ctx.start]))[0])
            ),
            "record_number": ints(preg.index[row] * 100 + number),
            "contact_date": dates(day),
            "attended": strings(attended),
            "medium": strings(medium),
            "professional_id": strings(professional_ids(team, slot)),
            "team_id": strings(team),
        }
    )
