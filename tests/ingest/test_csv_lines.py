"""No CSV line is lost without a word: an unclosed quotation mark is quarantined on its own line
and the lines after it still load; the file's lines, counted apart from the parser, reconcile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ingest_helpers import PREG_HEADER, pregnancy, write_extract

from maternity_equity.ingest import csv_text, load_extract
from maternity_equity.ingest.errors import UnreadableFileError
from maternity_equity.ingest.readers import read_csv_text
from maternity_equity.ingest.report import LoadReport
from maternity_equity.warehouse import Warehouse


def _break_line(path, line_number: int, old: str, new: str) -> None:
    """Edit one physical line of a file (header = line 1), as a slip in a text editor would."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line_number - 1]
    lines[line_number - 1] = lines[line_number - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_an_unclosed_quote_is_quarantined_and_the_following_rows_still_load(tmp_path, geography):
    # 40 pregnancies, one per line (lines 2..41); line 6 holds P05, whose team opens a quote
    # that never closes (the reviewer's case: before the fix 35 rows vanished unreported)
    rows = [pregnancy(f"P{i:02d}", community_team=f"T{i}") for i in range(1, 41)]
    extract = write_extract(tmp_path / "x", {"pregnancies": rows})
    _break_line(extract / "pregnancies.csv", 6, ",T5,", ',"Team with no closing quote,')
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    counts = report.counts.set_index("file").loc["pregnancies.csv"]
    # by hand: 40 lines = 39 good records + 1 unreadable line; none blank
    assert (counts["read"], counts["accepted"], counts["quarantined"]) == (40, 39, 1)
    assert (counts["lines"], counts["blank_lines"]) == (40, 0)
    assert report.reconciles()
    entry = report.quarantine.iloc[0]
    assert len(report.quarantine) == 1
    assert (entry["file"], entry["row_number"], entry["rule"]) == (
        "pregnancies.csv",
        6,
        "unclosed_quote",
    )
    assert entry["message"].startswith("pregnancies.csv row 6: a quotation mark opens a value")
    assert "unclosed quote" in entry["message"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        teams = set(wh.to_pandas("pregnancies")["community_team"])
    assert teams == {f"T{i}" for i in range(1, 41)} - {"T5"}


def test_a_quote_running_to_the_end_of_the_last_column_does_not_swallow_rows(tmp_path):
    # the last column opens a quote: the parser alone reads lines 3-5 as ONE good-looking record
    path = tmp_path / "t.csv"
    path.write_text('a,b,c\n1,2,3\n4,5,"x\n7,8,9\n10,11,12\n', encoding="utf-8")
    frame = read_csv_text(path)
    assert frame[["a", "b", "c"]].values.tolist() == [
        ["1", "2", "3"],
        ["7", "8", "9"],
        ["10", "11", "12"],
    ]
    assert frame["__row"].tolist() == [2, 4, 5]
    assert [(b.row, b.rule) for b in frame.attrs["bad_lines"]] == [(3, "unclosed_quote")]
    assert frame.attrs["lines"] == 4


def test_two_stray_quotes_that_pair_up_across_lines_lose_nothing(tmp_path):
    # line 3 opens a quote that line 5's quote would close, hiding line 4 inside one value;
    # read line by line: 3 and 5 each open a quote that does not close, 2, 4 and 6 are good
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b,c\r\n1,2,3\r\n4,"5,6\r\n7,8,9\r\n10,"11,12\r\n13,14,15\r\n')
    frame = read_csv_text(path)
    assert frame["a"].tolist() == ["1", "7", "13"]
    assert frame["__row"].tolist() == [2, 4, 6]
    assert [(b.row, b.rule) for b in frame.attrs["bad_lines"]] == [
        (3, "unclosed_quote"),
        (5, "unclosed_quote"),
    ]


def test_blank_lines_and_wrong_field_counts_are_accounted_for(tmp_path):
    # lines: 2 good, 3 blank, 4 too few fields, 5 only separators, 6 good -> 5 lines
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,2,3\n\n4,5\n,,\n7,8,9", encoding="utf-8")
    frame = read_csv_text(path)
    assert frame["__row"].tolist() == [2, 6]
    assert [(b.row, b.rule, b.found) for b in frame.attrs["bad_lines"]] == [(4, "malformed_row", 2)]
    assert (frame.attrs["lines"], frame.attrs["blank_lines"]) == (5, 2)


def test_the_line_count_check_rejects_a_file_whose_lines_the_parser_swallowed(
    tmp_path, monkeypatch
):
    # if the recovery ever failed to find the record that ran over the lines, the independent
    # line count must stop the file rather than let 3 of its 4 lines disappear
    monkeypatch.setattr(csv_text, "_first_over_a_line", lambda *args: None)
    path = tmp_path / "pregnancies.csv"
    path.write_text('a,b,c\n1,2,3\n4,5,"x\n7,8,9\n10,11,12\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"^pregnancies\.csv: 4 lines .* only 2 records"):
        read_csv_text(path)


def test_a_report_whose_lines_do_not_add_up_does_not_reconcile():
    # read = accepted + quarantined holds (5 = 4 + 1), but the file had 40 lines: 35 are missing
    counts = pd.DataFrame(
        [["pregnancies", "pregnancies.csv", 5, 4, 1, 0, 40, 0]],
        columns=[
            "table_name",
            "file",
            "read",
            "accepted",
            "quarantined",
            "duplicates_removed",
            "lines",
            "blank_lines",
        ],
    )
    report = LoadReport("r", Path("w.duckdb"), counts, pd.DataFrame(), {}, "canonical")
    assert not report.reconciles()
    counts.loc[0, ["read", "accepted", "lines"]] = [40, 39, 40]
    assert report.reconciles()


def test_many_unclosed_quotes_reject_the_file_as_a_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_UNCLOSED_QUOTES", 2)
    path = tmp_path / "babies.csv"
    path.write_text('a,b\n"1,2\n"3,4\n"5,6\n7,8\n', encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"^babies\.csv: more than 2 lines open a"):
        read_csv_text(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks_decide_the_encoding(tmp_path, encoding):
    text = "pregnancy_id,ethnic_category,community_team\nP1,A,Équipe Nord\nP2,Z,Ōtautahi\n"
    path = tmp_path / "t.csv"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python writes no mark for an explicit byte order
    path.write_bytes(data)
    frame = read_csv_text(path)
    assert list(frame.columns) == ["pregnancy_id", "ethnic_category", "community_team", "__row"]
    assert frame["community_team"].tolist() == ["Équipe Nord", "Ōtautahi"]
    assert frame.attrs["lines"] == 2


def test_a_utf16_extract_loads_like_its_utf8_twin(tmp_path, geography):
    rows = [pregnancy("P1"), pregnancy("P2", booking_date="2024-02-30")]
    utf8 = write_extract(tmp_path / "a", {"pregnancies": rows})
    utf16 = write_extract(tmp_path / "b", {"pregnancies": rows})
    text = (utf16 / "pregnancies.csv").read_text(encoding="utf-8")
    (utf16 / "pregnancies.csv").write_bytes(text.encode("utf-16"))  # with its byte-order mark
    reports = [
        load_extract(
            folder,
            reference_dir=geography,
            warehouse_path=tmp_path / f"{folder.name}.duckdb",
            key="k",
            progress=False,
        )
        for folder in (utf8, utf16)
    ]
    for report in reports:
        assert report.counts[["read", "accepted", "quarantined"]].values.tolist() == [[2, 1, 1]]
        assert report.quarantine["rule"].tolist() == ["invalid_date"]
    assert "pregnancies.csv: not UTF-8, read as utf-16-le" in reports[1].notes


def test_text_in_no_known_encoding_is_one_message_naming_the_file(tmp_path, geography):
    extract = write_extract(tmp_path / "x", {"pregnancies": [pregnancy("P1")]})
    header = ",".join(PREG_HEADER) + "\n"
    (extract / "pregnancies.csv").write_bytes(header.encode("utf-16-le"))  # no byte-order mark
    with pytest.raises(UnreadableFileError, match=r"^pregnancies\.csv: contains NUL bytes"):
        load_extract(
            extract,
            reference_dir=geography,
            warehouse_path=tmp_path / "w.duckdb",
            key="k",
            progress=False,
        )
    (extract / "pregnancies.csv").write_bytes(header.encode() + b"P1,\x81\x9d\n")
    with pytest.raises(UnreadableFileError, match=r"neither UTF-8 nor Windows-1252"):
        load_extract(
            extract,
            reference_dir=geography,
            warehouse_path=tmp_path / "w.duckdb",
            key="k",
            progress=False,
        )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        runs = wh.runs()
        assert not wh.has_table("quarantine")  # no entry per row: the file is the problem
    assert runs["status"].tolist() == ["failed", "failed"]
