"""The bank's tests catch plausible wrong solutions: mutants of the references, run for real."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.check import default_jobs
from pytrix.curriculum.mutants import QuestionReport, check_many, select_questions, summary
from pytrix.curriculum.question import Question
from pytrix.runner.sandbox import SubprocessSandbox

SAMPLE_MODULE = "string-manipulation"
SAMPLE_SIZE = 20
SAMPLE_LIMIT = 8
MIN_KILL_RATE = 0.8


def run_check(questions: list[Question], limit: int) -> list[QuestionReport]:
    async def go() -> list[QuestionReport]:
        async with SubprocessSandbox() as sandbox:
            return await check_many(questions, sandbox, limit=limit, concurrency=default_jobs())

    return asyncio.run(go())


def test_the_sample_kills_most_mutants() -> None:
    questions = select_questions(load_bank().ordered(), [SAMPLE_MODULE], first=SAMPLE_SIZE)
    assert len(questions) == SAMPLE_SIZE
    reports = run_check(questions, SAMPLE_LIMIT)
    overall = summary(reports)
    assert overall["mutants"] >= 5 * SAMPLE_SIZE
    assert overall["kill_rate"] >= MIN_KILL_RATE, [r.to_json()["survivors"] for r in reports]
    assert all(r.skipped != "the reference solution does not pass its tests "
               "(see `pytrix data check`)" for r in reports)


WEAK = Question(
    id="absolute-value.beginner", module="m", subtopic="s", problem_type="absolute-value",
    difficulty="beginner", title="Clamp", prompt="Return x, or 0 when x is negative.", entry="clamp",
    stub="def clamp(x):\n    pass\n",
    solution="def clamp(x):\n    if x < 0:\n        return 0\n    return x\n",
    hints=["h"],
    tests=[{"call": "clamp(5)", "expected": "5"}, {"call": "clamp(-3)", "expected": "0"}],
)


def test_weak_tests_let_mutants_survive_and_are_reported() -> None:
    (report,) = run_check([WEAK], 0)
    survivors = {o.mutant.label() for o in report.survivors}
    # "<" -> "<=" is equivalent (clamp(0) is 0 either way); "x < -1" survives these two tests
    assert "line 2: < -> <=" in survivors
    killed = {o.mutant.label() for o in report.judged if o.killed}
    assert "line 3: 0 -> 1" in killed and "line 2: dropped `if x < 0: ...`" in killed
    assert not report.all_killed and report.skipped is None
    # clamp(-1) tells "x < -1" from "x < 0"; "<=" stays equivalent for integers (clamp(0) is 0)
    stronger = WEAK.model_copy(update={"tests": [*WEAK.tests, WEAK.tests[0].model_copy(
        update={"call": "clamp(-1)", "expected": "0"})]})
    (better,) = run_check([stronger], 0)
    assert "line 2: 0 -> -1" in survivors
    assert "line 2: 0 -> -1" not in {o.mutant.label() for o in better.survivors}
    assert len(better.survivors) < len(report.survivors)


def test_the_command_reports_json(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytrix", "data", "mutants", "--question", "string-reversal.intermediate",
         "--limit", "4", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTRIX_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["questions"] == 1 and report["limit"] == 4 and report["mutants"] >= 1
    assert 0 <= report["kill_rate"] <= 1 and report["seconds"] > 0
    (entry,) = report["reports"]
    assert entry["question"] == "string-reversal.intermediate" and len(entry["outcomes"]) <= 4
    assert {"kind", "line", "description", "killed", "by"} <= set(entry["outcomes"][0])
    failing = subprocess.run(
        [sys.executable, "-m", "pytrix", "data", "mutants", "--module", "no-such-module"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTRIX_HOME": str(tmp_path)},
    )
    assert failing.returncode == 2 and "No bank question matches" in failing.stderr
