"""One small synthetic LMNS (warehouse + Parquet copy) and one Spark session for the folder.

Starting Spark costs seconds; every test here shares the same local session.
"""

import shutil

import pytest


@pytest.fixture(scope="session")
def small_lmns(tmp_path_factory):
    from maternity_equity.ingest import load_extract
    from maternity_equity.synth import generate_lmns

    out = tmp_path_factory.mktemp("parity")
    generate_lmns(out / "synthetic", pregnancies=600, years=1, seed=11)
    load_extract(
        out / "synthetic" / "extract",
        reference_dir=out / "synthetic" / "reference",
        warehouse_path=out / "warehouse.duckdb",
        key="parity",
        progress=False,
        parquet_dir=out / "parquet",
    )
    return out


@pytest.fixture(scope="session")
def spark_session():
    pytest.importorskip("pyspark", reason="needs the spark extra: pip install -e '.[spark]'")
    if shutil.which("java") is None:  # pragma: no cover - depends on the machine
        pytest.skip("Spark needs Java on the PATH")
    from maternity_equity.warehouse import spark

    session = spark.local_session()
    yield session
    session.stop()
