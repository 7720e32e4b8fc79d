"""A small fixture warehouse for the report: hand-chosen counts for a fictional LMNS.

Counts are chosen so that every disclosure path happens: counts of 1 to 7 in count tables, a
lone small rare-event group that needs a complementary suppression, a zero group, and totals.
Values and intervals are computed with the stats module, as the engine does. The rows have the
engine's shape: continuity of carer for Black, Asian and Mixed women counts only them, with
White women beside them as the reference population (their own rows in the ethnic breakdowns,
not in the total); the perinatal SII rows ("All deciles", "All quintiles") sit on the IMD
breakdowns of the rolling 12 months, summarising the perinatal mortality rate's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import duckdb
import pandas as pd

from maternity_equity import stats
from maternity_equity.reports.data import (
    ActionDue,
    Annotation,
    CoproductionEvent,
    InterventionProgress,
    Milestone,
    PlanData,
    WresIndicator,
    load_catalogue,
)
from maternity_equity.warehouse.schema import RESULT_COLUMNS

LMNS = ("E54000099", "Fictional Vale LMNS")
Q3_2025 = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
Q3_2024 = (dt.date(2024, 7, 1), dt.date(2024, 9, 30))
QUINTILES = ("1", "2", "3", "4", "5")  # as the engine writes them; 1 = most deprived

# the indicators the fixture has results for, as the real catalogue defines them
INDICATOR_IDS = (
    "p4c_coc_black_asian_mixed",
    "m_stillbirth_rate",
    "m_perinatal_mortality_rate",
    "m_perinatal_sii_deprivation",
    "p3_valid_ethnic_category_at_booking",
    "pop_bookings",
)
CATALOGUE = {i: meta for i, meta in load_catalogue().items() if i in INDICATOR_IDS}

# (group, numerator, denominator); each breakdown sums to its "All" row, except the reference
# population's rows (White women, for continuity of carer), which are not in the total
COC_Q3 = {
    "all": [("All", 208, 516)],  # Mixed + Asian + Black
    "ethnic_group": [
        ("White", 300, 480),  # the reference population
        ("Mixed", 30, 70),
        ("Asian", 120, 300),
        ("Black", 58, 146),
    ],
    "ethnic_priority": [("Black, Asian and Mixed", 208, 516), ("White", 300, 480)],
    # quintile 5 has 4 of 7 women: shown as 5 of 5
    "imd_quintile": list(zip(QUINTILES, (80, 60, 40, 24, 4), (200, 150, 100, 59, 7), strict=True)),
}
COC_REFERENCE = ("ethnic_priority", "White")  # the catalogue's reference population
COC_Q3_2024 = {"all": [("All", 350, 1010)]}
STILLBIRTH_Q3 = {
    "all": [("All", 26, 6010)],
    # Asian 6 is suppressed; Black 9 is the complement (6 + 9 >= 8); Mixed and Other are 0
    "ethnic_group": [
        ("White", 11, 3900),
        ("Mixed", 0, 310),
        ("Asian", 6, 1100),
        ("Black", 9, 500),
        ("Other", 0, 200),
    ],
    "imd_quintile": list(
        zip(QUINTILES, (10, 7, 4, 3, 2), (1500, 1300, 1200, 1000, 1010), strict=True)
    ),
}
POP_Q3 = {
    "all": [("All", 2010, 2010)],
    "ethnic_group": [
        ("White", 1300, 2010),
        ("Mixed", 103, 2010),
        ("Asian", 400, 2010),
        ("Black", 200, 2010),
        ("Other", 4, 2010),
        ("Not stated or not known", 3, 2010),
    ],
    "imd_quintile": list(zip(QUINTILES, (600, 450, 400, 300, 260), (2010,) * 5, strict=True)),
}
# perinatal deaths in the 12 months to September 2025: 100 of 20,000 births
PERINATAL_12M = {
    "all": [("All", 100, 20000)],
    # Other (3) is suppressed; Black (12) is the smallest group that brings the hidden ones to 8
    "ethnic_group": [
        ("White", 60, 14000),
        ("Mixed", 0, 1000),
        ("Asian", 25, 3000),
        ("Black", 12, 1500),
        ("Other", 3, 500),
    ],
    # every quintile has 8 or more deaths, so the quintile SII can be published...
    "imd_quintile": list(zip(QUINTILES, (30, 25, 20, 15, 10), (4000,) * 5, strict=True)),
    # ...but deciles 8 to 10 have 7, 6 and 4: the decile SII (the headline) is withheld
    "imd_decile": [
        (str(d), x, 2000)
        for d, x in zip(range(1, 11), (16, 14, 13, 12, 11, 9, 8, 7, 6, 4), strict=True)
    ],
}
# quarterly perinatal deaths, Oct 2023 to Sep 2025 (5,000 births a quarter): three quarters
# have fewer than 8, so there is no SPC chart, only rolling 12-month rates
PERINATAL_QUARTERS = (5, 30, 28, 6, 31, 31, 31, 7)
SII = {  # stored (sii, lower, upper, rii, lower, upper), as the engine wrote them
    "p4c_coc_black_asian_mixed": (-5.2, -9.8, -0.6, 0.88, 0.79, 0.98),
    "m_stillbirth_rate": (3.1, 0.4, 5.9, 1.9, 1.1, 3.2),
    "m_perinatal_mortality_rate": (4.7, 1.0, 8.4, 2.4, 1.2, 4.6),
}
PERINATAL_SII = {  # m_perinatal_sii_deprivation's stored rows, per breakdown
    "imd_decile": ("All deciles", (5.1, 1.2, 9.0, 2.6, 1.3, 5.2)),
    "imd_quintile": ("All quintiles", (4.7, 1.0, 8.4, 2.4, 1.2, 4.6)),
}
ROLLING_12M = (dt.date(2024, 10, 1), dt.date(2025, 9, 30))
MONTHS = [dt.date(2023 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(24)]  # Oct 23-Sep 25


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _row(
    ind: str,
    ptype: str,
    start: dt.date,
    end: dt.date,
    breakdown: str,
    group: str,
    x: float,
    n: float,
) -> dict:
    meta = CATALOGUE[ind]
    if meta.disclosure_class == "rare_event":
        est = stats.rate(x, n, multiplier=meta.multiplier)
        method = "byar" if x >= 10 else "exact"
    else:
        est = stats.proportion(x, n, multiplier=meta.multiplier)
        method = "wilson"
    row = dict.fromkeys(RESULT_COLUMNS)
    row.update(
        indicator_id=ind,
        period_type=ptype,
        period_start=start,
        period_end=end,
        geography_type="lmns",
        geography_code=LMNS[0],
        geography_name=LMNS[1],
        breakdown=breakdown,
        group=group,
        numerator=float(x),
        denominator=float(n),
        value=float(est.value),
        lower_ci=float(est.lower),
        upper_ci=float(est.upper),
        ci_method=method,
        multiplier=meta.multiplier,
        dq_status="pass",
        disclosure_class=meta.disclosure_class,
        run_id="run-compute-1",
    )
    return row


def _breakdowns(
    ind: str, table: dict, start: dt.date, end: dt.date, ptype: str = "quarter"
) -> list[dict]:
    rows = []
    for breakdown, groups in table.items():
        ref = {
            "ethnic_group": "White",
            "ethnic_priority": "White",
            "imd_quintile": "5",
            "imd_decile": "10",
        }.get(breakdown)
        ref_groups = groups
        if breakdown == "all" and COC_REFERENCE[0] in table:
            # the overall row is compared with the reference population
            ref, ref_groups = COC_REFERENCE[1], table[COC_REFERENCE[0]]
        ref_rate = None
        if ref:
            rx, rn = next((x, n) for g, x, n in ref_groups if g == ref)
            ref_rate = rx / rn
        for g, x, n in groups:
            row = _row(ind, ptype, start, end, breakdown, g, x, n)
            if ref and ref_rate and x > 0:
                ratio = (x / n) / ref_rate
                se = math.sqrt(1 / x - 1 / n + 1 / rx - 1 / rn) if g != ref else 0.0
                row.update(
                    reference_group=ref,
                    ratio=ratio,
                    ratio_lower=ratio * math.exp(-1.96 * se),
                    ratio_upper=ratio * math.exp(1.96 * se),
                    ratio_significance="similar"
                    if g == ref
                    else (
                        "higher"
                        if ratio * math.exp(-1.96 * se) > 1
                        else "lower"
                        if ratio * math.exp(1.96 * se) < 1
                        else "similar"
                    ),
                )
            elif ref:
                row.update(reference_group=ref, ratio_significance="not_compared")
            if breakdown == "imd_quintile" and ind in SII:
                s, sl, su, r, rl, ru = SII[ind]
                row.update(sii=s, sii_lower=sl, sii_upper=su, rii=r, rii_lower=rl, rii_upper=ru)
            rows.append(row)
    return rows


def results_frame() -> pd.DataFrame:
    rows = []
    rows += _breakdowns("p4c_coc_black_asian_mixed", COC_Q3, *Q3_2025)
    rows += _breakdowns("p4c_coc_black_asian_mixed", COC_Q3_2024, *Q3_2024)
    rows += _breakdowns("m_stillbirth_rate", STILLBIRTH_Q3, *Q3_2025)
    rows += _breakdowns("pop_bookings", POP_Q3, *Q3_2025)
    rows += _breakdowns("m_perinatal_mortality_rate", PERINATAL_12M, *ROLLING_12M, "rolling_12m")
    for breakdown, (group, figures) in PERINATAL_SII.items():
        row = _row(
            "m_perinatal_sii_deprivation", "rolling_12m", *ROLLING_12M, breakdown, group, 100, 20000
        )
        s, sl, su, r, rl, ru = figures
        row.update(
            value=s,
            lower_ci=sl,
            upper_ci=su,
            ci_method="sii_simulation",
            sii=s,
            sii_lower=sl,
            sii_upper=su,
            rii=r,
            rii_lower=rl,
            rii_upper=ru,
        )
        rows.append(row)
    quarter_starts = MONTHS[::3]
    for q, (start, x) in enumerate(zip(quarter_starts, PERINATAL_QUARTERS, strict=True)):
        end = month_end(MONTHS[3 * q + 2])
        rows.append(
            _row("m_perinatal_mortality_rate", "quarter", start, end, "all", "All", x, 5000)
        )
        if q >= 3:  # the 12 months to the end of each quarter from September 2024
            deaths = sum(PERINATAL_QUARTERS[q - 3 : q + 1])
            rows.append(
                _row(
                    "m_perinatal_mortality_rate",
                    "rolling_12m",
                    quarter_starts[q - 3],
                    end,
                    "all",
                    "All",
                    deaths,
                    20000,
                )
            )
    for i, m in enumerate(MONTHS):
        # CoC drifts up from about 35% to 42%; the last 8 months run high (a shift)
        x = 110 + 2 * i + (12 if i >= 16 else 0)
        rows.append(
            _row(
                "p4c_coc_black_asian_mixed",
                "month",
                m,
                month_end(m),
                "all",
                "All",
                x,
                320 + (i % 3),
            )
        )
        rows.append(
            _row(
                "p3_valid_ethnic_category_at_booking",
                "month",
                m,
                month_end(m),
                "all",
                "All",
                600 + (i * 7) % 23,
                660,
            )
        )
        rows.append(
            _row("m_stillbirth_rate", "month", m, month_end(m), "all", "All", (i * 5) % 9, 2000)
        )
    for q in range(8):  # quarterly stillbirths Oct 2023 to Sep 2025: every quarter has >= 8
        start = MONTHS[3 * q]
        rows.append(
            _row(
                "m_stillbirth_rate",
                "quarter",
                start,
                month_end(MONTHS[3 * q + 2]),
                "all",
                "All",
                26 if q == 7 else 20 + (q * 3) % 7,
                6010 if q == 7 else 6000,
            )
        )
    # the quarter is the sum of its three months
    q3_valid = sum(600 + (i * 7) % 23 for i in (21, 22, 23))
    rows.append(
        _row(
            "p3_valid_ethnic_category_at_booking",
            "quarter",
            *Q3_2025,
            "all",
            "All",
            q3_valid,
            3 * 660,
        )
    )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    # rows written twice (the Q3 2025 quarterly stillbirths, the 12 months to September 2025 of
    # perinatal mortality: in a breakdown table and in a series): keep the first
    return frame.drop_duplicates(
        subset=["indicator_id", "period_type", "period_start", "breakdown", "group"]
    ).reset_index(drop=True)


def dq_frame() -> pd.DataFrame:
    rows = []
    for i, m in enumerate(MONTHS):
        for rule, threshold, den in (
            ("ethnic_category_valid_at_booking", 0.80, 660),
            ("postcode_valid_at_booking", 0.95, 660),
        ):
            num = den - (40 + (i * 7) % 23 if rule.startswith("ethnic") else 20 + i % 15)
            rows.append(
                dict(
                    rule_id=rule,
                    period_start=m,
                    geography_type="lmns",
                    geography_code=LMNS[0],
                    numerator=num,
                    denominator=den,
                    value=num / den,
                    threshold=threshold,
                    comparison=">=",
                    passed=num / den >= threshold,
                    run_id="run-quality-1",
                )
            )
    return pd.DataFrame(rows)


def runs_frame() -> pd.DataFrame:
    inputs = [  # the shape of warehouse.runs.describe_inputs
        {"path": "extract/pregnancies.csv", "sha256": "ab" * 32, "bytes": 10, "kind": "extract"},
        {"path": "reference/imd.csv", "sha256": "cd" * 32, "bytes": 10, "kind": "reference"},
    ]
    return pd.DataFrame(
        [
            dict(
                run_id="run-compute-1",
                kind="compute",
                started_at="2025-10-10T09:00:00",
                finished_at="2025-10-10T09:01:00",
                code_version="0.1.0+g1234abc",
                inputs_json=json.dumps(inputs),
                counts_json="{}",
                parameters_json="{}",
                status="ok",
            )
        ]
    )


def write_warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    try:
        for name, frame in (
            ("results", results_frame()),
            ("dq_results", dq_frame()),
            ("runs", runs_frame()),
        ):
            con.register("frame", frame)
            con.execute(f"create or replace table {name} as select * from frame")
            con.unregister("frame")
        con.execute(
            "create table geography_lsoa (lsoa_code varchar, imd_vintage varchar, "
            "lsoa_vintage varchar)"
        )
        con.execute("insert into geography_lsoa values ('E01000001', 'IoD2025', '2021')")
    finally:
        con.close()
    return path


def plan_data() -> PlanData:
    return PlanData(
        interventions=[
            InterventionProgress("4c", "Continuity of carer for those most at risk", 6, 2, 2, 1, 1),
            InterventionProgress("3", "Complete ethnicity and postcode recording", 4, 1, 3, 0, 0),
        ],
        overdue=[
            ActionDue(
                "4c.3",
                "Recruit two community midwifery teams",
                "Director of Midwifery",
                dt.date(2025, 8, 31),
                "at risk",
            )
        ],
        milestones_due=[
            Milestone("Second team live", dt.date(2025, 12, 1), "on track", "Continuity of carer")
        ],
        coproduction=[
            CoproductionEvent(
                dt.date(2025, 8, 14),
                "Listening event with MNVP",
                "Somali and Bangladeshi women",
                "Interpreters booked late",
            )
        ],
        wres=[
            WresIndicator(
                2,
                "Relative likelihood of White applicants being appointed from "
                "shortlisting compared with BME applicants",
                46.99,
                14.65,
                3.21,
                "relative likelihood",
            )
        ],
        annotations=[
            Annotation(dt.date(2024, 11, 1), "4c.1 teams launched", ("p4c_coc_black_asian_mixed",))
        ],
    )
