"""Whole loads: idempotence, monthly accumulation, atomic failure, pseudonymisation, run record."""

from __future__ import annotations

import stat

import pandas as pd
import pytest
from ingest_helpers import pregnancy, pseudo, write_extract

from maternity_equity.ingest import load, load_extract
from maternity_equity.ingest.pseudonymise import ENV_VAR
from maternity_equity.warehouse import Warehouse

CANONICAL = ("pregnancies", "care_plans", "care_contacts", "deliveries", "babies")


def _month(folder, month: str, ids: list[str], **overrides):
    rows = [
        pregnancy(
            p,
            rp_start_date=f"2024-{month}-01",
            nhs_number="943 476 5919" if p in ("P1", "PREG1") else "",
            **overrides,
        )
        for p in ids
    ]
    plans = [
        {
            "care_plan_id": f"C{p}",
            "pregnancy_id": p,
            "rp_start_date": f"2024-{month}-01",
            "plan_type": "05",
            "plan_date": "2024-03-05",
            "coc_pathway": "Y",
        }
        for p in ids
    ]
    return write_extract(folder, {"pregnancies": rows, "care_plans": plans})


def _snapshot(path):
    with Warehouse(path) as wh:
        return {t: wh.to_pandas(t) for t in CANONICAL}


def test_loading_the_same_extract_twice_changes_nothing(tmp_path, geography):
    extract = _month(tmp_path / "m3", "03", ["P1", "P2", "P3"])
    wh = tmp_path / "w.duckdb"
    load_extract(extract, reference_dir=geography, warehouse_path=wh, key="k", progress=False)
    before = _snapshot(wh)
    again = load_extract(
        extract, reference_dir=geography, warehouse_path=wh, key="k", progress=False
    )
    after = _snapshot(wh)
    for table in CANONICAL:
        pd.testing.assert_frame_equal(before[table], after[table])
    assert len(after["pregnancies"]) == 3
    assert again.reconciles()


def test_monthly_loads_accumulate_and_resubmissions_replace(tmp_path, geography):
    wh = tmp_path / "w.duckdb"
    march = _month(tmp_path / "m3", "03", ["P1", "P2"])
    april = _month(tmp_path / "m4", "04", ["P2", "P3"], ethnic_category="N")
    load_extract(march, reference_dir=geography, warehouse_path=wh, key="k", progress=False)
    report = load_extract(
        april, reference_dir=geography, warehouse_path=wh, key="k", progress=False
    )
    preg = _snapshot(wh)["pregnancies"].set_index("pregnancy_id")
    ids = {p: pseudo(p, "pregnancy_id", "k") for p in ("P1", "P2", "P3")}
    assert set(preg.index) == set(ids.values())
    assert preg.loc[ids["P1"], "ethnic_category"] == "A"  # March only
    assert preg.loc[ids["P2"], "ethnic_category"] == "N"  # April resubmission replaced March
    # an older resubmission loaded later does not win
    load_extract(march, reference_dir=geography, warehouse_path=wh, key="k", progress=False)
    preg = _snapshot(wh)["pregnancies"].set_index("pregnancy_id")
    assert preg.loc[ids["P2"], "ethnic_category"] == "N"
    assert report.counts.set_index("table_name").loc["pregnancies", "accepted"] == 2


def test_child_rows_may_refer_to_pregnancies_loaded_earlier(tmp_path, geography):
    wh = tmp_path / "w.duckdb"
    load_extract(
        _month(tmp_path / "m3", "03", ["P1"]),
        reference_dir=geography,
        warehouse_path=wh,
        key="k",
        progress=False,
    )
    later = write_extract(
        tmp_path / "m4",
        {
            "care_plans": [
                {
                    "care_plan_id": "C9",
                    "pregnancy_id": "P1",
                    "rp_start_date": "2024-04-01",
                    "plan_type": "06",
                    "plan_date": "2024-04-02",
                }
            ]
        },
    )
    report = load_extract(
        later, reference_dir=geography, warehouse_path=wh, key="k", progress=False
    )
    assert report.quarantine.empty
    assert len(_snapshot(wh)["care_plans"]) == 2
    assert len(_snapshot(wh)["pregnancies"]) == 1  # not touched by a load without its file


