"""The written files: schema, codes, reproducibility, manifest counts, both geographies."""

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from maternity_equity.reference import load_geography
from maternity_equity.synth import SynthManifest, generate_lmns
from maternity_equity.synth.commands import register
from maternity_equity.warehouse.schema import EXTRACT_TABLES

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The synth command on its own app, so another stage's commands cannot break these tests.
app = typer.Typer()
register(app)


@app.callback()
def _root() -> None:
    """Keep ``synth`` a named sub-command, as under the real root app."""


def read(out, name):
    return pd.read_csv(out / "extract" / f"{name}.csv", dtype=str, keep_default_na=False).replace(
        "", None
    )


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = generate_lmns(tmp_path / "a", pregnancies=300, seed=5, years=1)
    generate_lmns(tmp_path / "b", pregnancies=300, seed=5, years=1)
    generate_lmns(tmp_path / "c", pregnancies=300, seed=6, years=1)
    assert digest(tmp_path / "a" / "extract") == digest(tmp_path / "b" / "extract")
    assert digest(tmp_path / "a" / "reference") == digest(tmp_path / "b" / "reference")
    assert digest(tmp_path / "a" / "extract") != digest(tmp_path / "c" / "extract")
    # The manifest's hashes are the files' hashes.
    for entry in a.files:
        assert (
            entry["sha256"]
            == hashlib.sha256((tmp_path / "a" / entry["path"]).read_bytes()).hexdigest()
        )


