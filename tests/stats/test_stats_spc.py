"""XmR and p-prime charts with the Making Data Count rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maternity_equity.stats import p_prime_chart, xmr
from maternity_equity.stats._spc_rules import assurance, point_types, special_cause_labels

CC = "Common Cause"


def labels(y):
    """Rules against fixed limits: mean 0, process limits ±3, near limits ±2."""
    y = np.asarray(y, dtype=float)
    full = np.ones_like(y)
    return list(special_cause_labels(y, 0 * full, -3 * full, 3 * full, -2 * full, 2 * full))


def test_outside_limits_is_strict():
    # 3.5 > 3 and −4 < −3 are outside; 3.0 equals the limit so is only "close".
    assert labels([0.5, 3.5, -0.5, -4, 3.0]) == [CC, "Above UCL", CC, "Below LCL", CC]


def test_seven_point_trend_needs_seven_points_and_no_ties():
    rising = [-1.5, -1, -0.5, 0.1, 0.5, 1, 1.5]
    assert labels(rising) == ["7 Point Trend (Increasing)"] * 7
    assert labels(rising[:6]) == [CC] * 6  # only 6 points (5 increases)
    with_tie = [-1.5, -1, -0.5, -0.5, 0.5, 1, 1.5, 1.7]
    assert CC in labels(with_tie) and not any("Trend" in lab for lab in labels(with_tie))


def test_trend_direction_at_a_peak_follows_the_next_step():
    # Points 0-6 rise, points 6-12 fall; the peak (6) belongs to both runs and takes the
    # direction of the step after it. Points 3-9 are also 7 above the mean, but trend wins.
    y = [-0.6, -0.4, -0.2, 0.1, 0.2, 0.4, 0.6, 0.4, 0.2, 0.1, -0.2, -0.4, -0.6]
    assert labels(y) == ["7 Point Trend (Increasing)"] * 6 + ["7 Point Trend (Decreasing)"] * 7


def test_two_in_three_near_limit_points_on_one_side():
    # Window (2.5, 1, 2.2): two near-limit points, all above the mean → flag 2.5 and 2.2 only.
    assert labels([0, 2.5, 1, 2.2, 0]) == [CC, "2 in 3 Above CL", CC, "2 in 3 Above CL", CC]
    # Opposite sides do not count (issue #143 of NHSRplotthedots).
    assert labels([2.5, -2.5, 0.5]) == [CC] * 3
    # A point beyond 3σ is not "close": only one near-limit point remains in the window.
    assert labels([2.5, 3.5, 0.5]) == [CC, "Above UCL", CC]
    assert labels([-0.5, -2.1, -2.9, -1]) == [CC, "2 in 3 Below CL", "2 in 3 Below CL", CC]


def test_seven_points_one_side_and_a_point_on_the_mean_breaks_it():
    assert labels([0.5] * 7) == ["7 Points Above CL"] * 7  # ties: no trend
    assert labels([-0.5] * 8) == ["7 Points Below CL"] * 8
    assert labels([0.5] * 6) == [CC] * 6
    assert labels([0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5]) == [CC] * 7
    # Points of a shift that also meet 2-in-3 take the 2-in-3 label (higher precedence).
    assert labels([0.5, 2.5, 2.5, 0.5, 0.5, 0.5, 0.5]) == (
        ["7 Points Above CL", "2 in 3 Above CL", "2 in 3 Above CL"] + ["7 Points Above CL"] * 4
    )


def test_point_types_follow_improvement_direction():
    labs = np.array(["Above UCL", "7 Point Trend (Decreasing)", "2 in 3 Below CL", CC], object)
    assert list(point_types(labs, "increase")) == [
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_concern",
        "common_cause",
    ]
    assert list(point_types(labs, "decrease")) == [
        "special_cause_concern",
        "special_cause_improvement",
        "special_cause_improvement",
        "common_cause",
    ]
    assert list(point_types(labs, "neutral")) == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
        "special_cause_neutral_low",
        "common_cause",
    ]


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (12, "increase", "consistent_fail"),
        (12, "decrease", "consistent_pass"),
        (-12, "increase", "consistent_pass"),
        (-12, "decrease", "consistent_fail"),
        (10, "increase", "inconsistent"),  # equal to the limit: strict comparison
        (0, "decrease", "inconsistent"),
        (12, "neutral", None),
        (None, "increase", None),
    ],
)
def test_assurance(target, direction, expected):
    assert assurance(target, -10.0, 10.0, direction) == expected


SERIES = [1, 2, 3, 4, 5, 6, 7, 3, 3, 3, 9, 1, 2, 1, 2, 1, 2, 1, 2]


def test_xmr_limits_with_one_pass_screening_by_hand():
    # Sum 58 over 19 points: mean 58/19. Moving ranges: 1×6, 4, 0, 0, 6, 8, 1×7 → 31/18.
    # Screening keeps MR < 3.267·31/18 = 5.63, dropping 6 and 8: MR̄ = 17/16.
    res = xmr(SERIES)
    mean, amr = 58 / 19, 17 / 16
    np.testing.assert_allclose(res.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(res.upl, mean + 2.66 * amr, rtol=1e-12)
    np.testing.assert_allclose(res.lpl, mean - 2.66 * amr, rtol=1e-12)
    np.testing.assert_allclose(res.near_upl, mean + 2 / 3 * 2.66 * amr, rtol=1e-12)
    unscreened = xmr(SERIES, screen_outliers=False)
    np.testing.assert_allclose(unscreened.upl, mean + 2.66 * 31 / 18, rtol=1e-12)


def test_screening_is_a_single_pass():
    # Ranges: ten of 1, then 4, then 40. MR̄ = 54/12 = 4.5 → drop 40 (≥ 14.7) → 14/11.
    # A second pass (threshold 4.16) would also drop the 4; one pass keeps it.
    y = [0, 1] * 5 + [0, 4, 44]
    res = xmr(y)
    np.testing.assert_allclose(res.upl[0], np.mean(y) + 2.66 * 14 / 11, rtol=1e-12)


def test_xmr_labels_point_types_variation_and_assurance_by_hand():
    # Limits: 3.053 ± 2.826 → (0.226, 5.879); near limits (1.168, 4.937).
    # 0-6 rise 1..7: a 7-point trend, but 6 and 7 are above the UCL (precedence), as is 9.
    # 3, 3, 3 sit just below the mean (3 < 3.053) for only 3 points: common cause.
    # 11-18 alternate 1, 2: eight points below the mean; the 1s are below the near-LPL and
    # every window of three has two of them, so the 1s are "2 in 3" and the 2s "7 points".
    res = xmr(SERIES, target=20)
    assert list(res.special_cause) == (
        ["7 Point Trend (Increasing)"] * 5
        + ["Above UCL"] * 2
        + [CC] * 3
        + ["Above UCL"]
        + ["2 in 3 Below CL", "7 Points Below CL"] * 4
    )
    assert list(res.point_type[:7]) == ["special_cause_improvement"] * 7
    assert res.point_type[-1] == "special_cause_concern"
    assert res.variation == "special_cause_concern"
    assert res.assurance == "consistent_fail"  # target 20 above the UPL, higher is better
    lower_is_better = xmr(SERIES, improvement_direction="decrease", target=20)
    assert lower_is_better.variation == "special_cause_improvement"
    assert lower_is_better.assurance == "consistent_pass"


def test_rebase_gives_each_segment_its_own_limits():
    first, second = [10, 12, 11, 13, 10, 12], [20, 22, 21, 20, 23, 21]
    res = xmr(first + second, rebase_at=[6])
    assert list(res.segment) == [0] * 6 + [1] * 6
    np.testing.assert_allclose(res.mean[:6], np.mean(first))
    np.testing.assert_allclose(res.mean[6:], np.mean(second))
    # MR of the second segment: 2, 1, 1, 3, 2 → 9/5 (the jump 12 → 20 is not a range).
    np.testing.assert_allclose(res.upl[6:], np.mean(second) + 2.66 * 9 / 5)
    by_date = xmr(
        first + second,
        rebase_at=["2024-07"],
        dates=np.array([f"2024-{m:02d}" for m in range(1, 13)]),
    )
    np.testing.assert_allclose(by_date.upl, res.upl)
    assert res.trial_limits.all()  # segments of 6 < 13 points


def test_fix_after_n_points_freezes_the_limits():
    # Baseline 10, 12, 10, 12: mean 11, MR̄ 2 → UPL 16.32. Later points do not move it.
    res = xmr([10, 12, 10, 12, 30, 31, 32], fix_after_n_points=4)
    np.testing.assert_allclose(res.upl, 11 + 2.66 * 2)
    assert list(res.special_cause[4:]) == ["Above UCL"] * 3


def test_constant_series_is_common_cause_with_no_limits():
    # MR̄ = 0: no spread to measure, so no process limits (as NHSRplotthedots, whose screening
    # leaves no ranges); every point sits on the mean, so no run rule fires either.
    res = xmr([5.0] * 15, target=6)
    assert set(res.special_cause) == {CC}
    np.testing.assert_array_equal(res.mean, 5.0)
    assert np.isnan(res.upl).all() and np.isnan(res.lpl).all()
    assert np.isnan(res.near_upl).all() and np.isnan(res.near_lpl).all()
    assert res.assurance is None


@pytest.mark.parametrize("screen_outliers", [True, False])
def test_constant_fixed_baseline_does_not_flag_later_points(screen_outliers):
    # Baseline 5, 5, 5 (fixed after 3 points) has MR̄ = 0. Limits on the mean would call 6, 6,
    # 6 "Above UCL" and 4 "Below LCL"; with no limits only the run rules apply, and 3 points
    # above and 1 below the mean make no run.
    res = xmr([5, 5, 5, 6, 6, 6, 4], fix_after_n_points=3, screen_outliers=screen_outliers)
    assert list(res.special_cause) == [CC] * 7
    assert np.isnan(res.upl).all()
    # The run rules still apply: seven points above the baseline mean of 5 are a shift.
    shifted = xmr([5, 5, 5] + [6] * 7, fix_after_n_points=3, screen_outliers=screen_outliers)
    assert list(shifted.special_cause) == [CC] * 3 + ["7 Points Above CL"] * 7
    assert shifted.variation == "special_cause_improvement"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1, np.nan, 3]}, "NaN"),
        ({"values": []}, "non-empty"),
        ({"improvement_direction": "up"}, "improvement_direction"),
        ({"rebase_at": [99]}, "outside"),
        ({"rebase_at": ["2024-01"]}, "dates"),
        ({"fix_after_n_points": 1}, "at least 2"),
    ],
)
def test_xmr_bad_input(kwargs, message):
    args = {"values": [1, 2, 3, 4]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        xmr(args.pop("values"), **args)


def test_p_prime_limits_by_the_laney_recipe():
    x = np.array([50, 61, 55, 72, 40, 52, 58, 49])
    n = np.array([1000, 1100, 1000, 1200, 900, 1000, 1050, 980])
    res = p_prime_chart(x, n, multiplier=100)
    # Recipe written out: p̄ = Σx/Σn; σ_i = √(p̄(1 − p̄)/n_i); z_i = (p_i − p̄)/σ_i;
    # σ_z = mean|z_i − z_{i−1}| / 1.128; limits p̄ ± 3·σ_i·σ_z.
    pbar = x.sum() / n.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    z = (x / n - pbar) / sigma
    sigma_z = np.mean([abs(z[i] - z[i - 1]) for i in range(1, len(z))]) / 1.128
    np.testing.assert_allclose(res.mean, 100 * pbar, rtol=1e-12)
    np.testing.assert_allclose(res.upl, 100 * (pbar + 3 * sigma * sigma_z), rtol=1e-12)
    np.testing.assert_allclose(res.lpl, 100 * (pbar - 3 * sigma * sigma_z), rtol=1e-12)
    np.testing.assert_allclose(res.values, 100 * x / n)


def test_p_prime_with_equal_denominators_is_an_individuals_chart_of_p():
    # With equal n, σ·z_i = p_i − p̄, so σ·σ_z = MR̄(p)/1.128: limits p̄ ± (3/1.128)·MR̄(p).
    p = np.array([0.10, 0.12, 0.11, 0.14, 0.09, 0.13, 0.12, 0.10])
    res = p_prime_chart(p * 500, np.full(8, 500))
    mr = np.abs(np.diff(p)).mean()
    np.testing.assert_allclose(res.upl, p.mean() + 3 / 1.128 * mr, rtol=1e-9)


def test_p_prime_with_no_variation_keeps_its_limits_on_the_centre_line():
    # Unlike xmr: a p′ chart whose baseline months all sit at p̄ (σ_z = 0, e.g. a data-quality
    # rule at 100% every month) keeps limits on p̄, so a target below them is met consistently.
    # The data-quality SPC relies on this (tests/quality/test_report_and_cli.py).
    res = p_prime_chart([40] * 6, [40] * 6, target=0.95)
    np.testing.assert_allclose([res.lpl, res.upl], 1.0)
    assert res.assurance == "consistent_pass"
    assert list(res.special_cause) == [CC] * 6


def test_chart_settings_must_be_single_numbers():
    with pytest.raises(ValueError, match="multiplier: must be a single number"):
        p_prime_chart([1, 2], [10, 10], multiplier=[1, 100])
    with pytest.raises(ValueError, match="target: must be a single number"):
        xmr([1, 2, 3], target=[1, 2, 3])
    with pytest.raises(ValueError, match="target: must be a single number"):
        p_prime_chart([1, 2], [10, 10], target=np.array([0.1, 0.2]))


# Published XmR limits from nhspy-plotthedots (MIT), tests/unittests/test_limits_calculations.py
# (commit 6aa6c7d): (mean, LPL, UPL, near LPL, near UPL). statistical-methods.md §4: its limit
# formulas agree with NHSRplotthedots. No moving range in these series reaches 3.267 × MR̄, so
# screening keeps them all.
NHSPY_LIMITS = [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
    ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
    (
        [1, 2, 3, 4, 5, 4, 3, 2, 1, 2],
        (2.7, 0.040000000000000036, 5.36, 0.9266666666666667, 4.473333333333334),
    ),
    ([1, 2, 3], (2.0, -0.6600000000000001, 4.66, 0.22666666666666657, 3.7733333333333334)),
    (list(range(20)), (9.5, 6.84, 12.16, 7.726666666666667, 11.273333333333333)),
    (
        [3, 1, 4, 1, 5, 9, 2],
        (
            3.5714285714285716,
            -6.625238095238096,
            13.768095238095238,
            -3.2263492063492065,
            10.36920634920635,
        ),
    ),
    (
        [1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 7, 4, 3, 2, 1, 2],
        (3.0, -0.014666666666666828, 6.014666666666667, 0.9902222222222221, 5.009777777777778),
    ),
    (
        [-1, -2, -3, -2, -1, -2, -3, -4, -5, -6, -7, -4, -3, -2, -1, -2],
        (-3.0, -6.014666666666667, 0.014666666666666828, -5.009777777777778, -0.9902222222222221),
    ),
]


@pytest.mark.parametrize(("values", "published"), NHSPY_LIMITS)
def test_xmr_limits_match_published_values(values, published):
    res = xmr(values)
    got = (res.mean[0], res.lpl[0], res.upl[0], res.near_lpl[0], res.near_upl[0])
    np.testing.assert_allclose(got, published, rtol=1e-12, atol=1e-13)
    # Second computation, written out: mean ± 2.66 × mean |difference|, near at 1.7733 × MR̄.
    mean = sum(values) / len(values)
    amr = sum(abs(b - a) for a, b in itertools.pairwise(values)) / (len(values) - 1)
    hand = (mean, mean - 2.66 * amr, mean + 2.66 * amr, mean - 1.77333 * amr, mean + 1.77333 * amr)
    np.testing.assert_allclose(got, hand, rtol=0, atol=1e-4 * max(1, amr))


def test_a_moving_range_exactly_at_the_screening_threshold_is_dropped():
    # statistical-methods.md §2.1: keep only MR < 3.267 × MR̄; one exactly equal is dropped.
    # 2,267 ranges of 999 and one of 3,267: MR̄ = 2,268,000 / 2,268 = 1000 exactly and
    # 3.267 × 1000 = 3267 exactly in floating point. Dropping it leaves MR̄ = 999.
    values = [0.0, 999.0] * 1134 + [999.0 + 3267.0]
    ranges = np.abs(np.diff(values))
    assert ranges.mean() == 1000.0 and 3.267 * ranges.mean() == 3267.0
    res = xmr(values)
    assert res.upl[0] == pytest.approx(np.mean(values) + 2.66 * 999, rel=1e-12)


def test_trial_limits_below_thirteen_points():
    assert xmr(list(range(12))).trial_limits.all()  # 12 points
    assert not xmr([1, 3] * 6 + [2]).trial_limits.any()  # 13 points


def test_p_prime_flags_a_shift_and_rejects_bad_counts():
    x = [20] * 8 + [40] * 8
    res = p_prime_chart(x, [200] * 16, improvement_direction="decrease")
    assert res.point_type[-1] == "special_cause_concern"
    with pytest.raises(ValueError, match="greater than"):
        p_prime_chart([5, 11], [10, 10])
    with pytest.raises(ValueError, match="denominators"):
        p_prime_chart([5, 1], [10, 0])


def brute_force_labels(y, lo=-3.0, hi=3.0, near_lo=-2.0, near_hi=2.0):
    """Second implementation of the rules with plain loops over every window, mean 0."""
    n = len(y)
    side = [int(np.sign(v)) for v in y]
    outside = [v > hi or v < lo for v in y]
    close = [not outside[i] and (y[i] < near_lo or y[i] > near_hi) for i in range(n)]
    trend, shift, two3 = [False] * n, [False] * n, [False] * n
    for start in range(n - 6):
        steps = [y[j + 1] - y[j] for j in range(start, start + 6)]
        if all(s > 0 for s in steps) or all(s < 0 for s in steps):
            for j in range(start, start + 7):
                trend[j] = True
        window = side[start : start + 7]
        if window[0] != 0 and all(s == window[0] for s in window):
            for j in range(start, start + 7):
                shift[j] = True
    for start in range(n - 2):
        idx = range(start, start + 3)
        if sum(close[j] for j in idx) >= 2 and abs(sum(side[j] for j in idx)) == 3:
            for j in idx:
                two3[j] = two3[j] or close[j]
    out = []
    for i in range(n):
        if outside[i]:
            out.append("Above UCL" if side[i] == 1 else "Below LCL")
        elif trend[i]:
            if i + 1 < n and trend[i + 1]:
                step = y[i + 1] - y[i]
            else:
                step = y[i] - y[i - 1] if i > 0 else 0
            out.append(f"7 Point Trend ({'In' if step > 0 else 'De'}creasing)")
        elif two3[i]:
            out.append(f"2 in 3 {'Above' if side[i] > 0 else 'Below'} CL")
        elif shift[i]:
            out.append(f"7 Points {'Above' if side[i] > 0 else 'Below'} CL")
        else:
            out.append(CC)
    return out


@given(st.lists(st.integers(-8, 8).map(lambda v: v / 2), min_size=1, max_size=40))
@settings(max_examples=300)
def test_rules_agree_with_a_brute_force_implementation(values):
    assert labels(values) == brute_force_labels(values)


def test_single_point_has_no_limits_and_no_signal():
    res = xmr([4.0], target=3)
    assert np.isnan(res.upl[0])
    assert res.variation == "common_cause"
    assert res.assurance is None
