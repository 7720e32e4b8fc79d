"""Wilson score intervals, checked by solving the score equation numerically."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import norm

from maternity_equity import stats
from maternity_equity.stats import proportion, wilson_interval

Z95 = norm.ppf(0.975)  # 1.959963984540054


def rel_close(actual, expected, rtol: float = 1e-9) -> None:
    """Closed forms must agree with an independent computation to a relative 1e-9."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)


def wilson_by_root_finding(x: float, n: float, confidence: float) -> tuple[float, float]:
    """Second method: the Wilson limits are the p where |x/n − p| = z·√(p(1−p)/n)."""
    z = norm.ppf(1 - (1 - confidence) / 2)
    phat = x / n

    def score(p: float) -> float:
        return n * (phat - p) ** 2 - z * z * p * (1 - p)

    # p = x/n is itself a root only when x is 0 or n, so step just inside in those cases.
    lower = 0.0 if x == 0 else brentq(score, 0.0, min(phat, 1 - 1e-12), xtol=1e-15, rtol=1e-15)
    upper = 1.0 if x == n else brentq(score, max(phat, 1e-12), 1.0, xtol=1e-15, rtol=1e-15)
    return lower, upper


@pytest.mark.parametrize(
    ("x", "n", "confidence"),
    [
        (65, 100, 0.95),
        (81, 263, 0.95),
        (15, 148, 0.95),
        (1, 29, 0.95),
        (0, 20, 0.95),
        (20, 20, 0.95),
        (3, 7, 0.998),
        (0.445, 1, 0.95),
        (999, 1000, 0.9),
        (5, 100_000, 0.95),
        (0, 10**9, 0.95),
        (10**9 - 3, 10**9, 0.95),
    ],
)
def test_wilson_matches_root_of_score_equation(x, n, confidence):
    lower, upper = wilson_interval(x, n, confidence)
    exp_lower, exp_upper = wilson_by_root_finding(x, n, confidence)
    if exp_lower == 0:
        assert lower == 0
    else:
        rel_close(lower, exp_lower)
    rel_close(upper, exp_upper)


def test_wilson_published_examples():
    # Newcombe (1998) "Two-sided confidence intervals for the single proportion", method 3
    # (score, no continuity correction), published to 4 dp.
    lower, upper = wilson_interval([81, 15, 0, 1], [263, 148, 20, 29])
    np.testing.assert_allclose(lower, [0.2553, 0.0624, 0.0, 0.0061], atol=5e-5)
    np.testing.assert_allclose(upper, [0.3662, 0.1605, 0.1611, 0.1718], atol=5e-5)
    # 65/100 by hand: z² = 3.8415, √(3.8415 + 4·65·0.35) = 9.7387,
    # (133.8415 ∓ 1.96·9.7387) / 207.683 = 0.5525, 0.7364.
    lower, upper = wilson_interval(65, 100)
    assert round(float(lower), 4) == 0.5525
    assert round(float(upper), 4) == 0.7364


def test_percentage_confidence_equals_fraction():
    assert wilson_interval(7, 30, 95) == wilson_interval(7, 30, 0.95)


def test_full_confidence_spans_zero_to_one():
    assert wilson_interval(7, 30, 1) == (0.0, 1.0)


def test_proportion_scales_value_and_limits():
    est = proportion(65, 100, multiplier=100)
    lower, upper = wilson_interval(65, 100)
    assert est.value == pytest.approx(65.0)
    rel_close(est.lower, lower * 100)
    rel_close(est.upper, upper * 100)
    assert est.method == "wilson"


