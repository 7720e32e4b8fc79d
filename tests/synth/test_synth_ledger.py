"""The defect ledger against the files, recounted by a classifier written here from the
published rules (docs/msds-domain.md sections 3.4, 4 and 5.4), not by the generator's code."""

import csv
import re

import pandas as pd
import pytest

STRICT = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
NATIONAL_CODES = set("ABCDEFGHJKLMNPRS")


def ethnic_class(value):
    if value is None or pd.isna(value):
        return "ethnic_missing"
    text = value.strip().upper()
    if text == "Z":
        return "ethnic_not_stated"
    if text == "99":
        return "ethnic_not_known"
    if len(text) <= 2 and text[0] in NATIONAL_CODES:
        return None
    return "ethnic_unrecognised"


def postcode_class(value, booking_date, directory):
    if value is None or pd.isna(value):
        return "postcode_missing"
    squashed = value.upper().replace(" ", "")
    text = squashed[:-3] + " " + squashed[-3:]
    if text == "ZZ99 3VZ":
        return "postcode_pseudo_no_fixed_abode"
    if text == "ZZ99 3WZ":
        return "postcode_pseudo_not_known"
    if text.startswith("ZZ99 "):
        return "postcode_pseudo_elsewhere"
    if not STRICT.match(text):
        return "postcode_malformed"
    if text not in directory:
        return "postcode_not_in_directory"
    terminated = directory[text]
    if terminated and terminated <= booking_date[:7].replace("-", ""):
        return "postcode_terminated"  # YYYYMM of termination on or before the booking month
    return None


@pytest.fixture(scope="module")
def recount(lmns_20k, tables_20k):
    out, _ = lmns_20k
    directory_file = next((out / "reference").glob("postcodes*.csv"))
    with open(directory_file, newline="") as handle:
        directory = {row["pcds"]: row["doterm"] for row in csv.DictReader(handle)}
    rows = tables_20k["pregnancies"].copy()
    rows["record_number"] = rows["record_number"].astype(int)
    rows = rows.sort_values(["pregnancy_id", "rp_start_date", "record_number"])
    final = rows.drop_duplicates("pregnancy_id", keep="last")
    found: dict[str, set] = {}

    def add(name, ids):
        found.setdefault(name, set()).update(ids)

    for row in final.itertuples():
        for name in (
            ethnic_class(row.ethnic_category),
            postcode_class(row.postcode, row.booking_date, directory),
        ):
            if name:
                add(name, [row.pregnancy_id])
    add(
        "gestation_missing",
        final.loc[final["edd"].isna() & final["lmp_date"].isna(), "pregnancy_id"],
    )
    add("smoking_booking_missing", final.loc[final["smoking_at_booking"].isna(), "pregnancy_id"])
    add(
        "smoking_booking_unknown",
        final.loc[final["smoking_at_booking"] == "unknown", "pregnancy_id"],
    )
    deliveries = tables_20k["deliveries"]
    add(
        "smoking_delivery_missing",
        deliveries.loc[deliveries["smoking_at_delivery"].isna(), "pregnancy_id"],
    )
    all_babies = tables_20k["babies"].copy()
    all_babies["record_number"] = all_babies["record_number"].astype(int)
    all_babies = all_babies.sort_values(["baby_id", "rp_start_date", "record_number"])
    babies = all_babies.drop_duplicates("baby_id", keep="last")
    add(
        "first_feed_missing",
        babies.loc[(babies["outcome"] == "01") & babies["first_feed"].isna(), "pregnancy_id"],
    )
    weight = babies["birth_weight_g"]
    add("birth_weight_invalid", babies.loc[weight.isna() | (weight == "9999"), "pregnancy_id"])
    add(
        "gestation_at_birth_missing",
        babies.loc[babies["gestation_at_birth_days"].isna(), "pregnancy_id"],
    )
    twice = all_babies["baby_id"].value_counts()
    add(
        "baby_resubmitted",
        all_babies.loc[all_babies["baby_id"].isin(twice.index[twice > 1]), "pregnancy_id"],
    )
    counts = rows["pregnancy_id"].value_counts()
    add("duplicate_resubmitted", counts.index[counts > 1])
    earlier = rows[rows.duplicated("pregnancy_id", keep="last")].set_index("pregnancy_id")
    later = final.set_index("pregnancy_id").loc[earlier.index]
    compare = [
        c for c in rows.columns if c not in ("pregnancy_id", "rp_start_date", "record_number")
    ]
    differs = ~(earlier[compare].fillna("<NA>") == later[compare].fillna("<NA>")).all(axis=1)
    add("duplicate_corrected", earlier.index[differs])
    return found


def test_every_ledger_class_matches_the_files_exactly(lmns_20k, recount):
    _, manifest = lmns_20k
    for name, entry in manifest.ledger.items():
        recounted = recount.get(name, set())
        assert entry["count"] == len(entry["pregnancy_ids"]), name
        assert set(entry["pregnancy_ids"]) == recounted, name


def test_every_defect_class_occurs(lmns_20k):
    _, manifest = lmns_20k
    # 20,000 pregnancies x the smallest rate (0.3%) = 60 expected; zero would be a broken class.
    assert all(entry["count"] > 10 for entry in manifest.ledger.values()), {
        k: v["count"] for k, v in manifest.ledger.items()
    }


def test_rates_are_as_documented(lmns_20k):
    _, manifest = lmns_20k
    n = 20000
    # Not stated at 2.5% of pregnancies, scaled by provider (1.0 / 2.0 / 0.7); allow 4 SE.
    share = manifest.ledger["ethnic_not_stated"]["count"] / n
    assert 0.015 < share < 0.06
    duplicates = manifest.ledger["duplicate_resubmitted"]["count"] / n
    se = (0.08 * 0.92 / n) ** 0.5
    assert abs(duplicates - 0.08) < 4 * se
    corrected = manifest.ledger["duplicate_corrected"]["count"]
    assert corrected < manifest.ledger["duplicate_resubmitted"]["count"]


def test_latest_row_wins_and_earlier_rows_are_older(tables_20k):
    rows = tables_20k["pregnancies"].copy()
    rows["record_number"] = rows["record_number"].astype(int)
    repeated = rows[rows["pregnancy_id"].duplicated(keep=False)]
    ordered = repeated.sort_values(["pregnancy_id", "record_number"])
    first = ordered.drop_duplicates("pregnancy_id", keep="first").set_index("pregnancy_id")
    last = ordered.drop_duplicates("pregnancy_id", keep="last").set_index("pregnancy_id")
    # The row with the higher record number is never from an earlier month.
    assert (last["rp_start_date"] >= first["rp_start_date"]).all()
    assert (last["record_number"] > first["record_number"]).all()
    assert pd.Series(rows["rp_start_date"]).min() >= "2022-04-01"
