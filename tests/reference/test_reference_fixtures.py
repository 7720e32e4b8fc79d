"""The loaders on small files written in the real formats (tests/reference/fixtures)."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from maternity_equity.reference import load_geography
from maternity_equity.reference.postcodes import normalise_postcodes

FIXTURES = Path(__file__).parent / "fixtures"


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def test_nspl_2025_with_iod2025_uses_lsoa21():
    geo = load_geography(FIXTURES / "nspl2025")
    assert (geo.imd_vintage, geo.lsoa_vintage) == ("IoD2025", "2021")
    lsoas = geo.lsoas.set_index("lsoa_code")
    # Footprint = the 3 LSOAs with postcodes; E01950004 is in the IoD file only.
    assert list(lsoas.index) == ["E01950001", "E01950002", "E01950003"]
    assert lsoas["imd_decile"].tolist() == [1, 4, 10]
    assert lsoas["imd_rank"].tolist() == [1204, 12001, 31900]  # "1,204" etc. in the file
    assert lsoas["population"].tolist() == [1650, 1820, 1400]
    assert lsoas.loc["E01950003", "neighbourhood_code"] == "E02950002"  # msoa21cd
    assert lsoas.loc["E01950003", "place_code"] == "E07900002"  # lad25cd
    assert lsoas.loc["E01950003", "place_name"] == "Otherton"  # from the IoD district name
    assert set(lsoas["icb_code"]) == {"E54900001"}  # icb23cd in the postcode file
    pcs = geo.postcodes.set_index("postcode")
    assert pcs.loc["AB1 2CE", "terminated"] == pd.Timestamp("2015-12-01")
    assert pd.isna(pcs.loc["AB1 2CD", "terminated"])
    assert pcs.loc["AB12 3EF", "introduced"] == pd.Timestamp("2003-04-01")
    assert {f["properties"]["lsoa_code"] for f in geo.boundaries["features"]} == set(lsoas.index)


def test_classic_onspd_with_iod2019_file1(tmp_path):
    folder = copy("onspd2019", tmp_path)
    geo = load_geography(folder)
    assert (geo.imd_vintage, geo.lsoa_vintage) == ("IoD2019", "2011")
    lsoas = geo.lsoas.set_index("lsoa_code")
    assert lsoas["imd_decile"].to_dict() == {"E01960001": 1, "E01960002": 10}
    assert set(lsoas["place_code"]) == {"E07900101"}  # oslaua
    assert set(lsoas["neighbourhood_code"]) == {"E02960001"}  # msoa11
    assert lsoas["population"].isna().all()  # File 1 has no population
    assert sorted(geo.postcodes["postcode"]) == ["CD1 1AB", "CD1 1AD", "CD1 1AE"]


def test_files_are_found_by_content_not_name(tmp_path):
    folder = copy("nspl2025", tmp_path)
    for i, path in enumerate(sorted(folder.iterdir())):
        path.rename(folder / f"download({i}){''.join(path.suffixes)}")
    assert len(load_geography(folder).lsoas) == 3


def test_iod2025_with_lsoa11_postcodes_is_a_clear_error(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(
        FIXTURES
        / "nspl2025"
        / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
        folder,
    )
    shutil.copy(FIXTURES / "onspd2019" / "ONSPD_NOV_2019_UK_EXTRACT.csv", folder)
    with pytest.raises(
        ValueError, match=r"ONSPD_NOV_2019_UK_EXTRACT.csv.*LSOA 2011.*needs LSOA 2021"
    ):
        load_geography(folder)


def test_boundaries_of_another_vintage_are_refused(tmp_path):
    folder = copy("onspd2019", tmp_path)
    shutil.copy(FIXTURES / "nspl2025" / "lsoa21_boundaries.geojson", folder)
    with pytest.raises(ValueError, match=r"lsoa21_boundaries.geojson: uses LSOA 2021"):
        load_geography(folder)


def test_missing_column_names_file_and_column(tmp_path):
    folder = copy("nspl2025", tmp_path)
    path = folder / "NSPL_FEB_2025_UK_extract.csv"
    text = path.read_text().replace(",doterm,", ",dotermx,", 1)
    path.write_text(text)
    with pytest.raises(ValueError, match=r"NSPL_FEB_2025_UK_extract.csv: missing column 'doterm'"):
        load_geography(folder)


def test_bad_decile_names_row_and_column(tmp_path):
    folder = copy("onspd2019", tmp_path)
    path = folder / "File_1_ID_2019_Index_of_Multiple_Deprivation.csv"
    path.write_text(path.read_text().replace("30000,10", "30000,11"))
    with pytest.raises(
        ValueError, match=r"row 3, column 'Index of Multiple Deprivation \(IMD\) Decile'"
    ):
        load_geography(folder)


def test_bad_date_names_row(tmp_path):
    folder = copy("onspd2019", tmp_path)
    path = folder / "ONSPD_NOV_2019_UK_EXTRACT.csv"
    path.write_text(path.read_text().replace('"200906"', '"2009-6"'))
    with pytest.raises(ValueError, match=r"row 3, column 'doterm': '2009-6' is not a YYYYMM"):
        load_geography(folder)


def test_two_postcode_files_are_ambiguous(tmp_path):
    folder = copy("nspl2025", tmp_path)
    shutil.copy(folder / "NSPL_FEB_2025_UK_extract.csv", folder / "copy.csv")
    with pytest.raises(ValueError, match="found 2 postcodes files"):
        load_geography(folder)


def test_no_imd_file_is_a_clear_error(tmp_path):
    folder = copy("nspl2025", tmp_path)
    (folder / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv").unlink()
    with pytest.raises(ValueError, match="no IoD file found"):
        load_geography(folder)


def test_user_lookup_sets_neighbourhood_and_place(tmp_path):
    lookup = tmp_path / "my_neighbourhoods.csv"
    lookup.write_text(
        "LSOA21CD,neighbourhood_code,neighbourhood_name,place_code,place_name\n"
        "E01950001,N1,Central,P1,City\nE01950002,N1,Central,P1,City\nE01950003,N2,Outer,P2,County\n"
    )
    geo = load_geography(FIXTURES / "nspl2025", lookup=lookup)
    lsoas = geo.lsoas.set_index("lsoa_code")
    assert lsoas["neighbourhood_name"].tolist() == ["Central", "Central", "Outer"]
    assert lsoas["place_code"].tolist() == ["P1", "P1", "P2"]
    assert geo.sources[-1]["kind"] == "neighbourhood_lookup"


def test_user_lookup_must_cover_the_footprint(tmp_path):
    lookup = tmp_path / "partial.csv"
    lookup.write_text("lsoa_code,neighbourhood_code\nE01950001,N1\n")
    with pytest.raises(ValueError, match=r"partial.csv: 2 LSOAs of the footprint are not in"):
        load_geography(FIXTURES / "nspl2025", lookup=lookup)


def test_user_lookup_of_the_wrong_vintage_is_refused(tmp_path):
    lookup = tmp_path / "old.csv"
    lookup.write_text("LSOA11CD,neighbourhood_code\nE01950001,N1\n")
    with pytest.raises(ValueError, match="uses LSOA 2011 codes"):
        load_geography(FIXTURES / "nspl2025", lookup=lookup)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("le1 1aa", "LE1 1AA"),
        (" LE1  1AA ", "LE1 1AA"),
        ("LE11AA", "LE1 1AA"),
        ("LE111AA", "LE11 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("", None),
    ],
)
def test_postcode_normalisation(raw, expected):
    value = normalise_postcodes(pd.Series([raw])).iloc[0]
    assert (None if pd.isna(value) else value) == expected
