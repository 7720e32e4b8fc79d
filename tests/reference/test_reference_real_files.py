"""The loaders on the real reference files in ../shared/reference (skipped when absent).

Expected values come from ../shared/reference/README.md (written from the source data), or are
recounted here from the raw files with the csv module, independently of the loaders.
"""

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from maternity_equity.reference import load_geography
from maternity_equity.reference.imd import load_imd
from maternity_equity.reference.sources import scan_folder, single

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
pytestmark = pytest.mark.skipif(
    not (SHARED / "llr_postcodes.csv").exists(),
    reason="the shared reference folder (../shared/reference) is not beside the repository",
)


@pytest.fixture(scope="module")
def geo():
    return load_geography(SHARED)


def test_footprint_is_the_611_llr_lsoas(geo):
    assert len(geo.lsoas) == 611
    assert geo.lsoas["lsoa_code"].is_unique
    assert geo.imd_vintage == "IoD2019" and geo.lsoa_vintage == "2011"
    assert geo.footprint_name == "NHS Leicester, Leicestershire and Rutland Integrated Care Board"
    assert set(geo.lsoas["icb_code"]) == {"E54000015"}


def test_places_are_the_districts_with_readme_counts(geo):
    # README section 3: "By LAD, the LSOAs are: Leicester 192, Rutland 23, Blaby 60, ..."
    expected = {
        "Leicester": 192,
        "Rutland": 23,
        "Blaby": 60,
        "Charnwood": 99,
        "Harborough": 47,
        "Hinckley and Bosworth": 66,
        "Melton": 30,
        "North West Leicestershire": 58,
        "Oadby and Wigston": 36,
    }
    assert geo.lsoas["place_name"].value_counts().to_dict() == expected


def test_postcode_counts_live_and_terminated(geo):
    # README: 36,434 postcodes, of which 23,887 live and 12,547 terminated.
    assert len(geo.postcodes) == 36434
    assert geo.postcodes["terminated"].isna().sum() == 23887
    assert geo.postcodes["terminated"].notna().sum() == 12547
    first = geo.postcodes.set_index("postcode").loc["B79 0WA"]
    # Raw row: "B79 0WA",...,"200112","200310": introduced Dec 2001, terminated Oct 2003.
    assert first["introduced"] == pd.Timestamp("2001-12-01")
    assert first["terminated"] == pd.Timestamp("2003-10-01")
    assert first["lsoa_code"] == "E01025913"


def test_neighbourhood_defaults_to_the_msoa_of_the_raw_file(geo):
    with open(SHARED / "llr_postcodes.csv", newline="") as handle:
        raw = {
            row["lsoa11cd"]: (row["msoa11cd"], row["msoa11nm"]) for row in csv.DictReader(handle)
        }
    lsoas = geo.lsoas.set_index("lsoa_code")
    for code in ("E01013600", "E01025913", lsoas.index[300]):
        assert (
            lsoas.loc[code, "neighbourhood_code"],
            lsoas.loc[code, "neighbourhood_name"],
        ) == raw[code]


def test_deciles_are_national(geo):
    with open(SHARED / "imd2019_lsoa11_england.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    decile = {r[0]: int(r[6]) for r in rows[1:]}
    lsoas = geo.lsoas.set_index("lsoa_code")
    assert all(lsoas.loc[c, "imd_decile"] == decile[c] for c in lsoas.index)
    # LLR has LSOAs from the most to the least deprived national decile.
    assert set(lsoas["imd_decile"]) == set(range(1, 11))


def test_imd_file_spot_check_from_readme():
    found = scan_folder(SHARED)
    imd = load_imd(single(found, "imd", SHARED)).table.set_index("lsoa_code")
    assert len(imd) == 32844
    # README: "E01000001 (City of London 001A) gets rank 29,199 and decile 9".
    assert imd.loc["E01000001", "imd_decile"] == 9
    assert imd.loc["E01000001", "imd_rank"] == 29199
    assert imd["population"].sum() == 56286961  # README: the sum for England


def test_boundaries_carry_lsoa_code(geo):
    codes = {f["properties"]["lsoa_code"] for f in geo.boundaries["features"]}
    assert codes == set(geo.lsoas["lsoa_code"])


def test_sources_are_hashed(geo):
    kinds = {s["kind"]: s for s in geo.sources}
    assert set(kinds) == {"imd", "postcodes", "boundaries", "icb_lookup"}
    path = Path(kinds["postcodes"]["path"])
    assert kinds["postcodes"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
