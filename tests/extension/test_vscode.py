"""The VS Code extension's tests, run from pytest so ``make test`` runs them.

- vitest over the extension's plain TypeScript logic, and the type check;
- the Pyodide worker in headless Chromium, served with COOP/COEP (interrupts
  through SharedArrayBuffer) and without (terminate and restart); its raw
  answers are graded by the server's own client backend and must grade the
  same as the subprocess sandbox;
- the built .vsix in a real VS Code: ``test_code_server.py``, a file of its
  own so the two run on two workers at once (the fixtures they share are in
  ``conftest.py``).

Prerequisites (Node 20 + npm, Debian's chromium, code-server) are installed
by ``.ci/run``; a test skips only when one truly cannot be installed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from node_runs import check, run

from pytrix.curriculum.bank import load_bank
from pytrix.runner.client_backend import ClientRuntime
from pytrix.runner.protocol import Limits, RunResult
from pytrix.runner.sandbox import SubprocessSandbox

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RUN_TIMEOUT = 4.0
"""The run limit of the graded cases (browser_worker.mjs uses the same): the top-level loop runs until it."""

pytestmark = pytest.mark.timeout(900)


def test_vitest(extension: Path, npm: str) -> None:
    proc = run([npm, "test"], extension, 300)
    check(proc, "vitest")
    assert "passed" in proc.stdout


def test_typecheck(extension: Path, npm: str) -> None:
    check(run([npm, "run", "-s", "typecheck"], extension, 300), "tsc --noEmit")


# -- the Pyodide worker in Chromium -------------------------------------------


@pytest.fixture(scope="module")
def browser_report(vsix: Path, chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The worker's answers in Chromium, loaded from the ``out/`` that the .vsix build leaves (and ships)."""
    out = tmp_path_factory.mktemp("browser") / "report.json"
    proc = run(["node", str(HERE / "browser_worker.mjs"), str(out)], REPO, 600)
    check(proc, "the Chromium worker run")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    print(proc.stdout)
    for mode, data in report["modes"].items():
        assert "error" not in data, f"{mode}: {data['error']}\n{data.get('logs')}"
    return report


def test_worker_isolated_interrupts_through_shared_memory(browser_report: dict[str, Any]) -> None:
    data = browser_report["modes"]["isolated"]
    assert data["crossOriginIsolated"] is True
    assert data["status"]["stopMode"] == "interrupt"
    assert data["python"].startswith("3.")
    loop = data["results"]["loop"]
    assert loop["answer"]["timedOut"] == {"0": 1}
    # The interrupted test says which line it was running (the loop: lines 2-3).
    wheres = [e for e in loop["answer"]["events"] if e["event"] == "where"]
    assert len(wheres) == 1 and wheres[0]["index"] == 0 and wheres[0]["line"] in (2, 3)
    # How soon is bench/pyodide.mjs's figure; here only that the interrupt path ran.
    assert loop["status"]["lastInterruptMs"] is not None
    # Honoured interrupts keep the same interpreter: the next runs need no restart.
    assert "lastRecoveryMs" not in loop["status"]
    later = data["results"]["loop_after_first"]
    assert later["answer"]["timedOut"] == {"1": 1}
    assert [e["index"] for e in later["answer"]["events"] if e["event"] == "test"] == [0]
    # Stop from the panel: the current test is reported as stopped, by an interrupt
    # that keeps the interpreter (no restart), not by terminating the worker.
    stop = data["results"]["user_stop"]
    assert stop["answer"]["crashed"] == {"0": "Stopped from the practice panel."}
    assert stop["status"].get("lastRecoveryMs") == stop["before"].get("lastRecoveryMs"), stop
    # time.sleep ignores the interrupt: the worker is terminated after the grace period.
    sleep = data["results"]["sleep"]
    assert sleep["answer"]["timedOut"] == {"0": 1}
    assert data["again"]["events"][-1] == {"event": "end"}


