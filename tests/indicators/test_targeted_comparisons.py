"""Targeted indicators compared with their reference population, and the reference rules.

Ten women book on 10 Jan 2024 at 60 days, so all reach 29+0 weeks (203 days) on 1 Jun 2024.
"CoC" = an antenatal plan on 9 Mar (119 days) placing her on a continuity of carer pathway
with a named professional and team; the others have no plan. s1 gives birth on 15 Jul (after
29 weeks), so the data run to July.

    id  ethnic  decile  CoC      id  ethnic  decile  CoC
    n1  N       1       yes      a2  A       1       no
    n2  N       1       no       a3  A       10      no
    h1  H       10      yes      c1  C       3       no
    d1  D       5       no       s1  S       1       yes
    a1  A       10      yes      z1  Z       10      yes
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from indicator_helpers import mother, pick, run, write_warehouse

JUNE = dt.date(2024, 6, 1)
WOMEN = {
    "n1": ("N", 1, True),
    "n2": ("N", 1, False),
    "h1": ("H", 10, True),
    "d1": ("D", 5, False),
    "a1": ("A", 10, True),
    "a2": ("A", 1, False),
    "a3": ("A", 10, False),
    "c1": ("C", 3, False),
    "s1": ("S", 1, True),
    "z1": ("Z", 10, True),
}
Z = 1.959963985


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    pregnancies, plans = [], []
    for pid, (ethnic, decile, coc) in WOMEN.items():
        pregnancies.append(
            mother(
                pid,
                booking_date=dt.date(2024, 1, 10),
                ethnic_category=ethnic,
                ethnic_status="not_stated" if ethnic == "Z" else "valid",
                imd_decile=decile,
                imd_quintile=(decile + 1) // 2,
            )
        )
        if coc:
            plans.append(
                dict(
                    care_plan_id=f"{pid}-1",
                    pregnancy_id=pid,
                    rp_start_date=dt.date(2024, 3, 1),
                    record_number=1,
                    plan_type="05",
                    plan_date=dt.date(2024, 3, 9),
                    coc_pathway="Y",
                    professional_id="prof",
                    team_id="team",
                )
            )
    delivery = dict(
        delivery_id="ds1",
        pregnancy_id="s1",
        rp_start_date=dt.date(2024, 7, 1),
        delivery_date=dt.date(2024, 7, 15),
    )
    path = write_warehouse(
        tmp_path_factory.mktemp("targeted") / "wh.duckdb",
        dict(pregnancies=pregnancies, care_plans=plans, deliveries=[delivery]),
    )
    return run(path, ["p4c_coc_black_asian_mixed", "p4c_coc_most_deprived"])


def counts(results, ind, **kw):
    r = pick(results, ind, period_start=JUNE, **kw)
    return r["numerator"], r["denominator"]


def katz(a, n1, c, n2):
    ratio = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def test_black_asian_and_mixed_women_are_compared_with_white_women(results):
    ind = "p4c_coc_black_asian_mixed"
    # target: n1 (yes), n2, h1 (yes), d1 -> 2 of 4; White (A-C): a1 (yes), a2, a3, c1 -> 1 of 4
    overall = pick(results, ind, period_start=JUNE)
    assert (overall["numerator"], overall["denominator"]) == (2, 4)
    assert overall["reference_group"] == "White"
    ratio, lo, hi = katz(2, 4, 1, 4)  # 2.0, SE = sqrt(1/2 - 1/4 + 1 - 1/4) = 1
    assert (overall["ratio"], overall["ratio_lower"], overall["ratio_upper"]) == (
        pytest.approx(ratio),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert overall["ratio_significance"] == "similar"
    priority = pick(results, ind, period_start=JUNE, breakdown="ethnic_priority", group="White")
    assert (priority["numerator"], priority["denominator"]) == (1, 4)
    # ethnic groups: Black 1/2, Asian 1/1, Mixed 0/1 against White 1/4; Other (s1) and not
    # stated (z1) are in neither population
    groups = results[
        (results["indicator_id"] == ind)
        & (results["breakdown"] == "ethnic_group")
        & (results["period_type"] == "month")
        & (results["geography_type"] == "lmns")
    ].set_index("group")
    assert set(groups.index) == {"Black", "Asian", "Mixed", "White"}
    assert groups.loc["Black", "ratio"] == pytest.approx((1 / 2) / (1 / 4))
    assert groups.loc["Asian", "ratio"] == pytest.approx(4.0)
    assert groups.loc["White", "ratio"] == 1
    # ethnic category N (1/2) against A (a1, a2, a3: 1/3)
    n = pick(results, ind, period_start=JUNE, breakdown="ethnic_category", group="N")
    assert n["reference_group"] == "A" and n["ratio"] == pytest.approx(1.5)
    # deprivation stays within the target population: decile 1 = n1, n2 (1/2), no White
    dec1 = pick(results, ind, period_start=JUNE, breakdown="imd_decile", group="1")
    assert (dec1["numerator"], dec1["denominator"]) == (1, 2)
    dec10 = pick(results, ind, period_start=JUNE, breakdown="imd_decile", group="10")
    assert (dec10["numerator"], dec10["denominator"]) == (1, 1)  # h1 only (not a1, a3, z1)


def test_the_cross_compares_with_white_women_in_the_least_deprived_quintile(results):
    ind = "p4c_coc_black_asian_mixed"
    # White | 5 (deciles 9-10): a1 (yes), a3 -> 1 of 2
    ref = pick(
        results, ind, period_start=JUNE, breakdown="ethnic_group_x_imd_quintile", group="White | 5"
    )
    assert (ref["numerator"], ref["denominator"]) == (1, 2)
    black = pick(
        results, ind, period_start=JUNE, breakdown="ethnic_group_x_imd_quintile", group="Black | 1"
    )
    assert black["reference_group"] == "White | 5"
    assert black["ratio"] == pytest.approx((1 / 2) / (1 / 2))
    asian = pick(
        results, ind, period_start=JUNE, breakdown="ethnic_group_x_imd_quintile", group="Asian | 5"
    )
    assert asian["ratio"] == pytest.approx(2.0)


def test_most_deprived_women_are_compared_with_the_least_deprived(results):
    ind = "p4c_coc_most_deprived"
    # decile 1: n1 (yes), n2, a2, s1 (yes) -> 2 of 4; decile 10: h1, a1, z1 (yes), a3 -> 3 of 4
    overall = pick(results, ind, period_start=JUNE)
    assert (overall["numerator"], overall["denominator"]) == (2, 4)
    assert overall["reference_group"] == "10"
    ratio, lo, hi = katz(2, 4, 3, 4)  # 0.667
    assert (overall["ratio"], overall["ratio_lower"], overall["ratio_upper"]) == (
        pytest.approx(ratio),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert counts(results, ind, breakdown="imd_decile", group="10") == (3, 4)
    assert counts(results, ind, breakdown="imd_decile", group="1") == (2, 4)
    # quintiles are not padded with decile 10: only quintile 1 (decile 1) is there
    quintiles = results[
        (results["indicator_id"] == ind)
        & (results["breakdown"] == "imd_quintile")
        & (results["geography_type"] == "lmns")
    ]
    assert set(quintiles["group"]) == {"1"}
    # ethnic breakdowns hold the decile 1 women only: White = a2 (0 of 1)
    assert counts(results, ind, breakdown="ethnic_group", group="White") == (0, 1)