def test_columns_are_exactly_the_extract_columns(lmns_20k):
    out, _ = lmns_20k
    for name, table in EXTRACT_TABLES.items():
        with open(out / "extract" / f"{name}.csv", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [c.name for c in table.extract_columns()], name


def test_codes_dates_and_required_values(tables_20k):
    for name, table in EXTRACT_TABLES.items():
        frame = tables_20k[name]
        for column in table.extract_columns():
            values = frame[column.name].dropna()
            if column.dtype == "date":
                assert values.str.match(ISO_DATE).all(), (name, column.name)
            if column.dtype == "int":
                assert values.str.fullmatch(r"-?\d+").all(), (name, column.name)
            if column.codes and column.name != "smoking_at_booking":
                assert set(values) <= set(column.codes), (
                    name,
                    column.name,
                    set(values) - set(column.codes),
                )
            if column.required:
                assert frame[column.name].notna().all(), (name, column.name)
    smoking = set(tables_20k["pregnancies"]["smoking_at_booking"].dropna())
    assert smoking == {"smoker", "non_smoker", "unknown"}


def test_manifest_counts_match_the_files(lmns_20k, tables_20k):
    out, manifest = lmns_20k
    again = SynthManifest.read(out / "synth_manifest.json")
    assert again.counts == manifest.counts
    for name in EXTRACT_TABLES:
        assert len(tables_20k[name]) == manifest.counts[name]
    pregnancies = tables_20k["pregnancies"]
    assert pregnancies["pregnancy_id"].nunique() == 20000 == manifest.counts["unique_pregnancies"]


def test_child_rows_point_at_pregnancies_and_follow_time(lmns_20k, tables_20k):
    out, _ = lmns_20k
    preg = tables_20k["pregnancies"].drop_duplicates("pregnancy_id").set_index("pregnancy_id")
    babies = tables_20k["babies"]
    deliveries = tables_20k["deliveries"].set_index("delivery_id")
    assert babies["delivery_id"].isin(deliveries.index).all()
    assert set(deliveries["pregnancy_id"]) <= set(preg.index)
    booking = pd.to_datetime(preg["booking_date"])
    born = pd.to_datetime(babies["birth_date"])
    assert (born.to_numpy() > booking.reindex(babies["pregnancy_id"]).to_numpy()).all()
    end = pd.Timestamp(SynthManifest.read(out / "synth_manifest.json").parameters["extract_end"])
    assert born.max() < end and born.min() >= pd.Timestamp("2022-04-01")
    died = babies.dropna(subset=["death_date"])
    assert (died["outcome"] == "01").all()  # only live-born babies have a death date
    assert (pd.to_datetime(died["death_date"]) < end).all()
    assert (died["death_date"] >= died["birth_date"]).all()
    plans = tables_20k["care_plans"]
    assert set(plans["plan_type"]) == {"05", "06", "07"}


def test_fictional_geography_loads_like_real_files(lmns_20k):
    out, manifest = lmns_20k
    geo = load_geography(out / "reference")
    assert (geo.imd_vintage, geo.lsoa_vintage) == ("IoD2019", "2011")
    assert len(geo.lsoas) == manifest.geography["lsoas"] == 288
    assert geo.lsoas["place_code"].nunique() == 3
    assert geo.lsoas["neighbourhood_code"].nunique() == 24
    assert geo.lsoas["lsoa_code"].str.match(r"^E019\d{5}$").all()  # beyond the real E01 range
    assert geo.postcodes["postcode"].str.match(r"^YY\d{1,2} \d[A-Z]{2}$").all()
    assert geo.postcodes["terminated"].notna().mean() == pytest.approx(0.33, abs=0.05)
    assert len(geo.boundaries["features"]) == 288
    # Deprivation skewed by place: the city most deprived, the rural district least.
    means = geo.lsoas.groupby("place_name")["imd_decile"].mean()
    assert means["Riverside"] < means["Fenholt"] < means["Downs"]
    # Neighbourhood names come from the lookup file, not only the MSOA-like codes.
    assert "Northgate" in set(geo.lsoas["neighbourhood_name"])


@pytest.mark.skipif(not (SHARED / "llr_postcodes.csv").exists(), reason="shared reference absent")
def test_reference_places_women_at_real_llr_postcodes(tmp_path):
    manifest = generate_lmns(
        tmp_path, pregnancies=1500, seed=3, reference_dir=SHARED, start=date(2021, 4, 1), years=1
    )
    assert not (tmp_path / "reference").exists()
    assert manifest.geography["lsoas"] == 611 and manifest.geography["kind"] == "real"
    with open(SHARED / "llr_postcodes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    live = {r["pcds"] for r in rows if r["doterm"] == ""}
    preg = read(tmp_path, "pregnancies")
    clean = preg["postcode"].dropna().str.upper().str.replace(" ", "")
    clean = clean.str[:-3] + " " + clean.str[-3:]
    defects = {
        i
        for k, v in manifest.ledger.items()
        if k.startswith("postcode_")
        for i in v["pregnancy_ids"]
    }
    final = preg.assign(clean=clean).drop_duplicates("pregnancy_id", keep="first")
    good = final[~final["pregnancy_id"].isin(defects)]
    assert len(good) > 1300
    assert good["clean"].isin(live).all()
    lsoa = {r["pcds"]: r["lsoa11cd"] for r in rows}
    assert good["clean"].map(lsoa).nunique() > 300  # spread over the footprint


def test_cli_writes_parquet(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--out",
            str(tmp_path),
            "--pregnancies",
            "400",
            "--years",
            "1",
            "--seed",
            "11",
            "--format",
            "parquet",
        ],
    )
    assert result.exit_code == 0, result.output
    for name, table in EXTRACT_TABLES.items():
        parquet = pq.read_table(tmp_path / "extract" / f"{name}.parquet")
        assert parquet.column_names == [c.name for c in table.extract_columns()]
    manifest = SynthManifest.read(tmp_path / "synth_manifest.json")
    assert manifest.parameters["file_format"] == "parquet" and manifest.seed == 11
    assert not list((tmp_path / "extract").glob("*.csv"))
    assert (
        pq.read_table(tmp_path / "extract" / "pregnancies.parquet").num_rows
        == manifest.counts["pregnancies"]
    )


def test_bad_arguments_are_clear(tmp_path):
    with pytest.raises(ValueError, match="file_format"):
        generate_lmns(tmp_path, pregnancies=10, file_format="xlsx")
    result = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--start", "April"])
    assert result.exit_code != 0


def test_some_women_have_two_pregnancies(tables_20k):
    preg = tables_20k["pregnancies"].drop_duplicates("pregnancy_id")
    per_woman = preg["mother_id"].value_counts()
    repeat = preg[preg["mother_id"].isin(per_woman.index[per_woman > 1])]
    assert 0.02 < len(repeat) / 2 / len(preg) < 0.08  # REPEAT_MOTHERS = 6%, some unmatched
    for _, pair in list(repeat.groupby("mother_id"))[:100]:
        first, second = pair.sort_values("booking_date").to_dict("records")
        assert first["mother_birth_date"] == second["mother_birth_date"]
        assert str(first["nhs_number"]) == str(second["nhs_number"])  # both may be missing
        assert int(second["previous_live_births"]) == int(first["previous_live_births"]) + 1
    deliveries = tables_20k["deliveries"].set_index("pregnancy_id")["delivery_date"]
    ordered = repeat.sort_values("booking_date").groupby("mother_id")
    firsts, seconds = ordered.nth(0).set_index("mother_id"), ordered.nth(1).set_index("mother_id")
    ended = pd.to_datetime(firsts["pregnancy_id"].map(deliveries))
    gap = (pd.to_datetime(seconds["booking_date"]) - ended.reindex(seconds.index)).dt.days
    assert (gap.dropna() >= 60).all()


def test_nhs_numbers_are_valid_test_range_numbers(tables_20k):
    numbers = tables_20k["pregnancies"]["nhs_number"].dropna()
    assert len(numbers) > 0.85 * len(tables_20k["pregnancies"])  # about 1 in 11 cannot be valid
    for number in numbers.head(2000):
        assert len(number) == 10 and number.startswith("999")  # 999: never issued to people
        remainder = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
        check = 11 - remainder
        assert check != 10 and int(number[9]) == (0 if check == 11 else check)


def test_tiny_extract_and_end_date(tmp_path):
    manifest = generate_lmns(tmp_path, pregnancies=1, years=1, start=date(2020, 2, 29))
    assert manifest.counts["unique_pregnancies"] == 1
    assert manifest.parameters["extract_end"] == "2021-02-28"
    assert read(tmp_path, "pregnancies")["pregnancy_id"].nunique() == 1


def test_fictional_polygons_tile_without_overlap(lmns_20k):
    out, _ = lmns_20k
    geo = load_geography(out / "reference")
    centres = set()
    for feature in geo.boundaries["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 5  # closed quadrilateral
        xs, ys = zip(*ring[:-1], strict=True)
        # Shoelace area: positive (anticlockwise) and about one 0.018 x 0.012 degree cell.
        area = sum(xs[i] * ys[(i + 1) % 4] - xs[(i + 1) % 4] * ys[i] for i in range(4)) / 2
        assert 0.3 * 0.018 * 0.012 < area < 2.0 * 0.018 * 0.012
        assert min(xs) > -1.95 and max(xs) < -1.35 and min(ys) > 52.85 and max(ys) < 53.1
        centres.add((round(sum(xs) / 4, 3), round(sum(ys) / 4, 3)))
    assert len(centres) == len(geo.boundaries["features"])  # no two areas on one cell


def test_fictional_places_match_the_example_plan_assets():
    """The demo's assets register names places and neighbourhoods of this geography."""
    import numpy as np

    from maternity_equity.plan.yaml_io import example_plan_path, load_yaml
    from maternity_equity.synth.fictional_geography import make_fictional_geography

    lsoas = make_fictional_geography(np.random.default_rng(1)).lsoas
    known = set(zip(lsoas["place_name"], lsoas["neighbourhood_name"], strict=True))
    assets = load_yaml(example_plan_path())["community_assets"]
    placed = {
        (a["place"], a["neighbourhood"]) for a in assets if a["neighbourhood"] != "Undisclosed"
    }
    assert placed and placed <= known


@pytest.mark.parametrize("years", [1, 3, 5])
def test_default_window_ends_in_march_2025_whatever_the_years(tmp_path, years):
    """The default extract lies in the past on any day (ingest quarantines records dated after
    the load) and is the same every day: it ends on 31 March 2025; 3 years start 1 April 2022."""
    manifest = generate_lmns(tmp_path, pregnancies=1, years=years)
    assert manifest.parameters["start"] == f"{2025 - years}-04-01"
    assert manifest.parameters["extract_end"] == "2025-04-01"  # the first day after the window


def test_cli_warns_when_the_window_runs_past_today(tmp_path):
    today = date.today()
    args = ["synth", "--out", str(tmp_path), "--pregnancies", "5", "--years", "1"]
    late = CliRunner().invoke(app, [*args, "--start", f"{today.year}-01-01"])
    assert late.exit_code == 0, late.output
    assert "Warning" in late.output and "after today" in late.output
    past = CliRunner().invoke(app, args)
    assert past.exit_code == 0 and "Warning" not in past.output
