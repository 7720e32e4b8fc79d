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


def test_dsr_at_full_confidence_is_zero_to_infinity():
    # At 100% the count's limits are [0, ∞). The Dobson shift at L = 0 is DSR − √(var·O),
    # which by Cauchy–Schwarz is ≤ 0 (here 800 − √(3.8e-6·30)·1e5 = 800 − 1067.7 = −267.7),
    # so the method's own lower limit is 0 — never negative, and the same as rate/ISR.
    est = dsr([10, 20], [1000, 4000], [60000, 40000], confidence=1)
    assert (est.value, est.lower, est.upper) == (800.0, 0.0, np.inf)
    isr = indirectly_standardised_ratio([5, 10], [100, 200], [50, 80], [1000, 2000], 1)
    assert (isr.lower, isr.upper) == (0.0, np.inf)
    crude = rate(30, 5000, confidence=100)
    assert (crude.lower, crude.upper) == (0.0, np.inf)


def test_dsr_lower_limit_is_floored_at_zero_for_very_uneven_weights():
    # One event in a band of 10 people weighted 10,000, nine in a band of 1,000 weighted 1:
    # w/n = (1000, 0.001), W = 10001, DSR = 1000.009/W, var = (1e6 + 9e-6)/W², O = 10.
    # Dobson lower = DSR + √(var/10)·(Byar_L(10) − 10) = (1000.009 − 316.23·5.2126)/W < 0.
    x, n, w = [1, 9], [10, 1000], [10000, 1]
    total_w = 10001
    value = (1 * 1000 + 9 * 0.001) / total_w
    spread = math.sqrt((1 * 1000**2 + 9 * 0.001**2) / total_w**2 / 10)
    byar_lo, byar_hi = byar_by_hand(10)
    assert value + spread * (byar_lo - 10) < 0
    est = dsr(x, n, w, multiplier=1)
    assert est.lower == 0.0
    rel_close([est.value, est.upper], [value, value + spread * (byar_hi - 10)])


@pytest.mark.parametrize(
    "call",
    [
        lambda: indirectly_standardised_ratio([5, 1], [0, 10], [1, 1], [10, 10]),
        lambda: indirectly_standardised_rate([5, 1], [0, 10], [1, 1], [10, 10]),
        lambda: indirectly_standardised_ratio([[1, 1], [0, 2]], [[5, 5], [10, 0]], [1, 1], [9, 9]),
    ],
)
def test_events_in_a_band_with_no_population_are_refused(call):
    with pytest.raises(ValueError, match="events where n is 0"):
        call()


def test_zero_population_band_without_events_adds_nothing():
    # E = 1/10·10 = 1 either way; the empty band contributes 0 to O and to E.
    with_empty = indirectly_standardised_ratio([0, 1], [0, 10], [1, 1], [10, 10])
    without = indirectly_standardised_ratio([1], [10], [1], [10])
    assert (with_empty.value, with_empty.lower, with_empty.upper) == (
        without.value,
        without.lower,
        without.upper,
    )


def test_dsr_and_rate_refuse_a_zero_population():
    with pytest.raises(ValueError, match=r"n: value 0\.0 at position 0"):
        dsr([5, 10], [0, 100], [1, 1])
    with pytest.raises(ValueError, match=r"n: value 0\.0"):
        rate(5, 0)


def test_array_multipliers_broadcast_like_the_data():
    # Each element of the multiplier gives what a separate call with that number gives.
    x, n, w = [[10, 20], [30, 5]], [[1000, 4000], [2000, 500]], [60000, 40000]
    both = dsr(x, n, w, multiplier=[1000, 100_000])
    for i, m in enumerate((1000, 100_000)):
        one = dsr(x[i], n[i], w, multiplier=m)
        rel_close([both.value[i], both.lower[i], both.upper[i]], [one.value, one.lower, one.upper])
    smr = indirectly_standardised_ratio([5, 10], [100, 200], [50, 80], [1000, 2000], 0.95, [1, 100])
    rel_close(smr.value, [15 / 13, 1500 / 13])
    assert list(smr.method) == ["byar", "byar"]
    isr = indirectly_standardised_rate([5, 10], [100, 200], [50, 80], [1000, 2000], 0.95, [1, 1e5])
    rel_close(isr.value, [0.05, 5000.0])
    with pytest.raises(ValueError, match="multiplier"):
        dsr(x, n, w, multiplier=[1, 2, 3])
    with pytest.raises(ValueError, match=r"ref_value: value -1\.0"):
        indirectly_standardised_ratio([5, 10], [100, 200], [50, 80], [1000, 2000], 0.95, -1)


def test_dsr_with_the_2013_european_standard_population():
    # ESP2013, 19 bands 0-4 … 90+ (statistical-methods.md §1.4); the weights sum to 100,000.
    esp = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500]
    esp += [5000, 4000, 2500, 1500, 1000]
    assert sum(esp) == 100_000
    # Band i has i + 1 events in 1,000 people: DSR = Σ (i + 1)/1000 · w_i per person, × 1e5 /
    # 1e5 = Σ (i + 1)·w_i / 1000 per 100,000, written as a plain loop.
    x = [i + 1 for i in range(19)]
    expected = 0.0
    variance = 0.0
    for xi, wi in zip(x, esp, strict=True):
        expected += xi * wi / 1000
        variance += xi * (wi / 1000) ** 2
    variance /= 100_000**2
    observed = sum(x)  # 190
    lo, hi = byar_by_hand(observed)
    spread = math.sqrt(variance / observed) * 100_000
    est = dsr(x, [1000] * 19, esp)
    rel_close(est.value, expected)
    rel_close(est.lower, expected + spread * (lo - observed))
    rel_close(est.upper, expected + spread * (hi - observed))


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
    # KMPT 2020 WRES indicator 3 (statistical-methods.md §3): BME 1.2% against White 0.7%
    # → 1.2/0.7 = 1.714, published as "1.7".
    kmpt = ratio_of_proportions(12, 1000, 7, 1000)
    assert round(float(kmpt.value), 2) == 1.71 and round(float(kmpt.value), 1) == 1.7
    rel_close(kmpt.value, 12 / 7)


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