def test_failed_load_leaves_the_warehouse_intact(tmp_path, geography, monkeypatch):
    wh = tmp_path / "w.duckdb"
    load_extract(
        _month(tmp_path / "m3", "03", ["P1", "P2"]),
        reference_dir=geography,
        warehouse_path=wh,
        key="k",
        progress=False,
    )
    before = _snapshot(wh)

    def broken(*args, **kwargs):
        raise RuntimeError("linkage failed (injected)")

    monkeypatch.setattr(load.derive, "geography_columns", broken)
    with pytest.raises(RuntimeError, match="injected"):
        load_extract(
            _month(tmp_path / "m4", "04", ["P3"]),
            reference_dir=geography,
            warehouse_path=wh,
            key="k",
            progress=False,
        )
    after = _snapshot(wh)
    for table in CANONICAL:
        pd.testing.assert_frame_equal(before[table], after[table])
    with Warehouse(wh) as w:
        runs = w.runs()
        assert list(runs["status"]) == ["failed", "succeeded"]
        assert "injected" in runs.iloc[0]["counts"]["error"]
        assert w.to_pandas("load_counts")["run_id"].nunique() == 1


def test_no_direct_identifier_reaches_the_warehouse(tmp_path, geography):
    extract = _month(tmp_path / "m3", "03", ["PREG1", "PREG2"])
    wh = tmp_path / "w.duckdb"
    load_extract(extract, reference_dir=geography, warehouse_path=wh, key="k", progress=False)
    forbidden = {
        "9434765919",
        "943 476 5919",
        "1990-06-15",
        "LE1 1AA",
        "LE11AA",
        "PREG1",
        "PREG2",
        "MPREG1",
        "MPREG2",
        "CPREG1",
    }
    with Warehouse(wh) as w:
        for name in w.list_tables():
            frame = w.to_pandas(name)
            assert not {"nhs_number", "mother_birth_date", "postcode"} & set(frame.columns)
            for col in frame.columns:
                text = frame[col].astype(str)
                hits = text[text.isin(forbidden)]
                assert hits.empty, f"{name}.{col} holds {hits.tolist()}"
                if name == "pregnancies" and pd.api.types.is_datetime64_any_dtype(frame[col]):
                    assert not (frame[col] == pd.Timestamp("1990-06-15")).any(), col


def test_pseudonyms_are_keyed_hashes_stable_across_loads(tmp_path, geography):
    extract = _month(tmp_path / "m3", "03", ["P1", "P2"])
    load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "a.duckdb",
        key="k",
        progress=False,
    )
    load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "b.duckdb",
        key="other",
        progress=False,
    )
    a = _snapshot(tmp_path / "a.duckdb")["pregnancies"]
    b = _snapshot(tmp_path / "b.duckdb")["pregnancies"]
    assert set(a["pregnancy_id"]) == {
        pseudo("P1", "pregnancy_id", "k"),
        pseudo("P2", "pregnancy_id", "k"),
    }
    assert not set(a["pregnancy_id"]) & set(b["pregnancy_id"])  # another key, other pseudonyms
    # P1 has an NHS number: her pseudonym comes from it (spaces removed), P2's from the local id
    assert set(a["mother_id"]) == {
        pseudo("nhs:9434765919", "mother", "k"),
        pseudo("local:MP2", "mother", "k"),
    }
    plans = _snapshot(tmp_path / "a.duckdb")["care_plans"]
    assert set(plans["pregnancy_id"]) == set(a["pregnancy_id"])  # links across tables


