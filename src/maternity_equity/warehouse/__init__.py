"""warehouse stage: the DuckDB file behind Ibis, atomic loads and the run record."""

from maternity_equity.warehouse.runs import RunRecord, code_version, file_sha256
from maternity_equity.warehouse.store import Warehouse

__all__ = ["RunRecord", "Warehouse", "code_version", "file_sha256"]
