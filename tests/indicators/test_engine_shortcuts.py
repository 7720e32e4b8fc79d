"""The engine's shortcuts must give exactly what the straightforward computation gives."""

from __future__ import annotations

import datetime

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
        assert got == expected  # bit for bit, not approximately


def test_all_zero_numerators_give_no_slope_like_stats_sii():
    # intercept 0: stats.sii divides by it and fails, so the engine reports no slope
    s = statistics.slope_index(
        np.zeros(5), np.full(5, 100.0), ci_method="wilson", multiplier=100.0, repetitions=1000
    )
    assert np.isnan(s.sii) and np.isnan(s.rii)


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


def test_integer_key_sums_equal_pandas_groupby_sums():
    f = _frame()
    by = ["indicator_id", "group", "month"]
    got = rollup.as_objects(rollup._sum(f, by).sort_values(by).reset_index(drop=True))
    filled = f.assign(group=f["group"].fillna(""))
    expected = rollup.as_objects(filled.groupby(by)[["num", "den"]].sum().reset_index())
    pd.testing.assert_frame_equal(got, expected, check_dtype=True)


def test_period_sums_equal_pandas_groupby_sums():
    rng = np.random.default_rng(3)
    sid = rng.integers(0, 20, 300)
    start = rng.integers(24240, 24260, 300)
    num, den = rng.integers(0, 4, 300).astype(float), rng.integers(4, 9, 300).astype(float)
    got = rollup._sum_ints(sid, start, start + 2, num, den, "quarter", 24240, 24262)
    frame = pd.DataFrame({"sid": sid, "start": start, "end": start + 2, "num": num, "den": den})
    frame = frame[(frame["start"] >= 24240) & (frame["end"] <= 24262)]
    expected = frame.groupby(["sid", "start", "end"])[["num", "den"]].sum().reset_index()
    got = got.sort_values(["sid", "start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns="period_type"), expected)
    assert set(got["period_type"]) == {"quarter"}


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
