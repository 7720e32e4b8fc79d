"""End to end on a small synthetic LMNS: every record-level indicator yields rows for every
standard breakdown, the results table and results.csv are written with a run record."""

from __future__ import annotations

import pandas as pd
import pytest

from maternity_equity.indicators import catalogue, compute_all
from maternity_equity.warehouse.schema import RESULT_COLUMNS


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    try:
        from maternity_equity.ingest import load_extract
        from maternity_equity.synth import generate_lmns
    except ImportError as exc:  # another stage mid-change
        pytest.skip(f"synth or ingest not importable: {exc}")
    out = tmp_path_factory.mktemp("synth")
    generate_lmns(out, pregnancies=300, years=1, seed=7)
    wh = out / "wh.duckdb"
    load_extract(
        out / "extract", reference_dir=out / "reference", warehouse_path=wh, progress=False
    )
    return wh, compute_all(wh, progress=False, out_dir=out / "out")


def test_every_record_indicator_has_every_breakdown(computed):
    _, report = computed
    res = report.results
    standard = {
        "all",
        "ethnic_group",
        "ethnic_priority",
        "ethnic_category",
        "imd_decile",
        "imd_quintile",
        "ethnic_group_x_imd_quintile",
    }
    for ind in catalogue():
        if ind.source != "records" or ind.kind in ("group_ratio", "sii", "ranking"):
            continue
        mine = res[res["indicator_id"] == ind.id]
        got = set(mine["breakdown"])
        assert standard <= got, (ind.id, standard - got)
        assert set(mine["geography_type"]) == {"lmns", "provider", "place", "neighbourhood"}
        # the detailed breakdowns too, for every geography and period type the indicator has
        # (months and neighbourhoods included)
        per_slice = mine.groupby(["geography_type", "period_type"])["breakdown"].agg(set)
        for (geo, period), breakdowns in per_slice.items():
            assert standard <= breakdowns, (ind.id, geo, period, standard - breakdowns)
        assert {"month", "quarter"} <= set(per_slice.index.get_level_values(1)), ind.id
    for special in (
        "m_perinatal_ratio_black_asian_vs_white",
        "m_perinatal_sii_deprivation",
        "areas_of_highest_need",
    ):
        assert (res["indicator_id"] == special).any(), special


def test_standard_detail_leaves_detailed_breakdowns_to_larger_areas_and_periods(computed):
    wh, report = computed
    from maternity_equity.indicators import Options, backend, compute, engine
    from maternity_equity.warehouse.schema import EXTRACT_TABLES

    con = backend.connect(wh)  # computed without storing, so the stored run stays the default
    try:
        tables = {t: con.table(t) for t in EXTRACT_TABLES}
        names = engine._names(con)
        lean = compute(tables, options=Options.standard(), con=con, names=names)
    finally:
        con.disconnect()
    full = report.results
    detailed = ["ethnic_category", "ethnic_group_x_imd_quintile"]
    for res, months in ((full, True), (lean, False)):
        rows = res[res["breakdown"].isin(detailed)]
        assert (rows["period_type"] == "month").any() == months
        assert (rows["geography_type"] == "neighbourhood").any() == months
    # everything else is the same rows with the same counts (SII rows aside: fewer slices)
    keys = ["indicator_id", "period_type", "period_start", "geography_type", "geography_code"]
    keys += ["breakdown", "group", "numerator", "denominator"]

    def others(res):
        keep = ~res["breakdown"].isin(detailed) & ~res["group"].str.startswith("All ")
        return res[keep][keys].sort_values(keys[:7])

    common, lean_common = others(full), others(lean)
    sii = lean[lean["group"].str.startswith("All ")]
    assert set(sii["period_type"]) <= {"rolling_12m", "financial_year"}
    pd.testing.assert_frame_equal(common.reset_index(drop=True), lean_common.reset_index(drop=True))
    assert len(lean) < len(full)


def test_results_table_csv_and_run_record(computed):
    wh, report = computed
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    stored = con.sql("SELECT * FROM results").df()
    run = con.sql("SELECT * FROM runs WHERE run_id = ?", params=[report.run_id]).df()
    con.close()
    assert list(stored.columns) == list(RESULT_COLUMNS)
    assert len(stored) == report.rows and len(run) == 1 and run["status"].item() == "succeeded"
    assert stored["run_id"].unique().tolist() == [report.run_id]
    csv = pd.read_csv(report.csv_path)
    assert len(csv) == report.rows
    # internal consistency: value = numerator / denominator x multiplier for Wilson rows
    w = stored[stored["ci_method"] == "wilson"]
    assert (w["value"] - w["numerator"] / w["denominator"] * w["multiplier"]).abs().max() < 1e-9
    assert ((w["lower_ci"] <= w["value"] + 1e-9) & (w["value"] <= w["upper_ci"] + 1e-9)).all()
    assert set(stored["dq_status"]) <= {"pass", "fail", "not_assessed"}
