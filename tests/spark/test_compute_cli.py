"""``maternity-equity compute --backend pyspark`` end to end on a tiny extract."""

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

pyspark = pytest.importorskip("pyspark", reason="needs the spark extra: pip install -e '.[spark]'")
if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.skip("Spark needs Java on the PATH", allow_module_level=True)

from maternity_equity.cli import app  # noqa: E402
from maternity_equity.warehouse import Warehouse  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.slow]
KEYS = ["indicator_id", "period_type", "period_start", "geography_type", "geography_code"]
KEYS += ["breakdown", "group"]


@pytest.fixture(scope="module")
def tiny(small_lmns, tmp_path_factory):
    """A copy of the shared warehouse: this module writes results and runs into it."""
    out = tmp_path_factory.mktemp("cli")
    shutil.copy(small_lmns / "warehouse.duckdb", out / "warehouse.duckdb")
    shutil.copytree(small_lmns / "parquet", out / "parquet")
    return out


def _csv(path):
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    return frame.drop(columns="run_id").sort_values(KEYS).reset_index(drop=True)


def test_pyspark_compute_writes_the_same_results_as_duckdb(tiny, spark_session):
    runner = CliRunner()
    wh = str(tiny / "warehouse.duckdb")
    duck = runner.invoke(
        app, ["compute", "--warehouse", wh, "--out", str(tiny / "duck"), "--quiet"]
    )
    assert duck.exit_code == 0, duck.output
    args = ["compute", "--backend", "pyspark", "--parquet-dir", str(tiny / "parquet")]
    args += ["--warehouse", wh, "--out", str(tiny / "spark")]
    spark = runner.invoke(app, [*args, "--quiet"])
    assert spark.exit_code == 0, spark.output
    assert "result rows" in spark.output
    # the same rows, columns and text (a second method: DuckDB over the warehouse file)
    left, right = _csv(tiny / "duck" / "results.csv"), _csv(tiny / "spark" / "results.csv")
    assert len(left) > 1000
    pd.testing.assert_frame_equal(left, right)
    with Warehouse(tiny / "warehouse.duckdb") as w:
        runs = w.runs()
        stored = w.to_pandas("results")
    last = runs[runs["kind"] == "compute"].sort_values("started_at").iloc[-1]
    assert last["parameters"]["backend"] == "pyspark"
    # the results table now holds the Spark run's rows, all of them
    assert set(stored["run_id"]) == {last["run_id"]}
    assert len(stored) == len(right)


def test_pyspark_needs_a_parquet_folder_and_somewhere_to_write(tiny):
    runner = CliRunner()
    res = runner.invoke(app, ["compute", "--backend", "pyspark", "--out", str(tiny / "x")])
    assert res.exit_code == 2
    assert "--parquet-dir is required" in res.output
    args = ["compute", "--backend", "pyspark", "--parquet-dir", str(tiny / "parquet")]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "give --warehouse and/or --out" in res.output
