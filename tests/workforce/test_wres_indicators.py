"""WRES arithmetic against published figures and hand-worked examples."""

from __future__ import annotations

import math

import pytest

from maternity_equity.workforce.indicators import (
    Likelihood,
    band_shares,
    band_sort_key,
    board_workforce_gap,
    percent_bme,
    relative_likelihood,
    rl_from_percentages,
)


def test_christie_2023_indicator_2_published_ratio():
    # Published: White 46.99%, BME 14.65% appointed from shortlisting -> 3.2075 ("3.2 times").
    assert rl_from_percentages(46.99, 14.65) == pytest.approx(3.2075, abs=5e-5)
    rl = relative_likelihood(Likelihood("White", 4699, 10000), Likelihood("BME", 1465, 10000))
    assert rl.ratio == pytest.approx(3.2075, abs=5e-5)
    assert not rl.small_numbers


def test_kmpt_2020_indicator_3_published_ratio_and_small_numbers():
    # Published: BME 1.2%, White 0.7% entering formal disciplinary -> 1.71.
    assert round(rl_from_percentages(1.2, 0.7), 2) == 1.71
    rl = relative_likelihood(Likelihood("BME", 12, 1000), Likelihood("White", 7, 1000))
    assert round(rl.ratio, 2) == 1.71
    # 7 White entries is below the 10-event threshold: flagged, interval still shown.
    assert rl.small_numbers and any("small numbers" in n for n in rl.notes)
    assert rl.lower < 1 < rl.upper  # a ratio on so few cases is not a firm finding


def test_christie_2023_indicator_9_published_gap():
    # Published: -0.64 percentage points. Board 2 of 16 BME = 12.50%; workforce
    # 1,314 of 10,000 = 13.14%; 12.50 - 13.14 = -0.64.
    assert board_workforce_gap(2, 14, 1314, 8686) == pytest.approx(-0.64, abs=1e-9)


def test_katz_interval_hand_worked():
    # 20/100 vs 10/100: RL = 2. SE(ln RL) = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13)
    # = 0.360555; 95%: exp(ln 2 -/+ 1.959964 x 0.360555) = 0.98656 .. 4.05448.
    rl = relative_likelihood(Likelihood("White", 20, 100), Likelihood("BME", 10, 100))
    assert rl.ratio == pytest.approx(2.0)
    assert rl.lower == pytest.approx(0.98656, abs=1e-5)
    assert rl.upper == pytest.approx(4.05448, abs=1e-5)
    assert "our addition" in rl.method


def test_zero_events_in_reference_group_gives_no_ratio():
    rl = relative_likelihood(Likelihood("BME", 3, 40), Likelihood("White", 0, 300))
    assert rl.ratio is None and rl.lower is None
    assert "not calculable" in rl.notes[0]


def test_zero_events_in_focus_group_gives_zero_without_interval():
    rl = relative_likelihood(Likelihood("BME", 0, 40), Likelihood("White", 12, 300))
    assert rl.ratio == 0 and rl.lower is None and rl.upper is None and rl.method == ""


def test_empty_group_gives_no_ratio():
    rl = relative_likelihood(Likelihood("White", 0, 0), Likelihood("BME", 5, 20))
    assert rl.ratio is None and "no White" in rl.notes[0]


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="count 12 and total 10"):
        relative_likelihood(Likelihood("White", 12, 10), Likelihood("BME", 1, 10))


def test_percent_bme_excludes_unknown_and_band_shares():
    assert percent_bme(1, 3) == 25.0
    assert percent_bme(0, 0) is None
    shares, overall = band_shares(
        {"Band 7": {"White": 70, "BME": 10}, "Band 5": {"White": 120, "BME": 60, "Unknown": 6}}
    )
    # Overall 70 of 260 = 26.923%; Band 5 60/180 = 33.33%; Band 7 10/80 = 12.5%.
    assert overall == pytest.approx(100 * 70 / 260)
    assert [s.band for s in shares] == ["Band 5", "Band 7"]
    assert shares[1].ratio_to_overall == pytest.approx(12.5 / (100 * 70 / 260))
    assert shares[0].unknown == 6


def test_bands_sort_in_agenda_for_change_order():
    bands = ["VSM", "Band 8a", "Band 10?", "Band 2", "Band 9", "Band 8c"]
    assert sorted(bands, key=band_sort_key) == [
        "Band 2", "Band 8a", "Band 8c", "Band 9", "VSM", "Band 10?",
    ]  # fmt: skip


def test_no_nan_leaks_from_intervals():
    rl = relative_likelihood(Likelihood("White", 5, 5), Likelihood("BME", 5, 5))
    # Everyone appointed in both groups: ratio 1, the Katz variance is 0 -> interval 1..1.
    assert rl.ratio == 1 and not math.isnan(rl.lower)