def test_proportion_broadcasts_arrays():
    est = proportion(np.array([1, 2, 3]), 10)
    assert est.value.shape == (3,)
    np.testing.assert_allclose(est.value, [0.1, 0.2, 0.3])


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [
        (11, 10, "greater than n"),
        (-1, 10, "negative"),
        (1, 0, "must be > 0"),
        (np.nan, 10, "NaN"),
        (1, np.inf, "infinite"),
        ([1, 2], [5, -5], "position 1"),
    ],
)
def test_bad_counts_raise(x, n, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(x, n)


@pytest.mark.parametrize("confidence", [0, -0.5, 1.5, 50, 101, float("nan"), "95%", True])
def test_bad_confidence_raises(confidence):
    with pytest.raises(ValueError, match="confidence"):
        proportion(1, 10, confidence)


CONFIDENCE_USERS = {
    "wilson_interval": lambda c: stats.wilson_interval(1, 10, c),
    "byar_interval": lambda c: stats.byar_interval(12, c),
    "exact_poisson_interval": lambda c: stats.exact_poisson_interval(3, c),
    "rate": lambda c: stats.rate(12, 1000, c),
    "dsr": lambda c: stats.dsr([10, 20], [1000, 4000], [1, 1], c),
    "isr": lambda c: stats.indirectly_standardised_ratio([5], [100], [50], [1000], c),
    "israte": lambda c: stats.indirectly_standardised_rate([5], [100], [50], [1000], c),
    "ratio_of_rates": lambda c: stats.ratio_of_rates(10, 100, 20, 400, c),
    "sii": lambda c: stats.sii([1, 1], [1, 2], se=[1, 1], confidence=c, repetitions=1000),
}


@pytest.mark.parametrize("name", sorted(CONFIDENCE_USERS))
@pytest.mark.parametrize(
    ("confidence", "message"),
    [
        (0, "fraction in \\(0, 1\\] or a percentage in \\[90, 100\\], got 0"),
        (1.5, "got 1.5"),
        (150, "got 150"),
        (float("nan"), "must be a finite number"),
        (None, "expected a number such as 0.95 or 95"),
    ],
)
def test_every_function_refuses_meaningless_confidence(name, confidence, message):
    with pytest.raises(ValueError, match=f"confidence: .*{message}"):
        CONFIDENCE_USERS[name](confidence)


@pytest.mark.parametrize("name", sorted(CONFIDENCE_USERS))
def test_levels_below_ninety_percent_are_accepted(name):
    CONFIDENCE_USERS[name](0.8)


def test_proportion_accepts_an_array_multiplier():
    # 65 of 100 as a proportion and as a percentage: the same as two separate calls.
    est = proportion(65, 100, multiplier=[1, 100])
    pct = proportion(65, 100, multiplier=100)
    rel_close(est.value, [0.65, 65.0])
    rel_close(est.lower, [pct.lower / 100, pct.lower])
    rel_close(est.upper, [pct.upper / 100, pct.upper])
    with pytest.raises(ValueError, match=r"multiplier: value -1\.0 at position 1"):
        proportion(65, 100, multiplier=[1, -1])


counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(counts, st.floats(min_value=0.5, max_value=0.999))
def test_limits_bracket_value_and_stay_in_unit_interval(xn, confidence):
    x, n = xn
    lower, upper = wilson_interval(x, n, confidence)
    assert 0.0 <= lower <= x / n <= upper <= 1.0


@given(counts)
def test_limits_widen_with_confidence(xn):
    x, n = xn
    lo90, hi90 = wilson_interval(x, n, 0.90)
    lo99, hi99 = wilson_interval(x, n, 0.99)
    assert lo99 <= lo90 and hi99 >= hi90


@given(counts)
def test_limits_monotonic_in_x(xn):
    x, n = xn
    if x == n:
        return
    lo1, hi1 = wilson_interval(x, n)
    lo2, hi2 = wilson_interval(x + 1, n)
    assert lo2 > lo1 and hi2 > hi1


@given(counts)
def test_symmetry_x_and_n_minus_x(xn):
    x, n = xn
    lower, upper = wilson_interval(x, n)
    mirror_lower, mirror_upper = wilson_interval(n - x, n)
    assert lower == pytest.approx(1 - mirror_upper, abs=1e-12)
    assert upper == pytest.approx(1 - mirror_lower, abs=1e-12)
