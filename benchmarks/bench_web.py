"""Load benchmark for the dashboard: 20 concurrent users on loopback against the demo data.

    .venv/bin/python benchmarks/bench_web.py --out maternity-equity-demo [--users 20]
        [--seconds 30] [--max-requests 4000]

Starts ``maternity-equity serve`` for the folder in a subprocess (one uvicorn worker, as a
single-machine install runs), signs each simulated user in, warms every page once, then has
every user request dashboard pages in turn with no think time until the time or request budget
runs out. Writes latency percentiles per page and overall, errors and throughput to
``benchmarks/results/bench_web.json``. Target (issue 7): p95 under 300 ms for every page, no
errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_web.json"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "demo-viewer-password"
TARGET_P95_MS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(out: Path, port: int) -> subprocess.Popen:
    code = "from maternity_equity.cli import app; app()"
    command = [
        sys.executable,
        "-c",
        code,
        "serve",
        "--out",
        str(out),
        "--port",
        str(port),
        "--demo-users",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
        if process.poll() is not None:
            raise RuntimeError(
                "server exited:\n" + (process.stdout.read() if process.stdout else "")
            )
    process.kill()
    raise RuntimeError("server did not start within 120 s")


async def sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    token = CSRF.search(page.text).group(1)
    response = await client.post(
        "/sign-in", data={"username": "viewer", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 303:
        raise RuntimeError(f"sign-in failed: {response.status_code}")


async def dashboard_pages(client: httpx.AsyncClient) -> list[str]:
    indicators = (await client.get("/api/indicators")).json()
    pages = [
        "/",
        "/map",
        "/map?shade=need",
        "/quality",
        "/quality/rules/postcode_valid_at_booking",
        "/population",
        "/plan",
        "/plan/wres",
        "/plan/interventions/2",
        "/assets?q=food",
    ]
    for ind in indicators[:4]:
        pages.append(f"/explorer?indicator={ind['id']}")
    if indicators:
        rows = (
            await client.get(
                f"/api/results?indicator_id={indicators[0]['id']}"
                "&geography_type=neighbourhood&limit=50"
            )
        ).json()["results"]
        for code in sorted({r["geography_code"] for r in rows})[:3]:
            pages.append(f"/explorer?indicator={indicators[0]['id']}&area=neighbourhood:{code}")
        pages.append(f"/map?shade=indicator&indicator={indicators[0]['id']}")
    return pages


async def user_loop(
    base: str,
    pages: list[str],
    offset: int,
    stop_at: float,
    budget: list[int],
    samples: dict[str, list[float]],
    errors: list[str],
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False) as client:
        await sign_in(client)
        i = offset
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            path = pages[i % len(pages)]
            i += 1
            started = time.perf_counter()
            try:
                response = await client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    errors.append(f"{path}: HTTP {response.status_code}")
                else:
                    samples.setdefault(path, []).append(elapsed)
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")


def summarise(values: list[float]) -> dict:
    arr = np.asarray(values)
    return {
        "requests": int(arr.size),
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "p99_ms": round(float(np.percentile(arr, 99)), 1),
        "max_ms": round(float(arr.max()), 1),
    }


async def run(base: str, users: int, seconds: float, max_requests: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await sign_in(client)
        pages = await dashboard_pages(client)
        warm = {}
        for path in pages:  # first view of each page fills the server's caches
            started = time.perf_counter()
            response = await client.get(path)
            warm[path] = {
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    budget = [max_requests]
    started = time.monotonic()
    await asyncio.gather(
        *(
            user_loop(base, pages, k, started + seconds, budget, samples, errors)
            for k in range(users)
        )
    )
    wall = time.monotonic() - started
    every = [v for vs in samples.values() for v in vs]
    pages_summary = {p: summarise(v) for p, v in samples.items()}
    slow = sorted(p for p, s in pages_summary.items() if s["p95_ms"] >= TARGET_P95_MS)
    return {
        "users": users,
        "duration_s": round(wall, 1),
        "requests": len(every) + len(errors),
        "errors": len(errors),
        "error_examples": errors[:10],
        "throughput_rps": round((len(every) + len(errors)) / wall, 1),
        "overall": summarise(every) if every else {},
        "pages": pages_summary,
        "first_view_ms": warm,
        "target": f"p95 < {TARGET_P95_MS} ms for every dashboard page, no errors",
        "pages_over_target": slow,
        "meets_target": bool(every) and not errors and not slow,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "maternity-equity-demo")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=4000)
    args = parser.parse_args()
    if not (args.out / "warehouse.duckdb").exists():
        sys.exit(
            f"{args.out}/warehouse.duckdb not found: run `maternity-equity demo --out "
            f"{args.out} --no-serve` first"
        )
    port = free_port()
    server = start_server(args.out.resolve(), port)
    try:
        result = asyncio.run(
            run(f"http://127.0.0.1:{port}", args.users, args.seconds, args.max_requests)
        )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    result.update(
        {
            "data": str(args.out.name),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
            },
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    o = result["overall"]
    print(
        f"{result['requests']} requests by {args.users} users in {result['duration_s']} s "
        f"({result['throughput_rps']}/s), errors {result['errors']}; p50 {o.get('p50_ms')} ms, "
        f"p95 {o.get('p95_ms')} ms, p99 {o.get('p99_ms')} ms -> {RESULTS.relative_to(ROOT)}"
    )
    if result["pages_over_target"]:
        print(f"pages with p95 over {TARGET_P95_MS} ms: {', '.join(result['pages_over_target'])}")


if __name__ == "__main__":
    main()