def test_generated_key_is_kept_private_and_reused(tmp_path, geography, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    extract = _month(tmp_path / "m3", "03", ["P1"])
    wh = tmp_path / "w.duckdb"
    first = load_extract(extract, reference_dir=geography, warehouse_path=wh, progress=False)
    key_file = tmp_path / "w.duckdb.key"
    assert key_file.exists() and "key file" in first.key_source
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ids = set(_snapshot(wh)["pregnancies"]["pregnancy_id"])
    key = key_file.read_text().strip()
    assert ids == {pseudo("P1", "pregnancy_id", key)}
    load_extract(extract, reference_dir=geography, warehouse_path=wh, progress=False)
    assert set(_snapshot(wh)["pregnancies"]["pregnancy_id"]) == ids
    key_file.chmod(0o644)  # someone loosened it: the next load says so
    loose = load_extract(extract, reference_dir=geography, warehouse_path=wh, progress=False)
    assert "readable by other users" in loose.key_source


def test_environment_key_and_a_mismatched_key_is_refused(tmp_path, geography, monkeypatch):
    extract = _month(tmp_path / "m3", "03", ["P1"])
    wh = tmp_path / "w.duckdb"
    monkeypatch.setenv(ENV_VAR, "from-env")
    load_extract(extract, reference_dir=geography, warehouse_path=wh, progress=False)
    assert set(_snapshot(wh)["pregnancies"]["pregnancy_id"]) == {
        pseudo("P1", "pregnancy_id", "from-env")
    }
    with pytest.raises(ValueError, match="different pseudonymisation key"):
        load_extract(
            extract, reference_dir=geography, warehouse_path=wh, key="another", progress=False
        )


def test_run_record_traces_inputs_vintages_and_counts(tmp_path, geography):
    import hashlib

    extract = _month(tmp_path / "m3", "03", ["P1", "P2"])
    wh = tmp_path / "w.duckdb"
    report = load_extract(
        extract, reference_dir=geography, warehouse_path=wh, key="k", progress=False
    )
    with Warehouse(wh) as w:
        run = w.runs().iloc[0]
        lsoa = w.to_pandas("geography_lsoa")
    assert run["run_id"] == report.run_id and run["kind"] == "ingest"
    inputs = {p["path"].rsplit("/", 1)[-1]: p["sha256"] for p in run["inputs"]}
    assert (
        inputs["pregnancies.csv"]
        == hashlib.sha256((extract / "pregnancies.csv").read_bytes()).hexdigest()
    )
    assert run["parameters"]["imd_vintage"] == "IoD2019"
    assert run["parameters"]["lsoa_vintage"] == "2011"
    assert "k" not in run["parameters_json"].split('"')  # the key itself is never stored
    assert run["counts"]["tables"]["pregnancies"] == 2
    assert len(lsoa) == 3 and set(lsoa["imd_vintage"]) == {"IoD2019"}


def test_parquet_copy_is_partitioned_by_reporting_month(tmp_path, geography):
    import pyarrow.dataset as ds

    wh = tmp_path / "w.duckdb"
    load_extract(
        _month(tmp_path / "m3", "03", ["P1", "P2"]),
        reference_dir=geography,
        warehouse_path=wh,
        key="k",
        progress=False,
    )
    load_extract(
        _month(tmp_path / "m4", "04", ["P3"]),
        reference_dir=geography,
        warehouse_path=wh,
        key="k",
        progress=False,
        parquet_dir=tmp_path / "pq",
    )
    folders = sorted(p.name for p in (tmp_path / "pq" / "pregnancies").iterdir())
    assert folders == ["period_month=2024-03", "period_month=2024-04"]
    data = ds.dataset(tmp_path / "pq" / "pregnancies", partitioning="hive").to_table()
    assert data.num_rows == 3
    stored = _snapshot(wh)["pregnancies"]
    assert sorted(data["pregnancy_id"].to_pylist()) == sorted(stored["pregnancy_id"])
    assert str(data.schema.field("booking_date").type) == "date32[day]"


def test_files_no_table_reads_are_named(tmp_path, geography):
    extract = _month(tmp_path / "m3", "03", ["P1"])
    (extract / "bookings_final_v2.csv").write_text("a\n1\n", encoding="utf-8")
    (extract / "notes.txt").write_text("x", encoding="utf-8")
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    assert "not read (no table of the mapping matches): bookings_final_v2.csv, notes.txt" in (
        report.notes
    )
