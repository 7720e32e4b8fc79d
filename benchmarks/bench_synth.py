"""Benchmark: time and peak memory of ``generate_lmns`` at national scale (3 million pregnancies).

Run from the repository root:
    .venv/bin/python benchmarks/bench_synth.py [--pregnancies 3000000] [--format parquet]
The result is written to benchmarks/results/synth_<N>_<format>.json. Target: minutes, not hours.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from maternity_equity.synth import generate_lmns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pregnancies", type=int, default=3_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench_synth_"))
    try:
        started = time.perf_counter()
        manifest = generate_lmns(
            out,
            pregnancies=args.pregnancies,
            years=args.years,
            seed=args.seed,
            file_format=args.format,
            progress=True,
        )
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (out / "extract").iterdir())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result = {
        "benchmark": "synth.generate_lmns",
        "pregnancies": args.pregnancies,
        "years": args.years,
        "format": args.format,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "load_average_1m": round(__import__("os").getloadavg()[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows": manifest.counts,
        "extract_bytes": size,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cpus",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    target = Path(__file__).parent / "results" / f"synth_{args.pregnancies}_{args.format}.json"
    target.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
