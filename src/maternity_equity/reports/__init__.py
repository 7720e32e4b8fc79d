"""Board report: one report model rendered as accessible HTML, tagged PDF and XLSX.

``build_report(warehouse_path, plan_db_url, period="2025-Q3", variant="published", out_dir=...)``
writes the three files; ``reports.charts`` holds the Vega-Lite chart builders the web app shares.
"""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "ReportPaths": "maternity_equity.reports.build",
    "build_model": "maternity_equity.reports.build",
    "build_report": "maternity_equity.reports.build",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
