"""End to end on the synthetic LMNS: every defect the generator made is counted, exactly.

The generator keeps a ledger of each record it spoiled (by class, with pregnancy ids). After
ingest, the quality run must find precisely those records, in the right category, and nothing
else in those categories.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from maternity_equity.ingest import load_extract
from maternity_equity.ingest.pseudonymise import pseudonymise
from maternity_equity.quality import run_quality
from maternity_equity.synth import generate_lmns

KEY = "quality-e2e-test-key"
# ledger class -> (rule, category the rule files the record under)
LEDGER_TO_RULE = {
    "ethnic_not_stated": ("ethnic_category_valid_at_booking", "not_stated"),
    "ethnic_not_known": ("ethnic_category_valid_at_booking", "not_known"),
    "ethnic_missing": ("ethnic_category_valid_at_booking", "missing"),
    "ethnic_unrecognised": ("ethnic_category_valid_at_booking", "unrecognised"),
    "postcode_pseudo_no_fixed_abode": ("postcode_valid_at_booking", "pseudo_no_fixed_abode"),
    "postcode_pseudo_not_known": ("postcode_valid_at_booking", "pseudo_not_known"),
    "postcode_pseudo_elsewhere": ("postcode_valid_at_booking", "pseudo_elsewhere"),
    "postcode_malformed": ("postcode_valid_at_booking", "malformed"),
    "postcode_not_in_directory": ("postcode_valid_at_booking", "not_in_directory"),
    "postcode_terminated": ("postcode_valid_at_booking", "terminated"),
    "postcode_missing": ("postcode_valid_at_booking", "missing"),
    "gestation_missing": ("gestation_at_booking_valid", "missing"),
    "smoking_booking_missing": ("smoking_booking_known", "missing"),
    "smoking_booking_unknown": ("smoking_booking_known", "unknown"),
    "smoking_delivery_missing": ("smoking_delivery_known", "missing"),
    "first_feed_missing": ("first_feed_recorded", "missing"),
}


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("synthetic_lmns")
    manifest = generate_lmns(root / "lmns", pregnancies=3000, years=1, seed=7)
    load_extract(
        root / "lmns" / "extract",
        reference_dir=root / "lmns" / "reference",
        warehouse_path=root / "wh.duckdb",
        key=KEY,
        progress=False,
    )
    report = run_quality(root / "wh.duckdb", root / "out", lmns_code="SYN")
    return manifest, report


def test_ledger_covers_every_class_this_test_checks(synthetic_run) -> None:
    manifest, _ = synthetic_run
    assert set(LEDGER_TO_RULE) <= set(manifest.ledger)
    # with no defect of a class the test could not tell a wrong mapping from a right one
    empty = [c for c in LEDGER_TO_RULE if manifest.ledger[c]["count"] == 0]
    assert not empty, f"generator made no defects of {empty}; raise pregnancies"


@pytest.mark.parametrize("defect", sorted(LEDGER_TO_RULE))
def test_each_defect_class_is_counted_exactly(synthetic_run, defect) -> None:
    manifest, report = synthetic_run
    rule_id, category = LEDGER_TO_RULE[defect]
    entry = manifest.ledger[defect]
    expected_ids = set(
        pseudonymise(pd.Series(entry["pregnancy_ids"]), KEY.encode(), "pregnancy_id")
    )
    rows = report.worklist.loc[
        (report.worklist["rule_id"] == rule_id) & (report.worklist["category"] == category)
    ]
    assert set(rows["pregnancy_id"]) == expected_ids  # the very records, not just how many
    assert rows["pregnancy_id"].nunique() == entry["count"]
    if defect != "first_feed_missing":  # the ledger counts twins with no feed once
        lmns = report.categories.loc[
            (report.categories["geography_type"] == "lmns")
            & (report.categories["rule_id"] == rule_id)
            & (report.categories["category"] == category)
        ]
        assert int(lmns["records"].sum()) == entry["count"]


@pytest.mark.parametrize(
    "rule_id",
    sorted({rule for rule, _ in LEDGER_TO_RULE.values()}),
)
def test_no_failures_beyond_the_ledger(synthetic_run, rule_id) -> None:
    manifest, report = synthetic_run
    expected = sum(
        manifest.ledger[d]["count"] for d, (r, _) in LEDGER_TO_RULE.items() if r == rule_id
    )
    failing = report.worklist.loc[report.worklist["rule_id"] == rule_id, "pregnancy_id"]
    assert failing.nunique() == expected


def test_team_totals_add_up_to_the_lmns(synthetic_run) -> None:
    _, report = synthetic_run
    res = report.results
    for rule_id in ("postcode_valid_at_booking", "ethnic_category_valid_at_booking"):
        sub = res.loc[res["rule_id"] == rule_id]
        lmns = sub.loc[sub["geography_type"] == "lmns", ["numerator", "denominator"]].sum()
        for level in ("provider", "booking_site", "community_team"):
            total = sub.loc[sub["geography_type"] == level, ["numerator", "denominator"]].sum()
            assert total.tolist() == lmns.tolist(), (rule_id, level)
