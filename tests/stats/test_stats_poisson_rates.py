"""Poisson limits for counts and crude rates."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import chi2, norm, poisson

from maternity_equity.stats import byar_interval, exact_poisson_interval, rate
from maternity_equity.stats._validation import normalise_confidence, z_value

Z95 = norm.ppf(0.975)  # 1.959963984540054


def rel_close(actual, expected, rtol: float = 1e-9) -> None:
    """Closed forms must agree with an independent computation to a relative 1e-9."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)


def exact_by_definition(count: int, confidence: float) -> tuple[float, float]:
    """Second method: the exact limits are the means at which the observed count sits in the
    upper / lower α/2 tail: P(X >= O | L) = α/2 and P(X <= O | U) = α/2."""
    tail = (1 - confidence) / 2
    lower = 0.0
    if count > 0:
        lower = brentq(
            lambda mu: poisson.sf(count - 1, mu) - tail, 1e-12, count + 1, xtol=1e-14, rtol=1e-15
        )
    upper = brentq(
        lambda mu: poisson.cdf(count, mu) - tail, count, 10 * count + 50, xtol=1e-14, rtol=1e-15
    )
    return lower, upper


# Published exact (Garwood) Poisson limits for 1 to 10 observed events: the expected counts at
# which each count sits on the funnel in PHEindicatormethods' published test data
# (tests/testthat/testdata_funnel_ratio_outputs.csv, commit 8ac28e5; columns upper_2s /
# lower_2s / upper_3s / lower_3s _exp_events), i.e. the exact 95% and 99.8% lower / upper
# limits of the count. Printed to 10 significant figures, but the reference solves them by
# bisection, so they agree with the exact values only to about 1e-6 (absolute).
PUBLISHED_EXACT = np.loadtxt(
    io.StringIO(
        """
        # count  lower 95%    upper 95%    lower 99.8%  upper 99.8%
        1        0.025317898  5.571644585  0.001000547  9.233410143
        2        0.242209467  7.224687515  0.04540199   11.22886836
        3        0.618671905  8.767273828  0.190533306  13.06224507
        4        1.089865762  10.24158653  0.42855244   14.79414916
        5        1.623486324  11.6683331   0.739371928  16.45474478
        6        2.201894435  13.0594765   1.107104434  18.0616374
        7        2.814363736  14.42267712  1.520336178  19.62617867
        8        3.453831154  15.76318696  1.970813969  21.15619716
        9        4.11537405   17.08479966  2.452425215  22.65737951
        10       4.795387629  18.39035799  2.960519925  24.13397235
        """
    )
)


def byar_by_hand(count: float, z: float) -> tuple[float, float]:
    """Byar's formula as published (Breslow & Day 1987), typed separately from the code."""
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    c1 = count + 1
    upper = c1 * (1 - 1 / (9 * c1) + z / (3 * math.sqrt(c1))) ** 3
    return lower, upper


@pytest.mark.parametrize("count", [0, 1, 2, 5, 9, 10, 37, 250])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_limits_solve_the_tail_equations(count, confidence):
    lower, upper = exact_poisson_interval(count, confidence)
    exp_lower, exp_upper = exact_by_definition(count, confidence)
    if count == 0:
        assert lower == 0
    else:
        rel_close(lower, exp_lower)
    rel_close(upper, exp_upper)


def test_exact_limits_agree_with_chi_square_form():
    counts = np.array([1, 3, 8])
    lower, upper = exact_poisson_interval(counts)
    rel_close(lower, chi2.ppf(0.025, 2 * counts) / 2)
    rel_close(upper, chi2.ppf(0.975, 2 * counts + 2) / 2)


def test_exact_published_values():
    # Count 0: upper = −ln(0.025) = 3.68888; count 1: lower = −ln(0.975) = 0.025318.
    assert exact_poisson_interval(0)[1] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert round(float(exact_poisson_interval(0)[1]), 4) == 3.6889
    assert exact_poisson_interval(1)[0] == pytest.approx(-math.log(0.975), rel=1e-12)
    # Garwood's exact limits for 10 events at 95%, commonly quoted to 2 dp as 4.80 to 18.39.
    lower, upper = exact_poisson_interval(10)
    assert (round(float(lower), 2), round(float(upper), 2)) == (4.80, 18.39)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_limits_match_published_values_for_1_to_10_events(confidence):
    counts = PUBLISHED_EXACT[:, 0]
    lower, upper = exact_poisson_interval(counts, confidence)
    column = 1 if confidence == 0.95 else 3
    published_lower, published_upper = PUBLISHED_EXACT[:, column], PUBLISHED_EXACT[:, column + 1]
    # At the published precision (the reference's bisection tolerance) ...
    np.testing.assert_allclose(lower, published_lower, rtol=0, atol=1e-5)
    np.testing.assert_allclose(upper, published_upper, rtol=0, atol=1e-5)
    # ... and at 1e-9 against scipy's chi-square quantiles, a second computation.
    alpha = 1 - confidence
    rel_close(lower, chi2.ppf(alpha / 2, 2 * counts) / 2)
    rel_close(upper, chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2)


