"""Benchmark of the sandbox runner (``pytrix.runner``).

Run with ``.venv/bin/python bench/runner.py [--runs N] [--strict]`` (``make bench``).
For one question with 10 simple tests, times in one process:

* a run through the warm pool, waiting (untimed) for the pool to be full before
  each run, as when a learner edits and saves; and the same back to back, when
  runs arrive faster than the pool refills;
* a cold run: a fresh ``python -I harness.py`` started for the run (no pool);
* ``python -m pytest`` on an equivalent test file (the baseline learners know);
* how long after its limit an infinite loop is reported, and what a memory
  bomb is reported as.

Prints p50/p95/mean latencies and ratios, then each goal of issue 3 with
``bench/figures.py``'s ``report()`` (value, goal, meets or misses).
``--strict`` exits with status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import report
from pytrix.curriculum.question import Question
from pytrix.runner.protocol import Limits, RunResult, RunStatus
from pytrix.runner.sandbox import SubprocessSandbox

CASES = [(a, b) for a, b in zip(range(-3, 17, 2), range(10, 0, -1), strict=True)]
SOLUTION = "def add(a, b):\n    return a + b\n"
LOOP = "def add(a, b):\n    while True:\n        pass\n"
BOMB = "def add(a, b):\n    hog = []\n    while True:\n        hog.append(' ' * 2**20)\n"

QUESTION = Question(
    id="bench.add", module="bench", subtopic="runner", problem_type="add", difficulty="beginner",
    title="Add", prompt="Add two numbers.", entry="add", stub="def add(a, b):\n    pass\n",
    solution=SOLUTION, hints=["+"],
    tests=[{"call": f"add({a}, {b})", "expected": str(a + b)} for a, b in CASES],
)
LIMITS = Limits()

PYTEST_FILE = "from solution import add\n\n" + "".join(
    f"def test_add_{i}():\n    assert add({a}, {b}) == {a + b}\n\n" for i, (a, b) in enumerate(CASES))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(label: str, values: list[float]) -> str:
    return (f"  {label:<34}{len(values):>5}{percentile(values, 0.5):>10.1f}"
            f"{percentile(values, 0.95):>10.1f}{statistics.fmean(values):>10.1f}")


async def timed(runs: int, once: Callable[[], Awaitable[RunResult]],
                before: Callable[[], Awaitable[None]] | None = None) -> list[float]:
    samples = []
    for _ in range(runs):
        if before is not None:
            await before()
        started = time.perf_counter()
        result = await once()
        samples.append((time.perf_counter() - started) * 1000)
        if result.status is not RunStatus.PASSED:
            raise SystemExit(f"benchmark run failed: {result.message}")
    return samples


def pytest_runs(runs: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="pytrix-bench-") as folder:
        Path(folder, "solution.py").write_text(SOLUTION)
        Path(folder, "test_solution.py").write_text(PYTEST_FILE)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "test_solution.py"]
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
            samples.append((time.perf_counter() - started) * 1000)
            if done.returncode != 0:
                raise SystemExit(f"pytest baseline failed:\n{done.stdout}{done.stderr}")
    return samples


async def confinement(box: SubprocessSandbox) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []
    box._observer = seen.append
    try:
        await box.run(QUESTION, SOLUTION, "solution.py")
    finally:
        box._observer = None
    ready = next((e for e in seen if e["event"] == "ready"), {})
    return dict(ready.get("confinement", {}))


async def main(runs: int, strict: bool) -> int:
    async with SubprocessSandbox(LIMITS, pool_size=2) as warm:
        await warm.start()
        pool = warm.pool
        assert pool is not None
        layers = await confinement(warm)

        def run() -> Awaitable[RunResult]:
            return warm.run(QUESTION, SOLUTION, "solution.py")

        await timed(5, run, pool.wait_ready)  # warm caches before measuring
        warm_ready = await timed(runs, run, pool.wait_ready)
        await pool.wait_ready()
        back_to_back = await timed(runs, run)

        loop_limits = LIMITS.model_copy(update={"test_timeout": 1.0})
        overshoot = []
        for _ in range(5):
            await pool.wait_ready()
            started = time.perf_counter()
            result = await warm.run(QUESTION, LOOP, "solution.py", limits=loop_limits)
            overshoot.append((time.perf_counter() - started - 1.0) * 1000)
            assert result.tests[0].status.value == "timeout", result.message

        bomb_limits = LIMITS.model_copy(update={"memory_mb": 256, "test_timeout": 5.0})
        await pool.wait_ready()
        bomb = await warm.run(QUESTION, BOMB, "solution.py", limits=bomb_limits)
        bomb_test = bomb.tests[0]

    async with SubprocessSandbox(LIMITS) as cold_box:
        cold = await timed(max(10, runs // 3), lambda: cold_box.run(QUESTION, SOLUTION, "solution.py"))

    baseline = pytest_runs(max(5, runs // 10))

    on = ", ".join(f"{k} {v}" if not isinstance(v, bool) else k for k, v in layers.items() if v)
    print(f"Pytrix runner benchmark: one question with {len(CASES)} tests; Python "
          f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          f"confinement: {on or 'none'}")
    print(f"  {'':<34}{'runs':>5}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    print(row("warm pool (pool ready before run)", warm_ready))
    print(row("warm pool (back to back)", back_to_back))
    print(row("cold python -I harness (no pool)", cold))
    print(row("python -m pytest, same 10 tests", baseline))
    warm_p50 = percentile(warm_ready, 0.5)
    cold_ratio = percentile(cold, 0.5) / warm_p50
    pytest_ratio = percentile(baseline, 0.5) / warm_p50
    print(f"  ratios of p50: cold / warm = {cold_ratio:.1f}x, pytest / warm = {pytest_ratio:.1f}x")
    print(f"  infinite loop, 1 s limit: reported {percentile(overshoot, 0.5):.1f} ms after the "
          f"limit (p50), {max(overshoot):.1f} ms at worst, over {len(overshoot)} runs")
    print(f"  memory bomb, 256 MB limit: test {bomb_test.status.value}: {bomb_test.message}")

    bench = "runner"
    bomb_ok = bomb_test.status.value == "error" and "MemoryError" in bomb_test.message
    met = [
        report(bench, "warm-pool run, 10 tests, p50", warm_p50, 25.0, " ms"),
        report(bench, "pytest / warm-pool run (p50)", pytest_ratio, 8.0, "x", at_most=False,
               detail=f"pytest {percentile(baseline, 0.5):.0f} ms"),
        report(bench, "infinite loop reported after its limit, worst", max(overshoot), 100.0, " ms"),
        report(bench, "memory bomb reported as MemoryError", 1.0 if bomb_ok else 0.0, 1.0,
               at_most=False, detail=f"1 = yes; {bomb_test.status.value}: {bomb_test.message[:60]}"),
    ]
    return 1 if strict and not all(met) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100, help="warm runs to time (default 100)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.runs, options.strict)))
