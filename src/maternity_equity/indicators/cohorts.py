"""Cohort tables the catalogue's conditions are written against, built as Ibis expressions.

A cohort is one row per counted unit (a booking, a baby, a delivery, a contact, a pregnancy
reaching a gestation threshold) carrying the mother's breakdown columns (:data:`KEYS`) and the
derived fields the definitions test. Everything runs in the backend; nothing is collected here.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from maternity_equity.codes import gestation, outcomes
from maternity_equity.indicators import backend

KEYS = ("provider_code", "place_code", "neighbourhood_code", "ethnic_category", "imd_decile")
CSF_FLAGS = {
    "substance_misuse": "csf_substance_misuse",
    "recent_migrant": "csf_recent_migrant",
    "english_difficulty": "csf_english_difficulty",
    "domestic_abuse": "csf_domestic_abuse",
}
THRESHOLDS = {
    "17w": gestation.PCSP_ANTENATAL,
    "29w": gestation.COC_BY_29W,
    "35w": gestation.PCSP_BIRTH,
    "37w": gestation.PCSP_POSTNATAL,
}

Tables = dict[str, ir.Table]


def _attach(left: ir.Table, right: ir.Table, key: str = "pregnancy_id") -> ir.Table:
    """Left join on ``key`` keeping one copy of the key (right-hand clashes are dropped)."""
    clash = [c for c in right.columns if c in left.columns and c != key]
    r = right.drop(*clash).rename({f"_{key}": key})
    return left.left_join(r, left[key] == r[f"_{key}"]).select(
        *left.columns, *[c for c in r.columns if c != f"_{key}"]
    )


def _category_by_quintile(t: ir.Table) -> ir.StringValue:
    """'<ethnic category> | <IMD quintile>' for the population needs cross-tabulation."""
    quint = (t.imd_decile + 1) // 2
    q = ibis.ifelse(t.imd_decile.between(1, 10), quint.cast("string"), "Unknown")
    return t.ethnic_category.fill_null("Missing") + " | " + q


def _profile(p: ir.Table) -> dict[str, ir.Value]:
    """The mother's population-needs columns at booking: the complex social factors (the four
    local flags and age under 20, or the booking flag), age band and preferred language."""
    under_20 = (p.age_at_booking < 20).fill_null(False)
    flags = {name: (p[col] == "Y").fill_null(False) for name, col in CSF_FLAGS.items()}
    any_factor = (p.complex_social_factors == "Y").fill_null(False) | under_20
    for f in flags.values():
        any_factor = any_factor | f
    age = p.age_at_booking
    age_band = ibis.cases(
        (age < 20, "Under 20"),
        (age < 25, "20-24"),
        (age < 30, "25-29"),
        (age < 35, "30-34"),
        (age < 40, "35-39"),
        (age >= 40, "40 and over"),
        else_="Unknown",
    )
    return {
        "csf_aged_under_20": under_20,
        **{f"csf_{k}_flag": v for k, v in flags.items()},
        "csf_any": any_factor,
        "age_band": age_band,
        "language": p.language_code.fill_null("Unknown"),
        "ethnic_category_x_imd_quintile": _category_by_quintile(p),
    }


def _mother(t: Tables, profile: bool = False) -> ir.Table:
    """The mother's breakdown columns per pregnancy (and her :func:`_profile` if asked)."""
    p = t["pregnancies"]
    if profile:
        return p.select("pregnancy_id", *KEYS, **_profile(p))
    return p.select("pregnancy_id", *KEYS, ethnic_category_x_imd_quintile=_category_by_quintile(p))


def _first_delivery(t: Tables) -> ir.Table:
    d = t["deliveries"]
    return d.group_by("pregnancy_id").aggregate(delivery_date=d.delivery_date.min())


def _antenatal_attended(t: Tables) -> ir.Table:
    """Attended contacts from the booking date up to the day before delivery (or up to the EDD)."""
    p = t["pregnancies"].select("pregnancy_id", "booking_date", "edd")
    c = t["care_contacts"]
    d = _first_delivery(t)
    j = _attach(c.join(p, "pregnancy_id"), d)
    before_end = ibis.ifelse(
        j.delivery_date.notnull(), j.contact_date < j.delivery_date, j.contact_date <= j.edd
    ).fill_null(True)
    keep = (j.attended == "Y") & (j.contact_date >= j.booking_date) & before_end
    kept = j.filter(keep)
    return kept.group_by("pregnancy_id").aggregate(antenatal_attended=kept.count())


def bookings(t: Tables) -> ir.Table:
    """One row per pregnancy booked; anchors ``booking_date`` and ``delivery_date``."""
    p = t["pregnancies"]
    j = _attach(_attach(p, _first_delivery(t)), _antenatal_attended(t))
    attended = j.antenatal_attended.fill_null(0)
    # nulliparous = no previous live births: the model has no PreviousStillBirths (see the
    # indicator's definition notes)
    parity = j.previous_live_births
    recommended = ibis.cases(
        (parity == 0, attended >= outcomes.RECOMMENDED_ANTENATAL_CONTACTS["nulliparous"]),
        (parity > 0, attended >= outcomes.RECOMMENDED_ANTENATAL_CONTACTS["parous"]),
        else_=ibis.null("boolean"),
    )
    return j.mutate(**_profile(j), antenatal_attended=attended, recommended_met=recommended)


