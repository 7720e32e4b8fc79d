"""Publication rules on results frames (``publish``, through ``web.disclosure``), with every
expected figure worked out by hand from the rule and the formulas."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import chi2

from maternity_equity.publish import publish_dq_results
from maternity_equity.web.disclosure import format_cell, publishable_results

Z = 1.959963984540054


def wilson(x: float, n: float, multiplier: float = 100) -> tuple[float, float]:
    centre, spread = 2 * x + Z * Z, Z * math.sqrt(Z * Z + 4 * x * (1 - x / n))
    return (
        multiplier * (centre - spread) / (2 * (n + Z * Z)),
        multiplier * (centre + spread) / (2 * (n + Z * Z)),
    )


def poisson(x: float, n: float, multiplier: float = 1000) -> tuple[float, float]:
    """Exact limits below 10 events, Byar's from 10 (the methods note)."""
    if x < 10:
        lower = chi2.ppf(0.025, 2 * x) / 2 if x else 0.0
        upper = chi2.ppf(0.975, 2 * x + 2) / 2
    else:
        lower = x * (1 - 1 / (9 * x) - Z / (3 * math.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + Z / (3 * math.sqrt(x + 1))) ** 3
    return lower / n * multiplier, upper / n * multiplier


def _frame(rows: list[dict], **defaults) -> pd.DataFrame:
    base = {
        "indicator_id": "x",
        "period_type": "rolling_12m",
        "period_start": "2024-04-01",
        "period_end": "2025-03-31",
        "geography_type": "lmns",
        "geography_code": "E1",
        "breakdown": "ethnic_group",
        "reference_group": "White",
        "value": 99.0,  # stored figures the published ones must not come from
        "lower_ci": 1.0,
        "upper_ci": 2.0,
        "ratio": 1.0,
        "ratio_lower": 0.5,
        "ratio_upper": 1.5,
        "ratio_significance": "similar",
        "dq_status": "pass",
        "multiplier": 100.0,
        "disclosure_class": "count",
        **defaults,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def _by_group(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("group")


def test_counts_are_rounded_and_every_figure_comes_from_the_rounded_counts():
    stored = _frame(
        [
            # 0 stays 0; 6 -> 5; 53 -> 55; 123 -> 125; 456 -> 455; 12.5 rounds half up to 15
            {"group": "White", "numerator": 123, "denominator": 456},
            {"group": "Asian", "numerator": 6, "denominator": 53},
            {"group": "Black", "numerator": 0, "denominator": 12.5},
        ],
        indicator_id="p1_folic_acid",  # a percentage with Wilson intervals
    )
    kept = stored.copy()
    out = _by_group(publishable_results(stored))
    pd.testing.assert_frame_equal(stored, kept)  # stored results are never changed
    assert out["numerator"].tolist() == [125, 5, 0]
    assert out["denominator"].tolist() == [455, 55, 15]
    assert out["value"].tolist() == pytest.approx([125 / 455 * 100, 5 / 55 * 100, 0.0])
    for group, (x, n) in {"White": (125, 455), "Asian": (5, 55), "Black": (0, 15)}.items():
        assert (out.loc[group, "lower_ci"], out.loc[group, "upper_ci"]) == pytest.approx(
            wilson(x, n)
        ), group
    assert not out["suppressed"].any()
    # the ratio to White from the published rates; Asian rests on 1 to 7 women: withheld
    assert out.loc["White", "ratio"] == pytest.approx(1.0)
    assert math.isnan(out.loc["Asian", "ratio"])
    assert out.loc["Asian", "ratio_significance"] == "suppressed"


def test_rare_events_below_eight_are_suppressed_with_a_complement_beside_a_shown_total():
    groups = [
        ("White", 240, 800),
        ("Black", 3, 412),  # 1 to 7: suppressed
        ("Asian", 40, 8000),
        ("Mixed", 9, 1000),  # the smallest group taking the hidden total to 8 or more
    ]
    rows = [{"group": g, "numerator": x, "denominator": n} for g, x, n in groups]
    total = {"breakdown": "all", "group": "All", "reference_group": "", "numerator": 292}
    rare = dict(indicator_id="m_stillbirth_rate", multiplier=1000.0)
    out = _by_group(publishable_results(_frame([*rows, {**total, "denominator": 10212}], **rare)))
    assert out.loc["Black", "suppressed"] and out.loc["Mixed", "suppressed"]
    assert not out.loc["Asian", "suppressed"] and not out.loc["White", "suppressed"]
    for g in ("Black", "Mixed"):  # value, interval, comparison and numerator all withheld
        assert out.loc[g, ["value", "lower_ci", "upper_ci", "ratio", "numerator"]].isna().all()
        assert out.loc[g, "ratio_significance"] == "suppressed"
    assert out.loc["Black", "denominator"] == 410  # births are published, rounded
    # shown rates and intervals come from the rounded counts: 240 / 800 and 40 / 8,000
    assert out.loc["Asian", "value"] == pytest.approx(5.0)
    assert (out.loc["Asian", "lower_ci"], out.loc["Asian", "upper_ci"]) == pytest.approx(
        poisson(40, 8000)
    )
    # without a total on show nothing can be worked out by subtraction: no complement
    alone = _by_group(publishable_results(_frame(rows, **rare)))
    assert alone["suppressed"].tolist() == [False, True, False, False]


def test_a_zero_rare_event_count_has_its_interval_from_the_published_denominator():
    # 0 stillbirths in 2 births: published 0 of 5; the exact upper limit of 0 events is
    # 3.689, so 3.689 / 5 x 1,000 = 737.8 (the stored 1,844 per 1,000 would give 2 births)
    out = publishable_results(
        _frame(
            [{"group": "All", "breakdown": "all", "numerator": 0, "denominator": 2}],
            indicator_id="m_stillbirth_rate",
            multiplier=1000.0,
        )
    ).iloc[0]
    assert (out["numerator"], out["denominator"], out["value"]) == (0, 5, 0)
    assert out["upper_ci"] == pytest.approx(chi2.ppf(0.975, 2) / 2 / 5 * 1000)


def test_a_relative_likelihood_given_without_counts_is_rebuilt_from_the_published_groups():
    def wres(white, bme):
        rows = [
            {"group": "White", "numerator": white[0], "denominator": white[1]},
            {"group": "BME", "numerator": bme[0], "denominator": bme[1]},
            {
                "group": "All",
                "breakdown": "all",
                "numerator": None,
                "denominator": None,
                "value": (white[0] / white[1]) / (bme[0] / bme[1]),
                "reference_group": "BME",
            },
        ]
        frame = _frame(rows, indicator_id="p4d_wres_2", breakdown="wres_ethnic_group")
        return _by_group(publishable_results(frame.assign(reference_group=["", "", "BME"])))

    # 60 of 200 White and 24 of 160 BME appointed: published 60 / 200 and 25 / 160, so the
    # relative likelihood is (60 / 200) / (25 / 160) = 1.92 (the stored one is 2.0)
    out = wres((60, 200), (24, 160))
    assert out.loc["All", "value"] == pytest.approx((60 / 200) / (25 / 160))
    assert not out.loc["All", "suppressed"]
    # 6 of 237 against 7 of 708: counts of 1 to 7, so neither the groups' rates (a return's
    # figures) nor the relative likelihood are published
    small = wres((6, 237), (7, 708))
    assert small["suppressed"].all() and small["value"].isna().all()


def test_each_kind_without_counts_has_its_own_rule():
    frame = pd.concat(
        [
            # a rate a return gave with no counts and no groups to rebuild it from: withheld
            _frame(
                [{"group": "All", "breakdown": "all", "numerator": None, "denominator": None}],
                indicator_id="p4d_wres_9",
                value=-5.4,
            ),
            # a status a return gave (an accreditation stage): shown as given
            _frame(
                [{"group": "maternity", "breakdown": "service", "value": 3.0}],
                indicator_id="p4c_baby_friendly",
                numerator=None,
                denominator=None,
            ),
            # a need score: shown as computed, without the rank and the number of areas
            _frame(
                [{"group": "All", "breakdown": "all", "numerator": 3, "denominator": 24}],
                indicator_id="areas_of_highest_need",
                value=80.6,
            ),
            # a count: the rounded count (593 -> 595), not numerator / denominator
            _frame(
                [{"group": "All", "breakdown": "all", "numerator": 593, "denominator": 593}],
                indicator_id="pop_births",
                value=593.0,
            ),
        ],
        ignore_index=True,
    )
    out = publishable_results(frame).set_index("indicator_id")
    assert out.loc["p4d_wres_9", "suppressed"] and math.isnan(out.loc["p4d_wres_9", "value"])
    assert out.loc["p4c_baby_friendly", "value"] == 3.0
    need = out.loc["areas_of_highest_need"]
    assert need["value"] == 80.6 and math.isnan(need["numerator"])
    assert out.loc["pop_births", "value"] == out.loc["pop_births", "numerator"] == 595


def test_group_ratio_comes_from_its_source_indicators_published_rows():
    source = _frame(
        [
            {"group": "White", "numerator": 21, "denominator": 3002},
            {"group": "Black", "numerator": 10, "denominator": 900},
            {"group": "Asian", "numerator": 12, "denominator": 1100},
        ],
        indicator_id="m_perinatal_mortality_rate",
        multiplier=1000.0,
        disclosure_class="rare_event",
    )
    ratio = _frame(
        [{"group": "Black and Asian", "breakdown": "all", "numerator": 22, "denominator": 2000}],
        indicator_id="m_perinatal_ratio_black_asian_vs_white",
        multiplier=1.0,
        disclosure_class="rare_event",
        value=1.5706,
    )
    out = publishable_results(
        ratio, lambda ind: source if ind == source["indicator_id"][0] else None
    )
    # published 20 / 2,000 against 20 / 3,000: (20 / 2000) / (20 / 3000) = 1.5
    assert out["value"].iloc[0] == pytest.approx(1.5) and out["numerator"].iloc[0] == 20
    assert out["lower_ci"].iloc[0] < 1.5 < out["upper_ci"].iloc[0]
    # without its source rows it cannot be published safely
    alone = publishable_results(ratio)
    assert alone["suppressed"].iloc[0] and math.isnan(alone["value"].iloc[0])


def test_failing_data_quality_withholds_the_figures_and_passing_keeps_them():
    rows = [
        {"group": "All", "breakdown": "all", "numerator": 40, "denominator": 97, "dq_status": s}
        for s in ("fail", "pass", "not_assessed")
    ]
    out = publishable_results(_frame(rows, indicator_id="p4c_coc_most_deprived"))
    assert out[["value", "lower_ci", "upper_ci"]].iloc[0].isna().all()
    assert out["numerator"].iloc[0] == 40 and not out["suppressed"].iloc[0]
    # 40 / 97 -> 40 / 95 = 42.1%
    assert out["value"].iloc[1:].tolist() == pytest.approx([40 / 95 * 100] * 2)


def test_data_quality_results_are_rounded_with_their_value_and_interval():
    dq = pd.DataFrame(
        {
            "rule_id": ["r", "r"],
            "numerator": [3, 993],
            "denominator": [4, 1000],
            "value": [0.75, 0.993],
            "lower_ci": [0.1, 0.9],
            "upper_ci": [0.9, 1.0],
            "passed": [False, True],
        }
    )
    out = publish_dq_results(dq)
    assert out["numerator"].tolist() == [5, 995] and out["denominator"].tolist() == [5, 1000]
    assert out["value"].tolist() == pytest.approx([1.0, 0.995])
    lo, hi = wilson(995, 1000, multiplier=1)
    assert (out["lower_ci"].iloc[1], out["upper_ci"].iloc[1]) == pytest.approx((lo, hi))
    assert out["passed"].tolist() == [False, True]  # decided on the unrounded figures
    assert dq["numerator"].tolist() == [3, 993]  # the stored frame is unchanged


def test_format_cell_symbols():
    assert format_cell(None) == ":"
    assert format_cell(float("nan")) == ":"
    assert format_cell(3.0, suppressed=True) == "*"
    assert format_cell(1234.567) == "1,234.6"
