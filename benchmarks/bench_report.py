"""Board report speed: HTML, PDF and XLSX of the synthetic LMNS from the demo folder.

    .venv/bin/python benchmarks/bench_report.py --out maternity-equity-demo [--variant internal]

Runs ``build_report`` on ``<out>/warehouse.duckdb`` and ``<out>/plan.sqlite`` (as written by
``maternity-equity demo``) and times each stage: the report model, the charts (SVG and PNG),
the HTML, the PDF and the XLSX. Writes ``benchmarks/results/bench_report.json``.
Target (issue 8): all three formats in under 30 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_report.json"
TARGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("maternity-equity-demo"))
    parser.add_argument("--variant", default="published", choices=["published", "internal"])
    parser.add_argument("--period", default=None, help="e.g. 2025-Q1 (default: the latest)")
    args = parser.parse_args()
    warehouse = args.out / "warehouse.duckdb"
    plan = args.out / "plan.sqlite"
    if not warehouse.is_file():
        raise SystemExit(f"{warehouse}: run `maternity-equity demo --no-serve` first")
    plan_url = f"sqlite:///{plan}" if plan.is_file() else None

    started = time.perf_counter()
    from maternity_equity.reports.build import build_model
    from maternity_equity.reports.render import render_charts, render_html, render_pdf, render_xlsx

    stages: dict[str, float] = {"imports": time.perf_counter() - started}

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        stages[name] = round(now - t0, 2)
        return now

    t = time.perf_counter()
    report = build_model(warehouse, plan_url, period=args.period, variant=args.variant)
    t = lap("model", t)
    render_charts(report, png=True)
    t = lap("charts", t)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        html = render_html(report)
        (out / "report.html").write_text(html, encoding="utf-8")
        t = lap("html", t)
        render_pdf(
            render_html(report, for_print=True), out / "report.pdf", internal=report.internal
        )
        t = lap("pdf", t)
        render_xlsx(report, out / "report.xlsx")
        t = lap("xlsx", t)
        pages = subprocess.run(
            ["pdfinfo", str(out / "report.pdf")], capture_output=True, text=True, check=False
        ).stdout
    total = sum(v for k, v in stages.items() if k != "imports")
    page_count = next(
        (int(line.split()[-1]) for line in pages.splitlines() if line.startswith("Pages:")), None
    )
    result = {
        "period": report.period_label,
        "variant": args.variant,
        "charts": len(report.charts()),
        "tables": len(report.tables()),
        "pdf_pages": page_count,
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "total_s": round(total, 2),
        "target_s": TARGET_S,
        "meets_target": total < TARGET_S,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": os.getloadavg()[0],
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
