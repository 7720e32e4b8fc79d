"""Slope and relative index of inequality."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit
from scipy.stats import norm

from maternity_equity.stats import SIIResult, relative_rank, sii, sii_from_draws, sii_many

Z95 = norm.ppf(0.975)
POP = np.array([1200.0, 900, 1500, 800, 1100, 1000, 950, 1300, 700, 1050])


def wls_by_lstsq(population, y):
    """Second method: OLS of y·√a on the columns √a and b·√a (no free intercept)."""
    a = population / population.sum()
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    (beta0, beta1), *_ = np.linalg.lstsq(design, y * np.sqrt(a), rcond=None)
    return beta0, beta1


def within_two_percent_of_width(result, reference, field):
    width = getattr(reference, f"{field}_upper") - getattr(reference, f"{field}_lower")
    for end in ("lower", "upper"):
        diff = abs(getattr(result, f"{field}_{end}") - getattr(reference, f"{field}_{end}"))
        assert diff <= 0.02 * width, (field, end, diff, width)


def test_relative_rank_is_cumulative_midpoint():
    # Populations 1, 3: shares 0.25, 0.75; midpoints 0.125 and 0.25 + 0.375 = 0.625.
    share, rank = relative_rank([1, 3])
    np.testing.assert_allclose(share, [0.25, 0.75])
    np.testing.assert_allclose(rank, [0.125, 0.625])


def test_sii_of_a_straight_line_by_hand():
    # Equal quintiles sit at ranks 0.1, 0.3, 0.5, 0.7, 0.9. Values 20 − 10·rank = 19, 17, 15,
    # 13, 11: slope −10, intercept 20, RII = (20 − 10)/20 = 0.5.
    res = sii([1, 1, 1, 1, 1], [19, 17, 15, 13, 11], se=[1] * 5, seed=1)
    assert res.sii == pytest.approx(-10, rel=1e-12)
    assert res.intercept == pytest.approx(20, rel=1e-12)
    assert res.rii == pytest.approx(0.5, rel=1e-12)
    flipped = sii([1, 1, 1, 1, 1], [19, 17, 15, 13, 11], se=[1] * 5, multiplier=-1, seed=1)
    assert flipped.sii == pytest.approx(10, rel=1e-12)
    assert flipped.rii == pytest.approx(2, rel=1e-12)
    assert flipped.intercept == pytest.approx(20, rel=1e-12)  # not multiplied


def test_point_estimate_matches_weighted_least_squares():
    rng = np.random.default_rng(3)
    values = rng.uniform(5, 40, POP.size)
    beta0, beta1 = wls_by_lstsq(POP, values)
    res = sii(POP, values, se=np.ones(POP.size), multiplier=100, seed=0)
    assert res.sii == pytest.approx(100 * beta1, rel=1e-9)
    assert res.intercept == pytest.approx(beta0, rel=1e-9)
    assert res.rii == pytest.approx((beta0 + beta1) / beta0, rel=1e-9)


def test_same_seed_repeats_exactly_and_other_seeds_differ():
    values = np.linspace(30, 12, POP.size)
    kwargs = {"lower": values * 0.8, "upper": values * 1.25, "value_type": "rate"}
    first = sii(POP, values, seed=42, **kwargs)
    again = sii(POP, values, seed=42, **kwargs)
    other = sii(POP, values, seed=43, **kwargs)
    assert (first.sii_lower, first.rii_upper) == (again.sii_lower, again.rii_upper)
    assert first.sii_lower != other.sii_lower


def test_untransformed_limits_match_the_normal_distribution_of_the_slope():
    # value_type "other": the WLS slope is a fixed linear combination Σ w_i·y_i of normal
    # draws, so it is exactly N(β1, Σ w_i² se_i²); its 2.5% and 97.5% points are known.
    values = np.linspace(12, 30, POP.size)
    se = np.linspace(0.5, 2.0, POP.size)
    a = POP / POP.sum()
    b = np.cumsum(a) - a / 2
    w = a * (b - a @ b) / (a @ (b - a @ b) ** 2)
    sd = np.sqrt(np.sum(w**2 * se**2))
    res = sii(POP, values, se=se, multiplier=-100, seed=11)
    beta1 = w @ values
    expected_lower = -100 * (beta1 + Z95 * sd)
    expected_upper = -100 * (beta1 - Z95 * sd)
    width = expected_upper - expected_lower
    assert abs(res.sii_lower - expected_lower) <= 0.02 * width
    assert abs(res.sii_upper - expected_upper) <= 0.02 * width


def test_se_from_95_limits_uses_the_transformed_scale():
    # For rates SE = (ln U − ln L) / (2·1.96): giving that SE directly must give the same result.
    values = np.linspace(30, 12, POP.size)
    lower, upper = values * 0.8, values * 1.25
    se = (np.log(upper) - np.log(lower)) / (2 * Z95)
    by_limits = sii(POP, values, lower=lower, upper=upper, value_type="rate", seed=5)
    by_se = sii(POP, values, se=se, value_type="rate", seed=5)
    assert by_limits.sii_lower == pytest.approx(by_se.sii_lower, rel=1e-12)
    assert by_limits.rii_upper == pytest.approx(by_se.rii_upper, rel=1e-12)


def test_rate_limits_agree_with_a_large_reference_run():
    values = np.linspace(30, 12, POP.size)
    kwargs = {"lower": values * 0.8, "upper": values * 1.25, "value_type": "rate"}
    result = sii(POP, values, seed=1, **kwargs)
    reference = sii(POP, values, seed=2024, repetitions=1_000_000, **kwargs)
    within_two_percent_of_width(result, reference, "sii")
    within_two_percent_of_width(result, reference, "rii")


def test_transformed_proportions_by_the_published_recipe():
    # transform=True: regress logit(p) on rank; the simulated logit slopes are exactly normal
    # N(β1, Σ w² se²), and each limit slope s is placed around h = β0 + β1/2:
    # SII limit = (expit(h + s/2) − expit(h − s/2))·m, RII limit = expit(h + s/2)/expit(h − s/2).
    values = np.linspace(0.30, 0.12, POP.size)
    lower, upper = values * 0.8, values * 1.2
    se = (logit(upper) - logit(lower)) / (2 * Z95)
    beta0, beta1 = wls_by_lstsq(POP, logit(values))
    a = POP / POP.sum()
    b = np.cumsum(a) - a / 2
    w = a * (b - a @ b) / (a @ (b - a @ b) ** 2)
    sd = np.sqrt(np.sum(w**2 * se**2))
    h = beta0 + beta1 / 2
    s_lo, s_hi = beta1 - Z95 * sd, beta1 + Z95 * sd
    res = sii(
        POP,
        values,
        lower=lower,
        upper=upper,
        value_type="proportion",
        transform=True,
        multiplier=100,
        seed=9,
    )
    assert res.sii == pytest.approx((expit(beta0 + beta1) - expit(beta0)) * 100, rel=1e-9)
    assert res.rii == pytest.approx(expit(beta0 + beta1) / expit(beta0), rel=1e-9)
    assert res.intercept == pytest.approx(expit(beta0) * 100, rel=1e-9)
    exp_sii = sorted((expit(h + s / 2) - expit(h - s / 2)) * 100 for s in (s_lo, s_hi))
    exp_rii = [expit(h + s / 2) / expit(h - s / 2) for s in (s_lo, s_hi)]
    sii_width, rii_width = exp_sii[1] - exp_sii[0], exp_rii[1] - exp_rii[0]
    assert abs(res.sii_lower - exp_sii[0]) <= 0.02 * sii_width
    assert abs(res.sii_upper - exp_sii[1]) <= 0.02 * sii_width
    assert abs(res.rii_lower - exp_rii[0]) <= 0.02 * rii_width
    assert abs(res.rii_upper - exp_rii[1]) <= 0.02 * rii_width


def test_negative_multiplier_flips_sii_and_inverts_rii_limits():
    values = np.linspace(0.30, 0.12, POP.size)
    kwargs = {
        "lower": values * 0.8,
        "upper": values * 1.2,
        "value_type": "proportion",
        "transform": True,
        "seed": 4,
    }
    plus = sii(POP, values, multiplier=100, **kwargs)
    minus = sii(POP, values, multiplier=-100, **kwargs)
    assert minus.sii == pytest.approx(-plus.sii)
    assert minus.sii_lower == pytest.approx(-plus.sii_upper)
    assert minus.sii_upper == pytest.approx(-plus.sii_lower)
    assert minus.rii == pytest.approx(1 / plus.rii)
    assert minus.rii_lower == pytest.approx(1 / plus.rii_upper)
    assert minus.rii_upper == pytest.approx(1 / plus.rii_lower)
    assert minus.sii_lower < minus.sii < minus.sii_upper
    assert minus.rii_lower < minus.rii < minus.rii_upper


def test_limits_bracket_and_widen_with_confidence():
    values = np.linspace(30, 12, POP.size)
    kwargs = {"lower": values * 0.8, "upper": values * 1.25, "value_type": "rate", "seed": 8}
    narrow = sii(POP, values, confidence=0.9, **kwargs)
    wide = sii(POP, values, confidence=99.8, **kwargs)
    assert wide.sii_lower < narrow.sii_lower < narrow.sii < narrow.sii_upper < wide.sii_upper
    assert wide.rii_lower < narrow.rii_lower < narrow.rii_upper < wide.rii_upper


EQUAL = [1, 1, 1, 1, 1]  # equal quintiles at ranks 0.1, 0.3, 0.5, 0.7, 0.9


def test_rii_is_undefined_when_the_fitted_reference_value_is_not_positive():
    # Values 0.5, 2.5, …, 8.5 lie on y = −0.5 + 10·rank: the fitted value at rank 0 is −0.5
    # and at rank 1 is 9.5. (β0 + β1)/β0 = −19 is not a ratio of two levels, so RII is NaN
    # (and its limits); the SII, 10, is still given. The old code returned −19.
    res = sii(EQUAL, [0.5, 2.5, 4.5, 6.5, 8.5], se=[0.1] * 5, seed=3, repetitions=10_000)
    assert res.sii == pytest.approx(10, rel=1e-12)
    assert res.intercept == pytest.approx(-0.5, rel=1e-12)
    assert np.isnan([res.rii, res.rii_lower, res.rii_upper]).all()
    assert res.sii_lower < 10 < res.sii_upper
    # The other end below 0 is as meaningless: y = 9.5 − 10·rank ends at −0.5.
    down = sii(EQUAL, [8.5, 6.5, 4.5, 2.5, 0.5], se=[0.1] * 5, seed=3, repetitions=10_000)
    assert down.sii == pytest.approx(-10, rel=1e-12) and np.isnan(down.rii)
    # A zero intercept used to raise ZeroDivisionError: now the SII with an undefined RII.
    flat = sii(EQUAL, [0.0] * 5, se=[1] * 5, seed=3, repetitions=1_000)
    assert flat.sii == 0 and np.isnan(flat.rii)


def test_rii_limits_are_undefined_when_simulated_reference_values_cross_zero():
    # y = 0.2 + 10·rank: RII = 10.2/0.2 = 51, but with an SE of 1 per quintile the simulated
    # value at rank 0 is often below 0, where the ratio flips sign and blows up; the old limits
    # came out around −10 to 10, excluding the estimate. The limits are now NaN.
    res = sii(EQUAL, [1.2, 3.2, 5.2, 7.2, 9.2], se=[1] * 5, seed=8, repetitions=10_000)
    assert res.rii == pytest.approx(51, rel=1e-9)
    assert np.isnan(res.rii_lower) and np.isnan(res.rii_upper)


def test_rii_limits_bracket_the_estimate_when_defined():
    # value_type "other": the two fitted ends of each simulated line are jointly normal around
    # the fitted ends, so P(simulated ratio <= estimate) = 1/2 exactly: the estimate is the
    # median of the simulated ratios. With well-determined ends every repetition is positive.
    values = [9.0, 8.0, 7.5, 6.0, 5.0]
    res = sii(EQUAL, values, se=[0.3] * 5, seed=12, repetitions=100_000)
    beta0, beta1 = wls_by_lstsq(np.ones(5), np.array(values))
    assert res.rii == pytest.approx((beta0 + beta1) / beta0, rel=1e-9)
    assert 0 < res.rii_lower < res.rii < res.rii_upper
    flipped = sii(EQUAL, values, se=[0.3] * 5, seed=12, repetitions=100_000, multiplier=-1)
    assert flipped.rii == pytest.approx(1 / res.rii, rel=1e-12)
    # The inverted ratios are sorted afresh, so 1/(97,500th) is the 2,501st, not the 2,500th:
    # neighbouring order statistics, equal to well within 1e-4 at R = 100,000.
    assert flipped.rii_lower == pytest.approx(1 / res.rii_upper, rel=1e-4)
    assert flipped.rii_upper == pytest.approx(1 / res.rii_lower, rel=1e-4)
    assert 0 < flipped.rii_lower < flipped.rii < flipped.rii_upper


def test_results_are_numpy_floats():
    kwargs = {"se": [0.3] * 5, "seed": 1, "repetitions": 1000}
    for res in (
        sii(EQUAL, [9.0, 8.0, 7.5, 6.0, 5.0], **kwargs),
        sii(EQUAL, [0.5, 2.5, 4.5, 6.5, 8.5], **kwargs),
        sii(
            EQUAL,
            [0.3, 0.25, 0.2, 0.2, 0.1],
            lower=[0.2] * 5,
            upper=[0.4] * 5,
            seed=1,
            value_type="proportion",
            transform=True,
            repetitions=1000,
        ),
    ):
        assert isinstance(res, SIIResult)
        for field in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"):
            assert type(getattr(res, field)) is np.float64, field
        assert type(res.intercept) is np.float64


def test_limits_are_the_published_order_statistics():
    # statistical-methods.md §1.5: with R = 100,000 the 95% limits are the 2,500th and 97,500th
    # sorted simulated slopes. Second method: refit every repetition with numpy.linalg.lstsq
    # (all 100,000 right-hand sides at once) from the same seeded draws, sort, and pick them.
    values = np.linspace(12, 30, POP.size)
    se = np.linspace(0.5, 2.0, POP.size)
    res = sii(POP, values, se=se, multiplier=100, seed=21)
    draws = values + se * np.random.default_rng(21).standard_normal((100_000, POP.size))
    a = POP / POP.sum()
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    coef, *_ = np.linalg.lstsq(design, (draws * np.sqrt(a)).T, rcond=None)
    slopes = np.sort(100 * coef[1])
    assert res.sii_lower == pytest.approx(slopes[2500 - 1], rel=1e-9)
    assert res.sii_upper == pytest.approx(slopes[97500 - 1], rel=1e-9)
    ratios = np.sort((coef[0] + coef[1]) / coef[0])
    assert res.rii_lower == pytest.approx(ratios[2500 - 1], rel=1e-9)
    assert res.rii_upper == pytest.approx(ratios[97500 - 1], rel=1e-9)


FIELDS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper", "intercept")
GRADIENT = np.array([0.31, 0.22, 0.2, 0.15, 0.12, 0.1, 0.09, 0.07])
GRADIENT_POP = np.array([120.0, 90, 150, 80, 110, 100, 95, 130])


def test_sii_from_draws_agrees_with_sii_for_the_same_draws():
    # sii draws value + se·Z from default_rng(seed); handing the same draws to sii_from_draws
    # fits them as a matrix, sii (value type "other") fits the linear parts apart: the same
    # numbers up to rounding
    se = np.sqrt(GRADIENT * (1 - GRADIENT) / GRADIENT_POP)
    for mult in (100, -100):
        ref = sii(GRADIENT_POP, GRADIENT, se=se, multiplier=mult, seed=99, repetitions=5000)
        normal = np.random.default_rng(99).standard_normal((5000, GRADIENT.size))
        got = sii_from_draws(GRADIENT_POP, GRADIENT, GRADIENT + se * normal, multiplier=mult)
        np.testing.assert_allclose(
            [getattr(got, f) for f in FIELDS], [getattr(ref, f) for f in FIELDS], rtol=1e-12
        )


def test_sii_many_gives_each_set_exactly_what_sii_gives_it_alone():
    """The engine computes thousands of SIIs in batches from one set of draws: each set's
    result must not depend on the batch, and must be what sii gives for the same seed."""
    rng = np.random.default_rng(3)
    pops = rng.integers(50, 400, (6, 8)).astype(float)
    pops[0] *= 100  # large quantiles: the fitted ends stay positive in every repetition
    values = np.vstack([GRADIENT * f for f in (1, 0.5, 2, 0.01, 1.3, 0.7)])
    values[3] = [0.0, 0.0, 0.001, 0, 0, 0, 0, 0.0]  # fitted ends near 0: no RII limits
    ses = np.sqrt(np.maximum(values * (1 - values), 0.25 / pops) / pops)
    normal = np.random.default_rng(7).standard_normal((4000, 8))
    for mult in (1000, -1000):
        batch = sii_many(pops, values, ses, normal, multiplier=mult)
        for row in range(6):
            alone = sii(
                pops[row], values[row], se=ses[row], multiplier=mult, seed=7, repetitions=4000
            )
            np.testing.assert_array_equal(
                [getattr(batch, f)[row] for f in FIELDS], [getattr(alone, f) for f in FIELDS]
            )
    assert np.isnan(batch.rii_lower[3]) and not np.isnan(batch.rii_lower[0])


def test_sii_many_bad_input():
    normal = np.zeros((1000, 5))
    with pytest.raises(ValueError, match="same shape"):
        sii_many(np.ones((2, 5)), np.ones((2, 4)), np.ones((2, 5)), normal)
    with pytest.raises(ValueError, match="normal_draws"):
        sii_many(np.ones((2, 5)), np.ones((2, 5)), np.ones((2, 5)), normal[:999])
    with pytest.raises(ValueError, match="se"):
        sii_many(np.ones((2, 5)), np.ones((2, 5)), -np.ones((2, 5)), normal)


@pytest.mark.parametrize(
    ("draws", "message"),
    [
        (np.ones((1000, 4)), "5 columns"),
        (np.ones(1000), "5 columns"),
        (np.ones((999, 5)), "at least 1000"),
        (np.full((1000, 5), np.nan), "NaN"),
        (np.full((1000, 5), np.inf), "infinite"),
    ],
)
def test_sii_from_draws_bad_input(draws, message):
    with pytest.raises(ValueError, match=message):
        sii_from_draws(EQUAL, [1, 2, 3, 4, 5], draws)


def test_multiplier_must_be_one_number():
    with pytest.raises(ValueError, match="multiplier: must be a single number"):
        sii(EQUAL, [1, 2, 3, 4, 5], se=[1] * 5, multiplier=[1, 100], seed=1)
    with pytest.raises(ValueError, match="repetitions: must be an integer"):
        sii(EQUAL, [1, 2, 3, 4, 5], se=[1] * 5, repetitions="many", seed=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"population": [1, 0, 1, 1, 1]}, "population"),
        ({"population": [1, -1, 1, 1, 1]}, "population"),
        ({"value": [1, 2, np.nan, 4, 5]}, "NaN"),
        ({"se": [1, 1, -1, 1, 1]}, "negative"),
        ({"se": [1, 1, 1]}, "one value per quantile"),
        ({"transform": True}, "transform"),
        ({"repetitions": 100}, "repetitions"),
        ({"confidence": 5}, "confidence"),
        ({"value_type": "ratio"}, "value_type"),
        ({"value_type": "proportion"}, "between 0 and 1"),
        ({"multiplier": 0}, "multiplier"),
        ({"se": None}, "lower/upper"),
    ],
)
def test_bad_input(kwargs, message):
    args = {"population": [1, 1, 1, 1, 1], "value": [1, 2, 3, 4, 5], "se": [1] * 5, "seed": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sii(args.pop("population"), args.pop("value"), **args)
