"""The same catalogue on DuckDB and on Spark (local mode) gives identical result rows."""

import shutil

import pandas as pd
import pytest

pyspark = pytest.importorskip("pyspark", reason="needs the spark extra: pip install -e '.[spark]'")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on the PATH", allow_module_level=True)

from maternity_equity.indicators import backend, engine  # noqa: E402
from maternity_equity.warehouse import spark  # noqa: E402
from maternity_equity.warehouse.schema import EXTRACT_TABLES  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.slow]
KEYS = [
    "indicator_id",
    "period_type",
    "period_start",
    "geography_type",
    "geography_code",
    "breakdown",
    "group",
]


def _duckdb_results(out):
    con = backend.connect(out / "warehouse.duckdb")
    try:
        tables = {name: con.table(name) for name in EXTRACT_TABLES}
        names = engine._names(con)
        return engine.compute(tables, names=names, con=con), names
    finally:
        con.disconnect()


def test_every_result_row_is_identical_on_duckdb_and_spark(small_lmns, spark_session):
    duck, names = _duckdb_results(small_lmns)
    con = spark.connect(spark_session)
    tables = spark.register_parquet(con, small_lmns / "parquet", list(EXTRACT_TABLES))
    on_spark = engine.compute(tables, names=names, con=con)
    assert len(duck) > 1000
    assert set(duck["indicator_id"]) == set(on_spark["indicator_id"])
    left = duck.sort_values(KEYS).reset_index(drop=True)
    right = on_spark.sort_values(KEYS).reset_index(drop=True)
    # numerators, denominators, values, intervals, ratios, SII: all exactly equal
    pd.testing.assert_frame_equal(left, right, check_exact=True)
