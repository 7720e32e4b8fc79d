"""The `maternity-equity ingest` command: counts printed, mistakes reported without a traceback."""

from __future__ import annotations

import pandas as pd
import typer
from ingest_helpers import make_geography, pregnancy, write_extract
from typer.testing import CliRunner

from maternity_equity.ingest.commands import register

app = typer.Typer()  # only this stage's commands: importing the whole CLI loads the web stack


@app.callback()
def _root() -> None:
    """Keep `ingest` a named sub-command, as in the real CLI."""


register(app)


IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"


def _reference(folder):
    """Write the test geography as files in real reference formats the loaders recognise."""
    geo = make_geography()
    folder.mkdir()
    pcs = geo.postcodes.assign(
        pcds=geo.postcodes["postcode"],
        dointr=geo.postcodes["introduced"].dt.strftime("%Y%m"),
        doterm=geo.postcodes["terminated"].dt.strftime("%Y%m").fillna(""),
        lsoa11=geo.postcodes["lsoa_code"],
    )[["pcds", "dointr", "doterm", "lsoa11"]]
    pcs.to_csv(folder / "postcodes.csv", index=False)
    lsoas = geo.lsoas
    imd = lsoas.rename(
        columns={
            "lsoa_code": "LSOA code (2011)",
            "lsoa_name": "LSOA name (2011)",
            "imd_score": "Index of Multiple Deprivation (IMD) Score",
            "imd_rank": "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            "imd_decile": IMD_DECILE,
            "population": "Total population: mid 2015 (excluding prisoners)",
        }
    )
    imd.iloc[:, :6].to_csv(folder / "imd2019.csv", index=False)
    return folder


def test_ingest_command_prints_reconciled_counts(tmp_path):
    extract = write_extract(
        tmp_path / "x",
        {"pregnancies": [pregnancy("P1"), pregnancy("P2", booking_date="2024-02-30")]},
    )
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(extract),
            "--reference",
            str(_reference(tmp_path / "ref")),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--key",
            "k",
            "--no-progress",
            "--quarantine-csv",
            str(tmp_path / "problems.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    problems = pd.read_csv(tmp_path / "problems.csv")
    assert problems[["file", "row_number", "column", "rule"]].values.tolist() == [
        ["pregnancies.csv", 3, "booking_date", "invalid_date"]
    ]
    assert "Counts reconcile" in result.output
    assert "pregnancies.csv row 3, column booking_date: '2024-02-30' is not a valid date" in (
        result.output
    )
    assert (tmp_path / "w.duckdb").exists()


def test_ingest_command_reports_a_bad_mapping_plainly(tmp_path):
    extract = write_extract(tmp_path / "x", {"pregnancies": [pregnancy("P1")]})
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(extract),
            "--reference",
            str(tmp_path / "nowhere"),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--mapping",
            "nonsense",
        ],
    )
    assert result.exit_code == 2
    assert "error:" in result.output and "nonsense" in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_file_is_one_line_naming_it_and_exit_code_2(tmp_path):
    extract = write_extract(tmp_path / "x", {"pregnancies": [pregnancy("P1")]})
    (extract / "babies.xlsx").write_bytes(b"\xe1\x8c\xbe\x0a not a zip archive at all")
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(extract),
            "--reference",
            str(_reference(tmp_path / "ref")),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--key",
            "k",
            "--no-progress",
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    # one message (the console may wrap it), starting with the file and what is wrong
    text = " ".join(lines)
    assert text.startswith("error: babies.xlsx: cannot be read as an Excel workbook (.xlsx): ")
    assert "File is not a zip file" in text and "BadZipFile" not in text
