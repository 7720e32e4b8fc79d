"""The demo runs every stage end to end and its outputs line up with each other."""

import duckdb
import pandas as pd
import pytest

from maternity_equity.demo import run_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, pregnancies=600, years=1, seed=3)


def test_every_output_is_written(demo):
    out, outputs = demo
    assert outputs["results"] == (out / "results.csv").resolve()
    for name in ("warehouse", "results", "plan", "quality", "report"):
        assert outputs[name].exists(), name
    assert list(outputs["report"].glob("*.pdf")) and list(outputs["report"].glob("*.xlsx"))


def test_results_csv_equals_the_warehouse_results_table(demo):
    out, _ = demo
    csv = pd.read_csv(out / "results.csv", low_memory=False)
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM results").fetchone()[0]
        icb = con.execute("SELECT DISTINCT icb_code FROM geography_lsoa").fetchall()
    assert len(csv) == stored > 0
    # the example plan's returns are relabelled with the warehouse's own LMNS code, so return
    # indicators sit beside the record indicators of the same LMNS (not the example's "QXX")
    returns = csv[csv["indicator_id"] == "p4d_cultural_competence_training"]
    assert len(returns) > 0
    assert set(returns.loc[returns["geography_type"] == "lmns", "geography_code"]) == {icb[0][0]}
    assert "QXX" not in set(csv["geography_code"])
