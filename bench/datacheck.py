"""Benchmark of ``pytrix data check``: runs forked from the fork server against cold processes.

Both paths are measured in the same run, one after the other, each as the whole
``python -m pytrix data check --json`` process (bank loading, every run,
grading and the report), with the number of runs at once the command chooses
(three per core). Figures, printed with ``bench/figures.py``'s ``report()``:

    data check, whole bank (fork server)     goal <= 30 s on 2 cores
    speed-up against cold processes          goal >= 1.5x (measured in the same run)

The CPU seconds each path used (the command and every process it started) and
the load average before and after are printed as details: on a shared machine
the wall-clock figure moves with the load, the CPU seconds much less.

``DATACHECK_SAMPLE=N`` checks only every k-th question (about N of them)
in-process through the same sandbox and ``verify_many``, for a quick look; the
figures then say "sample" and the goal still applies to the whole bank.

Usage: python bench/datacheck.py
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from figures import report

BENCH = "datacheck"
SAMPLE = int(os.environ.get("DATACHECK_SAMPLE", "0"))
GOAL_SECONDS = 30.0
GOAL_SPEED_UP = 1.5


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def whole_bank(cold: bool) -> dict[str, Any]:
    """One ``pytrix data check --json`` process: wall and CPU seconds, and its report."""
    command = [sys.executable, "-m", "pytrix", "data", "check", "--json", *(["--cold"] if cold else [])]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PYTRIX_HOME": home}
        cpu, started = _children_cpu(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    checked = json.loads(done.stdout)
    if not checked["ok"]:
        raise SystemExit(f"data check found problems: {checked['problems'][:3]}")
    return {"wall": wall, "cpu": cpu, "runs": checked["runs"], "path": checked["path"],
            "questions": checked["questions"], "processes": checked["processes"]}


def sample(cold: bool, size: int) -> dict[str, Any]:
    """``verify_many`` over about ``size`` questions spread over the bank, in this process."""
    from pytrix.curriculum.bank import load_bank
    from pytrix.curriculum.check import batch_sandbox, default_jobs, process_path
    from pytrix.curriculum.verify import verify_many

    questions = load_bank().ordered()
    chosen = questions[:: max(1, len(questions) // size)]

    async def go() -> tuple[list[Any], dict[str, Any]]:
        sandbox = batch_sandbox(cold=cold)
        try:
            return await verify_many(chosen, sandbox, default_jobs()), process_path(sandbox)
        finally:
            await sandbox.close()

    cpu, started = _children_cpu() + _self_cpu(), time.perf_counter()
    verdicts, path = asyncio.run(go())
    wall, cpu = time.perf_counter() - started, _children_cpu() + _self_cpu() - cpu
    if not all(v.ok for v in verdicts):
        raise SystemExit("the sample has problems")
    return {"wall": wall, "cpu": cpu, "runs": sum(v.runs for v in verdicts), "path": path["path"],
            "questions": len(chosen), "processes": path["processes"]}


def main() -> None:
    measure = (lambda cold: sample(cold, SAMPLE)) if SAMPLE else whole_bank
    load_before = os.getloadavg()
    forked = measure(False)
    cold = measure(True)
    load_after = os.getloadavg()
    if forked["path"] != "fork server" or cold["path"] != "cold":
        raise SystemExit(f"a path fell back: {forked['path']!r}, {cold['path']!r}")
    scope = "whole bank" if not SAMPLE else f"sample of {forked['questions']}"
    load = (f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
            f"{os.cpu_count()} cores")
    for name, figures in (("fork server", forked), ("cold", cold)):
        print(f"  {name:<12} {figures['wall']:6.1f} s wall, {figures['cpu']:6.1f} s CPU, "
              f"{figures['runs']} runs of {figures['questions']} questions, "
              f"{1000 * figures['cpu'] / figures['runs']:.1f} ms CPU a run")
    report(BENCH, f"data check, {scope} (fork server)", forked["wall"], GOAL_SECONDS, " s",
           detail=f"{forked['cpu']:.1f} s CPU; {load}")
    report(BENCH, "speed-up against cold processes", cold["wall"] / forked["wall"], GOAL_SPEED_UP,
           "x", at_most=False,
           detail=f"cold {cold['wall']:.1f} s wall, {cold['cpu']:.1f} s CPU; CPU ratio "
                  f"{cold['cpu'] / forked['cpu']:.2f}x")


if __name__ == "__main__":
    main()
