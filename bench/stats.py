"""Benchmark of progress stats and attempt recording at scale.

Run with ``.venv/bin/python bench/stats.py [--attempts N]``. Seeds N attempts
(default 100,000) across every bank question into a temporary SQLite file,
then times in one process:

* the baseline: ``SELECT COUNT(*) FROM attempts`` over the same table;
* for comparison, the per-cell GROUP BY that stats would need without the
  pre-aggregated ``stat_cells`` table;
* ``compute_stats`` (the full ``pytrix/stats`` document);
* the dashboard markdown (stats + auto status + reviews);
* a history page (20 attempts, with code);
* recording one submission (attempt + review card + auto state, one
  committed transaction), on the seeded database.

Goals: stats in at most 50 ms, recording in at most 5 ms. Prints medians and
ratios against the baseline, then both goals with ``bench/figures.py``'s
``report()`` (value, goal, meets or misses).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import report
from pytrix.curriculum.bank import load_bank
from pytrix.practice import auto, progress
from pytrix.practice.history import history
from pytrix.practice.review import replay
from pytrix.practice.stats import compute_stats
from pytrix.service import PytrixService
from pytrix.settings import Settings
from pytrix.store.database import Store

GOALS_MS = {"stats": 50.0, "record": 5.0}


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def seed(store: Store, count: int) -> float:
    bank = load_bank()
    questions = list(bank.questions.values())
    rng = random.Random(6)
    start_time = time.time() - 200 * 86_400
    code = "def solve(s):\n    return s[::-1]\n" * 4
    results = json.dumps({"status": "passed", "passed": 5, "total": 5, "tests": []})
    rows = []
    for n in range(count):
        q = questions[rng.randrange(len(questions))]
        solved = rng.random() < 0.7
        rows.append((
            q.id, q.module, q.subtopic, q.problem_type, q.difficulty.value,
            "auto" if n % 2 else "manual", 5 if solved else 2, 5, int(solved), code, results,
            rng.randrange(3), rng.randrange(5_000, 600_000), start_time + n * 170,
        ))
    started = time.perf_counter()
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO attempts(question_id, module, subtopic, problem_type, difficulty, mode,"
            " passed, total, solved, code, results, hints_used, duration_ms, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        replay(conn, Settings())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        seconds = seed(store, args.attempts)
        print(f"seeded {args.attempts:,} attempts (trigger aggregates + FSRS replay) in {seconds:.1f} s")
        service = PytrixService(load_bank(), store, Settings())
        bank, settings = service.bank, service.settings
        question = bank.get("string-reversal.beginner")
        auto.next_question(store, bank, settings)

        def count() -> object:
            return store.query("SELECT COUNT(*) FROM attempts")

        def naive() -> object:
            return store.query(
                "SELECT module, subtopic, problem_type, difficulty, COUNT(*), SUM(solved),"
                " AVG(duration_ms), MAX(created_at) FROM attempts GROUP BY 1, 2, 3, 4"
            )

        def record() -> object:
            return progress.record(
                store, bank, settings, question, passed=5, total=5, results_json="{}",
                code="# pytrix: question=string-reversal.beginner\n", hints_used=0,
                duration_ms=1000,
            )

        timings = {
            "baseline: SELECT COUNT(*)": median_ms(count, args.repeats),
            "naive GROUP BY over attempts": median_ms(naive, max(3, args.repeats // 5)),
            "stats": median_ms(lambda: compute_stats(store, bank), args.repeats),
            "dashboard": median_ms(service.dashboard_markdown, args.repeats),
            "history page (20, with code)": median_ms(lambda: history(store), args.repeats),
            "record": median_ms(record, args.repeats * 5),
        }
        baseline = timings["baseline: SELECT COUNT(*)"]
        print(f"{'operation':<30} {'median ms':>10} {'x baseline':>11}")
        for name, ms in timings.items():
            print(f"{name:<30} {ms:>10.2f} {ms / baseline:>11.2f}")
        detail = f"{args.attempts:,} attempts"
        report("stats", "stats document, median", timings["stats"], GOALS_MS["stats"], " ms", detail=detail)
        report("stats", "recording one submission, median", timings["record"], GOALS_MS["record"], " ms",
               detail=detail)
        store.close()


if __name__ == "__main__":
    main()
