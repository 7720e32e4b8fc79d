"""Rule files: the shipped rules, the vocabulary's checks, and an LMNS's overrides."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maternity_equity.quality.rulebook import RuleFileError, indicator_rule_map, load_rules

REQUIRED_IDS = {
    "postcode_valid_at_booking",
    "ethnic_category_valid_at_booking",
    "smoking_booking_known",
    "smoking_booking_plausible",
    "smoking_delivery_known",
    "smoking_delivery_plausible",
    "first_feed_recorded",
    "gestation_at_birth_valid",
    "birth_weight_valid",
    "gestation_at_booking_valid",
    "coc_plan_complete",
    "pcsp_recorded",
}


def by_id(rules):
    return {r.id: r for r in rules}


def write(tmp_path: Path, text: str, name: str = "local.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_have_every_id_the_indicator_engine_uses() -> None:
    rules = by_id(load_rules())
    assert set(rules) >= REQUIRED_IDS
    assert rules["postcode_valid_at_booking"].threshold == Fraction(95, 100)
    assert rules["ethnic_category_valid_at_booking"].threshold == Fraction(4, 5)
    assert rules["smoking_booking_plausible"].threshold == (Fraction(1, 200), Fraction(1, 2))
    assert rules["coc_plan_complete"].comparison == ">"
    for rule in rules.values():
        assert rule.scheme and rule.year, rule.id


def test_indicator_map_inverts_rule_dependencies() -> None:
    mapping = indicator_rule_map(load_rules())
    assert mapping["p4c_coc_most_deprived"] == ["postcode_valid_at_booking", "coc_plan_complete"]
    assert set(mapping["p4c_smoking_at_booking"]) == {
        "smoking_booking_known",
        "smoking_booking_plausible",
    }
    # an indicator that measures a rule is not hidden when that rule fails
    assert "p3_valid_postcode_at_booking" not in mapping


def test_rule_dependencies_match_the_indicator_catalogue() -> None:
    from maternity_equity.indicators import catalogue

    expected = {i.id: set(i.dq_rules) for i in catalogue() if i.dq_rules}
    got = {k: set(v) for k, v in indicator_rule_map(load_rules()).items()}
    assert got == expected


@pytest.mark.parametrize(
    ("rule_id", "num", "den", "expected"),
    [
        ("postcode_valid_at_booking", 19, 20, True),  # exactly 95.0%
        ("postcode_valid_at_booking", 190, 200, True),
        ("postcode_valid_at_booking", 189, 200, False),  # 94.5%
        ("postcode_valid_at_booking", 1899, 2000, False),  # 94.95% would round to 95.0%
        ("ethnic_category_valid_at_booking", 4, 5, True),  # exactly 80.0%
        ("ethnic_category_valid_at_booking", 799, 1000, False),
        ("coc_plan_complete", 1, 20, False),  # exactly 5% is not "more than 5%"
        ("coc_plan_complete", 2, 20, True),
        ("smoking_booking_plausible", 1, 200, True),  # 0.5% lower bound is inclusive
        ("smoking_booking_plausible", 1, 201, False),
        ("smoking_booking_plausible", 10, 20, True),  # 50% upper bound inclusive
        ("smoking_booking_plausible", 11, 21, False),
        ("postcode_valid_at_booking", 0, 0, None),  # nothing to assess
    ],
)
def test_pass_fail_at_the_boundaries(rule_id, num, den, expected) -> None:
    assert by_id(load_rules())[rule_id].passes(num, den) is expected


def test_lmns_file_overrides_a_threshold_and_adds_a_rule(tmp_path: Path) -> None:
    local = write(
        tmp_path,
        """
rules:
  - id: ethnic_category_valid_at_booking
    threshold: "90%"
    year: "2022/23"
  - id: folic_acid_recorded
    title: Folic acid status recorded
    cohort: bookings
    field: folic_acid
    test: {in_codes: ["01", "02", "03", "ZZ"]}
    comparison: ">="
    threshold: 0.7
    scheme: Local LMNS rule
    year: "2024/25"
    indicators: [p1_folic_acid]
  - id: pcsp_recorded
    enabled: false
