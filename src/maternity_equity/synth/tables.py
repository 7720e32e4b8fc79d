"""Assemble one chunk's five extract tables (pyarrow) and its share of the defect ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from maternity_equity.synth import parameters as P
from maternity_equity.synth.arrowio import add_months, dates, ids, ints, month_start, strings
from maternity_equity.synth.births import Babies, draw_babies
from maternity_equity.synth.care import build_care_plans, build_contacts, team_ids
from maternity_equity.synth.context import PROVIDERS, Context
from maternity_equity.synth.defects import (
    spoil_ethnicity,
    spoil_gestation,
    spoil_postcodes,
    spoil_smoking_booking,
)
from maternity_equity.synth.people import (
    Pregnancies,
    draw_pregnancies,
    link_repeat_mothers,
    subset,
)

TABLE_NAMES = ("pregnancies", "care_plans", "care_contacts", "deliveries", "babies")


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ten-digit numbers in the 999 test range (never issued to people), valid modulus 11."""
    digits = np.zeros((n, 10), dtype=np.int64)
    digits[:, :3] = 9
    digits[:, 3:9] = rng.integers(0, 10, (n, 6))
    check = 11 - (digits[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = np.where(check == 11, 0, check)
    digits[:, 9] = np.where(check == 10, 0, check)
    number = (digits * 10 ** np.arange(9, -1, -1)).sum(axis=1)
    # A check digit of 10 cannot be issued: those rows get no NHS number.
    return np.where(check == 10, -1, number)


def yn(values: np.ndarray) -> np.ndarray:
    return np.where(values, "Y", "N").astype(object)


def build_chunk(ctx: Context, rng: np.random.Generator, first: int, n: int):
    """Return ({table name: pyarrow Table}, {defect class: [pregnancy indices]})."""
    ledger: dict[str, list[np.ndarray]] = defaultdict(list)
    preg = _in_extract(ctx, rng, first, n)
    mother = link_repeat_mothers(rng, preg, P.REPEAT_MOTHERS)
    ethnic = spoil_ethnicity(rng, preg, ledger)
    postcode = spoil_postcodes(ctx, rng, preg, ledger)
    has_edd, has_lmp = spoil_gestation(rng, preg, ledger)
    smoking = spoil_smoking_booking(rng, preg, ledger)
    babies = draw_babies(ctx, rng, preg)
    tables = {
        "pregnancies": _pregnancies(
            ctx, rng, preg, mother, ethnic, postcode, has_edd, has_lmp, smoking, ledger
        ),
        "care_plans": build_care_plans(ctx, rng, preg),
        "care_contacts": build_contacts(ctx, rng, preg),
        "deliveries": _deliveries(rng, preg, babies, ledger),
        "babies": _babies(ctx, rng, preg, babies, ledger),
    }
    return tables, ledger


def _in_extract(ctx: Context, rng: np.random.Generator, first: int, n: int) -> Pregnancies:
    """Exactly ``n`` pregnancies still open at the extract start (not delivered before it)."""
    parts, kept = [], 0
    while kept < n:
        candidates = draw_pregnancies(ctx, rng, 0, int(n * 1.15) + 100)
        rows = np.flatnonzero(candidates.delivery >= ctx.start)
        parts.append(subset(candidates, rows, 0))
        kept += len(rows)
    merged = {
        f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Pregnancies)
    }
    return subset(Pregnancies(**merged), np.arange(n), first)


def _pregnancies(
    ctx, rng, preg: Pregnancies, mother, ethnic, postcode, has_edd, has_lmp, smoking, ledger
) -> pa.Table:
    n = len(preg.index)
    nhs = nhs_numbers(rng, n)[mother]
    lmp = preg.edd - 280 + rng.integers(-6, 7, n)
    discharge = preg.delivery + rng.integers(1, 15, n)
    discharged = preg.delivered & (discharge < ctx.end)
    last_month = month_start(np.array([ctx.end - 1]))[0]
    first_month = month_start(np.array([ctx.start]))[0]
    booking_month = np.maximum(month_start(preg.booking), first_month)
    columns = {
        "pregnancy_id": ids("PREG", preg.index, 9),
        "mother_id": ids("MOTH", preg.index[mother], 9),
        "nhs_number": strings(nhs.astype(str).astype(object), nhs >= 0),
        "rp_start_date": booking_month,
        "record_number": preg.index * 10 + 5,
        "provider_code": strings(np.asarray(PROVIDERS, dtype=object)[preg.provider]),
        "booking_site_code": strings(np.asarray(PROVIDERS, dtype=object)[preg.provider] + "-B1"),
        "community_team": strings(team_ids(preg)),
        "booking_date": dates(preg.booking),
        "edd": dates(preg.edd, has_edd),
        "lmp_date": dates(lmp, has_lmp),
        "mother_birth_date": dates(preg.birth_date),
        "ethnic_category": strings(ethnic, np.array([v is not None for v in ethnic])),
        "postcode": strings(postcode, np.array([v is not None for v in postcode])),
        "complex_social_factors": strings(yn(preg.complex)),
        "csf_substance_misuse": strings(yn(preg.substance)),
        "csf_recent_migrant": strings(yn(preg.migrant)),
        "csf_english_difficulty": strings(yn(preg.english)),
        "csf_domestic_abuse": strings(yn(preg.abuse)),
        "language_code": strings(preg.language),
        "interpreter_required": strings(yn(preg.interpreter)),
        "folic_acid": strings(preg.folic),
        "smoking_at_booking": strings(smoking, np.array([v is not None for v in smoking])),
        "previous_live_births": ints(preg.parity),
        "discharge_date": dates(discharge, discharged),
    }
    # Resubmissions: the final row comes in a later month (or later in the same month) with a
    # higher record number; some earlier rows had worse values that the final row corrected.
    dup = np.flatnonzero(rng.random(n) < P.DUPLICATE_SHARE)
    later = rng.integers(1, 4, len(dup))
    same_month = rng.random(len(dup)) < 0.2
    final_month = np.where(
        same_month,
        booking_month[dup],
        np.minimum(add_months(booking_month[dup], later), last_month),
    )
    rp_start = booking_month.copy()
    rp_start[dup] = final_month
    columns["rp_start_date"] = dates(rp_start)
    columns["record_number"] = ints(columns["record_number"])
    final = pa.table(columns)
    ledger["duplicate_resubmitted"].append(preg.index[dup])
    earlier = final.take(pa.array(dup))
    earlier = earlier.set_column(
        earlier.schema.get_field_index("rp_start_date"), "rp_start_date", dates(booking_month[dup])
    )
    earlier = earlier.set_column(
        earlier.schema.get_field_index("record_number"),
        "record_number",
        ints(preg.index[dup] * 10 + 1),
    )
    corrected = rng.random(len(dup)) < P.DUPLICATE_CORRECTED
    field = rng.integers(0, 4, len(dup))
    earlier, changed = _worse(earlier, corrected, field, preg, dup)
    ledger["duplicate_corrected"].append(preg.index[dup[changed]])
    return pa.concat_tables([final, earlier])


def _worse(
    table: pa.Table, corrected, field, preg: Pregnancies, dup
) -> tuple[pa.Table, np.ndarray]:
    """The earlier submission before a correction: ethnicity 99, no postcode, no smoking
    status, or an EDD later moved by the dating scan. Also returns which rows really differ
    from the final row (a final row may already hold the "worse" value)."""
    changed = np.zeros(len(dup), dtype=bool)

    def replace(name, mask, array):
        nonlocal changed
        column = table.column(name).combine_chunks()
        merged = pc.if_else(pa.array(mask), array, column)
        same = pc.or_(
            pc.and_(pc.is_null(merged), pc.is_null(column)),
            pc.fill_null(pc.equal(merged, column), False),
        )
        changed |= ~same.to_numpy(zero_copy_only=False)
        return table.set_column(table.schema.get_field_index(name), name, merged)

    m = len(dup)
    nulls = pa.nulls(m, pa.string())
    table = replace("ethnic_category", corrected & (field == 0), pa.array(["99"] * m))
    table = replace("postcode", corrected & (field == 1), nulls)
    table = replace("smoking_at_booking", corrected & (field == 2), nulls)
    table = replace("edd", corrected & (field == 3), dates(preg.edd[dup] + 9))
    return table, changed


def _deliveries(rng, preg: Pregnancies, babies: Babies, ledger) -> pa.Table:
    first = babies.order == 1
    rows = babies.pregnancy[first]
    day = babies.birth_day[first]
    m = len(rows)
    smoking = np.where(preg.smoker_delivery[rows], "smoker", "non_smoker").astype(object)
    missing = rng.random(m) < P.DEFECT_RATES["smoking_delivery_missing"]
    smoking[missing] = None
    ledger["smoking_delivery_missing"].append(preg.index[rows[missing]])
    provider = np.asarray(PROVIDERS, dtype=object)[preg.provider[rows]]
    return pa.table(
        {
            "delivery_id": ids("DEL", preg.index[rows], 9),
            "pregnancy_id": ids("PREG", preg.index[rows], 9),
            "rp_start_date": dates(month_start(day)),
            "record_number": ints(preg.index[rows] * 10 + 7),
            "delivery_date": dates(day),
            "delivery_site_code": strings(provider + "-D1"),
            "births_in_delivery": ints(np.where(preg.twins[rows], 2, 1)),
            "smoking_at_delivery": strings(smoking, ~missing),
        }
    )


def _babies(ctx, rng, preg: Pregnancies, babies: Babies, ledger) -> pa.Table:
    last_month = month_start(np.array([ctx.end - 1]))[0]
    rows = babies.pregnancy
    m = len(rows)
    live = babies.outcome == "01"
    feed = babies.first_feed.copy()
    missing = live & (rng.random(m) < P.DEFECT_RATES["first_feed_missing"])
    feed[missing] = None
    ledger["first_feed_missing"].append(np.unique(preg.index[rows[missing]]))
    # Birth weight 9999 ("not known") or empty, and gestation at birth empty: on final rows.
    weight_bad = rng.random(m) < P.DEFECT_RATES["birth_weight_invalid"]
    weight = np.where(weight_bad & (rng.random(m) < 0.5), 9999, babies.weight)
    weight_known = ~(weight_bad & (weight != 9999))
    gestation_known = rng.random(m) >= P.DEFECT_RATES["gestation_at_birth_missing"]
    ledger["birth_weight_invalid"].append(np.unique(preg.index[rows[weight_bad]]))
    ledger["gestation_at_birth_missing"].append(np.unique(preg.index[rows[~gestation_known]]))
    baby_ethnic = preg.category[rows].astype(object)
    baby_ethnic[rng.random(m) < 0.04] = None
    # Some babies are first submitted before the first feed and any death are recorded; the
    # final row follows a month later (same month, higher record number, in the last month).
    again = np.flatnonzero(live & (rng.random(m) < P.BABY_RESUBMITTED))
    rp_start = month_start(babies.birth_day)
    rp_start[again] = np.minimum(
        add_months(babies.birth_day[again], np.ones(len(again), int)), last_month
    )
    final = pa.table(
        {
            "baby_id": ids("BABY", preg.index[rows] * 10 + babies.order, 10),
            "delivery_id": ids("DEL", preg.index[rows], 9),
            "pregnancy_id": ids("PREG", preg.index[rows], 9),
            "rp_start_date": dates(rp_start),
            "record_number": ints(preg.index[rows] * 10 + 7 + babies.order),
            "birth_date": dates(babies.birth_day),
            "outcome": strings(babies.outcome),
            "gestation_at_birth_days": ints(babies.gestation, gestation_known),
            "birth_weight_g": ints(weight, weight_known),
            "sex": strings(babies.sex),
            "first_feed": strings(feed, np.array([v is not None for v in feed])),
            "death_date": dates(babies.death_day, babies.death_day >= 0),
            "ethnic_category": strings(baby_ethnic, np.array([v is not None for v in baby_ethnic])),
            "birth_order": ints(babies.order),
        }
    )
    earlier = final.take(pa.array(again))
    earlier = earlier.set_column(
        earlier.schema.get_field_index("rp_start_date"),
        "rp_start_date",
        dates(month_start(babies.birth_day[again])),
    )
    earlier = earlier.set_column(
        earlier.schema.get_field_index("record_number"),
        "record_number",
        ints(preg.index[rows[again]] * 10 + 3 + babies.order[again]),
    )
    for name in ("first_feed", "death_date"):
        column = earlier.schema.field(name)
        earlier = earlier.set_column(
            earlier.schema.get_field_index(name), name, pa.nulls(len(again), column.type)
        )
    ledger["baby_resubmitted"].append(np.unique(preg.index[rows[again]]))
    return pa.concat_tables([final, earlier])
