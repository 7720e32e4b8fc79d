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

DQ_RESULTS = pd.DataFrame(
    {
        "rule_id": ["postcode_valid_at_booking", "ethnic_category_valid_at_booking"],
        "period_start": [date(2025, 3, 1)] * 2,
        "geography_type": ["lmns"] * 2,
        "geography_code": ["E54000099"] * 2,
        "numerator": [990.0, 700.0],
        "denominator": [1000.0, 1000.0],
        "value": [99.0, 70.0],
        "threshold": [95.0, 80.0],
        "comparison": [">="] * 2,
        "passed": [True, False],
        "run_id": ["test-run"] * 2,
    }
)

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


def _square(code: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {
        "type": "Feature",
        "properties": {"LSOA11CD": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_warehouse(folder: Path, *, attacks: bool = False) -> Path:
    """``folder/warehouse.duckdb`` plus ``folder/synthetic/reference/lsoa_boundaries.geojson``;
    with ``attacks``, also the rows of the security review's attacks (:func:`attack_frame`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warehouse.duckdb"
    results = results_frame()
    dq = DQ_RESULTS
    if attacks:
        results = pd.concat([results, attack_frame()], ignore_index=True)
        dq = pd.concat([DQ_RESULTS, ATTACK_DQ], ignore_index=True)
    con = duckdb.connect(str(path))
    try:
        for name, frame in (
            ("results", results),
            ("geography_lsoa", GEOGRAPHY),
            ("dq_results", dq),
            ("dq_worklist", DQ_WORKLIST),
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
