"""A small warehouse and plan database with known values, for the web tests.

Values that disclosure control must hide are chosen to be distinctive strings, so a test can
search every response for them.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from maternity_equity.warehouse.schema import RESULT_COLUMNS

LMNS = ("lmns", "E54000099", "Test LMNS")
EASTGATE = ("neighbourhood", "NB001", "Eastgate")
HOLLOWFIELD = ("neighbourhood", "NB002", "Hollowfield")

# Rare-event cell a viewer must never see: perinatal mortality, Black group, Eastgate.
# 3 / 412 * 1000 = 7.2815533..., interval 1.5017 to 21.2743 (distinctive digits on purpose).
SECRET_RARE = {
    "numerator": 3.0,
    "denominator": 412.0,
    "value": 3 / 412 * 1000,
    "lower_ci": 1.5017,
    "upper_ci": 21.2743,
}
# Count-class cell: folic acid, Asian group, Eastgate: 6 / 53 = 11.3207547...%; published from
# rounded counts 5 / 55 = 9.0909...%.
SECRET_COUNT = {
    "numerator": 6.0,
    "denominator": 53.0,
    "value": 6 / 53 * 100,
    "lower_ci": 5.2831,
    "upper_ci": 22.8764,
}
# Counts that are published: 123 / 456 = 26.97% raw; published 125 / 455 = 27.47%.
LARGE_COUNT = {
    "numerator": 123.0,
    "denominator": 456.0,
    "value": 123 / 456 * 100,
    "lower_ci": 22.9111,
    "upper_ci": 31.4222,
}
# Rare-event cell that is published as it is (numerator 8 or more): 40 / 8000 * 1000 = 5.0.
LARGE_RARE = {
    "numerator": 40.0,
    "denominator": 8000.0,
    "value": 5.0,
    "lower_ci": 3.5721,
    "upper_ci": 6.8093,
}


def _row(
    indicator_id,
    geo,
    breakdown,
    group,
    period_type,
    start,
    end,
    cell,
    *,
    multiplier,
    disclosure_class,
    reference_group=None,
    sii=None,
):
    row = {c: None for c in RESULT_COLUMNS}
    row.update(
        indicator_id=indicator_id,
        period_type=period_type,
        period_start=start,
        period_end=end,
        geography_type=geo[0],
        geography_code=geo[1],
        geography_name=geo[2],
        breakdown=breakdown,
        group=group,
        multiplier=multiplier,
        ci_method="test",
        reference_group=reference_group,
        ratio_significance="similar",
        dq_status="pass",
        disclosure_class=disclosure_class,
        run_id="test-run",
        **cell,
    )
    if sii is not None:
        row.update(
            sii=sii, sii_lower=sii - 1, sii_upper=sii + 1, rii=1.5, rii_lower=1.1, rii_upper=1.9
        )
    return row


def _month(i: int) -> tuple[date, date]:
    year, month = divmod(2023 * 12 + 3 + i, 12)  # from April 2023
    start = date(year, month + 1, 1)
    ny, nm = divmod(year * 12 + month + 1, 12)
    return start, (pd.Timestamp(date(ny, nm + 1, 1)) - pd.Timedelta(days=1)).date()


def results_frame() -> pd.DataFrame:
    rows = []
    year = (date(2024, 4, 1), date(2025, 3, 31))
    specs = {
        "perinatal_mortality": dict(multiplier=1000.0, disclosure_class="rare_event"),
        "p1_folic_acid": dict(multiplier=100.0, disclosure_class="count"),
    }
    for ind, kw in specs.items():
        # monthly series (breakdown all) for the LMNS and Eastgate: 14 months
        for i in range(14):
            start, end = _month(9 + i)  # January 2024 to February 2025
            for geo, base in ((LMNS, 400.0), (EASTGATE, 120.0)):
                num = 40.0 + (i % 3) if ind == "p1_folic_acid" else 10.0 + (i % 2)
                cell = {
                    "numerator": num,
                    "denominator": base,
                    "value": num / base * kw["multiplier"],
                    "lower_ci": None,
                    "upper_ci": None,
                }
                rows.append(_row(ind, geo, "all", "All", "month", start, end, cell, **kw))
        # rolling year by ethnic group for the LMNS and both neighbourhoods
        for geo in (LMNS, EASTGATE, HOLLOWFIELD):
            groups = {
                "White": {
                    "numerator": 240.0,
                    "denominator": 800.0,
                    "value": 30.0 if ind == "p1_folic_acid" else 300.0,
                    "lower_ci": 26.9,
                    "upper_ci": 33.3,
                },
                "Black": LARGE_COUNT if ind == "p1_folic_acid" else LARGE_RARE,
                "Asian": LARGE_COUNT if ind == "p1_folic_acid" else LARGE_RARE,
            }
            if geo == EASTGATE and ind == "perinatal_mortality":
                groups["Black"] = SECRET_RARE
            if geo == EASTGATE and ind == "p1_folic_acid":
                groups["Asian"] = SECRET_COUNT
            for group, cell in groups.items():
                rows.append(
                    _row(
                        ind,
                        geo,
                        "ethnic_group",
                        group,
                        "rolling_12m",
                        *year,
                        dict(cell),
                        reference_group="White",
                        **kw,
                    )
                )
            rows.append(
                _row(
                    ind,
                    geo,
                    "all",
                    "All",
                    "rolling_12m",
                    *year,
                    {
                        "numerator": 600.0,
                        "denominator": 2000.0,
                        "value": 600 / 2000 * kw["multiplier"],
                        "lower_ci": None,
                        "upper_ci": None,
                    },
                    **kw,
                )
            )
            for decile in range(1, 3):
                rows.append(
                    _row(
                        ind,
                        geo,
                        "imd_decile",
                        str(decile),
                        "rolling_12m",
                        *year,
                        {
                            "numerator": 100.0 * decile,
                            "denominator": 1000.0,
                            "value": 10.0 * decile,
                            "lower_ci": None,
                            "upper_ci": None,
                        },
                        reference_group="2",
                        sii=4.25,
                        **kw,
                    )
                )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col, dtype in RESULT_COLUMNS.items():
        if dtype == "float":
            frame[col] = frame[col].astype("float64")
    return frame


GEOGRAPHY = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004"],
        "lsoa_name": ["Test 001A", "Test 001B", "Test 002A", "Test 002B"],
        "imd_decile": [1, 2, 7, 9],
        "imd_quintile": [1, 1, 4, 5],
        "imd_score": [55.0, 40.0, 12.0, 6.0],
        "imd_rank": [100, 3000, 22000, 30000],
        "population": [1500, 1600, 1400, 1700],
        "neighbourhood_code": ["NB001", "NB001", "NB002", "NB002"],
        "neighbourhood_name": ["Eastgate", "Eastgate", "Hollowfield", "Hollowfield"],
        "place_code": ["PL01", "PL01", "PL02", "PL02"],
        "place_name": ["Riverside", "Riverside", "Downs", "Downs"],
        "icb_code": ["QXX"] * 4,
        "icb_name": ["Test ICB"] * 4,
        "imd_vintage": ["IoD2019"] * 4,
        "lsoa_vintage": ["2011"] * 4,
    }
)

# Data quality as the quality stage stores it (value and thresholds as fractions). Each rule
# has its own latest month: first feeds (births) run a month behind bookings. (rule, comparison,
# threshold, upper, {(geography type, code): {month: (passing, records)}})
DQ_SPEC = (
    (
        "ethnic_category_valid_at_booking",
        ">=",
        0.8,
        None,
        {
            ("lmns", "E54000099"): {1: (850, 1000), 2: (820, 1000), 3: (700, 1000)},
            # Eastgate fails now; Hollowfield failed in January only
            ("community_team", "Eastgate team"): {1: (50, 60), 3: (30, 60)},
            ("community_team", "Hollowfield team"): {1: (20, 60), 3: (55, 60)},
        },
    ),
    (
        "postcode_valid_at_booking",
        ">=",
        0.95,
        None,
        {
            ("lmns", "E54000099"): {1: (960, 1000), 2: (950, 1000), 3: (990, 1000)},
            ("community_team", "Eastgate team"): {3: (60, 60)},
        },
    ),
    (
        "first_feed_recorded",
        ">=",
        0.7,
        None,
        {
            ("lmns", "E54000099"): {12: (300, 400), 1: (290, 400), 2: (283, 397)},
            ("community_team", "Hollowfield team"): {2: (20, 40)},
        },
    ),
    (
        "smoking_booking_plausible",
        "between",
        0.005,
        0.5,
        {("lmns", "E54000099"): {1: (119, 1000), 2: (120, 1000), 3: (119, 1000)}},
    ),
)


def _dq_results() -> pd.DataFrame:
    from fractions import Fraction

    from maternity_equity.stats import wilson_interval

    rows = []
    for rule_id, comparison, low, high, areas in DQ_SPEC:
        for (gtype, code), months in areas.items():
            for month, (x, n) in months.items():
                rate = Fraction(x, n)
                passed = (
                    Fraction(str(low)) <= rate <= Fraction(str(high))
                    if comparison == "between"
                    else rate >= Fraction(str(low))
                )
                lower, upper = wilson_interval(np.array([x]), np.array([n]))
                rows.append(
                    {
                        "rule_id": rule_id,
                        "period_start": date(2024 if month == 12 else 2025, month, 1),
                        "geography_type": gtype,
                        "geography_code": code,
                        "numerator": x,
                        "denominator": n,
                        "value": x / n,
                        "threshold": low,
                        "comparison": comparison,
                        "passed": passed,
                        "run_id": "test-run",
                        "lower_ci": float(lower[0]),
                        "upper_ci": float(upper[0]),
                        "threshold_upper": high,
                    }
                )
    return pd.DataFrame(rows)


DQ_RESULTS = _dq_results()


DQ_WORKLIST = pd.DataFrame(
    {
        "rule_id": ["ethnic_category_valid_at_booking"] * 2,
        "category": ["missing", "not_stated"],
        "pregnancy_id": ["PSEUDO-7F3A9C", "PSEUDO-B81D04"],
        "record_id": ["PSEUDO-7F3A9C", "PSEUDO-B81D04"],
        "provider_code": ["RXX"] * 2,
        "booking_site_code": ["RXX01"] * 2,
        "community_team": ["Eastgate team", "Hollowfield team"],
        "booking_date": [date(2025, 3, 3), date(2025, 3, 9)],
        "period_start": [date(2025, 3, 1)] * 2,
        "recorded_value": ["", "Z"],
    }
)


# ---- rows of the security review's attacks (real catalogue indicators, stored as the engine
# computes them from unrounded counts) ------------------------------------------------------
PROVIDER = ("provider", "RXX", "Test Hospital")
YEAR = (date(2024, 4, 1), date(2025, 3, 31))
FY23 = (date(2023, 4, 1), date(2024, 3, 31))
# 1a: perinatal deaths by IMD quintile (1 = most deprived), rolling year to March 2025, LMNS.
# Quintile 2 has 5 deaths: suppressed; its stored SII/RII would give it back.
SII_DEATHS = (12, 5, 9, 14, 15)
SII_BIRTHS = (1000, 900, 1100, 1200, 1000)
# every quintile 8 or more (financial year 2023-24): the SII may be published, recomputed
SII_SHOWN_DEATHS = (20, 15, 12, 10, 9)
SII_SHOWN_BIRTHS = (1000, 1000, 1000, 1000, 1000)
# by ethnic group (the group ratio's source): Mixed 5 is suppressed, Other 8 hidden beside it
ETHNIC_DEATHS = {"White": (20, 3000), "Black": (10, 900), "Asian": (12, 1100)}
ETHNIC_DEATHS |= {"Mixed": (5, 100), "Other": (8, 100)}
# 1b: no stillbirths among 2 births in Eastgate: the stored upper limit (1,844 per 1,000) comes
# from the unrounded 2 births
ZERO_BIRTHS = 2
# 1c and 3: stillbirths at the provider by month, April 2024 to March 2025; months and quarters
# overlap, so unrounded rates would let the suppressed months be solved for
MONTH_DEATHS = (9, 3, 10, 0, 3, 0, 4, 0, 8, 0, 0, 0)
MONTH_BIRTHS = (400, 410, 420, 400, 400, 400, 400, 400, 400, 400, 400, 400)
# 1d: WRES 2 at the provider: 6 of 237 White and 7 of 708 BME shortlisted applicants appointed
WRES_WHITE, WRES_BME = (6, 237), (7, 708)
WRES_RL = (6 / 237) / (7 / 708)  # 2.5605786618...
# 2: a count, a need score; 4: continuity of carer failing data quality in January-March 2022
POP_BIRTHS = 593
NEED_SCORES = {"NB001": (1, 80.6), "NB002": (2, 40.2)}
COC_FAILING = (40, 97)  # 41.2%: dq_status fail
COC_PASSING = (45, 100)  # 45.0%: dq_status pass


def _engine_row(indicator_id, geo, breakdown, group, period, x, n, **extra):
    """A results row with value and interval computed as the engine does (unrounded)."""
    from maternity_equity.indicators import get, statistics

    ind = get(indicator_id)
    value, lower, upper, method = statistics.estimate(
        [x], [n], kind=ind.kind, ci_method=ind.ci_method, multiplier=ind.multiplier
    )
    row = _row(
        indicator_id,
        geo,
        breakdown,
        group,
        period[2],
        period[0],
        period[1],
        {
            "numerator": float(x),
            "denominator": float(n),
            "value": float(value[0]),
            "lower_ci": float(lower[0]),
            "upper_ci": float(upper[0]),
        },
        multiplier=ind.multiplier,
        disclosure_class=ind.disclosure_class,
    )
    row.update(ci_method=method[0], ratio_significance="not_compared", **extra)
    return row


def _quintile_rows(indicator_id, period, deaths, births) -> list[dict]:
    from maternity_equity.indicators import statistics

    s = statistics.slope_index(
        np.array(deaths, float), np.array(births, float), ci_method="byar-exact", multiplier=1000
    )
    slope = dict(
        sii=s.sii,
        sii_lower=s.sii_lower,
        sii_upper=s.sii_upper,
        rii=s.rii,
        rii_lower=s.rii_lower,
        rii_upper=s.rii_upper,
    )
    rows = [
        _engine_row(indicator_id, LMNS, "imd_quintile", str(q), period, x, n, **slope)
        for q, x, n in zip(range(1, 6), deaths, births, strict=True)
    ]
    rows.append(_engine_row(indicator_id, LMNS, "all", "All", period, sum(deaths), sum(births)))
    sii_row = _engine_row(
        "m_perinatal_sii_deprivation",
        LMNS,
        "imd_quintile",
        "All quintiles",
        period,
        sum(deaths),
        sum(births),
        **slope,
    )
    sii_row.update(value=s.sii, lower_ci=s.sii_lower, upper_ci=s.sii_upper, ci_method="sii")
    return [*rows, sii_row]


def attack_frame() -> pd.DataFrame:
    from maternity_equity.indicators import statistics

    rolling = (*YEAR, "rolling_12m")
    rows = _quintile_rows("m_perinatal_mortality_rate", rolling, SII_DEATHS, SII_BIRTHS)
    rows += _quintile_rows(
        "m_perinatal_mortality_rate", (*FY23, "financial_year"), SII_SHOWN_DEATHS, SII_SHOWN_BIRTHS
    )
    for group, (x, n) in ETHNIC_DEATHS.items():
        rows.append(
            _engine_row(
                "m_perinatal_mortality_rate",
                LMNS,
                "ethnic_group",
                group,
                rolling,
                x,
                n,
                reference_group="White",
            )
        )
    bx = ETHNIC_DEATHS["Black"][0] + ETHNIC_DEATHS["Asian"][0]
    bn = ETHNIC_DEATHS["Black"][1] + ETHNIC_DEATHS["Asian"][1]
    wx, wn = ETHNIC_DEATHS["White"]
    r, lo, hi, sig = statistics.compare([bx], [bn], [wx], [wn], ci_method="byar-exact")
    ratio = _engine_row(
        "m_perinatal_ratio_black_asian_vs_white",
        LMNS,
        "all",
        "Black and Asian",
        rolling,
        bx,
        bn,
        reference_group="White",
    )
    ratio.update(
        value=r[0],
        lower_ci=lo[0],
        upper_ci=hi[0],
        ratio=r[0],
        ratio_lower=lo[0],
        ratio_upper=hi[0],
        ratio_significance=sig[0],
        ci_method="log",
    )
    rows.append(ratio)
    rows.append(_engine_row("m_stillbirth_rate", EASTGATE, "all", "All", rolling, 0, ZERO_BIRTHS))
    for i, (x, n) in enumerate(zip(MONTH_DEATHS, MONTH_BIRTHS, strict=True)):
        start, end = _month(12 + i)  # April 2024 onwards
        rows.append(
            _engine_row("m_stillbirth_rate", PROVIDER, "all", "All", (start, end, "month"), x, n)
        )
    for q in range(4):
        start, _ = _month(12 + 3 * q)
        _, end = _month(14 + 3 * q)
        x = sum(MONTH_DEATHS[3 * q : 3 * q + 3])
        n = sum(MONTH_BIRTHS[3 * q : 3 * q + 3])
        rows.append(
            _engine_row("m_stillbirth_rate", PROVIDER, "all", "All", (start, end, "quarter"), x, n)
        )
    fy = (*YEAR, "financial_year")
    for group, (x, n) in (("White", WRES_WHITE), ("BME", WRES_BME)):
        row = _engine_row("p4d_wres_2", PROVIDER, "wres_ethnic_group", group, fy, x, n)
        row.update(value=100 * x / n, multiplier=100.0, ci_method="none", lower_ci=None)
        row.update(upper_ci=None)
        rows.append(row)
    head = _row(
        "p4d_wres_2",
        PROVIDER,
        "all",
        "All",
        "financial_year",
        *YEAR,
        {"value": WRES_RL, "ratio": WRES_RL},
        multiplier=1.0,
        disclosure_class="count",
        reference_group="BME",
    )
    rows.append(head)
    rows.append(_engine_row("pop_births", LMNS, "all", "All", rolling, POP_BIRTHS, POP_BIRTHS))
    for geo in (EASTGATE, HOLLOWFIELD):
        rank, score = NEED_SCORES[geo[1]]
        need = _engine_row("areas_of_highest_need", geo, "all", "All", rolling, rank, 2)
        need.update(value=score)
        rows.append(need)
    for (x, n), month, status in ((COC_FAILING, 1, "fail"), (COC_PASSING, 4, "pass")):
        start = date(2022, month, 1)
        end = (pd.Timestamp(date(2022, month + 3, 1)) - pd.Timedelta(days=1)).date()
        row = _engine_row(
            "p4c_coc_most_deprived", LMNS, "all", "All", (start, end, "quarter"), x, n
        )
        row.update(dq_status=status)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col, dtype in RESULT_COLUMNS.items():
        if dtype == "float":
            frame[col] = frame[col].astype("float64")
    return frame


# Population needs (count indicators): bookings and births in the rolling year to March 2025,
# LMNS and places. Totals 1,003 bookings (published 1,005) and 998 births (published 1,000).
POP_BOOKINGS = {
    "all": {"All": 1003},
    "age_band": {"Under 20": 23, "20-24": 180, "25-29": 400, "40 and over": 400},
    "complex_social_factor": {"recent_migrant": 62, "domestic_abuse": 3},
    "language": {"en": 900, "pl": 41, "ti": 62},
    "ethnic_group_x_imd_quintile": {"White | 1": 300, "White | 2": 497, "Asian | 1": 203}
    | {"Asian | Unknown": 3},
    "ethnic_group": {"White": 797, "Asian": 206},
    "imd_quintile": {"1": 503, "2": 497, "Unknown": 3},
}
POP_BOOKINGS_PLACES = {("PL01", "Riverside"): 600, ("PL02", "Downs"): 400}
POP_BIRTHS_PROFILE = {"all": {"All": 998}, "age_band": {"Under 20": 12, "20-24": 986}}


def population_frame() -> pd.DataFrame:
    """Rows of ``pop_bookings`` and ``pop_births`` as the engine stores a count indicator: the
    group's count as numerator and value, the area's total as denominator."""
    rolling = (*YEAR, "rolling_12m")
    rows = []
    for ind, spec in (("pop_bookings", POP_BOOKINGS), ("pop_births", POP_BIRTHS_PROFILE)):
        total = spec["all"]["All"]
        for breakdown, groups in spec.items():
            for group, count in groups.items():
                row = _engine_row(ind, LMNS, breakdown, group, rolling, count, total)
                row.update(value=float(count), lower_ci=None, upper_ci=None, ci_method="none")
                rows.append(row)
    for (code, name), count in POP_BOOKINGS_PLACES.items():
        row = _engine_row(
            "pop_bookings", ("place", code, name), "all", "All", rolling, count, count
        )
        row.update(value=float(count), lower_ci=None, upper_ci=None, ci_method="none")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col, dtype in RESULT_COLUMNS.items():
        if dtype == "float":
            frame[col] = frame[col].astype("float64")
    return frame


# Headline measures of the overview, LMNS. The SII and the ratio are kept only for rolling
# years (the SII on the IMD-decile breakdown), so their latest period is a rolling year, not a
# month; continuity of carer is monthly against its 75% target.
ROLLING_ENDS = ((2024, 12), (2025, 1), (2025, 2), (2025, 3))
HEADLINE_SII = (5.2, 4.8, 4.1, 3.9)  # against the baseline 4.39
HEADLINE_RATIO = (2.1, 1.9, 1.8, 1.6)  # against the baseline 1.7
COC_MONTHS = (40, 45, 40, 45, 50, 55)  # of 100 Black, Asian and Mixed women, Oct 2024 - Mar 2025


def headline_frame() -> pd.DataFrame:
    rows = []
    for (year, month), sii, ratio in zip(ROLLING_ENDS, HEADLINE_SII, HEADLINE_RATIO, strict=True):
        end = (pd.Timestamp(date(year, month, 1)) + pd.offsets.MonthEnd(0)).date()
        start = date(year - 1, month % 12 + 1, 1) if month < 12 else date(year, 1, 1)
        cell = {"numerator": 40.0, "denominator": 8000.0, "lower_ci": sii - 2, "upper_ci": sii + 2}
        rows.append(
            _row(
                "m_perinatal_sii_deprivation",
                LMNS,
                "imd_decile",
                "All deciles",
                "rolling_12m",
                start,
                end,
                {**cell, "value": sii},
                multiplier=1000.0,
                disclosure_class="rare_event",
                sii=sii,
            )
        )
        rows.append(
            _row(
                "m_perinatal_ratio_black_asian_vs_white",
                LMNS,
                "all",
                "Black and Asian",
                "rolling_12m",
                start,
                end,
                {**cell, "value": ratio, "lower_ci": ratio - 0.5, "upper_ci": ratio + 0.5},
                multiplier=1.0,
                disclosure_class="rare_event",
            )
        )
    for i, x in enumerate(COC_MONTHS):
        start, end = _month(18 + i)  # October 2024 onwards
        rows.append(
            _engine_row(
                "p4c_coc_black_asian_mixed", LMNS, "all", "All", (start, end, "month"), x, 100
            )
        )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col, dtype in RESULT_COLUMNS.items():
        if dtype == "float":
            frame[col] = frame[col].astype("float64")
    return frame


# WRES returns for one provider, financial year 2024-25, as the engine stores them: group
# rows as percentages (multiplier 100) with Wilson intervals, the relative likelihood on the
# overall row with its Katz interval, band rows of indicator 1.
WRES_BANDS = {"Band 5": (60, 180), "Band 6": (50, 200), "Band 8a": (2, 20)}  # BME, known
WRES_APPOINTED = {"White": (60, 200), "BME": (24, 160)}  # appointed, shortlisted
WRES_SURVEY = {"White": (36, 150), "BME": (14, 50)}  # indicator 5: experienced, respondents


def wres_frame() -> pd.DataFrame:
    from maternity_equity import stats

    fy = (*YEAR, "financial_year")
    rows = []

    def percent_row(ind, breakdown, group, x, n, **extra):
        row = _engine_row(ind, PROVIDER, breakdown, group, fy, x, n, **extra)
        lower, upper = stats.wilson_interval(np.array([x]), np.array([n]))
        row.update(
            value=100 * x / n,
            lower_ci=100 * float(lower[0]),
            upper_ci=100 * float(upper[0]),
            multiplier=100.0,
            ci_method="wilson",
        )
        return row

    bme = sum(x for x, _ in WRES_BANDS.values())
    known = sum(n for _, n in WRES_BANDS.values())
    rows.append(percent_row("p4d_wres_1", "all", "All", bme, known))
    for band, (x, n) in WRES_BANDS.items():
        rows.append(
            percent_row(
                "p4d_wres_1",
                "band",
                band,
                x,
                n,
                reference_group="All",
                ratio=(x / n) / (bme / known),
            )
        )
    (wx, wn), (bx, bn) = WRES_APPOINTED["White"], WRES_APPOINTED["BME"]
    rl = stats.ratio_of_proportions(
        np.array([wx]), np.array([wn]), np.array([bx]), np.array([bn]), 0.95
    )
    katz = dict(ratio=float(rl.value[0]), ratio_lower=float(rl.lower[0]))
    katz.update(ratio_upper=float(rl.upper[0]), reference_group="BME")
    rows.append(percent_row("p4d_wres_2", "wres_ethnic_group", "White", wx, wn, **katz))
    rows.append(percent_row("p4d_wres_2", "wres_ethnic_group", "BME", bx, bn))
    head = _row(
        "p4d_wres_2",
        PROVIDER,
        "all",
        "All",
        "financial_year",
        *YEAR,
        {"value": katz["ratio"], "lower_ci": katz["ratio_lower"], "upper_ci": katz["ratio_upper"]},
        multiplier=1.0,
        disclosure_class="count",
        reference_group="BME",
    )
    head.update(katz, ci_method="katz_log")
    rows.append(head)
    (sx, sn), (tx, tn) = WRES_SURVEY["White"], WRES_SURVEY["BME"]
    rows.append(percent_row("p4d_wres_5", "wres_ethnic_group", "White", sx, sn))
    rows.append(
        percent_row(
            "p4d_wres_5",
            "wres_ethnic_group",
            "BME",
            tx,
            tn,
            reference_group="White",
            ratio=(tx / tn) / (sx / sn),
        )
    )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col, dtype in RESULT_COLUMNS.items():
        if dtype == "float":
            frame[col] = frame[col].astype("float64")
    return frame


# 1e: data-quality results of community teams, where counts are 1 to 7
ATTACK_DQ = pd.DataFrame(
    {
        "rule_id": ["postcode_valid_at_booking"] * 2,
        "period_start": [date(2025, 3, 1)] * 2,
        "geography_type": ["community_team"] * 2,
        "geography_code": ["Eastgate team", "Hollowfield team"],
        "numerator": [3.0, 11.0],
        "denominator": [4.0, 12.0],
        "value": [0.75, 11 / 12],
        "threshold": [0.95] * 2,
        "comparison": [">="] * 2,
        "passed": [False, False],
        "run_id": ["test-run"] * 2,
    }
)


def need_frame() -> pd.DataFrame:
    """Need scores that rank Hollowfield (less deprived) above Eastgate."""
    rows = []
    for geo, (rank, score) in ((EASTGATE, (2, 20.0)), (HOLLOWFIELD, (1, 70.0))):
        row = _engine_row(
            "areas_of_highest_need", geo, "all", "All", (*YEAR, "rolling_12m"), rank, 2
        )
        row.update(value=score)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


EXTRA_FRAMES = {
    "need": need_frame,
    "population": population_frame,
    "headlines": headline_frame,
    "wres": wres_frame,
}


def _dq_spc(dq: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored p-prime charts, made by the quality stage from the unrounded results."""
    from maternity_equity.quality import load_rules
    from maternity_equity.quality.spc import spc_tables

    return spc_tables(load_rules(), dq)


