"""``ingest --parquet-dir`` also writes the geography table Spark runs name places from."""

from __future__ import annotations

import pyarrow.parquet as pq
from ingest_helpers import pregnancy, write_extract

from maternity_equity.ingest import load_extract
from maternity_equity.warehouse import Warehouse


def test_geography_lsoa_is_exported_unpartitioned_and_equal_to_the_warehouse(tmp_path, geography):
    extract = write_extract(
        tmp_path / "extract",
        {"pregnancies": [pregnancy("P1", rp_start_date="2024-03-01")]},
    )
    wh = tmp_path / "w.duckdb"
    load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=wh,
        key="k",
        progress=False,
        parquet_dir=tmp_path / "pq",
    )
    folder = tmp_path / "pq" / "geography_lsoa"
    assert [p.name for p in folder.iterdir()] == ["part-0.parquet"]  # no period partitions
    exported = pq.read_table(folder).to_pandas()
    with Warehouse(wh) as w:
        stored = w.to_pandas("geography_lsoa")
    # the same LSOAs as the fixture's geography, with the same names as the warehouse holds
    assert len(exported) == len(geography.lsoas) == len(stored)
    assert sorted(exported["lsoa_code"]) == sorted(stored["lsoa_code"])
    assert list(exported.columns) == list(stored.columns)
