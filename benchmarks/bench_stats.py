"""Speed targets for the statistics core (run: .venv/bin/python benchmarks/bench_stats.py).

Target: SII with 100,000 repetitions for 10 quantiles in well under a second. The other
timings show that the closed forms are vectorised (a million intervals at once).
Writes benchmarks/results/bench_stats.json.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from maternity_equity.stats import proportion, rate, sii, xmr

RESULTS = Path(__file__).resolve().parent / "results" / "bench_stats.json"


def best_of(fn, repeats: int = 5) -> float:
    """Fastest of several runs: the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    pop = np.array([1200.0, 900, 1500, 800, 1100, 1000, 950, 1300, 700, 1050])
    values = np.linspace(30, 12, 10)
    rng = np.random.default_rng(0)
    n = rng.integers(100, 10_000, 1_000_000).astype(float)
    x = np.floor(n * rng.uniform(0, 1, n.size))
    series = rng.normal(50, 5, 1_000)
    timings = {
        "sii_rate_100k_reps_10_quantiles_s": best_of(
            lambda: sii(
                pop,
                values,
                lower=values * 0.8,
                upper=values * 1.25,
                value_type="rate",
                repetitions=100_000,
                seed=1,
            )
        ),
        "sii_proportion_transform_100k_reps_10_quantiles_s": best_of(
            lambda: sii(
                pop,
                values / 100,
                lower=values / 125,
                upper=values / 80,
                value_type="proportion",
                transform=True,
                repetitions=100_000,
                seed=1,
            )
        ),
        "wilson_1m_intervals_s": best_of(lambda: proportion(x, n), 3),
        "rate_1m_intervals_s": best_of(lambda: rate(x, n), 3),
        "xmr_1000_points_s": best_of(lambda: xmr(series), 3),
    }
    target = 1.0
    report = {
        "timings": timings,
        "target_sii_s": target,
        "sii_meets_target": timings["sii_rate_100k_reps_10_quantiles_s"] < target,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, seconds in timings.items():
        print(f"{name:55s} {seconds * 1000:8.1f} ms")
    print(f"SII under {target} s: {report['sii_meets_target']}")


if __name__ == "__main__":
    main()