def test_z_values_and_percentage_confidence():
    # statistical-methods.md §1.1: z = Φ⁻¹(c + (1 − c)/2) = 1.959964 at 95%, 3.090232 at 99.8%;
    # 95 and 99.8 are read as percentages.
    assert round(z_value(normalise_confidence(95)), 6) == 1.959964
    assert round(z_value(normalise_confidence(99.8)), 6) == 3.090232
    assert z_value(0.998) == pytest.approx(norm.ppf(0.999), rel=1e-12)
    assert normalise_confidence(90) == 0.9 and normalise_confidence(0.8) == 0.8


def test_byar_matches_published_formula():
    for count in (1, 10, 11, 57, 1000):
        lower, upper = byar_interval(count)
        exp_lower, exp_upper = byar_by_hand(count, Z95)
        rel_close(lower, exp_lower)
        rel_close(upper, exp_upper)
    # Count 10 at 95% by hand: 10·(1 − 1/90 − 1.959964/(3√10))³ = 10·0.782292³ = 4.7874;
    # 11·(1 − 1/99 + 1.959964/(3√11))³ = 11·1.186883³ = 18.3915.
    lower, upper = byar_interval(10)
    assert round(float(lower), 4) == 4.7874
    assert round(float(upper), 4) == 18.3915


def test_byar_negative_lower_limit_is_missing():
    # 1 − 1/9 − 3.0902/3 < 0 for a count of 1 at 99.8%: the method defines no lower limit.
    lower, upper = byar_interval(1, 99.8)
    assert np.isnan(lower)
    assert upper > 1


def test_rate_switches_to_byar_at_ten():
    est = rate([9, 10], [1000, 1000], multiplier=1000)
    assert list(est.method) == ["exact", "byar"]
    exact_lo, exact_hi = exact_by_definition(9, 0.95)
    byar_lo, byar_hi = byar_by_hand(10, Z95)
    rel_close(est.value, [9.0, 10.0])
    rel_close(est.lower, [exact_lo, byar_lo])
    rel_close(est.upper, [exact_hi, byar_hi])


def test_rate_allows_more_events_than_people():
    est = rate(30, 20, multiplier=1)
    assert est.value == pytest.approx(1.5)
    assert est.method == "byar"


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [(-1, 10, "negative"), (1, 0, "must be > 0"), (1, -5, "must be > 0"), (np.nan, 1, "NaN")],
)
def test_rate_bad_input(x, n, message):
    with pytest.raises(ValueError, match=message):
        rate(x, n)


def test_count_functions_reject_negative_counts():
    with pytest.raises(ValueError, match="count"):
        byar_interval(-1)
    with pytest.raises(ValueError, match="count"):
        exact_poisson_interval([1, -2])


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=10**7))
def test_rate_limits_bracket_value(x, n):
    est = rate(x, n)
    assert est.lower <= est.value <= est.upper


@given(st.integers(min_value=0, max_value=100_000))
def test_rate_limits_widen_with_confidence(x):
    narrow = rate(x, 1000, 0.95)
    wide = rate(x, 1000, 0.998)
    assert wide.upper >= narrow.upper
    assert wide.lower <= narrow.lower


def test_full_confidence_gives_zero_to_infinity():
    assert exact_poisson_interval(5, 1) == (0.0, np.inf)
    assert byar_interval(50, 100) == (0.0, np.inf)


def test_rate_accepts_an_array_multiplier():
    # 12 per 1,000 people: 12 per 1,000 and 1,200 per 100,000, each as a separate call gives.
    est = rate(12, 1000, multiplier=[1000, 100_000])
    one = rate(12, 1000, multiplier=1000)
    rel_close(est.value, [12.0, 1200.0])
    rel_close(est.lower, [one.lower, one.lower * 100])
    assert list(est.method) == ["byar", "byar"]
    with pytest.raises(ValueError, match=r"multiplier: value 0\.0"):
        rate(12, 1000, multiplier=[1000, 0])
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        rate([1, 2, 3], 1000, multiplier=[1, 2])


def test_scalar_in_scalar_out_and_arrays_broadcast():
    est = rate(12, 1000)
    assert np.ndim(est.value) == 0 and est.method == "byar"
    grid = rate(np.array([[1], [20]]), np.array([100, 1000]))
    assert grid.value.shape == (2, 2)
    assert grid.method.tolist() == [["exact", "exact"], ["byar", "byar"]]
