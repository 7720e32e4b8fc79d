"""Board report: one report model rendered as accessible HTML, tagged PDF and XLSX.

``build_report(warehouse_path, plan_db_url, period="2025-Q3", variant="published", out_dir=...)``
writes the three files; ``reports.charts`` holds the Vega-Lite chart builders the web app shares.
"""

from maternity_equity.reports.build import ReportPaths, build_model, build_report

__all__ = ["ReportPaths", "build_model", "build_report"]
