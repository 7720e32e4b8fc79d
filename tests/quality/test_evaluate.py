"""Evaluation on hand-built warehouses: every category counted, by team and month, exactly."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from quality_helpers import pregnancy

from maternity_equity.quality.evaluate import evaluate
from maternity_equity.quality.rulebook import load_rules
from maternity_equity.warehouse import Warehouse

POSTCODE_COUNTS = {  # distinct counts so a category swapped with another cannot pass
    "valid": 12,
    "missing": 1,
    "malformed": 2,
    "pseudo_no_fixed_abode": 3,
    "pseudo_not_known": 4,
    "pseudo_elsewhere": 5,
    "not_in_directory": 6,
    "terminated": 7,
}
ETHNIC_COUNTS = {"valid": 9, "not_stated": 1, "not_known": 2, "missing": 3, "unrecognised": 4}


def run(path, rule_ids=None):
    rules = [r for r in load_rules() if rule_ids is None or r.id in rule_ids]
    with Warehouse(path) as wh:
        return evaluate(rules, wh, lmns_code="LLR", run_id="test")


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k].astype(str) == str(v)
    assert mask.sum() == 1, f"expected one row for {where}, got {mask.sum()}"
    return frame.loc[mask].iloc[0]


def test_each_postcode_category_is_counted_exactly(make_warehouse) -> None:
    rows, i = [], 0
    for status, n in POSTCODE_COUNTS.items():
        for _ in range(n):
            # "missing" is a null status from ingest as well as the word; use null for it
            rows.append(pregnancy(i, postcode_status=None if status == "missing" else status))
            i += 1
    ev = run(make_warehouse(pregnancies=rows), {"postcode_valid_at_booking"})
    lmns = row(ev.results, geography_type="lmns")
    assert (lmns.numerator, lmns.denominator) == (12, 40)
    assert lmns.geography_code == "LLR"
    assert not lmns.passed
    cats = ev.categories[ev.categories.geography_type == "lmns"]
    counted = dict(zip(cats.category, cats.records, strict=True))
    expected = {k: v for k, v in POSTCODE_COUNTS.items() if k != "valid"}
    assert counted == expected
    assert set(cats.denominator) == {40}
    assert len(ev.failures) == 28  # 40 - 12 valid


def test_each_ethnicity_category_is_counted_exactly(make_warehouse) -> None:
    rows, i = [], 0
    for status, n in ETHNIC_COUNTS.items():
        for _ in range(n):
            rows.append(
                pregnancy(
                    i,
                    ethnic_status=status,
                    ethnic_category={
                        "valid": "N",
                        "not_stated": "Z",
                        "not_known": "99",
                        "missing": None,
                        "unrecognised": "X9",
                    }[status],
                )
            )
            i += 1
    ev = run(make_warehouse(pregnancies=rows), {"ethnic_category_valid_at_booking"})
    cats = ev.categories[ev.categories.geography_type == "community_team"]
    assert dict(zip(cats.category, cats.records, strict=True)) == {
        "not_stated": 1,
        "not_known": 2,
        "missing": 3,
        "unrecognised": 4,
    }
    # the worklist shows the code as recorded, so the team sees "X9", not just "unrecognised"
    unrecognised = ev.failures[ev.failures.category == "unrecognised"]
    assert set(unrecognised.recorded_value) == {"X9"}


def test_postcode_passes_at_exactly_95_percent_by_team(make_warehouse) -> None:
    rows = (
        # Team A: 19 valid postcodes of 20 = 95.0%, passes
        [pregnancy(i, community_team="Team A") for i in range(19)]
        + [pregnancy(19, community_team="Team A", postcode_status="malformed")]
        # Team B: 18 of 19 = 94.7%, fails
        + [
            pregnancy(
                20 + i, community_team="Team B", postcode_status="malformed" if i == 0 else "valid"
            )
            for i in range(19)
        ]
    )
    ev = run(make_warehouse(pregnancies=rows), {"postcode_valid_at_booking"})
    res = ev.results[ev.results.geography_type == "community_team"]
    a = row(res, geography_code="Team A")
    b = row(res, geography_code="Team B")
    assert (a.numerator, a.denominator, bool(a.passed)) == (19, 20, True)
    assert (b.numerator, b.denominator, bool(b.passed)) == (18, 19, False)
    lmns = row(ev.results, geography_type="lmns")
    # the LMNS as a whole: 37 of 39 = 94.9%, fails although one team passes
    assert (lmns.numerator, lmns.denominator, bool(lmns.passed)) == (37, 39, False)


def test_ethnicity_passes_at_exactly_80_percent(make_warehouse) -> None:
    rows = [pregnancy(i, ethnic_status="not_stated" if i == 0 else "valid") for i in range(5)]
    rows += [
        pregnancy(10 + i, community_team="Team B", ethnic_status="valid" if i < 3 else "missing")
        for i in range(4)
    ]
    ev = run(make_warehouse(pregnancies=rows), {"ethnic_category_valid_at_booking"})
    res = ev.results[ev.results.geography_type == "community_team"]
    a = row(res, geography_code="Team A")
    b = row(res, geography_code="Team B")
    assert (a.numerator, a.denominator, bool(a.passed)) == (4, 5, True)  # 80.0% passes
    assert (b.numerator, b.denominator, bool(b.passed)) == (3, 4, False)  # 75%


def test_results_split_by_provider_site_team_and_month(make_warehouse) -> None:
    rows = [
        pregnancy(1, booking_date="2024-01-31"),
        pregnancy(2, booking_date="2024-02-01", postcode_status="terminated"),
        pregnancy(
            3,
            booking_date="2024-02-29",
            provider_code="RX2",
            booking_site_code="RX2B",
            community_team="Team C",
            postcode_status="pseudo_elsewhere",
        ),
        pregnancy(4, booking_date="2024-02-10", community_team=None),
    ]
    ev = run(make_warehouse(pregnancies=rows), {"postcode_valid_at_booking"})
    res = ev.results
    feb = res[res.period_start.astype(str) == "2024-02-01"]
    assert row(feb, geography_type="lmns")[["numerator", "denominator"]].tolist() == [1, 3]
    assert row(feb, geography_code="RX1")[["numerator", "denominator"]].tolist() == [1, 2]
    assert row(feb, geography_code="RX2B")[["numerator", "denominator"]].tolist() == [0, 1]
    assert row(feb, geography_code="not_recorded")[["numerator", "denominator"]].tolist() == [1, 1]
    jan = res[res.period_start.astype(str) == "2024-01-01"]
    assert row(jan, geography_type="community_team").tolist()[4:6] == [1, 1]


def test_wilson_interval_matches_the_closed_form(make_warehouse) -> None:
    rows = [pregnancy(i, postcode_status="valid" if i < 19 else "missing") for i in range(20)]
    ev = run(make_warehouse(pregnancies=rows), {"postcode_valid_at_booking"})
    lmns = row(ev.results, geography_type="lmns")
    # Wilson score interval, written out: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z, n, p = 1.959963984540054, 20, 0.95
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert lmns.lower_ci == pytest.approx((centre - half) / (1 + z * z / n), rel=1e-12)
    assert lmns.upper_ci == pytest.approx((centre + half) / (1 + z * z / n), rel=1e-12)
    assert lmns.lower_ci == pytest.approx(0.7639, abs=1e-4)  # published tables: 76.4% to 99.1%


def test_birth_rules_use_their_own_cohorts_and_filters(make_warehouse) -> None:
    pregs = [pregnancy(1, community_team="Team A"), pregnancy(2, community_team="Team B")]
    deliveries = [
        {
            "delivery_id": "D1",
            "pregnancy_id": "P0001",
            "delivery_date": "2024-08-03",
            "smoking_at_delivery": "smoker",
        },
        {
            "delivery_id": "D2",
            "pregnancy_id": "P0002",
            "delivery_date": "2024-08-20",
            "smoking_at_delivery": "unknown",
        },
    ]
    babies = [
        # live birth, feed recorded, valid weight and gestation
        {
            "baby_id": "B1",
            "delivery_id": "D1",
            "pregnancy_id": "P0001",
            "birth_date": "2024-08-03",
            "outcome": "01",
            "first_feed": "01",
            "birth_weight_g": 3200,
            "gestation_at_birth_days": 280,
        },
        # stillbirth with no feed: not in the first-feed denominator; weight 0 is below range
        {
            "baby_id": "B2",
            "delivery_id": "D2",
            "pregnancy_id": "P0002",
            "birth_date": "2024-08-20",
            "outcome": "02",
            "first_feed": None,
            "birth_weight_g": 0,
            "gestation_at_birth_days": 316,
        },
        # live twin with a code outside 01-03 and no weight
        {
            "baby_id": "B3",
            "delivery_id": "D2",
            "pregnancy_id": "P0002",
            "birth_date": "2024-08-20",
            "outcome": "01",
            "first_feed": "04",
            "birth_weight_g": None,
            "gestation_at_birth_days": 153,
        },
    ]
    ev = run(
        make_warehouse(pregnancies=pregs, deliveries=deliveries, babies=babies),
        {
            "first_feed_recorded",
            "birth_weight_valid",
            "gestation_at_birth_valid",
            "smoking_delivery_known",
        },
    )
    lmns = ev.results[ev.results.geography_type == "lmns"].set_index("rule_id")
    assert lmns.loc["first_feed_recorded", ["numerator", "denominator"]].tolist() == [1, 2]
    assert lmns.loc["birth_weight_valid", ["numerator", "denominator"]].tolist() == [1, 3]
    assert lmns.loc["gestation_at_birth_valid", ["numerator", "denominator"]].tolist() == [1, 3]
    assert lmns.loc["smoking_delivery_known", ["numerator", "denominator"]].tolist() == [1, 2]
    fails = ev.failures.set_index(["rule_id", "record_id"])
    assert fails.loc[("first_feed_recorded", "B3"), "category"] == "invalid_code"
    assert fails.loc[("birth_weight_valid", "B2"), "category"] == "below_range"
    assert fails.loc[("birth_weight_valid", "B3"), "category"] == "missing"
    assert fails.loc[("gestation_at_birth_valid", "B2"), "category"] == "above_range"
    assert fails.loc[("gestation_at_birth_valid", "B3"), "category"] == "below_range"
    assert fails.loc[("smoking_delivery_known", "D2"), "category"] == "unknown"
    # the baby's faults are listed under the mother's booking team
    assert fails.loc[("birth_weight_valid", "B3"), "community_team"] == "Team B"


def test_plausibility_and_plan_rules(make_warehouse) -> None:
    pregs = [
        pregnancy(
            i, smoking_at_booking="smoker" if i < 2 else ("unknown" if i == 2 else "non_smoker")
        )
        for i in range(5)
    ]
    plans = [
        {
            "care_plan_id": "C1",
            "pregnancy_id": "P0000",
            "plan_type": "05",
            "plan_date": "2024-01-20",
            "coc_pathway": "Y",
            "professional_id": "H1",
            "team_id": "T1",
            "personalised_plan": "Y",
        },
        {
            "care_plan_id": "C2",
            "pregnancy_id": "P0001",
            "plan_type": "05",
            "plan_date": "2024-01-21",
            "coc_pathway": "Y",
            "professional_id": None,
            "team_id": None,
        },
        {
            "care_plan_id": "C3",
            "pregnancy_id": "P0002",
            "plan_type": "05",
            "plan_date": "2024-01-22",
            "coc_pathway": "Y",
            "professional_id": "H2",
            "team_id": " ",
        },
        {
            "care_plan_id": "C4",
            "pregnancy_id": "P0003",
            "plan_type": "05",
            "plan_date": "2024-01-22",
            "coc_pathway": "N",
            "professional_id": None,
        },
        {
            "care_plan_id": "C5",
            "pregnancy_id": "P0003",
            "plan_type": "06",  # birth plan: not in
            "plan_date": "2024-01-22",
            "coc_pathway": "Y",
            "personalised_plan": "Y",
        },
    ]
    ev = run(
        make_warehouse(pregnancies=pregs, care_plans=plans),
        {"smoking_booking_plausible", "coc_plan_complete", "pcsp_recorded"},
    )
    lmns = ev.results[ev.results.geography_type == "lmns"].set_index("rule_id")
    # 2 smokers of 4 known (unknown excluded) = 50%: inside the inclusive 0.5%-50% range
    assert lmns.loc["smoking_booking_plausible", ["numerator", "denominator"]].tolist() == [2, 4]
    assert bool(lmns.loc["smoking_booking_plausible", "passed"]) is True
    assert lmns.loc["smoking_booking_plausible", "threshold_upper"] == 0.5
    # plausibility is about the whole month, not a record: nothing on the worklist
    assert "smoking_booking_plausible" not in set(ev.failures.rule_id)
    assert lmns.loc["coc_plan_complete", ["numerator", "denominator"]].tolist() == [1, 3]
    assert lmns.loc["pcsp_recorded", ["numerator", "denominator"]].tolist() == [1, 4]
    cats = ev.failures[ev.failures.rule_id == "coc_plan_complete"].set_index("record_id")
    assert cats.loc["C2", "category"] == "missing_professional_id_and_team_id"
    assert cats.loc["C3", "category"] == "missing_team_id"  # a blank id is a missing id
    # a plan recorded as not in place is counted, but it is not a record to correct
    assert "pcsp_recorded" not in set(ev.failures.rule_id)
    pcsp = ev.categories[
        (ev.categories.rule_id == "pcsp_recorded") & (ev.categories.geography_type == "lmns")
    ]
    assert dict(zip(pcsp.category, pcsp.records, strict=True)) == {"missing": 3}


def test_rules_report_only_at_their_geography_levels(make_warehouse) -> None:
    rows = [pregnancy(i, smoking_at_booking="smoker" if i == 0 else "non_smoker") for i in range(4)]
    ev = run(
        make_warehouse(pregnancies=rows), {"smoking_booking_plausible", "smoking_booking_known"}
    )
    levels = ev.results.groupby("rule_id")["geography_type"].agg(set)
    assert levels["smoking_booking_plausible"] == {"lmns", "provider"}
    assert levels["smoking_booking_known"] == {"lmns", "provider", "booking_site", "community_team"}


def test_a_warehouse_without_a_derived_column_gets_a_clear_error(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    with Warehouse(path) as wh:  # an old load: pregnancies without postcode_status
        wh.con.raw_sql(
            "CREATE TABLE pregnancies AS SELECT 'P1' AS pregnancy_id, 'RX1' AS provider_code, "
            "'S1' AS booking_site_code, 'T1' AS community_team, DATE '2024-01-02' AS booking_date"
        )
    with Warehouse(path) as wh, pytest.raises(ValueError, match="no column 'postcode_status'"):
        evaluate([r for r in load_rules() if r.id == "postcode_valid_at_booking"], wh)
