"""Funnel plot limits and disclosure control."""

from __future__ import annotations

import io

import numpy as np
import pytest
from scipy.stats import chi2, norm

from maternity_equity.stats import (
    DISCLOSURE_RULES,
    disclose,
    funnel_limits,
    register_rule,
    wilson_interval,
)


def test_proportion_funnel_is_where_the_wilson_interval_reaches_the_baseline():
    # Second method: an observation exactly on the upper 95% limit has a Wilson lower bound
    # equal to the baseline, and one on the lower limit a Wilson upper bound equal to it.
    n = np.array([50.0, 200, 1000, 5000])
    lim = funnel_limits(n, 0.3, multiplier=1)
    wl, _ = wilson_interval(lim.upper_95 * n, n)
    _, wu = wilson_interval(lim.lower_95 * n, n)
    np.testing.assert_allclose(wl, 0.3, rtol=1e-9)
    np.testing.assert_allclose(wu, 0.3, rtol=1e-9)
    wl3, _ = wilson_interval(lim.upper_99_8 * n, n, 0.998)
    np.testing.assert_allclose(wl3, 0.3, rtol=1e-9)


def test_proportion_funnel_by_hand_and_capping():
    # n = 100, p̄ = 0.3: 1.959964·√(0.21/100) = 0.089817 → 21.018% and 38.982%.
    lim = funnel_limits(100, 0.3)
    assert lim.lower_95 == pytest.approx(30 - 100 * norm.ppf(0.975) * np.sqrt(0.0021), rel=1e-12)
    assert round(float(lim.upper_95), 3) == 38.982
    assert lim.baseline == pytest.approx(30)
    tiny = funnel_limits(5, 0.3)  # 99.8% limits leave [0, 100] for n = 5
    assert tiny.lower_99_8 == 0 and tiny.upper_99_8 <= 100


def test_rate_funnel_inverts_the_exact_poisson_interval():
    # Baseline 2 per 1,000 and population 5,000: E = 10 expected events. The upper limit is the
    # count whose exact lower limit chi²(0.025; 2O)/2 equals 10; the lower limit the count
    # whose exact upper limit chi²(0.975; 2O + 2)/2 equals 10 (checked with scipy's chi²).
    lim = funnel_limits(5000, 0.002, statistic="rate", multiplier=1000)
    upper_count = float(lim.upper_95) / 1000 * 5000
    lower_count = float(lim.lower_95) / 1000 * 5000
    assert chi2.ppf(0.025, 2 * upper_count) / 2 == pytest.approx(10, rel=1e-9)
    assert chi2.ppf(0.975, 2 * lower_count + 2) / 2 == pytest.approx(10, rel=1e-9)
    upper_3s = float(lim.upper_99_8) / 1000 * 5000
    assert chi2.ppf(0.001, 2 * upper_3s) / 2 == pytest.approx(10, rel=1e-9)


def test_rate_funnel_matches_published_fingertips_values():
    # PHEindicatormethods testdata_funnel_rate_outputs.csv, baseline 116.1720835 per 100,000:
    # 1 event sits on the lower 95% funnel at 20.85059119 and on the upper at 4588.535848.
    # The population there is the one whose expected count equals the exact upper (lower)
    # limit of 1 event. The reference bisects only to 1e-7 in its own variable, hence rel 1e-5.
    baseline = 116.1720835e-5
    on_lower = (chi2.ppf(0.975, 4) / 2) / baseline
    on_upper = (chi2.ppf(0.025, 2) / 2) / baseline
    assert funnel_limits(on_lower, baseline, "rate", 100_000).lower_95 == pytest.approx(
        20.85059119, rel=1e-5
    )
    assert funnel_limits(on_upper, baseline, "rate", 100_000).upper_95 == pytest.approx(
        4588.535848, rel=1e-5
    )


def test_proportion_funnel_matches_published_fingertips_values():
    # PHEindicatormethods testdata_funnel_prop_outputs.csv (baseline 80.642448%), 6 dp.
    lim = funnel_limits([50, 1008, 9998], 0.80642448)
    np.testing.assert_allclose(lim.lower_95, [69.691035, 78.203374, 79.867989], atol=2e-6)
    np.testing.assert_allclose(lim.upper_95, [91.593861, 83.081521, 81.416907], atol=2e-6)
    np.testing.assert_allclose(lim.lower_99_8, [63.375595, 76.796814, 79.421375], atol=2e-6)
    np.testing.assert_allclose(lim.upper_99_8, [97.909301, 84.488082, 81.863521], atol=2e-6)


