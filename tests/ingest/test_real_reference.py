"""Ingest against the real reference files beside the repository (ONS postcodes, IoD2019), when
present: deprivation is looked up here a second way, straight from the files with csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ingest_helpers import pregnancy, pseudo, write_extract

from maternity_equity.ingest import load_extract
from maternity_equity.warehouse import Warehouse

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
POSTCODES = REFERENCE / "llr_postcodes.csv"
IMD = REFERENCE / "imd2019_lsoa11_england.csv"

pytestmark = pytest.mark.skipif(
    not (POSTCODES.exists() and IMD.exists()), reason="shared reference files not present"
)


def _pick_postcodes() -> tuple[dict, dict]:
    """First live and first terminated postcode of the real directory."""
    live = terminated = None
    with POSTCODES.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if live is None and not row["doterm"] and row["lsoa11cd"].startswith("E"):
                live = row
            if terminated is None and row["doterm"] and row["doterm"] < "202001":
                terminated = row
            if live and terminated:
                break
    return live, terminated


def _decile(lsoa: str) -> int:
    with IMD.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        code = next(i for i, h in enumerate(header) if h.startswith("LSOA code"))
        decile = next(i for i, h in enumerate(header) if "IMD) Decile" in h)
        for row in reader:
            if row[code] == lsoa:
                return int(row[decile])
    raise AssertionError(f"{lsoa} not in the IMD file")


def test_real_postcodes_link_to_real_deprivation(tmp_path):
    live, terminated = _pick_postcodes()
    extract = write_extract(
        tmp_path / "x",
        {
            "pregnancies": [
                pregnancy("R1", postcode=live["pcds"].lower().replace(" ", "")),
                pregnancy("R2", postcode=terminated["pcds"]),
                pregnancy("R3", postcode="ZZ99 3VZ"),
            ]
        },
    )
    load_extract(
        extract,
        reference_dir=REFERENCE,
        warehouse_path=tmp_path / "w.duckdb",
        key="k",
        progress=False,
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        preg = wh.to_pandas("pregnancies").set_index("pregnancy_id")
        lsoas = wh.to_pandas("geography_lsoa")
        run = wh.runs().iloc[0]
    r1 = preg.loc[pseudo("R1", "pregnancy_id", "k")]
    assert r1["postcode_status"] == "valid"
    assert r1["lsoa_code"] == live["lsoa11cd"]
    assert r1["imd_decile"] == _decile(live["lsoa11cd"])
    assert r1["postcode_district"] == live["pcds"].split(" ")[0]
    assert preg.loc[pseudo("R2", "pregnancy_id", "k"), "postcode_status"] == "terminated"
    assert preg.loc[pseudo("R3", "pregnancy_id", "k"), "postcode_status"] == (
        "pseudo_no_fixed_abode"
    )
    assert set(lsoas["imd_vintage"]) == {"IoD2019"} and set(lsoas["lsoa_vintage"]) == {"2011"}
    kinds = {i.get("kind") for i in run["inputs"]}
    assert {"extract", "imd", "postcodes"} <= kinds
