"""``pytrix data check`` proves every template instance; stubs are settled in as few runs as possible.

The check forks its runs from the fork server; ``--cold`` starts each from
scratch. Both paths prove the same, and the report names the path that ran.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.curriculum.verify import Verdict, same_code, verify_question
from pytrix.paths import data_dir
from pytrix.runner.sandbox import SubprocessSandbox

SLOW_SUM = "def total(n):\n    s = 0\n    for i in range(n + 1):\n        s += i\n    return s\n"


def question(stub: str, *, optimal: str | None = None, source: str = "ai", wrong: list[Any] | None = None) -> Question:
    # AI questions: their stubs need only fail one test, which these settling tests rely on
    return Question(
        id="sum-to-n.beginner", module="m", subtopic="s", problem_type="sum-to-n", source=source,
        wrong=wrong or [],
        difficulty="beginner", title="Sum", prompt="Return 0 + 1 + ... + n.", entry="total",
        stub=stub, solution="def total(n):\n    return n * (n + 1) // 2\n", optimal=optimal,
        hints=["h"],
        tests=[{"call": "total(0)", "expected": "0"}, {"call": "total(4)", "expected": "10"},
               {"call": "total(1000000000000)", "expected": str(10**12 * (10**12 + 1) // 2)}],
    )


def verify(q: Question) -> Verdict:
    async def go() -> Verdict:
        async with SubprocessSandbox() as sandbox:
            return await verify_question(q, sandbox)

    return asyncio.run(go())


def test_a_stub_that_fails_fast_is_settled_without_its_full_timeout() -> None:
    # wrong on total(4), and far too slow on total(10**12): the fitted run proves it fails
    verdict = verify(question(SLOW_SUM.replace("n + 1", "n")))
    assert verdict.ok and verdict.runs == 2


def test_a_stub_that_is_only_too_slow_is_run_again_under_the_real_limits() -> None:
    verdict = verify(question(SLOW_SUM))
    assert verdict.ok and verdict.runs == 3  # reference, fitted stub (timeout only), real stub


def test_a_stub_that_passes_everything_is_a_problem_and_an_identical_optimal_is_not_rerun() -> None:
    q = question("def total(n):\n    return n * (n + 1) // 2\n",
                 optimal="def total(n):  # the same program\n    return n * (n + 1) // 2\n")
    verdict = verify(q)
    assert verdict.problems == ["the stub passes every test: the tests do not discriminate"]
    assert verdict.runs == 2
    assert same_code(q.solution, q.optimal or "") and not same_code(q.solution, SLOW_SUM)


def test_data_check_proves_every_instance_of_a_template(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "bank" / "string-manipulation").mkdir(parents=True)
    shutil.copy(data_dir() / "topics.json", root / "topics.json")
    source = data_dir() / "bank" / "string-manipulation" / "string-reversal.toml"
    text = source.read_text(encoding="utf-8")
    (root / "bank" / "string-manipulation" / "string-reversal.toml").write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTRIX_DATA": str(root), "PYTRIX_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "pytrix", "data", "check", "--json"],
                          capture_output=True, text=True, timeout=300, check=False, env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"], report["problems"]
    assert report["questions"] == 5 and report["runs"] >= 5 * 2 and report["seconds"] > 0
    # every run was forked from the fork server: the cold fall-back never ran
    assert report["path"] == "fork server" and report["fallback"] is None
    assert report["processes"] == {"forked": report["runs"], "cold": 0}
    # the audit of stated rules and the recorded wrong answers are in the report
    assert report["rules"]["modules"]["string-manipulation"]["size"] == [1, 1]  # the large parentheses test
    assert report["fix_questions"] == 0 and report["wrong_answers"]["total"] == 0
    # variant 3's hidden test now expects a wrong value: only that instance fails
    wrong = text.replace('spaced_reversed = "  .dne"', 'spaced_reversed = "  .dnE"')
    assert wrong != text
    (root / "bank" / "string-manipulation" / "string-reversal.toml").write_text(wrong, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytrix", "data", "check", "--json"],
                          capture_output=True, text=True, timeout=300, check=False, env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert [p["question"] for p in report["problems"]] == ["string-reversal.beginner~3"]
    assert "reference solution fails" in report["problems"][0]["problem"]
    assert report["path"] == "fork server" and report["processes"]["cold"] == 0
    # the cold path finds the same, and says it ran
    cold = subprocess.run([sys.executable, "-m", "pytrix", "data", "check", "--json", "--cold"],
                          capture_output=True, text=True, timeout=300, check=False, env=env)
    cold_report = json.loads(cold.stdout)
    assert cold.returncode == 1 and cold_report["problems"] == report["problems"]
    assert cold_report["path"] == "cold" and cold_report["processes"] == {"forked": 0, "cold": cold_report["runs"]}
    plain = subprocess.run([sys.executable, "-m", "pytrix", "data", "check"],
                           capture_output=True, text=True, timeout=300, check=False, env=env)
    assert f"processes: fork server ({report['runs']} forked, 0 cold)" in plain.stdout


async def _check_after_losing_the_zygote() -> tuple[list[Verdict], dict[str, Any]]:
    from pytrix.curriculum.check import batch_sandbox, process_path

    q = question(SLOW_SUM.replace("n + 1", "n"))
    sandbox = batch_sandbox()
    try:
        first = await verify_question(q, sandbox)
        assert sandbox.zygote is not None and sandbox.zygote.pid is not None
        os.kill(sandbox.zygote.pid, signal.SIGKILL)
        await sandbox.zygote.wait_lost()
        second = await verify_question(q, sandbox)
    finally:
        await sandbox.close()
    return [first, second], process_path(sandbox)


def test_a_check_that_loses_the_fork_server_goes_on_cold_and_says_so() -> None:
    from pytrix.curriculum.check import describe_path

    verdicts, path = asyncio.run(_check_after_losing_the_zygote())
    assert all(v.ok and v.runs == 2 for v in verdicts)
    assert path["path"] == "fork server, then cold" and path["processes"] == {"forked": 2, "cold": 2}
    assert path["fallback"].startswith("the fork server is gone: ")
    assert describe_path(path).startswith("processes: fork server, then cold (2 forked, 2 cold); "
                                          "the fork server was lost: ")


SKELETON = "def total(n):\n    # TODO: write total()\n    raise NotImplementedError\n"


def test_recorded_wrong_answers_are_proven_rejected_and_say_by_which_test() -> None:
    verdict = verify(question(SKELETON, source="bank", wrong=[
        {"code": SLOW_SUM.replace("n + 1", "n"), "why": "off by one at the end"},
        {"code": "def total(n):\n    return n * (n + 1) // 2\n", "why": "not wrong at all"},
    ]))
    assert verdict.wrong[0] == "total(4) (failed)" and verdict.wrong[1] is None
    assert verdict.problems == ["wrong answer 2 (not wrong at all) passes every test"]


def test_a_bank_stub_must_be_a_skeleton_that_fails_every_test() -> None:
    assert verify(question(SKELETON, source="bank")).ok
    near = verify(question("def total(n):\n    # TODO\n    return 0\n", source="bank"))
    assert near.problems == [
        "the stub passes test 1 (total(0)): a stub must fail every test",
        "stub: line 1: the body of total() must be only a docstring and pass, ... or raise NotImplementedError",
    ]


def test_the_mutants_command_forks_its_runs_too_and_can_run_cold(tmp_path: Path) -> None:
    reports = {}
    for flags in ([], ["--cold"]):
        done = subprocess.run(
            [sys.executable, "-m", "pytrix", "data", "mutants", "--question", "string-reversal.intermediate",
             "--limit", "2", "--json", *flags],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "PYTRIX_HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        reports[tuple(flags)] = json.loads(done.stdout)
    forked, cold = reports[()], reports[("--cold",)]
    assert forked["path"] == "fork server" and forked["fallback"] is None
    assert forked["processes"]["cold"] == 0 and forked["processes"]["forked"] >= forked["runs"]
    assert cold["path"] == "cold" and cold["processes"]["forked"] == 0
    assert (forked["killed"], forked["mutants"]) == (cold["killed"], cold["mutants"])
