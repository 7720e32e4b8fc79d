"""The engine's shortcuts must give exactly what the straightforward computation gives."""

from __future__ import annotations

import datetime
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from maternity_equity import stats
from maternity_equity.indicators import engine, rollup, statistics
from maternity_equity.warehouse.schema import RESULT_COLUMNS


@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("ci_method", ["wilson", "byar-exact"])
@pytest.mark.parametrize("multiplier", [100.0, 1000.0, -100.0])
def test_cached_draws_give_the_same_slope_as_stats_sii(k, ci_method, multiplier):
    rng = np.random.default_rng(k)
    for _ in range(5):
        den = rng.integers(20, 500, size=k).astype(float)
        num = np.floor(den * rng.uniform(0.0, 0.4, size=k))
        fast = statistics.slope_index(
            num, den, ci_method=ci_method, multiplier=multiplier, repetitions=2000
        )
        # second method: stats.sii with the same inputs, as slope_index documents them
        n, d = num[::-1], den[::-1]
        p = n / d
        if ci_method == "wilson":
            se = np.sqrt(np.maximum(p * (1 - p), 0.5 / d * (1 - 0.5 / d)) / d)
        else:
            se = np.sqrt(np.maximum(n, 0.5)) / d
        ref = stats.sii(
            d,
            p,
            se=se,
            value_type="other",
            multiplier=multiplier,
            repetitions=2000,
            seed=statistics.SII_SEED,
        )
        expected = (ref.sii, ref.sii_lower, ref.sii_upper, ref.rii, ref.rii_lower, ref.rii_upper)
        got = (fast.sii, fast.sii_lower, fast.sii_upper, fast.rii, fast.rii_lower, fast.rii_upper)
        np.testing.assert_array_equal(got, expected)  # bit for bit (NaN where RII undefined)


def test_all_zero_numerators_give_a_zero_sii_and_no_rii_like_stats_sii():
    # fitted values 0 at both ends: the SII is 0 with limits, the RII (0 / 0) is undefined
    s = statistics.slope_index(
        np.zeros(5), np.full(5, 100.0), ci_method="wilson", multiplier=100.0, repetitions=1000
    )
    assert s.sii == 0 and s.sii_lower < 0 < s.sii_upper
    assert np.isnan([s.rii, s.rii_lower, s.rii_upper]).all()


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    return pd.DataFrame(
        {
            "indicator_id": rng.choice(["a", "b", "c"], n).astype(object),
            "group": pd.Series(rng.choice(["White", "Asian", "Black | 1", None], n), dtype=object),
            "month": pd.to_datetime(rng.choice(["2023-01-01", "2023-02-01"], n)),
            "num": rng.integers(0, 5, n),
            "den": rng.integers(5, 9, n),
        }
    )


def test_slice_ids_number_slices_as_pandas_groupby_does():
    f = _frame()
    f["group"] = f["group"].fillna("")  # the roll-ups fill missing text keys first
    by = ["indicator_id", "group", "month"]
    expected = f.groupby(by, sort=False).ngroup().to_numpy()
    assert (rollup.slice_ids(f, by) == expected).all()


def _wide_counts(rng, n: int = 300) -> rollup.CohortCounts:
    """Random monthly counts with missing keys, an extra breakdown and a split indicator."""
    months = pd.date_range("2022-11-01", "2024-06-01", freq="MS")
    counts = pd.DataFrame(
        {
            "month": rng.choice(months, n),
            "provider_code": rng.choice(["R1", "R2", None], n),
            "place_code": rng.choice(["P1", "P2", ""], n),
            "neighbourhood_code": rng.choice(["N1", "N2", "N3", None], n),
            "ethnic_category": rng.choice(["A", "H", "M", "N", "Z", "99", "Q9", None], n),
            "imd_decile": rng.choice([1.0, 2.0, 5.0, 9.0, 10.0, np.nan], n),
            "age_band": rng.choice(["Under 20", "20-24", "Unknown"], n),
        }
    )
    for name in ("d0", "d1", "d2", "rd2"):
        counts[name] = rng.integers(0, 6, n)
    for name, den in (("n0", "d0"), ("n1", "d0"), ("n2", "d2"), ("rn2", "rd2")):
        counts[name] = rng.integers(0, 6, n).clip(max=counts[den])
    columns = [
        ("a", "", "", "n0", "d0"),
        ("a", "csf", "Substance", "n1", "d0"),
        ("b", "", "", "n2", "d2"),
    ]
    # "b" is a targeted indicator: its reference population shows under two breakdowns only
    reference = rollup.ReferencePair(
        "b", "rn2", "rd2", "ethnic_group", "White", ("ethnic_group", "imd_decile")
    )
    return rollup.CohortCounts(pa.Table.from_pandas(counts), columns, ("age_band",), (reference,))