def births(t: Tables) -> ir.Table:
    """One row per baby; anchor ``birth_date``. Mother's breakdown and population-needs
    columns (not the baby's ethnicity)."""
    b = t["babies"]
    d = t["deliveries"].select("delivery_id", "births_in_delivery")
    mother = _mother(t, profile=True)
    j = _attach(b.drop("ethnic_category").join(mother, "pregnancy_id"), d, "delivery_id")
    age_at_death = backend.days_between(j.death_date, j.birth_date)
    neonatal = ((j.outcome == outcomes.LIVE_BIRTH) & age_at_death.between(0, 27)).fill_null(False)
    still = j.outcome.isin(list(outcomes.STILLBIRTH)).fill_null(False)
    gest = j.gestation_at_birth_days
    from_24w = (gest >= gestation.STILLBIRTH_FROM) | (gest.isnull() & (j.birth_weight_g >= 400))
    return j.mutate(
        age_at_death_days=age_at_death,
        neonatal_death=neonatal,
        stillbirth=still,
        perinatal_death=still | neonatal,
        born_from_24w=from_24w.fill_null(False),
    )


def deliveries(t: Tables) -> ir.Table:
    """One row per labour and delivery episode; anchor ``delivery_date``."""
    d = t["deliveries"]
    return d.join(_mother(t).drop("ethnic_category_x_imd_quintile"), "pregnancy_id")


def contacts(t: Tables) -> ir.Table:
    """One row per care contact; anchor ``contact_date``."""
    c = t["care_contacts"]
    return c.join(_mother(t).drop("ethnic_category_x_imd_quintile"), "pregnancy_id")


def _latest_plan(plans: ir.Table, plan_type: str, limit: int, extra=None) -> ir.Table:
    keep = (plans.plan_type == plan_type) & (plans.plan_gestation <= limit)
    if extra is not None:
        keep = keep & extra(plans)
    return backend.latest_per(plans.filter(keep), "pregnancy_id", ["plan_date", "record_number"])


def pathway(t: Tables) -> ir.Table:
    """One row per pregnancy with the date it reaches 17, 29, 35 and 37 weeks and its plan flags.

    A pregnancy is in the threshold cohort when booked (gestation > 0) by the threshold and not
    delivered or discharged before it (docs/msds-domain.md 2.2, 2.3).
    """
    p = t["pregnancies"].filter(t["pregnancies"].gestation_at_booking_days > 0)
    d = _first_delivery(t)
    base = _attach(p, d)
    gest = base.gestation_at_booking_days
    cols = {}
    for label, days in THRESHOLDS.items():
        at = backend.add_days(base.booking_date, days - gest)
        cols[f"date_{label}"] = at
        ended = (base.delivery_date < at).fill_null(False) | (base.discharge_date < at).fill_null(
            False
        )
        cols[f"reached_{label}"] = (gest <= days) & ~ended
    base = base.mutate(**cols)

    cp = t["care_plans"].join(
        p.select("pregnancy_id", "booking_date", "gestation_at_booking_days"), "pregnancy_id"
    )
    cp = cp.mutate(
        plan_gestation=cp.gestation_at_booking_days
        + backend.days_between(cp.plan_date, cp.booking_date)
    )
    flags: dict[str, ir.Table] = {
        "pcsp_antenatal_17w": _latest_plan(cp, "05", gestation.PCSP_ANTENATAL),
        "pcsp_birth_35w": _latest_plan(cp, "06", gestation.PCSP_BIRTH),
        "pcsp_postnatal_37w": _latest_plan(cp, "07", gestation.PCSP_POSTNATAL),
    }
    out = base
    for name, latest in flags.items():
        f = latest.select("pregnancy_id", **{name: (latest.personalised_plan == "Y")})
        out = _attach(out, f)
    coc = _latest_plan(cp, "05", gestation.COC_BY_29W, extra=lambda x: x.coc_pathway.notnull())
    coc = coc.select(
        "pregnancy_id",
        coc_29w=(coc.coc_pathway == "Y") & coc.professional_id.notnull() & coc.team_id.notnull(),
    )
    out = _attach(out, coc)
    fill = {c: out[c].fill_null(False) for c in (*flags, "coc_29w")}
    out = out.mutate(**fill)
    return out.mutate(
        pcsp_all_three=out.pcsp_antenatal_17w & out.pcsp_birth_35w & out.pcsp_postnatal_37w
    )


COHORTS: dict[str, Callable[[Tables], ir.Table]] = {
    "bookings": bookings,
    "births": births,
    "deliveries": deliveries,
    "contacts": contacts,
    "pathway": pathway,
}
