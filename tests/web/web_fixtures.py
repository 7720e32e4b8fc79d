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


def _square(code: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {
        "type": "Feature",
        "properties": {"LSOA11CD": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write_warehouse(folder: Path) -> Path:
    """``folder/warehouse.duckdb`` plus ``folder/synthetic/reference/lsoa_boundaries.geojson``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        for name, frame in (
            ("results", results_frame()),
            ("geography_lsoa", GEOGRAPHY),
            ("dq_results", DQ_RESULTS),
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
