"""Parquet extracts are checked in chunks; the load must not depend on the chunk size."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from maternity_equity.ingest import load, load_extract
from maternity_equity.synth import generate_lmns
from maternity_equity.warehouse import Warehouse

TABLES = ("pregnancies", "deliveries", "babies", "care_plans", "care_contacts")


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """A small synthetic Parquet extract with one broken row and one resubmitted row."""
    out = tmp_path_factory.mktemp("chunked")
    generate_lmns(out / "s", pregnancies=120, years=1, seed=7, file_format="parquet")
    path = out / "s" / "extract" / "care_contacts.parquet"
    contacts = pq.read_table(path)
    text = contacts.cast(pa.schema([(f.name, pa.string()) for f in contacts.schema]))
    broken = text.slice(3, 1).set_column(
        text.schema.get_field_index("contact_date"), "contact_date", pa.array(["2024-13-45"])
    )
    # the same contact sent again: the later row (higher position) must win, not be doubled
    again = text.slice(10, 1)
    again = again.set_column(
        again.schema.get_field_index("team_id"), "team_id", pa.array(["RESENT-TEAM"])
    )
    pq.write_table(pa.concat_tables([text, broken, again]), path)
    return out / "s"


def _load(extract, warehouse, monkeypatch, rows_per_chunk):
    monkeypatch.setattr(load, "ROWS_PER_CHUNK", rows_per_chunk)
    report = load_extract(
        extract / "extract",
        reference_dir=extract / "reference",
        warehouse_path=warehouse,
        key="chunks",
        progress=False,
    )
    with Warehouse(warehouse) as wh:
        tables = {t: wh.to_pandas(t) for t in TABLES}
    return report, tables


def test_chunk_size_changes_nothing(extract, tmp_path, monkeypatch):
    whole, whole_tables = _load(extract, tmp_path / "a.duckdb", monkeypatch, 10_000_000)
    small, small_tables = _load(extract, tmp_path / "b.duckdb", monkeypatch, 97)
    for table in TABLES:
        assert whole_tables[table].equals(small_tables[table]), table
    assert whole.counts.equals(small.counts)
    cols = ["table_name", "file", "row_number", "column", "rule"]
    assert whole.quarantine[cols].equals(small.quarantine[cols])
    assert small.reconciles()
    # by hand: the contacts file holds the generated rows + 2; one is quarantined and one
    # supersedes an earlier row of the same contact
    read = pq.read_metadata(extract / "extract" / "care_contacts.parquet").num_rows
    row = small.counts.set_index("table_name").loc["care_contacts"]
    assert (row["read"], row["quarantined"], row["duplicates_removed"]) == (read, 1, 1)
    assert row["accepted"] == read - 2 == len(small_tables["care_contacts"])
    bad = small.quarantine[small.quarantine["table_name"] == "care_contacts"]
    assert bad["row_number"].astype(int).tolist() == [
        read - 1
    ]  # Parquet rows count from 1: the broken one
    assert set(bad["column"]) == {"contact_date"}


def test_a_resent_row_replaces_the_earlier_one_across_chunks(extract, tmp_path, monkeypatch):
    _, tables = _load(extract, tmp_path / "c.duckdb", monkeypatch, 97)
    contacts = tables["care_contacts"]
    # the resent copy is the file's last row, chunks after the original (row 11)
    assert (contacts["team_id"] == "RESENT-TEAM").sum() == 1
    original = pq.read_table(extract / "extract" / "care_contacts.parquet")["team_id"][10]
    assert original.as_py() != "RESENT-TEAM"
