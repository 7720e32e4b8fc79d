"""The guidance's "What the data say" table (MBRRACE-UK, UK 2018) reproduced through the engine.

The guidance publishes rates and ratios but not the counts behind them, so counts consistent
with the published (rounded) rates were reconstructed and fed to the engine as a return; the
engine's ratios must round to the published ratios.

Stillbirths per 1,000 total births: denominators chosen round, numerator = rate x births:
Black 294/40,000 = 7.35, Asian 531/100,000 = 5.31, Mixed 85/20,000 = 4.25,
White 1,695/500,000 = 3.39; most deprived 936/200,000 = 4.68, least 261/100,000 = 2.61.

Neonatal deaths per 1,000 live births (1,000,000 live births per group): the published White
rate 1.65 is rounded; from the rounded rates the Mixed ratio would be 1.56/1.65 = 0.945, which
rounds to 0.95, not the published 0.94, so the unrounded White rate was above 1.65. We use 1,654
deaths (1.654, still published as 1.65): Black 2,394 (2.394 -> 2.39), Asian 2,630, Mixed 1,560,
most deprived 2,200, least deprived 1,230.

Maternal deaths 2016-18 (28, 28, 8, 117; 74, 15) with the published rates per 100,000 give the
maternities: deaths / rate x 100,000 rounded to whole women (e.g. 28 / 34.27 -> 81,704).
"""

from __future__ import annotations

import pandas as pd
import pytest

from maternity_equity.indicators import compute, get


def _returns(indicator: str, ethnic: dict, deprivation: dict) -> pd.DataFrame:
    rows = []
    for breakdown, groups in (("ethnic_group", ethnic), ("imd_quintile", deprivation)):
        for group, (num, den) in groups.items():
            rows.append(
                dict(
                    indicator_id=indicator,
                    period_start="2018-01-01",
                    period_end="2018-12-31",
                    geography_type="lmns",
                    geography_code="UK",
                    breakdown=breakdown,
                    group=group,
                    numerator=num,
                    denominator=den,
                    value=None,
                )
            )
    return pd.DataFrame(rows)


def _ratios(results: pd.DataFrame) -> dict[str, float]:
    return {g: round(r, 2) for g, r in zip(results["group"], results["ratio"], strict=True)}


