"""CSV, Parquet and Excel files read to the same text, with row numbers a person would use."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import HEADERS, pregnancy, write_extract
from openpyxl import Workbook

from maternity_equity.ingest import load_extract
from maternity_equity.ingest.readers import read_text_table
from maternity_equity.warehouse import Warehouse

PREGS = [pregnancy("P1"), pregnancy("P2", previous_live_births="2", edd="")]


def _typed_parquet(path):
    """Dates as real dates and numbers as numbers, as a provider's Parquet export would hold."""
    table = pa.table(
        {
            "pregnancy_id": ["P1", "P2", "P3"],
            "mother_id": ["M1", "M2", "M3"],
            "rp_start_date": pa.array([dt.date(2024, 3, 1)] * 3, pa.date32()),
            "record_number": pa.array([1, 2, None], pa.int64()),
            "provider_code": ["RXX"] * 3,
            "booking_date": pa.array(
                [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 2), None], pa.timestamp("us")
            ),
            "edd": pa.array([dt.date(2024, 10, 1), None, None], pa.date32()),
            "previous_live_births": pa.array([0.0, 2.0, 1.5], pa.float64()),
            "folic_acid": ["01", "02", "03"],
        }
    )
    pq.write_table(table, path)


def test_parquet_values_become_the_text_a_person_would_type(tmp_path):
    _typed_parquet(tmp_path / "pregnancies.parquet")
    got = read_text_table(tmp_path / "pregnancies.parquet")
    assert got["rp_start_date"].tolist() == ["2024-03-01"] * 3
    assert got["booking_date"].fillna("-").tolist() == ["2024-03-01", "2024-03-02", "-"]
    assert got["previous_live_births"].tolist() == ["0", "2", "1.5"]
    assert got["record_number"].fillna("-").tolist() == ["1", "2", "-"]
    assert got["__row"].tolist() == [1, 2, 3]  # no header row in Parquet


def test_parquet_load_quarantines_by_record_number(tmp_path, geography):
    extract = tmp_path / "extract"
    extract.mkdir()
    _typed_parquet(extract / "pregnancies.parquet")
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    problems = set(
        zip(
            report.quarantine["row_number"],
            report.quarantine["column"],
            report.quarantine["rule"],
            strict=True,
        )
    )
    assert problems == {
        (3, "booking_date", "required_missing"),
        (3, "previous_live_births", "invalid_integer"),
    }
    assert report.counts.iloc[0][["read", "accepted", "quarantined"]].tolist() == [3, 2, 1]


def _excel(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append([None] * len(header))  # a formatted but empty trailing row
    book.save(path)


def test_excel_dates_numbers_and_row_numbers(tmp_path):
    _excel(
        tmp_path / "babies.xlsx",
        ["baby_id", "birth_date", "birth_weight_g", "outcome"],
        [
            ["B1", dt.datetime(2024, 5, 6), 3400, "01"],
            ["B2", dt.date(2024, 5, 7), 3100.0, 1],
            ["B3", "07/05/2024", "heavy", None],
        ],
    )
    got = read_text_table(tmp_path / "babies.xlsx")
    assert got["birth_date"].tolist() == ["2024-05-06", "2024-05-07", "07/05/2024"]
    assert got["birth_weight_g"].tolist() == ["3400", "3100", "heavy"]
    assert got["outcome"].fillna("-").tolist() == ["01", "1", "-"]
    assert got["__row"].tolist() == [2, 3, 4]  # header is row 1; the empty row is dropped


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_the_same_extract_loads_identically_from_every_format(tmp_path, geography, suffix):
    csv_dir = write_extract(tmp_path / "csv", {"pregnancies": PREGS})
    target = tmp_path / "other"
    target.mkdir()
    frame = pd.read_csv(csv_dir / "pregnancies.csv", dtype=str, keep_default_na=False)
    if suffix == ".parquet":
        frame.to_parquet(target / "pregnancies.parquet", index=False)
    elif suffix == ".xlsx":
        _excel(target / "pregnancies.xlsx", HEADERS["pregnancies"], frame.values.tolist())
    results = []
    for folder, name in ((csv_dir, "a"), (target, "b")):
        load_extract(
            folder,
            reference_dir=geography,
            warehouse_path=tmp_path / f"{name}.duckdb",
            key="k",
            progress=False,
        )
        with Warehouse(tmp_path / f"{name}.duckdb") as wh:
            results.append(wh.to_pandas("pregnancies"))
    pd.testing.assert_frame_equal(results[0], results[1])
    # P1: booking 2024-03-01, EDD 2024-10-01 -> 66 days; P2 has neither EDD nor LMP
    assert results[1]["gestation_at_booking_days"].fillna(-1).astype(int).tolist() == [66, -1]


def test_unreadable_file_type_is_a_clear_error(tmp_path):
    (tmp_path / "pregnancies.txt").write_text("x")
    with pytest.raises(ValueError, match=r"pregnancies.txt: cannot read '.txt' files"):
        read_text_table(tmp_path / "pregnancies.txt")


def test_windows_encoded_csv_is_read_and_noted(tmp_path, geography):
    extract = tmp_path / "extract"
    extract.mkdir()
    text = "pregnancy_id,mother_id,rp_start_date,provider_code,booking_date,community_team\n"
    text += "P1,M1,2024-03-01,RXX,2024-03-01,Chloë's team\n"
    (extract / "pregnancies.csv").write_bytes(text.encode("cp1252"))
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.to_pandas("pregnancies")["community_team"].tolist() == ["Chloë's team"]
    assert "pregnancies.csv: not UTF-8, read as cp1252" in report.notes


def test_one_workbook_with_a_sheet_per_table(tmp_path, geography):
    from ingest_helpers import HEADERS as H

    extract = tmp_path / "extract"
    extract.mkdir()
    book = Workbook()
    preg = book.active
    preg.title = "Pregnancies"
    preg.append(H["pregnancies"])
    for row in (pregnancy("P1"), pregnancy("P2", booking_date="2024-02-30")):
        preg.append([row.get(c) or None for c in H["pregnancies"]])
    plans = book.create_sheet("care_plans")
    plans.append(H["care_plans"])
    plans.append(
        ["C1", "P1", dt.date(2024, 3, 1), 1, "05", dt.date(2024, 3, 5), "Y", "Y", None, None]
    )
    book.create_sheet("Notes").append(["read me"])
    book.save(extract / "trust_extract.xlsx")
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    assert report.counts[["table_name", "file", "read", "accepted"]].values.tolist() == [
        ["pregnancies", "trust_extract.xlsx sheet Pregnancies", 2, 1],
        ["care_plans", "trust_extract.xlsx sheet care_plans", 1, 1],
    ]
    assert report.quarantine["message"].tolist() == [
        "trust_extract.xlsx sheet Pregnancies row 3, column booking_date: '2024-02-30' is not a "
        "valid date (expected YYYY-MM-DD)"
    ]
    assert not any(n.startswith("not read") for n in report.notes)
