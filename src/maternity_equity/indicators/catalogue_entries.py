"""The indicator catalogue: one declarative definition per indicator of the 2021 guidance.

Ids, titles and thresholds follow ``docs/msds-domain.md`` section 2. Where the guidance and MSDS
measures differ, ``definition_notes`` says which one is used. ``docs/indicators.md`` is generated
from this module (``maternity-equity indicators --markdown``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from maternity_equity.codes import ethnicity, gestation, outcomes
from maternity_equity.indicators.conditions import all_of, col
from maternity_equity.indicators.definitions import Comparison, Indicator, Split
from maternity_equity.indicators.returns import RETURN_COLUMNS

G = gestation
VALID_BOOKING_GEST = col("gestation_at_booking_days").between(1, G.BOOKING_GESTATION_MAX)
FOLIC_KNOWN = col("folic_acid").isin("01", "02", "03", "ZZ")
LIVE = col("outcome").eq(outcomes.LIVE_BIRTH)
TOTAL_BIRTHS_24W = all_of(col("outcome").isin(outcomes.BIRTHS), col("born_from_24w").eq(True))
LIVE_24W = all_of(LIVE, col("born_from_24w").eq(True))
VALID_BIRTH_GEST = col("gestation_at_birth_days").between(
    G.PRETERM_VALID_FROM, G.GESTATION_VALID_MAX
)
CSF = col("csf_any").eq(True)
CSF_SPLIT = Split(
    "complex_social_factor",
    (
        ("substance_misuse", col("csf_substance_misuse_flag").eq(True)),
        ("recent_migrant", col("csf_recent_migrant_flag").eq(True)),
        ("english_difficulty", col("csf_english_difficulty_flag").eq(True)),
        ("aged_under_20", col("csf_aged_under_20").eq(True)),
        ("domestic_abuse", col("csf_domestic_abuse_flag").eq(True)),
    ),
)
MEDIUM_SPLIT = Split(
    "contact_medium",
    tuple((name, col("medium").eq(code)) for code, name in outcomes.CONTACT_MEDIUM.items()),
    applies_to="numerator",
)
BAM = tuple(sorted(ethnicity.BLACK_ASIAN_MIXED))
WHITE = tuple(
    sorted(
        c for c, g in ethnicity.GROUPING_PRESETS[ethnicity.DEFAULT_PRESET].items() if g == "White"
    )
)
ETHNIC_BREAKDOWNS = (
    "ethnic_group",
    "ethnic_priority",
    "ethnic_category",
    "ethnic_group_x_imd_quintile",
)
CSF_FIELDS = (
    "pregnancies.complex_social_factors",
    "pregnancies.csf_substance_misuse",
    "pregnancies.csf_recent_migrant",
    "pregnancies.csf_english_difficulty",
    "pregnancies.csf_domestic_abuse",
    "pregnancies.age_at_booking",
)
PER_1000 = {"unit": "per_1000", "multiplier": 1000.0}


def _booking_window(ind_id: str, title: str, days: int, label: str) -> Indicator:
    return Indicator(
        ind_id,
        title,
        "4b",
        f"Women with complex social factors (any of the five NICE CG110 factors, or the booking "
        f"flag) booked by {label} ({days} days, counted inclusively), of those with a valid "
        "gestation at booking; overall and for each factor.",
        cohort="bookings",
        anchor="booking_date",
        cohort_filter=CSF,
        denominator=VALID_BOOKING_GEST,
        numerator=col("gestation_at_booking_days").le(days),
        source_fields=(
            "pregnancies.booking_date",
            "pregnancies.gestation_at_booking_days",
            *CSF_FIELDS,
        ),
        dq_rules=("gestation_at_booking_valid",),
        splits=(CSF_SPLIT,),
        definition_notes="MSDS has no flag per factor: factors come from the local flags and "
        "age at booking < 20 (docs/msds-domain.md 2.9).",
    )


def _pcsp(ind_id: str, title: str, label: str, days: int, flag: str, plan: str) -> Indicator:
    return Indicator(
        ind_id,
        title,
        "2",
        f"Pregnancies reaching {label} weeks ({days} days) in the period, not delivered or "
        f"discharged before, whose latest {plan} care plan dated by then is a personalised care "
        "and support plan.",
        cohort="pathway",
        anchor=f"date_{label.split('+')[0]}w",
        denominator=col(f"reached_{label.split('+')[0]}w").eq(True),
        numerator=col(flag).eq(True),
        source_fields=(
            "pregnancies.booking_date",
            "pregnancies.gestation_at_booking_days",
            "care_plans.plan_type",
            "care_plans.plan_date",
            "care_plans.personalised_plan",
        ),
        dq_rules=("pcsp_recorded",),
        definition_notes="Guidance: by 17/35/37 weeks. MSDS PCSP measures use 119/245/259 days "
        "(the same dates); this follows MSDS.",
    )


def _return(ind_id: str, title: str, priority: str, description: str, **kw) -> Indicator:
    kw.setdefault("ci_method", "none")
    kw.setdefault("return_template", RETURN_COLUMNS)
    return Indicator(ind_id, title, priority, description, source="return", **kw)


# WRES indicators (docs/statistical-methods.md section 3): title, unit, multiplier, CI method
# and what the rows hold. Relative likelihoods (2-4) are ratios whose interval (Katz, our
# addition) comes from the workforce module; their group rows are each group's likelihood as a
# percentage (multiplier 100 on the row). Survey indicators (5-8) are percentages per group.
_WRES = {
    1: (
        "Staff in each band: % BME",
        "percentage",
        "BME staff as a percentage of staff of known ethnicity (unknown excluded), overall and "
        "per Agenda for Change band (clinical and non-clinical); each band's row carries its % "
        "BME relative to the whole staff group's as `ratio`.",
    ),
    2: (
        "Relative likelihood of White applicants being appointed from shortlisting compared to "
        "BME applicants",
        "ratio",
        "L_White / L_BME, where L = appointed / shortlisted (12 months); above 1: White "
        "applicants more likely to be appointed. Group rows: each group's likelihood (%).",
    ),
    3: (
        "Relative likelihood of BME staff entering the formal disciplinary process compared to "
        "White staff",
        "ratio",
        "L_BME / L_White, where L = entered a formal disciplinary investigation / headcount, "
        "two years pooled (rolling); above 1: BME staff more likely. Group rows: each group's "
        "likelihood (%).",
    ),
    4: (
        "Relative likelihood of White staff accessing non-mandatory training and CPD compared "
        "to BME staff",
        "ratio",
        "L_White / L_BME, where L = accessed / headcount; above 1: White staff more likely. "
        "Group rows: each group's likelihood (%).",
    ),
    5: (
        "% of staff experiencing harassment, bullying or abuse from patients, relatives or the "
        "public",
        "percentage",
        "NHS Staff Survey percentage for White and for BME staff (last 12 months); the BME row "
        "carries BME % / White % as `ratio`.",
    ),
    6: (
        "% of staff experiencing harassment, bullying or abuse from staff",
        "percentage",
        "NHS Staff Survey percentage for White and for BME staff (last 12 months); the BME row "
        "carries BME % / White % as `ratio`.",
    ),
    7: (
        "% of staff believing the organisation provides equal opportunities for career "
        "progression or promotion",
        "percentage",
        "NHS Staff Survey percentage for White and for BME staff; the BME row carries BME % / "
        "White % as `ratio`.",
    ),
    8: (
        "% of staff personally experiencing discrimination at work from a manager, team leader "
        "or other colleagues",
        "percentage",
        "NHS Staff Survey percentage for White and for BME staff (last 12 months); the BME row "
        "carries BME % / White % as `ratio`.",
    ),
    9: (
        "Board voting membership minus overall workforce: percentage points BME",
        "percentage_points",
        "% BME of the board minus % BME of the workforce, in percentage points (overall, and "
        "for voting, executive and non-executive members).",
    ),
}
_WRES_SCALE = {"percentage": 100.0, "ratio": 1.0, "percentage_points": 1.0}


def _wres(n: int) -> Indicator:
    title, unit, what = _WRES[n]
    return _return(
        f"p4d_wres_{n}",
        f"WRES {n}: {title} (maternity and neonatal staff)",
        "4d",
        f"Workforce Race Equality Standard indicator {n} for midwives and nurses in maternity and "
        f"neonatal services, from the workforce module's WRES returns. {what}",
        kind="rate",
        unit=unit,
        multiplier=_WRES_SCALE[unit],
        polarity="no_judgement",
        # percentages from counts get a Wilson interval; a relative likelihood keeps the Katz
        # interval it is given; a difference in points has none
        ci_method="none" if n == 9 else "wilson",
        definition_notes="Guidance names indicators 1-8; 9 (board representation) is included "
        "for completeness. Values are kept as the workforce module computed them. WRES defines "
        "no interval; ours: "
        + (
            "the relative likelihood keeps the workforce module's Katz log interval, the group "
            "rows get Wilson intervals."
            if unit == "ratio"
            else "Wilson from the counts."
            if n != 9
            else "none (a difference of two percentages without counts)."
        ),
    )


def _definitions() -> list[Indicator]:
    d: list[Indicator] = []
    # Priority 1 -------------------------------------------------------------------------------
    d += [
        Indicator(
            "p1_folic_acid",
            "Women taking folic acid",
            "1",
            "Bookings where the woman was taking folic acid before pregnancy or started once "
            "pregnancy was confirmed, of bookings with a folic acid status recorded.",
            cohort="bookings",
            anchor="booking_date",
            denominator=FOLIC_KNOWN,
            numerator=col("folic_acid").isin("01", "02"),
            source_fields=("pregnancies.booking_date", "pregnancies.folic_acid"),
            definition_notes="(01+02)/(01+02+03+ZZ) as in the maternity dashboards.",
        ),
        Indicator(
            "p1_folic_acid_before_pregnancy",
            "Women taking folic acid before pregnancy",
            "1",
            "Bookings where the woman was taking folic acid before pregnancy (code 01), of "
            "bookings with a folic acid status recorded.",
            cohort="bookings",
            anchor="booking_date",
            denominator=FOLIC_KNOWN,
            numerator=col("folic_acid").eq("01"),
            source_fields=("pregnancies.booking_date", "pregnancies.folic_acid"),
        ),
        _return(
            "p1_covid_four_actions",
            "COVID-19 four actions implemented",
            "1",
            "Status return: whether each provider has implemented the four actions "
            "(1 = implemented, 0 = not).",
            kind="count",
            unit="count",
            multiplier=1.0,
        ),
    ]
    # Priority 2 -------------------------------------------------------------------------------
    d += [
        _pcsp(
            "p2_pcsp_antenatal_by_17w",
            "Personalised care and support plan (antenatal) by 17 weeks",
            "17+0",
            G.PCSP_ANTENATAL,
            "pcsp_antenatal_17w",
            "antenatal (05)",
        ),
        _pcsp(
            "p2_pcsp_birth_by_35w",
            "Personalised care and support plan (birth) by 35 weeks",
            "35+0",
            G.PCSP_BIRTH,
            "pcsp_birth_35w",
            "birth (06)",
        ),
        _pcsp(
            "p2_pcsp_postnatal_by_37w",
            "Personalised care and support plan (postnatal) by 37 weeks",
            "37+0",
            G.PCSP_POSTNATAL,
            "pcsp_postnatal_37w",
            "postnatal (07)",
        ),
        replace(
            _pcsp(
                "p2_pcsp_all_three",
                "All three personalised care and support plans in place",
                "37+0",
                G.PCSP_POSTNATAL,
                "pcsp_all_three",
                "antenatal, birth and postnatal",
            ),
            description="Pregnancies reaching 37+0 weeks (259 days) in the period, not delivered "
            "or discharged before, with all three personalised plans in place by their dates "
            "(antenatal by 119, birth by 245, postnatal by 259 days).",
        ),
        Indicator(
            "p2_contacts_by_medium",
            "Attended contacts by medium (headline: remote)",
            "2",
            "Attended antenatal and postnatal contacts held by telephone or video, of all "
            "attended contacts; the contact_medium breakdown gives face-to-face, telephone, "
            "video and other separately.",
            cohort="contacts",
            anchor="contact_date",
            denominator=col("attended").eq("Y"),
            numerator=col("medium").isin("02", "03"),
            polarity="no_judgement",
            splits=(MEDIUM_SPLIT,),
            source_fields=(
                "care_contacts.contact_date",
                "care_contacts.attended",
                "care_contacts.medium",
            ),
        ),
    ]
    # Priority 3 -------------------------------------------------------------------------------
    d += [
        Indicator(
            "p3_valid_postcode_at_booking",
            "Valid postcode at booking",
            "3",
            "Women booked in the period whose postcode at booking is valid (in the postcode "
            "directory and live); pseudo-postcodes and missing count as invalid.",
            cohort="bookings",
            anchor="booking_date",
            numerator=col("postcode_status").eq("valid"),
            target=95.0,
            target_source="Maternity Incentive Scheme safety action 2, category 9",
            source_fields=("pregnancies.booking_date", "pregnancies.postcode_status"),
        ),
        Indicator(
            "p3_valid_ethnic_category_at_booking",
            "Valid ethnic category at booking",
            "3",
            "Women booked in the period with a valid ethnic category (A-S); not stated (Z), not "
            "known (99), missing and unrecognised codes are invalid.",
            cohort="bookings",
            anchor="booking_date",
            numerator=col("ethnic_status").eq("valid"),
            target=80.0,
            target_source="Maternity Incentive Scheme safety action 2, category 10 "
            "(configurable: later scheme years ask 90%)",
            source_fields=("pregnancies.booking_date", "pregnancies.ethnic_category"),
        ),
        Indicator(
            "p3_ethnicity_not_stated_or_unknown",
            "Ethnicity not stated or not known",
            "3",
            "Women booked in the period whose ethnic category is not stated (Z) or not known (99).",
            cohort="bookings",
            anchor="booking_date",
            numerator=col("ethnic_status").isin("not_stated", "not_known"),
            polarity="lower_is_better",
            source_fields=("pregnancies.booking_date", "pregnancies.ethnic_category"),
        ),
    ]
    # 4b ---------------------------------------------------------------------------------------
    d += [
        Indicator(
            "p4b_booking_by_10w",
            "Booked by 10 weeks",
            "4b",
            "Women booked in the period at 70 days' gestation or less (10+0 counts as by 10 "
            "weeks), of bookings with a valid gestation (1-999 days).",
            cohort="bookings",
            anchor="booking_date",
            denominator=VALID_BOOKING_GEST,
            numerator=col("gestation_at_booking_days").le(G.BOOKING_BY_10W),
            source_fields=("pregnancies.booking_date", "pregnancies.gestation_at_booking_days"),
            dq_rules=("gestation_at_booking_valid",),
            definition_notes="Guidance says '<70 days'; MSDS counts 0-70 days as by 10 weeks. "
            "This follows MSDS (70 included).",
        ),
        _booking_window(
            "p4b_csf_booking_by_10w",
            "Complex social factors: booked by 10 weeks",
            G.BOOKING_BY_10W,
            "10+0 weeks",
        ),
        _booking_window(
            "p4b_csf_booking_by_12w6d",
            "Complex social factors: booked by 12+6 weeks",
            G.BOOKING_BY_12W6D,
            "12+6 weeks",
        ),
        _booking_window(
            "p4b_csf_booking_by_20w",
            "Complex social factors: booked by 20 weeks",
            G.BOOKING_BY_20W,
            "20+0 weeks",
        ),
        Indicator(
            "p4b_csf_recommended_appointments",
            "Complex social factors: recommended number of antenatal appointments attended",
            "4b",
            "Women with complex social factors who gave birth in the period with known parity: "
            "attended antenatal contacts (booking day up to the day before delivery) at least 10 "
            "if nulliparous, at least 7 if parous (NICE schedule); overall and per factor.",
            definition_notes="Nulliparous = no previous live births (MSDS PreviousLiveBirths = "
            "0). MSDS also records PreviousStillBirths, which the canonical model does not carry "
            "yet, so a woman whose only previous birth was a stillbirth is held to the "
            "nulliparous schedule (10 contacts) although NICE would count her as parous.",
            cohort="bookings",
            anchor="delivery_date",
            cohort_filter=CSF,
            denominator=all_of(
                col("previous_live_births").notnull(), col("recommended_met").notnull()
            ),
            numerator=col("recommended_met").eq(True),
            splits=(CSF_SPLIT,),
            source_fields=(
                "pregnancies.previous_live_births",
                "care_contacts.attended",
                "care_contacts.contact_date",
                "deliveries.delivery_date",
                *CSF_FIELDS,
            ),
        ),
        Indicator(
            "p4b_booking_ethnic_minority",
            "Women booking who are from ethnic minority groups",
            "4b",
            "Women booked in the period whose ethnic category is Mixed, Asian, Black or Other "
            "(D-S), of bookings with a valid ethnic category.",
            cohort="bookings",
            anchor="booking_date",
            denominator=col("ethnic_status").eq("valid"),
            numerator=col("ethnic_category").notin("A", "B", "C"),
            polarity="no_judgement",
            source_fields=("pregnancies.booking_date", "pregnancies.ethnic_category"),
            dq_rules=("ethnic_category_valid_at_booking",),
            definition_notes="White Irish and White other (B, C) are counted as White, not as "
            "ethnic minority, matching the guidance's Black, Asian and Mixed focus.",
        ),
        _return(
            "p4b_mvp_ethnic_minority_members",
            "MVP parent members from ethnic minority groups",
            "4b",
            "Return: parent members of the Maternity Voices Partnership from ethnic "
            "minority groups, of all parent members; shown beside the booking population.",
            ci_method="wilson",
            polarity="no_judgement",
            compare_with="p4b_booking_ethnic_minority",
        ),
        _return(
            "p4b_maternal_mental_health_access",
            "Access to maternal mental health services",
            "4b",
            "Return: referrals accepted by the maternal mental health service per 1,000 "
            "maternities, by ethnicity and deprivation.",
            unit="per_1000",
            multiplier=1000.0,
            ci_method="byar-exact",
        ),
        _return(
            "p4b_mmn_kpis",
            "Maternal medicine network KPIs",
            "4b",
            "Return: the maternal medicine network's KPIs (national service specification), "
            "broken down by deprivation and ethnicity; one row per KPI group.",
            ci_method="wilson",
        ),
    ]
    # 4c ---------------------------------------------------------------------------------------
    coc_common = dict(
        cohort="pathway",
        anchor="date_29w",
        numerator=col("coc_29w").eq(True),
        target=75.0,
        target_source="NHS Long Term Plan (75% by March 2024; national deadline "
        "withdrawn September 2022)",
        source_fields=(
            "pregnancies.booking_date",
            "pregnancies.gestation_at_booking_days",
            "care_plans.coc_pathway",
            "care_plans.professional_id",
            "care_plans.team_id",
        ),
    )
    d += [
        Indicator(
            "p4c_coc_black_asian_mixed",
            "Continuity of carer by 29 weeks: Black, Asian and Mixed women",
            "4c",
            "Pregnancies of Black, Asian and Mixed women reaching 29+0 weeks (203 days) in the "
            "period whose latest antenatal plan by then places them on a continuity of carer "
            "pathway with a named professional and team.",
            cohort_filter=col("ethnic_category").isin(BAM),
            denominator=col("reached_29w").eq(True),
            reference_population=Comparison(
                "ethnic_priority", "White", col("ethnic_category").isin(WHITE), ETHNIC_BREAKDOWNS
            ),
            dq_rules=("coc_plan_complete", "ethnic_category_valid_at_booking"),
            definition_notes="Groups D-P (Mixed G included, as the guidance's Black, Asian and "
            "Mixed); NHS Digital's CoC measure leaves G out. Threshold 203 days as MSDS. "
            "Compared with White women (A-C) reaching 29+0 weeks in the same period and area, "
            "counted the same way: the overall row carries the ratio to them, and the ethnic "
            "breakdowns show the White groups beside the target groups as their reference.",
            **coc_common,
        ),
        Indicator(
            "p4c_coc_most_deprived",
            "Continuity of carer by 29 weeks: most deprived areas",
            "4c",
            "Pregnancies of women living in the most deprived 10% of areas (IMD decile 1) reaching "
            "29+0 weeks in the period placed on a continuity of carer pathway.",
            cohort_filter=col("imd_decile").eq(1),
            denominator=col("reached_29w").eq(True),
            reference_population=Comparison(
                "imd_decile", "10", col("imd_decile").eq(10), ("imd_decile",)
            ),
            dq_rules=("coc_plan_complete", "postcode_valid_at_booking"),
            definition_notes="Most deprived = IMD decile 1, as NHS Digital's CoC measure. "
            "Compared with women in the least deprived decile (10) reaching 29+0 weeks in the "
            "same period and area: the overall row carries the ratio to them, and the "
            "imd_decile breakdown shows decile 10 beside decile 1.",
            **coc_common,
        ),
        _return(
            "p4c_baby_friendly",
            "Baby Friendly accreditation",
            "4c",
            "Status return: UNICEF Baby Friendly accreditation stage of each provider "
            "(0 none, 1 certificate of commitment, 2 stage 1, 3 stage 2, 4 full).",
            kind="count",
            unit="count",
            multiplier=1.0,
        ),
        Indicator(
            "p4c_breast_milk_first_feed",
            "Breast milk at first feed",
            "4c",
            "Live births in the period whose first feed was maternal or donor breast milk "
            "(01, 02), of live births with a first feed recorded (01-03).",
            cohort="births",
            anchor="birth_date",
            cohort_filter=LIVE,
            denominator=col("first_feed").isin("01", "02", "03"),
            numerator=col("first_feed").isin(outcomes.BREAST_MILK),
            source_fields=("babies.outcome", "babies.first_feed", "babies.birth_date"),
            dq_rules=("first_feed_recorded",),
            definition_notes="Restricted to live births explicitly (NHS Digital relies on "
            "stillbirths having no feed code).",
        ),
        Indicator(
            "p4c_low_birth_weight_term",
            "Low birth weight of term babies",
            "4c",
            "Live births at 37+0 to 42+6 weeks (259-300 days) weighing 1-2,499 g, of those with "
            "a valid weight (1-9,998 g).",
            cohort="births",
            anchor="birth_date",
            cohort_filter=all_of(
                LIVE, col("gestation_at_birth_days").between(G.TERM_START, G.TERM_END)
            ),
            denominator=col("birth_weight_g").between(1, 9998),
            numerator=col("birth_weight_g").between(1, 2499),
            polarity="lower_is_better",
            source_fields=(
                "babies.outcome",
                "babies.gestation_at_birth_days",
                "babies.birth_weight_g",
            ),
            dq_rules=("gestation_at_birth_valid", "birth_weight_valid"),
            definition_notes="Term as the guidance/ONS indicator (37+0 to 42+6), live births "
            "only; MSDS uses 259-315 days and all births.",
        ),
        Indicator(
            "p4c_births_under_27w",
            "Births under 27 weeks",
            "4c",
            "Live-born babies born in the period before 27+0 weeks (154-188 days), per 1,000 "
            "live-born babies with a valid gestation (154-315 days). Babies, not deliveries: "
            "twins count twice.",
            cohort="births",
            anchor="birth_date",
            cohort_filter=LIVE,
            denominator=VALID_BIRTH_GEST,
            numerator=col("gestation_at_birth_days").between(
                G.PRETERM_VALID_FROM, G.UNDER_27W_BEFORE - 1
            ),
            polarity="lower_is_better",
            disclosure_class="rare_event",
            **PER_1000,
            source_fields=("babies.outcome", "babies.gestation_at_birth_days"),
            dq_rules=("gestation_at_birth_valid",),
            definition_notes="Strictly under 27+0 weeks (< 189 days), not the MSDS band "
            "'27 weeks and under' (<= 195 days). The guidance counts deliveries; this counts "
            "live-born babies (singletons and multiples), as MSDS births measures do. Live "
            "births at 141-153 days are in MSDS's '<37 weeks' band but outside the CQIM "
            "validity window (154-315 days) this follows: they are in neither numerator nor "
            "denominator.",
        ),
        Indicator(
            "p4c_births_under_37w",
            "Births under 37 weeks (preterm)",
            "4c",
            "Live-born babies born in the period before 37+0 weeks (154-258 days), of live-born "
            "babies with a valid gestation (154-315 days). Babies, not deliveries: twins count "
            "twice.",
            cohort="births",
            anchor="birth_date",
            cohort_filter=LIVE,
            denominator=VALID_BIRTH_GEST,
            numerator=col("gestation_at_birth_days").between(
                G.PRETERM_VALID_FROM, G.PRETERM_BEFORE - 1
            ),
            polarity="lower_is_better",
            target=6.0,
            target_source="NHS Long Term Plan ambition (8% to 6%)",
            source_fields=("babies.outcome", "babies.gestation_at_birth_days"),
            dq_rules=("gestation_at_birth_valid",),
            definition_notes="The guidance counts deliveries; this counts live-born babies, "
            "singletons and multiples (CQIM uses singletons only), shown as a percentage. CQIM "
            "preterm validity window (154-315 days): live births at 141-153 days, in MSDS's "
            "'<37 weeks' band (141-258), are in neither numerator nor denominator.",
        ),
        Indicator(
            "p4c_smoking_at_booking",
            "Smoking at booking",
            "4c",
            "Women booked in the period recorded as smokers, of bookings with any smoking status "
            "(smoker, non-smoker or unknown).",
            cohort="bookings",
            anchor="booking_date",
            denominator=col("smoking_at_booking").notnull(),
            numerator=col("smoking_at_booking").eq("smoker"),
            polarity="lower_is_better",
            source_fields=("pregnancies.booking_date", "pregnancies.smoking_at_booking"),
            dq_rules=("smoking_booking_known", "smoking_booking_plausible"),
            definition_notes="Denominator as CQIMSmokingBooking (unknown included).",
        ),
        Indicator(
            "p4c_smoking_at_delivery",
            "Smoking at time of delivery",
            "4c",
            "Deliveries in the period where the woman was a smoker, of deliveries with a known "
            "status (smoker or non-smoker).",
            cohort="deliveries",
            anchor="delivery_date",
            denominator=col("smoking_at_delivery").isin("smoker", "non_smoker"),
            numerator=col("smoking_at_delivery").eq("smoker"),
            polarity="lower_is_better",
            target=6.0,
            target_source="Tobacco Control Plan ambition (6% or less)",
            source_fields=("deliveries.delivery_date", "deliveries.smoking_at_delivery"),
            dq_rules=("smoking_delivery_known", "smoking_delivery_plausible"),
            definition_notes="Denominator as CQIMSmokingDelivery (known status only); counted "
            "in the month of delivery.",
        ),
    ]
    # 4d ---------------------------------------------------------------------------------------
    d += [
        _return(
            "p4d_cultural_competence_training",
            "Staff trained in cultural competence in the last two years",
            "4d",
            "Return: maternity and neonatal staff who attended "
            "cultural competence training in the last two years, of all such staff.",
            ci_method="wilson",
        ),
        _return(
            "p4d_serious_incidents_valid_ethnicity",
            "Serious incidents with a valid ethnic code",
            "4d",
            "Return: maternity and neonatal serious incidents relating to "
            "patient care with a valid ethnic code, of all such incidents.",
            ci_method="wilson",
        ),
        _return(
            "p4d_pmrt_valid_ethnicity",
            "PMRT cases with a valid ethnic code",
            "4d",
            "Return: Perinatal Mortality Review Tool cases with a valid ethnic code.",
            ci_method="wilson",
        ),
        *[_wres(n) for n in range(1, 10)],
    ]
    # Section 5 metrics ------------------------------------------------------------------------
    mort = dict(
        cohort="births",
        anchor="birth_date",
        polarity="lower_is_better",
        ci_method="byar-exact",
        disclosure_class="rare_event",
        **PER_1000,
        dq_rules=("gestation_at_birth_valid",),
    )
    birth_fields = (
        "babies.outcome",
        "babies.gestation_at_birth_days",
        "babies.birth_date",
        "babies.birth_weight_g",
    )
    d += [
        Indicator(
            "m_stillbirth_rate",
            "Stillbirth rate",
            "metrics",
            "Stillbirths (no signs of life, from 24+0 weeks) per 1,000 total births (live and "
            "still, from 24+0 weeks; 400 g or more when gestation is unknown).",
            denominator=TOTAL_BIRTHS_24W,
            numerator=col("stillbirth").eq(True),
            source_fields=birth_fields,
            definition_notes="MBRRACE-UK definitions; terminations (05) excluded. MSDS-derived, "
            "not the official MBRRACE/ONS figure.",
            **mort,
        ),
        Indicator(
            "m_neonatal_mortality_rate",
            "Neonatal mortality rate",
            "metrics",
            "Live births from 24+0 weeks who died before 28 completed days (age at death 0-27 "
            "days) per 1,000 live births from 24+0 weeks.",
            denominator=LIVE_24W,
            numerator=col("neonatal_death").eq(True),
            source_fields=(*birth_fields, "babies.death_date"),
            **mort,
        ),
        Indicator(
            "m_perinatal_mortality_rate",
            "Perinatal (extended) mortality rate",
            "metrics",
            "Stillbirths from 24+0 weeks and neonatal deaths under 28 days per 1,000 total births "
            "from 24+0 weeks.",
            denominator=TOTAL_BIRTHS_24W,
            numerator=col("perinatal_death").eq(True),
            source_fields=(*birth_fields, "babies.death_date"),
            **mort,
        ),
        Indicator(
            "m_perinatal_ratio_black_asian_vs_white",
            "Perinatal mortality: Black and Asian babies vs White",
            "metrics",
            "Stillbirth and neonatal mortality rate per 1,000 births for Black and Asian babies "
            "divided by the rate for White babies (ratio of rates, 95% CI).",
            kind="group_ratio",
            denominator=TOTAL_BIRTHS_24W,
            numerator=col("perinatal_death").eq(True),
            ratio_groups=("Black", "Asian"),
            ratio_reference=("White",),
            baseline=1.7,
            baseline_label="UK 2017, MBRRACE-UK",
            target_source="NHS Long Term Plan headline metric, baseline 1.7 (2017)",
            source_fields=(*birth_fields, "babies.death_date", "pregnancies.ethnic_category"),
            unit="ratio",
            **{k: v for k, v in mort.items() if k not in ("unit", "multiplier")},
            multiplier=1.0,
            definition_notes="Grouped by the mother's ethnic category (MBRRACE-UK uses the "
            "baby's); groups from the mbrrace preset.",
        ),
        Indicator(
            "m_perinatal_sii_deprivation",
            "Perinatal mortality: slope index of inequality by deprivation",
            "metrics",
            "Modelled gap in the stillbirth and neonatal mortality rate per 1,000 births between "
            "the most and least deprived ends of the IMD decile distribution (SII), with RII.",
            kind="sii",
            denominator=TOTAL_BIRTHS_24W,
            numerator=col("perinatal_death").eq(True),
            baseline=4.39,
            baseline_label="England 2017, ONS",
            target_source="NHS Long Term Plan headline metric, baseline 4.39 (2017)",
            source_fields=(*birth_fields, "babies.death_date", "pregnancies.imd_decile"),
            definition_notes="SII = fitted most deprived minus fitted least deprived (positive "
            "when mortality is higher in deprived areas).",
            **mort,
        ),
        _return(
            "m_maternal_mortality",
            "Maternal mortality rate",
            "metrics",
            "Return: maternal deaths per 100,000 maternities (MBRRACE-UK).",
            unit="per_100000",
            multiplier=100000.0,
            ci_method="byar-exact",
            disclosure_class="rare_event",
            polarity="lower_is_better",
        ),
    ]
    # 4a population needs analysis -------------------------------------------------------------
    pop = dict(
        kind="count",
        unit="count",
        multiplier=1.0,
        ci_method="none",
        polarity="no_judgement",
        splits=(CSF_SPLIT,),
        extra_breakdowns=("ethnic_category_x_imd_quintile", "age_band", "language"),
    )
    d += [
        Indicator(
            "pop_bookings",
            "Population needs: bookings",
            "4a",
            "Number of women booked in the period, by ethnic category x IMD quintile, age band, "
            "complex social factor and preferred language. Denominator: all bookings of the "
            "geography and period.",
            cohort="bookings",
            anchor="booking_date",
            source_fields=(
                "pregnancies.booking_date",
                "pregnancies.ethnic_category",
                "pregnancies.imd_decile",
                "pregnancies.language_code",
                *CSF_FIELDS,
            ),
            **pop,
        ),
        Indicator(
            "pop_births",
            "Population needs: births",
            "4a",
            "Number of babies born (live and stillborn, terminations excluded) in the period, by "
            "the mother's ethnic category x IMD quintile, age band, complex social factor and "
            "preferred language (all from the booking). Denominator: all births of the "
            "geography and period.",
            cohort="births",
            anchor="birth_date",
            cohort_filter=col("outcome").isin(outcomes.BIRTHS),
            source_fields=(
                "babies.birth_date",
                "babies.outcome",
                "pregnancies.ethnic_category",
                "pregnancies.imd_decile",
                "pregnancies.language_code",
                *CSF_FIELDS,
            ),
            **pop,
        ),
        Indicator(
            "areas_of_highest_need",
            "Neighbourhoods of highest need",
            "4a",
            "Neighbourhoods ranked by a need score (0-100) that averages three percentile ranks "
            "over the period: share of bookings living in IMD quintile 1, share of bookings from "
            "Black, Asian and Mixed groups, and the mean rank of the preterm birth and perinatal "
            "mortality rates. Numerator = rank (1 = highest need), denominator = neighbourhoods "
            "ranked.",
            kind="ranking",
            unit="score",
            multiplier=1.0,
            ci_method="none",
            polarity="no_judgement",
            source_fields=(
                "pregnancies.imd_decile",
                "pregnancies.ethnic_category",
                "babies.gestation_at_birth_days",
                "babies.outcome",
            ),
        ),
    ]
    return d


@cache
def _catalogue() -> tuple[Indicator, ...]:
    items = tuple(_definitions())
    ids = [i.id for i in items]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate indicator id in the catalogue")
    return items


def catalogue(targets: dict[str, float] | None = None) -> list[Indicator]:
    """All indicator definitions; ``targets`` overrides targets by id (e.g. a 90% MIS year)."""
    items = list(_catalogue())
    if targets:
        unknown = set(targets) - {i.id for i in items}
        if unknown:
            raise ValueError(f"targets given for unknown indicators: {sorted(unknown)}")
        items = [replace(i, target=targets[i.id]) if i.id in targets else i for i in items]
    return items


def get(indicator_id: str) -> Indicator:
    for ind in _catalogue():
        if ind.id == indicator_id:
            return ind
    raise KeyError(f"no indicator {indicator_id!r} in the catalogue")