# PHEindicatormethods published ratio funnels (tests/testthat/testdata_funnel_ratio_outputs.csv,
# commit 8ac28e5): for O observed events, the expected count E at which O sits on each funnel
# and the ratio there (× 100). Columns: O, lower_2s_exp_events, lower_2s_isr,
# upper_2s_exp_events, upper_2s_isr, lower_3s_exp_events, lower_3s_isr, upper_3s_exp_events,
# upper_3s_isr.
PUBLISHED_RATIO_FUNNEL = np.loadtxt(
    io.StringIO(
        """
        1    5.571644585 17.94802207 0.025317898 3949.774946 9.233410143 10.83023482 0.001000547 99945.32721
        10   18.39035799 54.3763205  4.795387629 208.5337156 24.13397235 41.43536693 2.960519925 337.778507
        100  121.6268111 82.21871402 81.36400699 122.9044681 134.9243187 74.11562345 71.92139974 139.0406755
        716  770.4222128 92.93605352 664.5083011 107.7488421 802.60414   89.20960712 636.1521174 112.5516964
        """  # noqa: E501
    )
)


@pytest.mark.parametrize("row", PUBLISHED_RATIO_FUNNEL)
def test_ratio_funnel_matches_published_fingertips_values(row):
    # At the published E the funnel passes through O, so the limit there is O/E × 100. The
    # reference's E come from a bisection to about 1e-6, hence the relative 1e-5.
    count, lo_e, lo_95, hi_e, hi_95, lo3_e, lo_998, hi3_e, hi_998 = row
    lim = funnel_limits([lo_e, hi_e, lo3_e, hi3_e], 1.0, "ratio", multiplier=100)
    assert lim.lower_95[0] == pytest.approx(lo_95, rel=1e-5)
    assert lim.upper_95[1] == pytest.approx(hi_95, rel=1e-5)
    assert lim.lower_99_8[2] == pytest.approx(lo_998, rel=1e-5)
    assert lim.upper_99_8[3] == pytest.approx(hi_998, rel=1e-5)
    # Second computation at 1e-9: the exact limits of O, from scipy's chi-square quantiles,
    # are the expected counts where O is on the funnel.
    exact_hi, exact_lo = chi2.ppf(0.975, 2 * count + 2) / 2, chi2.ppf(0.025, 2 * count) / 2
    at_exact = funnel_limits([exact_hi, exact_lo], 1.0, "ratio", multiplier=100)
    assert at_exact.lower_95[0] == pytest.approx(100 * count / exact_hi, rel=1e-9)
    assert at_exact.upper_95[1] == pytest.approx(100 * count / exact_lo, rel=1e-9)


def test_funnel_baseline_and_limits_are_numpy_values():
    lim = funnel_limits(100, 0.3)
    assert type(lim.baseline) is np.float64 and type(lim.upper_95) is np.float64
    assert lim.baseline == pytest.approx(30.0)
    rates = funnel_limits([100, 1000], 0.002, "rate", multiplier=1000)
    assert type(rates.baseline) is np.float64 and rates.lower_95.dtype == np.float64


def test_funnel_accepts_an_array_multiplier():
    both = funnel_limits([100, 100], 0.3, multiplier=[1, 100])
    pct = funnel_limits(100, 0.3)
    np.testing.assert_allclose(both.baseline, [0.3, 30.0])
    np.testing.assert_allclose(both.upper_95, [pct.upper_95 / 100, pct.upper_95], rtol=1e-12)
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        funnel_limits([10, 20, 30], 0.3, multiplier=[1, 100])
    with pytest.raises(ValueError, match="baseline: must be a single number"):
        funnel_limits([10, 20], [0.3, 0.4])


def test_ratio_funnel_narrows_with_expected_events():
    lim = funnel_limits([5, 50, 500], 1.0, statistic="ratio", multiplier=1)
    assert np.all(np.diff(lim.upper_95) < 0) and np.all(np.diff(lim.lower_95) > 0)
    assert np.all(lim.lower_99_8 < lim.lower_95) and np.all(lim.upper_99_8 > lim.upper_95)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0, 10], 0.3), "denominators"),
        (([10], 30), "between 0 and 1"),
        (([10], 0.3, "mean"), "statistic"),
        (([10], np.nan), "NaN"),
    ],
)
def test_funnel_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        funnel_limits(*args)


