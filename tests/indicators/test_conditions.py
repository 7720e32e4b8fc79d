"""The condition language: missing values never count, and pandas agrees with the backend."""

from __future__ import annotations

import ibis
import pandas as pd

from maternity_equity.indicators.conditions import ALWAYS, all_of, any_of, col

FRAME = pd.DataFrame(
    {
        "g": pd.array([70, 71, None, 0], dtype="Int64"),
        "code": ["01", None, "03", "ZZ"],
    }
)
CASES = {
    # row by row: 70, 71, missing, 0  |  "01", missing, "03", "ZZ"
    "le": (col("g").le(70), [True, False, False, True]),
    "between": (col("g").between(1, 70), [True, False, False, False]),
    "isin": (col("code").isin("01", "02"), [True, False, False, False]),
    "notin": (col("code").notin("01", "02"), [False, False, True, True]),
    "null": (col("g").null(), [False, False, True, False]),
    "and": (all_of(col("g").ge(0), col("code").ne("ZZ")), [True, False, False, False]),
    "or": (any_of(col("g").eq(71), col("code").eq("03")), [False, True, True, False]),
    "not": (~col("g").le(70), [False, True, True, False]),
    "always": (ALWAYS, [True, True, True, True]),
}


def test_backend_and_pandas_evaluate_alike():
    table = ibis.memtable(FRAME)
    for name, (cond, expected) in CASES.items():
        on_backend = table.mutate(hit=cond.to_ibis(table)).select("hit").to_pandas()["hit"]
        assert on_backend.astype(bool).tolist() == expected, name
        assert cond.mask(FRAME).tolist() == expected, name


def test_descriptions_read_as_text():
    assert col("g").between(1, 70).describe() == "g between 1 and 70"
    assert (col("a").eq("Y") & col("b").null()).describe() == "(a = 'Y' and b is missing)"
    assert col("g").le(70).columns() == {"g"}