def test_worker_without_isolation_terminates_and_restarts(browser_report: dict[str, Any]) -> None:
    data = browser_report["modes"]["plain"]
    assert data["crossOriginIsolated"] is False
    assert data["status"]["stopMode"] == "terminate"
    loop = data["results"]["loop"]
    assert loop["answer"]["timedOut"] == {"0": 1}
    after = data["results"]["loop_after_first"]["status"]
    assert after["lastRecoveryMs"] > 0
    # The replacement worker restores the first interpreter's memory snapshot.
    assert after["fromSnapshot"] is True
    print(f"terminate-and-restart recovery: {after['lastRecoveryMs']:.0f} ms")
    stop = data["results"]["user_stop"]
    assert stop["answer"]["crashed"] == {"0": "Stopped from the practice panel."}
    # A top-level endless loop is a module failure, not a test timeout.
    top = data["results"]["top_level_loop"]["answer"]
    assert "infinite loop at the top level" in top["moduleFailure"]
    # The runtime works again afterwards.
    assert [e["event"] for e in data["again"]["events"]].count("test") == 7


def _as_wire(answer: dict[str, Any]) -> dict[str, Any]:
    """The runtime's answer as the extension sends it (toWireResult in src/lib/runTests.ts)."""
    return {
        **answer,
        "timedOut": [{"index": int(k), "seconds": v} for k, v in answer["timedOut"].items()],
        "crashed": [{"index": int(k), "message": v} for k, v in answer["crashed"].items()],
    }


def _grade_pyodide(answer: dict[str, Any], question_id: str, code: str, limits: Limits) -> RunResult:
    """Grade a recorded Pyodide answer with the server's own client backend."""

    async def send(params: dict[str, Any]) -> Any:
        return _as_wire(answer)

    question = load_bank().questions[question_id]
    return asyncio.run(ClientRuntime(send, limits).run(question, code, "reverse.py", limits=limits))


_SANDBOX_RUNS: dict[tuple[str, str], RunResult] = {}


def _grade_sandbox(question_id: str, code: str, limits: Limits) -> RunResult:
    """The sandbox's result for a case, run once: both modes compare with it (one limits value here)."""
    if (question_id, code) not in _SANDBOX_RUNS:
        question = load_bank().questions[question_id]
        _SANDBOX_RUNS[question_id, code] = asyncio.run(
            SubprocessSandbox(limits).run(question, code, "reverse.py", limits=limits))
    return _SANDBOX_RUNS[question_id, code]


def _shape(result: RunResult) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "passed": result.passed,
        "total": result.total,
        "tests": [(t.index, t.status.value, t.actual, t.error.type if t.error else None) for t in result.tests],
        "compile_error": result.compile_error.type if result.compile_error else None,
        "message": result.message if result.status.value == "module_error" else None,
    }


@pytest.fixture(scope="module")
def cases() -> dict[str, Any]:
    proc = run([sys.executable, str(HERE / "harness_cases.py")], REPO, 120)
    check(proc, "harness_cases.py")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("mode", ["isolated", "plain"])
@pytest.mark.parametrize(
    "case",
    [
        "solution", "wrong", "raises", "prints", "loop", "loop_after_first", "sleep", "syntax_error",
        "recursion", "memory", "top_level_loop",
    ],
)
def test_pyodide_grades_like_the_sandbox(
    browser_report: dict[str, Any], cases: dict[str, Any], mode: str, case: str
) -> None:
    answer = browser_report["modes"][mode]["results"][case]["answer"]
    code = cases["cases"][case]["code"]
    limits = Limits(test_timeout=1.0, run_timeout=RUN_TIMEOUT)
    pyodide = _grade_pyodide(answer, cases["questionId"], code, limits)
    sandbox = _grade_sandbox(cases["questionId"], code, limits)
    assert pyodide.backend == "pyodide"
    assert _shape(pyodide) == _shape(sandbox)
