"""The warehouse keeps whole loads atomic and records every run."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from maternity_equity.warehouse import RunRecord, Warehouse, backend, file_sha256
from maternity_equity.warehouse.tables import canonical_schema


def test_tables_round_trip_through_ibis(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.replace_tables({"things": pd.DataFrame({"x": [3, 1, 2], "y": ["c", "a", "b"]})})
        expr = wh.table("things").filter(lambda t: t.x > 1).order_by("x")
        assert wh.to_pandas(expr)["y"].tolist() == ["b", "c"]
        assert wh.list_tables() == ["things"]
    # the data is in the file, not only in the connection
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.to_pandas("things")["x"].sum() == 6


def test_unknown_table_is_a_clear_error(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(KeyError, match="no table 'nope'"):
        wh.table("nope")


def test_canonical_tables_are_stored_with_the_model_types(tmp_path):
    schema = canonical_schema("care_plans")
    empty = schema.empty_table()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.replace_tables({"care_plans": empty})
        stored = wh.table("care_plans").schema()
    assert str(stored["plan_date"]) == "date"
    assert str(stored["record_number"]) == "int64"
    assert list(stored.names) == schema.names


def test_failed_write_leaves_previous_tables_intact(tmp_path, monkeypatch):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.replace_tables({"a": pd.DataFrame({"v": [1]}), "b": pd.DataFrame({"v": [10]})})
        real_write = backend.write_arrow

        def fail_on_b(con, name, data, *, mode):
            if name == "b":
                raise RuntimeError("disk full (injected)")
            real_write(con, name, data, mode=mode)

        monkeypatch.setattr(backend, "write_arrow", fail_on_b)
        with pytest.raises(RuntimeError, match="injected"):
            wh.replace_tables(
                {"a": pd.DataFrame({"v": [2, 2]}), "b": pd.DataFrame({"v": [20]})},
                run=RunRecord("test"),
            )
        monkeypatch.setattr(backend, "write_arrow", real_write)
        # "a" was replaced inside the transaction before "b" failed: it must be rolled back
        assert wh.to_pandas("a")["v"].tolist() == [1]
        assert wh.to_pandas("b")["v"].tolist() == [10]
        assert not wh.has_table("runs")  # the run of the failed write was not recorded either


def test_append_creates_then_adds(tmp_path):
    rows = pa.table({"v": pa.array([1], pa.int64())})
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.write(append={"log": rows})
        wh.write(append={"log": rows})
        assert wh.to_pandas("log")["v"].tolist() == [1, 1]


def test_run_record_traces_inputs(tmp_path):
    src = tmp_path / "input.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    # second method: hash the same bytes in memory
    assert file_sha256(src) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    run = RunRecord("ingest", parameters={"mapping": "canonical"})
    run.inputs = [{"path": str(src), "sha256": file_sha256(src)}]
    run.counts = {"pregnancies": 3}
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.record_run(run.finish("succeeded"))
        runs = wh.runs()
    row = runs.iloc[0]
    assert row["run_id"] == run.run_id and row["status"] == "succeeded"
    assert row["inputs"][0]["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert json.loads(row["parameters_json"]) == {"mapping": "canonical"}
    assert row["code_version"].startswith("0.")
    assert row["finished_at"] >= row["started_at"]


def test_read_only_readers_share_the_file_and_cannot_write(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.replace_tables({"a": pd.DataFrame({"v": [1]})})
    with (
        Warehouse(tmp_path / "w.duckdb", read_only=True) as r1,
        Warehouse(tmp_path / "w.duckdb", read_only=True) as r2,
    ):
        assert r1.to_pandas("a")["v"].tolist() == r2.to_pandas("a")["v"].tolist() == [1]
        with pytest.raises(ValueError, match="opened read-only"):
            r1.replace_tables({"a": pd.DataFrame({"v": [2]})})
        with pytest.raises(duckdb.Error, match="read-only"):  # the engine refuses too
            r1.con.con.execute("CREATE TABLE b AS SELECT 1 AS v")
    with pytest.raises(ValueError, match="does not exist"):
        Warehouse(tmp_path / "missing.duckdb", read_only=True)


def test_an_engine_error_mid_load_rolls_back_everything(tmp_path):
    """A real DuckDB failure (no monkeypatching): appending text to an integer column."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.write(replace={"a": pd.DataFrame({"v": [1]})}, append={"log": pd.DataFrame({"n": [1]})})
        with pytest.raises(duckdb.Error):
            wh.write(
                replace={"a": pd.DataFrame({"v": [5, 6]})},
                append={"log": pd.DataFrame({"n": ["not a number"]})},
                run=RunRecord("test"),
            )
        assert wh.to_pandas("a")["v"].tolist() == [1]
        assert wh.to_pandas("log")["n"].tolist() == [1]
        assert not wh.has_table("runs")


def test_latest_run_of_a_kind(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.latest_run("ingest") is None
        first = RunRecord("ingest", parameters={"n": 1})
        wh.record_run(first.finish())
        failed = RunRecord("ingest")
        wh.record_run(failed.finish("failed"))
        wh.record_run(RunRecord("compute").finish())
        latest = wh.latest_run("ingest")
        assert latest["run_id"] == first.run_id  # the failed one is newer but not succeeded
        assert latest["parameters"] == {"n": 1}
        assert wh.latest_run("ingest", status="failed")["run_id"] == failed.run_id
