"""The overview's headline cards: each measure against its baseline or target, with the latest
period that has a figure, what changed since the period before, SPC icons and the trend."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from web_helpers import sign_in


@pytest.fixture
def headline_client(app_factory):
    app = app_factory(extras=("headlines",))
    return lambda role: sign_in(TestClient(app), role)


def _card(html: str, indicator_id: str) -> str:
    """The card's text, tags stripped and spaces collapsed."""
    part = html[html.index(f'id="card-{indicator_id}"') :]
    part = part[: part.index("</li>")]
    part = re.sub(r"<svg.*?</svg>", "", part, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def _xmr_assurance(values: list[float], mark: float) -> str:
    """Making Data Count assurance from the XmR limits (mean +- 2.66 x mean moving range):
    a mark inside the limits is hit and miss."""
    mean = sum(values) / len(values)
    moving = [abs(b - a) for a, b in pairwise(values)]
    spread = 2.66 * sum(moving) / len(moving)
    return "inconsistent" if mean - spread <= mark <= mean + spread else "consistent"


def test_sii_card_uses_the_latest_rolling_year_against_its_baseline(headline_client):
    html = headline_client("analyst").get("/").text
    card = _card(html, "m_perinatal_sii_deprivation")
    # the SII lives on the IMD-decile rows of rolling years: the latest is April 2024 to
    # March 2025 at 3.9, below the 4.39 baseline (lower is better)
    assert "3.9 per 1,000" in card
    assert "April 2024 to March 2025 (rolling 12 months)" in card
    assert "Baseline 4.39 (England 2017, ONS)" in card
    assert "Below the baseline (better)" in card
    assert "Down 0.2 from 4.1 in March 2024 to February 2025" in card
    # 5.2, 4.8, 4.1, 3.9: limits 4.5 +- 2.66 x 0.433 = 3.35 to 5.65 hold the baseline
    assert _xmr_assurance([5.2, 4.8, 4.1, 3.9], 4.39) == "inconsistent"
    assert "Common cause variation" in card and "Hits and misses the baseline" in card
    assert "Rolling 12-month periods overlap" in card
    assert 'id="trend-m_perinatal_sii_deprivation"' in html


def test_ratio_card_against_its_baseline(headline_client):
    card = _card(headline_client("analyst").get("/").text, "m_perinatal_ratio_black_asian_vs_white")
    assert "1.60 ratio" in card and "Baseline 1.70 (UK 2017, MBRRACE-UK)" in card
    assert "Below the baseline (better)" in card
    assert "Down 0.20 from 1.80 in March 2024 to February 2025" in card
    assert _xmr_assurance([2.1, 1.9, 1.8, 1.6], 1.7) == "inconsistent"
    assert "Hits and misses the baseline" in card


def test_continuity_card_against_the_75_percent_target(headline_client):
    for role in ("viewer", "analyst"):  # counts are multiples of 5: the same for both
        card = _card(headline_client(role).get("/").text, "p4c_coc_black_asian_mixed")
        assert "55.0 %" in card and "March 2025 (month)" in card
        assert "Target 75.0%" in card and "Below the target (worse)" in card
        assert "Up 5.0 from 50.0 in February 2025" in card
        # 40 45 40 45 50 55: limits 45.8 +- 2.66 x 5 = 32.5 to 59.1, all below 75
        assert "Common cause variation" in card and "Consistently misses the target" in card


def test_viewer_card_keeps_the_rolling_year_when_the_figure_is_withheld(headline_client):
    card = _card(headline_client("viewer").get("/").text, "m_perinatal_sii_deprivation")
    # the SII is recomputed from the decile counts for viewers; with none to publish it is
    # withheld, but the card still reads the latest rolling year, never a month
    assert "* (suppressed)" in card
    assert "April 2024 to March 2025 (rolling 12 months)" in card
    assert "3.9" not in card and "so there is no SPC judgement" in card