def _run(returns: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return compute({}, indicators=[get(indicator)], returns=returns)


def test_stillbirth_ratios_match_the_guidance():
    res = _run(
        _returns(
            "m_stillbirth_rate",
            {
                "Black": (294, 40_000),
                "Asian": (531, 100_000),
                "Mixed": (85, 20_000),
                "White": (1_695, 500_000),
            },
            {"1": (936, 200_000), "5": (261, 100_000)},
        ),
        "m_stillbirth_rate",
    )
    assert {g: round(v, 2) for g, v in zip(res["group"], res["value"], strict=True)} == {
        "Black": 7.35,
        "Asian": 5.31,
        "Mixed": 4.25,
        "White": 3.39,
        "1": 4.68,
        "5": 2.61,
    }
    ratios = _ratios(res)
    assert (ratios["Black"], ratios["Asian"], ratios["Mixed"], ratios["1"]) == (
        2.17,
        1.57,
        1.25,
        1.79,
    )
    assert res.loc[res["group"] == "Black", "ratio_significance"].item() == "higher"
    assert res["period_type"].unique().tolist() == ["rolling_12m"]  # a calendar year


def test_neonatal_ratios_match_the_guidance():
    million = 1_000_000
    res = _run(
        _returns(
            "m_neonatal_mortality_rate",
            {
                "Black": (2_394, million),
                "Asian": (2_630, million),
                "Mixed": (1_560, million),
                "White": (1_654, million),
            },
            {"1": (2_200, million), "5": (1_230, million)},
        ),
        "m_neonatal_mortality_rate",
    )
    published_rates = {
        "Black": 2.39,
        "Asian": 2.63,
        "Mixed": 1.56,
        "White": 1.65,
        "1": 2.2,
        "5": 1.23,
    }
    assert {g: round(v, 2) for g, v in zip(res["group"], res["value"], strict=True)} == (
        published_rates
    )
    ratios = _ratios(res)
    assert (ratios["Black"], ratios["Asian"], ratios["Mixed"], ratios["1"]) == (
        1.45,
        1.59,
        0.94,
        1.79,
    )


def test_maternal_mortality_rates_and_relative_risks():
    published = {
        "Black": (28, 34.27),
        "Asian": (28, 14.65),
        "Mixed": (8, 25.14),
        "White": (117, 7.87),
    }
    deprivation = {"1": (74, 15.27), "5": (15, 5.70)}
    counts = {g: (d, round(d / r * 100_000)) for g, (d, r) in published.items()}
    dep_counts = {g: (d, round(d / r * 100_000)) for g, (d, r) in deprivation.items()}
    assert counts["Black"][1] == 81_704
    res = _run(_returns("m_maternal_mortality", counts, dep_counts), "m_maternal_mortality")
    values = {g: round(v, 2) for g, v in zip(res["group"], res["value"], strict=True)}
    assert values == {
        **{g: r for g, (_, r) in published.items()},
        **{g: r for g, (_, r) in deprivation.items()},
    }
    # relative risks published as x4, x2, x3 (ethnicity) and x3 (deprivation)
    rr = {g: round(r) for g, r in zip(res["group"], res["ratio"], strict=True)}
    assert (rr["Black"], rr["Asian"], rr["Mixed"], rr["1"]) == (4, 2, 3, 3)


def test_return_validation_names_the_row_and_column():
    bad = _returns("m_stillbirth_rate", {"White": (1, 10)}, {})
    bad.loc[0, "indicator_id"] = "nope"
    with pytest.raises(ValueError, match=r"returns row 1, column indicator_id"):
        _run(bad, "m_stillbirth_rate")
    bad = _returns("m_stillbirth_rate", {"White": (1, 10)}, {})
    bad.loc[0, "period_end"] = "2017-01-01"
    with pytest.raises(ValueError, match="period_start/period_end"):
        _run(bad, "m_stillbirth_rate")
    with pytest.raises(ValueError, match="missing columns"):
        _run(bad.drop(columns=["denominator"]), "m_stillbirth_rate")


def test_status_returns_keep_their_value():
    status = pd.DataFrame(
        [
            dict(
                indicator_id="p4c_baby_friendly",
                period_start="2024-04-01",
                period_end="2025-03-31",
                geography_type="provider",
                geography_code="RWE",
                breakdown=None,
                group=None,
                numerator=None,
                denominator=None,
                value=4,
            )
        ]
    )
    res = _run(status, "p4c_baby_friendly")
    row = res.iloc[0]
    assert (row["value"], row["period_type"], row["group"]) == (4.0, "financial_year", "All")


def test_given_value_interval_and_scale_are_kept():
    # a survey percentage published as 37.3% of 51 respondents (19 people, 37.25% exactly):
    # the published figure is kept, its interval comes from the counts
    row = dict(
        indicator_id="p4d_cultural_competence_training",
        period_start="2024-04-01",
        period_end="2025-03-31",
        geography_type="provider",
        geography_code="RWE",
        breakdown=None,
        group=None,
        numerator=19,
        denominator=51,
        value=37.3,
    )
    ratio_row = dict(row, breakdown="staff_group", group="Midwives", numerator=None)
    ratio_row.update(denominator=None, value=1.8, ratio=1.8, ratio_lower=1.2, ratio_upper=2.7)
    scaled = dict(row, breakdown="staff_group", group="Nurses", numerator=3, denominator=12)
    scaled.update(value=None, multiplier=1000)
    res = _run(pd.DataFrame([row, ratio_row, scaled]), "p4d_cultural_competence_training")
    kept = res[res["group"] == "All"].iloc[0]
    assert kept["value"] == 37.3 and kept["ci_method"] == "wilson"
    assert kept["lower_ci"] < 100 * 19 / 51 < kept["upper_ci"]
    given = res[res["group"] == "Midwives"].iloc[0]
    # a row whose value is its ratio takes the ratio's interval; 1.2 > 1: "higher"
    assert (given["value"], given["lower_ci"], given["upper_ci"]) == (1.8, 1.2, 2.7)
    assert given["ratio_significance"] == "higher" and given["ci_method"] == "given"
    own_scale = res[res["group"] == "Nurses"].iloc[0]
    assert own_scale["multiplier"] == 1000 and own_scale["value"] == pytest.approx(250.0)


def test_optional_return_columns_are_checked():
    bad = _returns("m_stillbirth_rate", {"White": (1, 10)}, {})
    bad["multiplier"] = [-100]
    with pytest.raises(ValueError, match=r"returns row 1, column multiplier: .* positive"):
        _run(bad, "m_stillbirth_rate")
    bad["multiplier"] = [None]
    bad["ratio_lower"] = ["low"]
    with pytest.raises(ValueError, match=r"returns row 1, column ratio_lower"):
        _run(bad, "m_stillbirth_rate")
