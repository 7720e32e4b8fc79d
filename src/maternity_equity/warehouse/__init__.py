"""warehouse stage: the DuckDB file behind Ibis, atomic loads and the run record."""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "RunRecord": "maternity_equity.warehouse.runs",
    "Warehouse": "maternity_equity.warehouse.store",
    "code_version": "maternity_equity.warehouse.runs",
    "file_sha256": "maternity_equity.warehouse.runs",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
