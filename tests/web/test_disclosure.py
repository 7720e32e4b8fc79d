"""Disclosure control on results frames, with figures worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from maternity_equity.web.disclosure import format_cell, publishable_results


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "indicator_id": "x",
        "period_type": "rolling_12m",
        "period_start": "2024-04-01",
        "geography_type": "lmns",
        "geography_code": "E1",
        "breakdown": "ethnic_group",
        "reference_group": "White",
        "lower_ci": 1.0,
        "upper_ci": 2.0,
        "ratio": 1.0,
        "ratio_lower": 0.5,
        "ratio_upper": 1.5,
        "ratio_significance": "similar",
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_count_class_rounds_counts_and_recomputes_the_value():
    out = publishable_results(
        _frame(
            [
                # 0 stays 0; 6 -> 5; 53 -> 55; 123 -> 125; 456 -> 455; 12.5 rounds half up to 15
                {
                    "group": "White",
                    "numerator": 123,
                    "denominator": 456,
                    "value": 26.97,
                    "multiplier": 100,
                    "disclosure_class": "count",
                },
                {
                    "group": "Asian",
                    "numerator": 6,
                    "denominator": 53,
                    "value": 11.32,
                    "multiplier": 100,
                    "disclosure_class": "count",
                },
                {
                    "group": "Black",
                    "numerator": 0,
                    "denominator": 12.5,
                    "value": 0.0,
                    "multiplier": 100,
                    "disclosure_class": "count",
                },
            ]
        )
    )
    assert out["numerator"].tolist() == [125, 5, 0]
    assert out["denominator"].tolist() == [455, 55, 15]
    assert out["value"].tolist() == pytest.approx([125 / 455 * 100, 5 / 55 * 100, 0.0])
    # intervals from unrounded counts are withheld; ratios recomputed from published values
    assert out["lower_ci"].isna().all() and out["ratio_lower"].isna().all()
    assert out["ratio"].tolist() == pytest.approx([1.0, (5 / 55) / (125 / 455), 0.0])
    assert not out["suppressed"].any()


def test_rare_events_suppressed_below_eight_with_secondary_suppression():
    out = publishable_results(
        _frame(
            [
                {
                    "group": "White",
                    "numerator": 240,
                    "denominator": 800,
                    "value": 300.0,
                    "multiplier": 1000,
                    "disclosure_class": "rare_event",
                },
                {
                    "group": "Black",
                    "numerator": 3,
                    "denominator": 412,
                    "value": 7.28,
                    "multiplier": 1000,
                    "disclosure_class": "rare_event",
                },
                {
                    "group": "Asian",
                    "numerator": 40,
                    "denominator": 8000,
                    "value": 5.0,
                    "multiplier": 1000,
                    "disclosure_class": "rare_event",
                },
                {
                    "group": "Mixed",
                    "numerator": 9,
                    "denominator": 1000,
                    "value": 9.0,
                    "multiplier": 1000,
                    "disclosure_class": "rare_event",
                },
            ]
        )
    )
    by_group = out.set_index("group")
    assert by_group.loc["Black", "suppressed"]
    # hidden total must reach 8 events: 3 + 9 (Mixed, the smallest that gets there) = 12
    assert by_group.loc["Mixed", "suppressed"]
    assert not by_group.loc["Asian", "suppressed"] and not by_group.loc["White", "suppressed"]
    assert math.isnan(by_group.loc["Black", "value"]) and math.isnan(by_group.loc["Mixed", "value"])
    # shown rare-event rates come from unrounded counts, with their interval
    assert by_group.loc["Asian", "value"] == pytest.approx(5.0)
    assert by_group.loc["Asian", "lower_ci"] == 1.0
    assert by_group.loc["Black", "numerator"] == 5  # counts rounded, 1-7 shown as 5
    assert by_group.loc["Black", "ratio_significance"] == "not_compared"


def test_format_cell_symbols():
    assert format_cell(None) == ":"
    assert format_cell(float("nan")) == ":"
    assert format_cell(3.0, suppressed=True) == "*"
    assert format_cell(1234.567) == "1,234.6"


def test_derived_statistics_without_counts_pass_through():
    out = publishable_results(
        _frame(
            [
                {
                    "group": "All",
                    "breakdown": "all",
                    "numerator": None,
                    "denominator": None,
                    "value": 1.2449,
                    "lower_ci": 0.9,
                    "upper_ci": 1.6,
                    "multiplier": 1,
                    "disclosure_class": "count",
                },
            ]
        )
    )
    assert out["value"].iloc[0] == pytest.approx(1.2449)
    assert out["lower_ci"].iloc[0] == pytest.approx(0.9)
    assert not out["suppressed"].iloc[0]