def _square(code: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {
        "type": "Feature",
        "properties": {"LSOA11CD": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_warehouse(folder: Path, *, attacks: bool = False, extras: tuple[str, ...] = ()) -> Path:
    """``folder/warehouse.duckdb`` plus ``folder/synthetic/reference/lsoa_boundaries.geojson``;
    with ``attacks``, also the rows of the security review's attacks (:func:`attack_frame`);
    ``extras`` names more rows to add (:data:`EXTRA_FRAMES`: population needs, the overview's
    headline measures, WRES returns)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warehouse.duckdb"
    results = results_frame()
    dq = DQ_RESULTS
    if attacks:
        results = pd.concat([results, attack_frame()], ignore_index=True)
        dq = pd.concat([DQ_RESULTS, ATTACK_DQ], ignore_index=True)
    for name in extras:
        results = pd.concat([results, EXTRA_FRAMES[name]()], ignore_index=True)
    con = duckdb.connect(str(path))
    try:
        spc, points = _dq_spc(dq)
        for name, frame in (
            ("results", results),
            ("geography_lsoa", GEOGRAPHY),
            ("dq_results", dq),
            ("dq_worklist", DQ_WORKLIST),
            ("dq_spc", spc),
            ("dq_spc_points", points),
        ):
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
    finally:
        con.close()
    ref = folder / "synthetic" / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    features = [
        _square(code, -1.0 + 0.01 * i, 52.0 + 0.01 * (i % 2))
        for i, code in enumerate(GEOGRAPHY["lsoa_code"])
    ]
    (ref / "lsoa_boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    return path


def write_plan_db(template: Path, folder: Path) -> str:
    """Copy a migrated plan database holding the example plan; returns its URL."""
    target = folder / "plan.sqlite"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def make_plan_template(folder: Path) -> Path:
    from maternity_equity.plan.db import session_scope, upgrade
    from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file
    from maternity_equity.web.commands import ensure_demo_users

    path = folder / "plan-template.sqlite"
    engine = upgrade(f"sqlite:///{path}")
    with session_scope(engine, user="loader") as session:
        import_plan_file(session, example_plan_path())
    ensure_demo_users(engine)  # hashing once here keeps each test fast
    engine.dispose()
    return path
