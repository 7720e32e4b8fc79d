"""Geography names and dq_results for a Spark run: the Parquet copies match the warehouse."""

from maternity_equity.warehouse.spark import read_names_and_dq


def test_names_from_parquet_equal_names_from_the_warehouse(small_lmns):
    from_wh, _ = read_names_and_dq(small_lmns / "warehouse.duckdb", small_lmns / "parquet")
    from_pq, _ = read_names_and_dq(None, small_lmns / "parquet")
    assert from_pq == from_wh
    # the fictional geography names its places and the LMNS (independent of the reader)
    assert any(kind == "place" for kind, _ in from_pq)
    assert ("lmns", "__code__") in from_pq
