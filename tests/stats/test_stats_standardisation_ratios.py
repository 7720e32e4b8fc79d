"""Directly and indirectly standardised measures and group ratios."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from maternity_equity.stats import (
    byar_interval,
    dsr,
    exact_poisson_interval,
    indirectly_standardised_rate,
    indirectly_standardised_ratio,
    rate,
    ratio_of_proportions,
    ratio_of_rates,
)

Z95 = norm.ppf(0.975)


def rel_close(actual, expected, rtol: float = 1e-9) -> None:
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)


def byar_by_hand(count: float, z: float = Z95) -> tuple[float, float]:
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    c1 = count + 1
    upper = c1 * (1 - 1 / (9 * c1) + z / (3 * math.sqrt(c1))) ** 3
    return lower, upper


def test_dsr_two_bands_by_hand():
    # x = (10, 20), n = (1000, 4000), standard weights (60000, 40000), W = 100000.
    # w/n = (60, 10); DSR = (10·60 + 20·10) / 100000 = 0.008 → 800 per 100,000.
    # var = (10·60² + 20·10²) / 100000² = 38000 / 1e10 = 3.8e-6; O = 30.
    # Dobson: 0.008 + √(3.8e-6 / 30)·(Byar(30) − 30), times 100,000.
    est = dsr([10, 20], [1000, 4000], [60000, 40000])
    byar_lo, byar_hi = byar_by_hand(30)
    spread = math.sqrt(3.8e-6 / 30)
    rel_close(est.value, 800.0)
    rel_close(est.lower, (0.008 + spread * (byar_lo - 30)) * 100_000)
    rel_close(est.upper, (0.008 + spread * (byar_hi - 30)) * 100_000)
    assert est.method == "dobson"


def test_dsr_with_one_band_is_the_crude_rate_with_byar_limits():
    # With a single band var/O = 1/n², so the Dobson limits collapse to Byar's limits / n.
    est = dsr([25], [5000], [100])
    crude = rate(25, 5000)
    rel_close([est.value, est.lower, est.upper], [crude.value, crude.lower, crude.upper])


def test_dsr_of_equal_band_rates_ignores_the_standard():
    # Every band at 2 per 1,000: the standardised rate is 2 per 1,000 whatever the weights.
    esp_tail = [5000, 5500, 5500, 5500, 6000, 6000]
    est = dsr([2, 4, 6, 8, 10, 12], [1000, 2000, 3000, 4000, 5000, 6000], esp_tail, multiplier=1000)
    rel_close(est.value, 2.0)


def test_dsr_suppressed_below_ten_events():
    est = dsr([[3, 6], [4, 6]], [[100, 100], [100, 100]], [1, 1])
    assert np.isnan(est.value[0]) and np.isnan(est.lower[0]) and np.isnan(est.upper[0])
    assert not np.isnan(est.value[1])
    assert est.method[0].startswith("dobson: NA")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [1, 2], "n": [10, 0], "standard_population": [1, 1]}, "n: value"),
        ({"x": [1, -2], "n": [10, 10], "standard_population": [1, 1]}, "negative"),
        ({"x": [1, np.nan], "n": [10, 10], "standard_population": [1, 1]}, "NaN"),
        ({"x": [1, 2], "n": [10, 10, 10], "standard_population": [1, 1]}, "same shape"),
        ({"x": [1, 2], "n": [10, 10], "standard_population": [1, 1, 1]}, "does not match"),
        ({"x": [11, 2], "n": [10, 10], "standard_population": [0, 0]}, "total"),
    ],
)
def test_dsr_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dsr(**kwargs)


def test_indirectly_standardised_ratio_by_hand():
    # Reference band rates 50/1000 = 0.05 and 80/2000 = 0.04; local populations 100, 200:
    # E = 5 + 8 = 13; O = 5 + 10 = 15; ratio 15/13; O >= 10 so Byar's limits of 15, / 13.
    est = indirectly_standardised_ratio([5, 10], [100, 200], [50, 80], [1000, 2000])
    lo, hi = byar_by_hand(15)
    rel_close([est.value, est.lower, est.upper], [15 / 13, lo / 13, hi / 13])
    assert est.method == "byar"
    smr = indirectly_standardised_ratio([5, 10], [100, 200], [50, 80], [1000, 2000], ref_value=100)
    rel_close(smr.value, 1500 / 13)


def test_indirectly_standardised_rate_by_hand():
    # Reference crude rate 130/3000; ISRate = 15/13 × 130/3000 × 100,000 = 5000 per 100,000.
    est = indirectly_standardised_rate([5, 10], [100, 200], [50, 80], [1000, 2000])
    rel_close(est.value, 5000.0)
    lo, hi = byar_by_hand(15)
    rel_close(est.lower, lo / 13 * 130 / 3000 * 100_000)
    rel_close(est.upper, hi / 13 * 130 / 3000 * 100_000)


def test_indirect_uses_exact_limits_below_ten():
    est = indirectly_standardised_ratio([2, 1], [100, 200], [50, 80], [1000, 2000])
    lo, hi = exact_poisson_interval(3)
    rel_close([est.lower, est.upper], [lo / 13, hi / 13])
    assert est.method == "exact"


def test_indirect_bad_input():
    with pytest.raises(ValueError, match="n_ref"):
        indirectly_standardised_ratio([1, 2], [10, 10], [1, 1], [0, 10])
    with pytest.raises(ValueError, match="age bands"):
        indirectly_standardised_ratio([1, 2], [10, 10], [1, 1, 1], [5, 5, 5])
    with pytest.raises(ValueError, match="expected count"):
        indirectly_standardised_ratio([1, 2], [10, 10], [0, 0], [5, 5])


def test_ratio_of_rates_by_hand():
    # 10/100 against 20/400: RR = 2; SE(ln RR) = √(1/10 + 1/20) = √0.15.
    est = ratio_of_rates(10, 100, 20, 400)
    se = math.sqrt(0.15)
    rel_close(
        [est.value, est.lower, est.upper], [2, 2 * math.exp(-Z95 * se), 2 * math.exp(Z95 * se)]
    )


def test_ratio_of_proportions_katz_by_hand():
    # Katz: SE = √(1/10 − 1/100 + 1/20 − 1/400) = √0.1375.
    est = ratio_of_proportions(10, 100, 20, 400)
    se = math.sqrt(0.1375)
    rel_close(
        [est.value, est.lower, est.upper], [2, 2 * math.exp(-Z95 * se), 2 * math.exp(Z95 * se)]
    )
    assert est.method == "katz_log"


def test_wres_style_relative_likelihood():
    # Christie 2023 WRES indicator 2: 46.99% against 14.65% → 3.2075 ("3.2 times").
    est = ratio_of_proportions(4699, 10000, 1465, 10000)
    assert round(float(est.value), 4) == 3.2075


def test_ratio_with_zero_count_has_no_log_interval():
    est = ratio_of_rates([0, 5], [100, 100], [5, 5], [100, 100])
    assert est.value[0] == 0 and np.isnan(est.lower[0]) and np.isnan(est.upper[0])
    assert not np.isnan(est.lower[1])


def test_ratio_of_proportions_rejects_x_over_n():
    with pytest.raises(ValueError, match="x2"):
        ratio_of_proportions(1, 10, 11, 10)


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 5000))
def test_ratio_limits_bracket_and_widen(x1, extra1, x2, extra2):
    n1, n2 = x1 + extra1, x2 + extra2
    narrow = ratio_of_proportions(x1, n1, x2, n2, 0.90)
    wide = ratio_of_proportions(x1, n1, x2, n2, 0.99)
    assert wide.lower <= narrow.lower <= narrow.value <= narrow.upper <= wide.upper
    flipped = ratio_of_proportions(x2, n2, x1, n1)
    same = ratio_of_proportions(x1, n1, x2, n2)
    assert flipped.value * same.value == pytest.approx(1)
    assert flipped.lower * same.upper == pytest.approx(1)


def test_byar_interval_accepts_percent_confidence():
    assert byar_interval(12, 95) == byar_interval(12, 0.95)
