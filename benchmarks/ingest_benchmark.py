"""Time a canonical ingest of a synthetic LMNS (default 12,000 pregnancies, ~150k contacts).

    .venv/bin/python benchmarks/ingest_benchmark.py [--pregnancies 12000] [--out DIR]

Writes ``benchmarks/results/ingest.json`` with the timings and row counts. Target: the load
itself (excluding generation) in a few seconds on a laptop-class machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from maternity_equity.ingest import load_extract
from maternity_equity.synth import generate_lmns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pregnancies", type=int, default=12_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        started = time.perf_counter()
        generate_lmns(out, pregnancies=args.pregnancies, years=args.years, seed=2021)
        generated = time.perf_counter()
        cpu = time.process_time()
        first = load_extract(
            out / "extract",
            reference_dir=out / "reference",
            warehouse_path=out / "bench.duckdb",
            key="bench",
            progress=False,
        )
        loaded = time.perf_counter()
        first_cpu = time.process_time() - cpu
        again = load_extract(
            out / "extract",
            reference_dir=out / "reference",
            warehouse_path=out / "bench.duckdb",
            key="bench",
            progress=False,
        )
        reloaded = time.perf_counter()
    result = {
        "pregnancies": args.pregnancies,
        "rows_read": int(first.counts["read"].sum()),
        "rows_by_table": first.table_rows,
        "generate_seconds": round(generated - started, 2),
        "first_load_seconds": round(loaded - generated, 2),
        "first_load_cpu_seconds": round(first_cpu, 2),  # robust to a busy shared machine
        "reload_seconds": round(reloaded - loaded, 2),
        "reconciles": first.reconciles() and again.reconciles(),
        "load_average_1min": round(os.getloadavg()[0], 2),  # a shared machine skews timings
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    target = Path(__file__).resolve().parent / "results" / "ingest.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