""",
    )
    rules = by_id(load_rules(local))
    ethnic = rules["ethnic_category_valid_at_booking"]
    assert ethnic.threshold == Fraction(9, 10)
    assert ethnic.year == "2022/23"
    assert ethnic.field == "ethnic_status"  # keys not overridden are kept
    assert ethnic.source_file == str(local)
    assert rules["folic_acid_recorded"].test_arg == ("01", "02", "03", "ZZ")
    assert "pcsp_recorded" not in rules


BAD_RULES = [
    ("rules: [", "not valid YAML"),
    ("rule: []", "'rules:' list"),
    ("rules:\n  - id: ethnic_category_valid_at_booking\n    threshold: 95\n", "write 0.95"),
    (
        "rules:\n  - id: postcode_valid_at_booking\n    test: {matches: x}\n",
        "unknown test 'matches'",
    ),
    (
        "rules:\n  - id: postcode_valid_at_booking\n    cohort: mothers\n",
        "unknown cohort 'mothers'",
    ),
    (
        "rules:\n  - id: postcode_valid_at_booking\n    field: postcode\n",
        "field 'postcode' is not a column of cohort 'bookings'",
    ),
    ("rules:\n  - id: postcode_valid_at_booking\n    comparison: '=='\n", "unknown comparison"),
    ("rules:\n  - id: postcode_valid_at_booking\n    colour: red\n", "unknown keys ['colour']"),
    ("rules:\n  - id: new_rule\n    title: x\n", "missing required keys"),
    (
        "rules:\n  - id: smoking_booking_plausible\n    comparison: '>='\n    threshold: 0.5\n",
        "share_between test needs comparison: between",
    ),
    ("rules:\n  - id: birth_weight_valid\n    test: {between: [9998, 1]}\n", "is above high"),
    ("rules:\n  - id: a\n  - id: a\n", "repeated"),
]


@pytest.mark.parametrize(("text", "message"), BAD_RULES)
def test_invalid_rule_files_name_the_file_rule_and_problem(tmp_path, text, message) -> None:
    local = write(tmp_path, text)
    with pytest.raises(RuleFileError, match=re.escape(message)) as info:
        load_rules(local)
    assert str(local) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="rules file not found"):
        load_rules(tmp_path / "nope.yaml")


def test_plausibility_is_judged_for_the_lmns_and_providers_only() -> None:
    rules = by_id(load_rules())
    assert rules["smoking_booking_plausible"].geographies == ("lmns", "provider")
    assert rules["postcode_valid_at_booking"].geographies == (
        "lmns",
        "provider",
        "booking_site",
        "community_team",
    )


def test_unknown_geography_level_is_rejected(tmp_path: Path) -> None:
    local = write(tmp_path, "rules:\n  - id: birth_weight_valid\n    geographies: [ward]\n")
    with pytest.raises(RuleFileError, match="geographies must be a list"):
        load_rules(local)


@given(
    counts=st.lists(
        st.integers(min_value=0, max_value=10_000).flatmap(
            lambda d: st.tuples(st.integers(min_value=0, max_value=d), st.just(d))
        ),
        min_size=1,
        max_size=30,
    ),
    rule_id=st.sampled_from(
        ["postcode_valid_at_booking", "coc_plan_complete", "smoking_booking_plausible"]
    ),
)
@settings(max_examples=60, deadline=None)
def test_vectorised_pass_fail_equals_the_fraction_comparison(counts, rule_id) -> None:
    """The integer cross-multiplication used on whole tables agrees with Fraction arithmetic."""
    rule = by_id(load_rules())[rule_id]
    num = np.array([n for n, _ in counts])
    den = np.array([d for _, d in counts])
    expected = []
    for n, d in counts:
        if d == 0:
            expected.append(None)
        elif isinstance(rule.threshold, tuple):
            expected.append(rule.threshold[0] <= Fraction(n, d) <= rule.threshold[1])
        else:
            t = rule.threshold
            expected.append({">=": Fraction(n, d) >= t, ">": Fraction(n, d) > t}[rule.comparison])
    assert rule.passes_many(num, den) == expected
    assert [rule.passes(n, d) for n, d in counts] == expected
