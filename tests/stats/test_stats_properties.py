"""Hypothesis properties of the standardised measures, the SII, funnels and disclosure.

Each property follows from the method's definition, not from the code: a DSR is a weighted mean
of band rates; an ISR is O/E, so a local population equal to the reference gives 1; the SII
of values on a straight line does not move when the line is shifted; funnel limits for p and
1 − p mirror each other; disclosed counts are 0, 5 or the nearest multiple of 5.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maternity_equity.stats import (
    disclose,
    dsr,
    funnel_limits,
    indirectly_standardised_rate,
    indirectly_standardised_ratio,
    sii,
)


@st.composite
def age_bands(draw, min_events: int = 0):
    """Events, populations and standard weights for 1 to 6 age bands."""
    k = draw(st.integers(1, 6))
    n = draw(st.lists(st.integers(1, 10**6), min_size=k, max_size=k))
    x = [draw(st.integers(0, min(m, 500))) for m in n]
    w = draw(st.lists(st.integers(1, 10_000), min_size=k, max_size=k))
    if sum(x) < min_events:
        n[0] = max(n[0], x[0] + min_events)
        x[0] += min_events
    return np.array(x, float), np.array(n, float), np.array(w, float)


def ordered(*values: float) -> bool:
    return all(a <= b for a, b in itertools.pairwise(values))


# --- directly standardised rate -----------------------------------------------------------------


@given(age_bands())
def test_dsr_is_a_weighted_mean_of_band_rates_with_ordered_limits(bands):
    x, n, w = bands
    narrow = dsr(x, n, w, 0.95)
    wide = dsr(x, n, w, 0.998)
    if x.sum() < 10:
        assert np.isnan([narrow.value, narrow.lower, narrow.upper]).all()
        return
    rates = x / n * 100_000
    assert rates.min() * (1 - 1e-12) <= narrow.value <= rates.max() * (1 + 1e-12)
    assert ordered(0, wide.lower, narrow.lower, narrow.value, narrow.upper, wide.upper)
    assert narrow.upper < np.inf


@given(age_bands(min_events=10), st.floats(0.01, 100))
def test_dsr_ignores_the_scale_of_the_standard_population(bands, factor):
    x, n, w = bands
    base = dsr(x, n, w)
    scaled = dsr(x, n, w * factor)
    np.testing.assert_allclose(
        [scaled.value, scaled.lower, scaled.upper], [base.value, base.lower, base.upper], rtol=1e-9
    )


@given(age_bands(min_events=10))
def test_dsr_rises_with_an_extra_event(bands):
    # Only the value: an event in a heavily weighted band can widen the interval both ways,
    # and one in a lightly weighted band can narrow it.
    x, n, w = bands
    more = x.copy()
    more[0] += 1
    assert dsr(more, n, w).value > dsr(x, n, w).value


# --- indirect standardisation -------------------------------------------------------------------


@given(age_bands(), st.lists(st.integers(1, 500), min_size=6, max_size=6))
def test_indirect_ratio_and_rate_limits_and_consistency(bands, ref_events):
    x, n, w = bands
    x_ref = np.array(ref_events[: x.size], float)
    n_ref = w * 100  # any positive reference populations
    narrow = indirectly_standardised_ratio(x, n, x_ref, n_ref, 0.95)
    wide = indirectly_standardised_ratio(x, n, x_ref, n_ref, 0.998)
    assert ordered(0, wide.lower, narrow.lower, narrow.value, narrow.upper, wide.upper)
    assert narrow.method == ("exact" if x.sum() < 10 else "byar")
    # ISRate = ratio × reference crude rate × multiplier, limits included.
    israte = indirectly_standardised_rate(x, n, x_ref, n_ref)
    crude = x_ref.sum() / n_ref.sum() * 100_000
    np.testing.assert_allclose(
        [israte.value, israte.lower, israte.upper],
        np.array([narrow.value, narrow.lower, narrow.upper]) * crude,
        rtol=1e-12,
    )
    more = x.copy()
    more[0] += 1
    plus = indirectly_standardised_ratio(more, n, x_ref, n_ref)
    assert plus.value > narrow.value and plus.lower > narrow.lower and plus.upper > narrow.upper


@given(age_bands(min_events=1))
def test_a_population_that_is_its_own_reference_has_ratio_one(bands):
    # E = Σ x_i/n_i · n_i = Σ x_i = O.
    x, n, _ = bands
    est = indirectly_standardised_ratio(x, n, x, n)
    assert est.value == pytest.approx(1, rel=1e-12)
    assert est.lower < 1 < est.upper


# --- slope and relative index of inequality ----------------------------------------------------


@st.composite
def quantiles(draw):
    k = draw(st.integers(2, 8))
    pop = draw(st.lists(st.floats(1, 1e5), min_size=k, max_size=k))
    values = draw(st.lists(st.floats(0.1, 100), min_size=k, max_size=k))
    se = draw(st.lists(st.floats(0.01, 5), min_size=k, max_size=k))
    return np.array(pop), np.array(values), np.array(se)


SII_REPS = 2_000


@given(quantiles(), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_sii_and_rii_limits_bracket_the_estimate(q, seed):
    pop, values, se = q
    res = sii(pop, values, se=se, repetitions=SII_REPS, seed=seed)
    assert res.sii_lower <= res.sii <= res.sii_upper
    if np.isnan(res.rii):
        assert np.isnan(res.rii_lower) and np.isnan(res.rii_upper)
    elif not np.isnan(res.rii_lower):
        assert 0 < res.rii_lower <= res.rii <= res.rii_upper
    wide = sii(pop, values, se=se, repetitions=SII_REPS, seed=seed, confidence=0.998)
    assert wide.sii_lower <= res.sii_lower and wide.sii_upper >= res.sii_upper


@given(quantiles(), st.integers(0, 2**32 - 1), st.floats(-50, 50))
@settings(max_examples=60, deadline=None)
def test_sii_ignores_a_shift_of_every_value(q, seed, shift):
    # Adding c to every quantile moves the line up by c; its slope, and the simulated slopes
    # (same seed, same draws plus c), do not change.
    pop, values, se = q
    base = sii(pop, values, se=se, repetitions=SII_REPS, seed=seed)
    moved = sii(pop, values + shift, se=se, repetitions=SII_REPS, seed=seed)
    scale = np.abs(values).max() + abs(shift)
    for field in ("sii", "sii_lower", "sii_upper"):
        assert getattr(moved, field) == pytest.approx(getattr(base, field), abs=1e-9 * scale)


@given(quantiles(), st.integers(0, 2**32 - 1), st.floats(0.01, 100))
@settings(max_examples=60, deadline=None)
def test_rii_ignores_the_scale_of_the_values_and_inverts_with_the_multiplier(q, seed, factor):
    pop, values, se = q
    base = sii(pop, values, se=se, repetitions=SII_REPS, seed=seed)
    scaled = sii(pop, values * factor, se=se * factor, repetitions=SII_REPS, seed=seed)
    flipped = sii(pop, values, se=se, repetitions=SII_REPS, seed=seed, multiplier=-1)
    assert flipped.sii == pytest.approx(-base.sii, rel=1e-12, abs=1e-12)
    if np.isnan(base.rii):
        assert np.isnan(scaled.rii) and np.isnan(flipped.rii)
        return
    assert scaled.rii == pytest.approx(base.rii, rel=1e-9)
    assert flipped.rii == pytest.approx(1 / base.rii, rel=1e-12)


# --- funnel limits -------------------------------------------------------------------------------

denominators = st.lists(st.floats(1, 1e6), min_size=1, max_size=8).map(np.array)


@given(denominators, st.floats(0, 1), st.floats(0.5, 1000))
def test_proportion_funnels_nest_around_the_baseline_within_bounds(den, base, mult):
    lim = funnel_limits(den, base, multiplier=mult)
    for i in range(den.size):
        assert ordered(
            0,
            lim.lower_99_8[i],
            lim.lower_95[i],
            base * mult * (1 + 1e-12),
        )
        assert ordered(base * mult * (1 - 1e-12), lim.upper_95[i], lim.upper_99_8[i], mult)


@given(denominators, st.floats(0, 1).filter(lambda b: 1 - (1 - b) == b))
def test_proportion_funnels_mirror_for_one_minus_the_baseline(den, base):
    # (Baselines whose complement is exact in floating point: 1 − 1e-17 is just 1.)
    lim = funnel_limits(den, base, multiplier=1)
    mirror = funnel_limits(den, 1 - base, multiplier=1)
    np.testing.assert_allclose(lim.lower_95, 1 - mirror.upper_95, atol=1e-12)
    np.testing.assert_allclose(lim.upper_99_8, 1 - mirror.lower_99_8, atol=1e-12)


@given(denominators, st.sampled_from(["proportion", "rate", "ratio"]), st.floats(1e-3, 0.9))
def test_funnels_narrow_as_the_denominator_grows(den, statistic, base):
    den = np.sort(den)
    lim = funnel_limits(den, base, statistic=statistic, multiplier=1)
    width = np.asarray(lim.upper_95 - lim.lower_95)
    assert (np.diff(width) <= 1e-9 * width[:-1]).all()


@given(denominators, st.sampled_from(["rate", "ratio"]), st.floats(1e-4, 3))
def test_poisson_funnels_nest_around_the_baseline(den, statistic, base):
    lim = funnel_limits(den, base, statistic=statistic, multiplier=100)
    for i in range(den.size):
        assert ordered(
            0,
            lim.lower_99_8[i],
            lim.lower_95[i],
            base * 100,
            lim.upper_95[i],
            lim.upper_99_8[i],
        )


# --- disclosure ----------------------------------------------------------------------------------

counts = st.integers(0, 10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


def published_count(c: int) -> float:
    """The maternity rule, written out: 0 → 0, 1-7 → 5, else the nearest 5 (halves up)."""
    if c == 0:
        return 0.0
    if c <= 7:
        return 5.0
    return 5.0 * int(c / 5 + 0.5)


@given(counts)
def test_disclosed_counts_follow_the_published_rule(xn):
    x, n = xn
    res = disclose(x, n)
    assert res.numerator == published_count(x) and res.denominator == published_count(n)
    if x >= 8:
        assert abs(res.numerator - x) <= 2.5 and res.numerator % 5 == 0
    if n == 0:
        assert res.symbol == "z" and np.isnan(res.value)
    else:
        assert 0 <= res.value <= 100  # a percentage never passes 100%
        assert res.symbol == ("-" if x == 0 else "")
    # Disclosing what was published changes nothing.
    again = disclose(res.numerator, res.denominator)
    assert (again.numerator, again.denominator) == (res.numerator, res.denominator)


@given(counts)
def test_disclosed_counts_never_fall_when_the_count_rises(xn):
    x, n = xn
    if x == n:
        return
    assert disclose(x + 1, n).numerator >= disclose(x, n).numerator


@given(counts.filter(lambda xn: xn[1] > 0))
def test_rare_events_keep_the_unrounded_rate_or_suppress(xn):
    x, n = xn
    res = disclose(x, n, multiplier=1000, rare_event=True)
    if 1 <= x <= 7:
        assert res.symbol == "*" and np.isnan(res.value)
    else:
        assert res.value == pytest.approx(x / n * 1000, rel=1e-12)
    hes = disclose(x, n, rule="hes")
    assert np.isnan(hes.numerator) == (1 <= x <= 7)