def test_nhs_england_maternity_rounding_by_hand():
    # 0 → 0 ("-"); 3 → 5; 7 → 5; 8 → 10; 12 → 10; 13 → 15; 1002 → 1000; 1003 → 1005.
    res = disclose([0, 3, 7, 8, 12, 13], [1002, 1003, 50, 50, 50, 50])
    np.testing.assert_array_equal(res.numerator, [0, 5, 5, 10, 10, 15])
    np.testing.assert_array_equal(res.denominator, [1000, 1005, 50, 50, 50, 50])
    # Percentages from the rounded figures: 5/1005 = 0.4975%, 5/50 = 10%, 10/50 = 20%, 15/50.
    np.testing.assert_allclose(res.value, [0, 500 / 1005, 10, 20, 20, 30])
    assert list(res.symbol) == ["-", "", "", "", "", ""]


def test_halves_round_up():
    # Fractional counts (e.g. weighted) at an exact half go up: 12.5 → 15, 17.5 → 20.
    res = disclose([12.5, 17.5], [100, 100])
    np.testing.assert_array_equal(res.numerator, [15, 20])


def test_rare_event_rates_use_unrounded_counts_and_suppress_below_8():
    # Per 1,000: 7/1234 suppressed; 8/1234 = 6.4830 from unrounded counts (not 10/1235).
    res = disclose([7, 8, 0], [1234, 1234, 1234], multiplier=1000, rare_event=True)
    assert np.isnan(res.value[0]) and res.symbol[0] == "*"
    assert res.value[1] == pytest.approx(8000 / 1234)
    assert res.numerator[1] == 10 and res.denominator[1] == 1235
    assert res.value[2] == 0 and res.symbol[2] == "-"


def test_missing_and_not_applicable_symbols():
    res = disclose([np.nan, 0, 4], [10, 0, np.nan])
    assert list(res.symbol) == [":", "z", ":"]
    assert np.isnan(res.value).all()


def test_hes_rule_suppresses_small_counts():
    res = disclose([3, 9], [100, 100], rule="hes")
    assert np.isnan(res.numerator[0]) and res.symbol[0] == "*" and np.isnan(res.value[0])
    assert res.numerator[1] == 10 and res.value[1] == pytest.approx(10)


def test_internal_rule_keeps_exact_figures():
    res = disclose(3, 7, rule="none_internal")
    assert res.numerator == 3 and res.value == pytest.approx(300 / 7) and res.symbol == ""


def test_rules_are_pluggable():
    def round_to_10(x, n, rare_event):
        px, pn = np.round(x / 10) * 10, np.round(n / 10) * 10
        return px, pn, (px, pn), np.zeros(x.shape, dtype=bool)

    register_rule("test_round_to_10", round_to_10)
    try:
        assert disclose(14, 96, rule="test_round_to_10").numerator == 10
    finally:
        DISCLOSURE_RULES.pop("test_round_to_10")
    with pytest.raises(ValueError, match="unknown disclosure rule"):
        disclose(1, 2, rule="nope")


def test_disclosure_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        disclose([-1], [10])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        # 9 out of 3 would be published as 200%.
        ((9, 3), {}, "numerator: 9.0 is greater than denominator 3.0"),
        (([1, 9], [5, 3]), {"rule": "hes"}, "at position 1"),
        # 5 events out of nothing is neither a proportion nor a rate.
        ((5, 0), {}, "numerator: 5.0 events where denominator is 0"),
        ((5, 0), {"statistic": "rate"}, "events where denominator is 0"),
        ((-1, 10), {}, "numerator: negative value -1.0"),
        ((1, -10), {"statistic": "rate"}, "denominator: negative value -10.0"),
        ((np.inf, 10), {}, "numerator: infinite"),
        ((1, 10), {"statistic": "ratio"}, "statistic: must be one of"),
        ((1, 10), {"multiplier": 0}, "multiplier: value 0.0"),
    ],
)
def test_disclosure_refuses_impossible_counts(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        disclose(*args, **kwargs)


def test_rates_may_exceed_their_denominator():
    # 9 events in 3 person-years, per 1,000: published 10 and 5 → 2,000 per 1,000.
    res = disclose(9, 3, multiplier=1000, statistic="rate")
    assert (res.numerator, res.denominator, res.value, res.symbol) == (10, 5, 2000, "")


def test_zero_out_of_zero_is_not_applicable_and_nan_is_not_available():
    res = disclose([0, np.nan, 3], [0, 10, np.nan])
    assert list(res.symbol) == ["z", ":", ":"]
    assert (res.numerator[0], res.denominator[0]) == (0, 0)
    assert np.isnan(res.value).all()
    assert np.isnan(res.numerator[1:]).all() and np.isnan(res.denominator[1:]).all()


def test_disclosure_accepts_an_array_multiplier():
    # 3 of 10 → 5/10 published: 50% and 500 per 1,000.
    res = disclose([3, 3], [10, 10], multiplier=[100, 1000])
    np.testing.assert_allclose(res.value, [50.0, 500.0])
