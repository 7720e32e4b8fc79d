"""Benchmark: a national-size synthetic extract ingested, then the whole catalogue on DuckDB
and on Spark (local mode) on this machine.

    .venv/bin/python benchmarks/bench_national.py --pregnancies 3000000 --years 5 \\
        --workdir /tmp/national

Each step runs as its own command-line process (exactly what a user runs):
- ``generate``: ``maternity_equity.synth.generate_lmns(..., file_format="parquet")`` (skipped
  when ``--workdir`` already holds that extract);
- ``ingest``: ``maternity-equity ingest EXTRACT --parquet-dir PARQUET`` into a new warehouse;
- ``compute_duckdb``: ``maternity-equity compute --warehouse WH --out OUT``;
- ``compute_spark``: ``maternity-equity compute --backend pyspark --parquet-dir PARQUET``
  (local[2], geography names from the Parquet copies, no warehouse).
Time is wall-clock. Peak memory is measured twice: ``max_rss_mb`` is the step process's own
peak from ``os.wait4`` (for Spark the Python driver only), ``tree_peak_mb`` the largest sum of
resident memory over the process and every descendant (so Spark's JVM counts), sampled from
/proc every 0.2 s. The machine is shared, so the load average is recorded too.
Results go to ``benchmarks/results/national_<pregnancies>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
KEYS = ["indicator_id", "period_type", "period_start", "geography_type", "geography_code"]
KEYS += ["breakdown", "group"]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_rss_mb(root: int) -> float:
    tree, todo, total = _children(), [root], 0.0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE_MB
        except (OSError, IndexError, ValueError):
            pass
    return total


def _portable(arg: str) -> str:
    """An argument as recorded in the results: paths inside the repository made relative,
    so the committed figures name no folder of the machine they ran on."""
    root = str(Path(__file__).resolve().parents[1]) + "/"
    return arg.replace(root, "")


def run_step(name: str, argv: list[str], log: Path) -> dict:
    """Run one command; wall time, its own max RSS and the peak of its whole process tree."""
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    print(f"{name}: {seconds:.1f} s, exit {code}, tree peak {peak[0]:.0f} MB", flush=True)
    if code != 0:
        raise SystemExit(f"{name} failed (exit {code}); see {log}")
    return {
        "command": " ".join(_portable(a) for a in argv),
        "seconds": round(seconds, 1),
        "max_rss_mb": round(usage.ru_maxrss / 1024),
        "tree_peak_mb": round(peak[0]),
    }


def _results_shape(csv_path: Path) -> dict:
    """Row counts of results.csv by geography type, period type and breakdown."""
    import pandas as pd

    frame = pd.read_csv(csv_path, keep_default_na=False, dtype=str)
    return {
        "rows": len(frame),
        "indicators": int(frame["indicator_id"].nunique()),
        "by_geography_type": frame.groupby("geography_type").size().to_dict(),
        "geographies": frame.groupby("geography_type")["geography_code"].nunique().to_dict(),
        "by_period_type": frame.groupby("period_type").size().to_dict(),
        "periods": frame.groupby("period_type")["period_start"].nunique().to_dict(),
        "by_breakdown": frame.groupby("breakdown").size().to_dict(),
    }


def _same_results(left: Path, right: Path) -> bool:
    import pandas as pd

    def read(path: Path) -> pd.DataFrame:
        frame = pd.read_csv(path, keep_default_na=False, dtype=str).drop(columns="run_id")
        return frame.sort_values(KEYS).reset_index(drop=True)

    return read(left).equals(read(right))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pregnancies", type=int, default=3_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--spark-memory", default="8g", help="spark.driver.memory")
    parser.add_argument("--skip", nargs="*", default=[], help="steps to skip")
    args = parser.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"s{args.pregnancies}"
    wh, pq_dir = work / "national.duckdb", work / "parquet"
    python = sys.executable
    cli = [str(Path(python).parent / "maternity-equity")]  # the installed console script
    steps: dict[str, dict] = {}
    load_start = os.getloadavg()
    out = RESULTS / f"national_{args.pregnancies}.json"

    def save(extra: dict | None = None) -> None:
        """Write what is measured so far (a long run that is stopped keeps its figures)."""
        report = {
            "pregnancies": args.pregnancies,
            "years": args.years,
            "seed": args.seed,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_start": [round(x, 2) for x in load_start],
                "load_average_now": [round(x, 2) for x in os.getloadavg()],
            },
            "steps": steps,
            **(extra or {}),
        }
        RESULTS.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")

    if not (data / "extract" / "care_contacts.parquet").exists():
        code = (
            "from maternity_equity.synth import generate_lmns; "
            f"generate_lmns({str(data)!r}, pregnancies={args.pregnancies}, years={args.years}, "
            f"seed={args.seed}, file_format='parquet')"
        )
        steps["generate"] = run_step("generate", [python, "-c", code], work / "generate.log")
        save()
    if "ingest" not in args.skip:
        for path in (wh, Path(f"{wh}.wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(pq_dir, ignore_errors=True)
        argv = [*cli, "ingest", str(data / "extract"), "--reference", str(data / "reference")]
        argv += ["--warehouse", str(wh), "--parquet-dir", str(pq_dir), "--no-progress"]
        argv += ["--key", "national-benchmark"]
        steps["ingest"] = run_step("ingest", argv, work / "ingest.log")
        save()
    if "compute_duckdb" not in args.skip:
        argv = [*cli, "compute", "--warehouse", str(wh), "--out", str(work / "duckdb")]
        steps["compute_duckdb"] = run_step("compute_duckdb", [*argv, "--quiet"], work / "d.log")
        save()
    if "compute_spark" not in args.skip:
        argv = [*cli, "compute", "--backend", "pyspark", "--parquet-dir", str(pq_dir)]
        argv += ["--out", str(work / "spark"), "--spark-master", "local[2]", "--quiet"]
        argv += ["--spark-conf", f"spark.driver.memory={args.spark_memory}"]
        steps["compute_spark"] = run_step("compute_spark", argv, work / "s.log")
        save()
    tables = {}
    if wh.exists():
        import duckdb

        con = duckdb.connect(str(wh), read_only=True)
        for name in ("pregnancies", "deliveries", "babies", "care_plans", "care_contacts"):
            tables[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        con.close()
    report: dict = {"warehouse_rows": tables}
    duck_csv, spark_csv = work / "duckdb" / "results.csv", work / "spark" / "results.csv"
    if duck_csv.exists():
        report["results"] = _results_shape(duck_csv)
    if duck_csv.exists() and spark_csv.exists():
        report["spark_results_identical_to_duckdb"] = _same_results(duck_csv, spark_csv)
    save(report)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
