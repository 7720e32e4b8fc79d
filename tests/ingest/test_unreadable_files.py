"""A file that cannot be read at all stops the load with one message naming it: the failed run
is recorded with that message and the warehouse keeps what it had."""

from __future__ import annotations

import pytest
from ingest_helpers import pregnancy, write_extract

from maternity_equity.ingest import load_extract
from maternity_equity.ingest.errors import UnreadableFileError
from maternity_equity.warehouse import Warehouse

DAMAGED = b"\xe1\x8c\xbe\x0a\x95\x36\x28\x35 random bytes, not the format the name promises"


def _load(extract, tmp_path, geography):
    return load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("babies.xlsx", "an Excel workbook (.xlsx)"),
        ("babies.parquet", "Parquet"),
    ],
)
def test_a_damaged_file_fails_the_load_naming_the_file(tmp_path, geography, name, kind):
    extract = write_extract(tmp_path / "x", {"pregnancies": [pregnancy("P1")]})
    _load(extract, tmp_path, geography)  # a good load first
    write_extract(extract, {"pregnancies": [pregnancy("P1"), pregnancy("P2")]})
    (extract / name).write_bytes(DAMAGED)
    with pytest.raises(UnreadableFileError) as caught:
        _load(extract, tmp_path, geography)
    message = str(caught.value)
    assert message.startswith(f"{name}: cannot be read as {kind}: ")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        runs = wh.runs()
        pregnancies = wh.to_pandas("pregnancies")
    assert runs["status"].tolist() == ["failed", "succeeded"]  # newest first
    assert runs.iloc[0]["counts"] == {"error": f"UnreadableFileError: {message}"}
    assert len(pregnancies) == 1  # the first load's pregnancy only: P2 was not stored


def test_a_warehouse_from_before_the_source_column_still_takes_loads(tmp_path, geography):
    """The quarantine table gained ``source_column``; an older warehouse gets it added."""
    extract = write_extract(
        tmp_path / "x", {"pregnancies": [pregnancy("P1", booking_date="2024-02-30")]}
    )
    _load(extract, tmp_path, geography)
    with Warehouse(tmp_path / "w.duckdb") as wh:  # make it look like an older warehouse
        wh.con.con.execute('ALTER TABLE quarantine DROP COLUMN "source_column"')
    report = _load(extract, tmp_path, geography)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        stored = wh.to_pandas("quarantine").sort_values("run_id")
    assert len(stored) == 2
    latest = stored[stored["run_id"] == report.run_id].iloc[0]
    assert latest["source_column"] == "booking_date"
    older = stored[stored["run_id"] != report.run_id].iloc[0]
    assert older["source_column"] is None or str(older["source_column"]) in ("<NA>", "nan")