def _straightforward_roll_up(cohort: rollup.CohortCounts, scope: rollup.Scope) -> pd.DataFrame:
    """The same roll-up written row by row in plain Python, as the definitions read."""
    counts = cohort.counts.to_pandas()
    labels = rollup.breakdown_labels(counts["ethnic_category"], counts["imd_decile"])
    # periods wholly inside the cohort's own months (and the scope's)
    months = counts["month"].dt.year * 12 + counts["month"].dt.month - 1
    first = max(scope.first_month, months.min())
    last = min(scope.last_month, months.max())
    pairs = [(*c, ()) for c in cohort.columns]
    pairs += [(r.indicator, "", "", r.num, r.den, r.breakdowns) for r in cohort.references]
    rows = []
    for i, r in counts.iterrows():
        m = r["month"].year * 12 + r["month"].month - 1
        for ind, split, group, ncol, dcol, only in pairs:
            if r[dcol] <= 0:
                continue
            if split:
                breakdowns = [(split, group)]
            elif only:  # a reference population: its own breakdowns, no extra ones
                breakdowns = [(b, labels[b].iloc[i]) for b in only]
            else:
                breakdowns = [(b, labels[b].iloc[i]) for b in rollup.BREAKDOWNS]
                breakdowns += [(e, r[e]) for e in cohort.extra]
            geos = [("lmns", scope.lmns_code)] + [
                (geo, r[col]) for geo, col in rollup.GEOGRAPHY_COLUMNS.items() if r[col]
            ]
            periods = [("month", m, m), ("quarter", m - m % 3, m - m % 3 + 2)]
            fy = m - (m - 3) % 12
            periods.append(("financial_year", fy, fy + 11))
            periods += [("rolling_12m", e - 11, e) for e in range(m, m + 12) if e % 3 == 2]
            for (b, g), (gt, gc), (pt, start, end) in itertools.product(breakdowns, geos, periods):
                if start < first or end > last:
                    continue
                if b in scope.detailed_breakdowns and (
                    gt not in scope.detailed_geographies or pt not in scope.detailed_period_types
                ):
                    continue
                rows.append((ind, b, g, gt, gc, pt, start, r[ncol], r[dcol]))
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "breakdown",
            "group",
            "geography_type",
            "geography_code",
            "period_type",
            "start",
            "num",
            "den",
        ],
    )
    keys = [c for c in frame.columns if c not in ("num", "den")]
    return (
        frame.groupby(keys, as_index=False)[["num", "den"]]
        .sum()
        .astype({"num": float, "den": float})
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_roll_up_equals_the_straightforward_computation(seed):
    cohort = _wide_counts(np.random.default_rng(seed))
    scope = rollup.Scope(  # wider than the counts' months (Nov 2022 to Jun 2024)
        first_month=2022 * 12 + 8,
        last_month=2024 * 12 + 8,
        lmns_code="LMNS1",
        detailed_breakdowns=("ethnic_category",),
        detailed_geographies=("lmns",),
        detailed_period_types=("quarter", "financial_year"),
    )
    got = rollup.roll_up([cohort], scope)
    starts = pd.to_datetime(got["period_start"])
    got["start"] = starts.dt.year * 12 + starts.dt.month - 1
    ends = pd.to_datetime(got["period_end"])
    months = got["period_type"].map(
        {"month": 1, "quarter": 3, "financial_year": 12, "rolling_12m": 12}
    )
    assert ends.dt.is_month_end.all()
    assert (ends.dt.year * 12 + ends.dt.month - 1 - got["start"] + 1 == months).all()
    expected = _straightforward_roll_up(cohort, scope)
    keys = [c for c in expected.columns if c not in ("num", "den")]
    got = got[expected.columns].sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert {"financial_year", "rolling_12m", "quarter", "month"} == set(got["period_type"])


def test_results_arrow_keeps_nulls_dates_and_numbers():
    row = {c: None for c in RESULT_COLUMNS}
    rows = pd.DataFrame([row, row])
    rows["indicator_id"] = ["x", None]
    rows["period_start"] = [datetime.date(2024, 4, 1), None]
    rows["value"] = [1.5, np.nan]
    table = engine.results_arrow(rows)
    assert table.column("indicator_id").to_pylist() == ["x", None]
    assert table.column("period_start").to_pylist() == [datetime.date(2024, 4, 1), None]
    assert table.column("value").to_pylist() == [1.5, None]
    assert table.schema.field("period_start").type == pa.date32()
