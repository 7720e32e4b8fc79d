"""End to end: the synthetic generator's extract loads, and every defect it planted (its ledger)
shows up in the derived statuses, counted a second, independent way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ingest_helpers import pseudo

from maternity_equity.ingest import load_extract
from maternity_equity.warehouse import Warehouse

synth = pytest.importorskip("maternity_equity.synth", reason="synthetic generator not built")

LEDGER_TO_STATUS = {
    "ethnic_not_stated": ("ethnic_status", "not_stated"),
    "ethnic_not_known": ("ethnic_status", "not_known"),
    "ethnic_missing": ("ethnic_status", "missing"),
    "ethnic_unrecognised": ("ethnic_status", "unrecognised"),
    "postcode_pseudo_no_fixed_abode": ("postcode_status", "pseudo_no_fixed_abode"),
    "postcode_pseudo_not_known": ("postcode_status", "pseudo_not_known"),
    "postcode_pseudo_elsewhere": ("postcode_status", "pseudo_elsewhere"),
    "postcode_malformed": ("postcode_status", "malformed"),
    "postcode_not_in_directory": ("postcode_status", "not_in_directory"),
    "postcode_terminated": ("postcode_status", "terminated"),
    "postcode_missing": ("postcode_status", "missing"),
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    manifest = synth.generate_lmns(out, pregnancies=300, years=1, seed=7)
    report = load_extract(
        out / "extract",
        reference_dir=out / "reference",
        warehouse_path=out / "w.duckdb",
        key="e2e",
        progress=False,
    )
    with Warehouse(out / "w.duckdb") as wh:
        preg = wh.to_pandas("pregnancies")
        tables = {t: len(wh.to_pandas(t)) for t in report.table_rows}
    return manifest, report, preg, tables


def test_synthetic_extract_loads_and_reconciles(synthetic):
    manifest, report, preg, tables = synthetic
    assert report.reconciles()
    counts = report.counts.set_index("table_name")
    for table, n in manifest.counts.items():
        if table in counts.index:
            assert counts.loc[table, "read"] == n, table
    assert len(preg) == manifest.counts["unique_pregnancies"] == 300
    dups = manifest.ledger["duplicate_resubmitted"]["count"]
    assert counts.loc["pregnancies", "duplicates_removed"] == dups
    assert tables["pregnancies"] == 300


def test_every_planted_defect_is_recognised(synthetic):
    manifest, _, preg, _ = synthetic
    by_id = preg.set_index("pregnancy_id")
    for defect, (column, status) in LEDGER_TO_STATUS.items():
        planted = {
            pseudo(p, "pregnancy_id", "e2e") for p in manifest.ledger[defect]["pregnancy_ids"]
        }
        found = set(by_id.index[by_id[column] == status])
        assert found == planted, defect
    no_gestation = {
        pseudo(p, "pregnancy_id", "e2e")
        for p in manifest.ledger["gestation_missing"]["pregnancy_ids"]
    }
    assert set(by_id.index[by_id["gestation_at_booking_days"].isna()]) == no_gestation


def test_duplicates_resolve_to_the_latest_submission(synthetic):
    manifest, _, preg, _ = synthetic
    raw = pd.read_csv(Path(manifest.out_dir) / "extract" / "pregnancies.csv", dtype=str)
    raw["record_number"] = raw["record_number"].astype(int)
    # the last row per pregnancy after a stable sort (not groupby.last, which skips blanks)
    ordered = raw.sort_values(["rp_start_date", "record_number"], kind="stable")
    latest = ordered.drop_duplicates("pregnancy_id", keep="last").set_index("pregnancy_id")
    corrected = manifest.ledger["duplicate_corrected"]["pregnancy_ids"]
    assert corrected
    stored = preg.set_index("pregnancy_id")
    for pid in corrected:
        row = stored.loc[pseudo(pid, "pregnancy_id", "e2e")]
        assert str(row["rp_start_date"])[:10] == latest.loc[pid, "rp_start_date"]
        assert str(row["edd"])[:10] == str(latest.loc[pid, "edd"])[:10] or (
            pd.isna(row["edd"]) and pd.isna(latest.loc[pid, "edd"])
        )
