"""Every bank question's own solutions pass in Pyodide, as they do in the sandbox.

``bank_pyodide.mjs`` runs, in Node, the request the server would send for each
question's reference solution (and its optimal one) through the extension's
own worker and runtime, on the Pyodide the extension ships (Python 3.14, where
the sandbox runs the learner's CPython). Each raw answer is graded here by the
server's own client backend, hidden tests revealed, exactly as an answer from
the editor is graded; every test must pass. A stuck solution run first must be
stopped at its time limit, so the limits are enforced as in the editor.

Skips only when Node or the extension's node_modules are missing (``.ci/run``
installs both).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.question import Question
from pytrix.runner.client_backend import ClientRuntime
from pytrix.runner.protocol import Limits, RunResult

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYODIDE = REPO / "vscode-extension" / "node_modules" / "pyodide" / "pyodide.asm.wasm"

pytestmark = pytest.mark.timeout(600)

sys.path.insert(0, str(HERE))
from bank_cases import CANARY_ID, LIMITS, filename, solutions  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (apt-get install nodejs, or .ci/run)")
    if not PYODIDE.is_file():
        pytest.skip("the extension's node_modules are missing (make extension-deps, or .ci/run)")
    out = tmp_path_factory.mktemp("bank-pyodide") / "answers.json"
    proc = subprocess.run(
        ["node", str(HERE / "bank_pyodide.mjs"), str(out)], cwd=REPO, capture_output=True, text=True,
        timeout=540, env={**os.environ, "PYTHON": sys.executable},
    )
    assert proc.returncode == 0, f"bank_pyodide.mjs failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
    print(proc.stdout)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _grade(answer: dict[str, Any], question: Question, code: str, limits: Limits) -> RunResult:
    """Grade a recorded answer with the server's client backend (``send`` returns the answer)."""

    async def send(params: dict[str, Any]) -> Any:
        return answer

    runtime = ClientRuntime(send, limits)
    return asyncio.run(runtime.run(question, code, filename(question), limits=limits, reveal_hidden=True))


def _failures(result: RunResult) -> str:
    if result.status.value in ("compile_error", "module_error", "internal_error"):
        error = result.compile_error or result.module_error
        return f"{result.status.value}: {result.message or (error and error.message)}"
    bad = [t for t in result.tests if t.status.value != "passed"]
    return "; ".join(f"test {t.index + 1} {t.call[:80]} -> {t.status.value}: {t.message[:300]}" for t in bad[:3]) + (
        f" (+{len(bad) - 3} more)" if len(bad) > 3 else "")


def test_every_bank_solution_passes_in_pyodide(report: dict[str, Any]) -> None:
    assert report["python"].startswith("3.")
    questions = load_bank().questions
    expected = {(qid, label) for qid, question in questions.items() for label, _ in solutions(question)}
    # The stuck solution was stopped at the time limit (the run carried on past it).
    stuck, *answers = report["answers"]
    assert (stuck["id"], stuck["label"]) == (CANARY_ID, "stuck")
    assert stuck["answer"]["timedOut"] == [{"index": 0, "seconds": LIMITS.test_timeout}], stuck["answer"]
    answered = {(a["id"], a["label"]) for a in answers}
    assert answered == expected, f"not run in Pyodide: {sorted(expected - answered)[:10]}"
    failures: list[str] = []
    for item in answers:
        question = questions[item["id"]]
        code = item["code"]  # what ran (the same as the bank's, unless the bank was edited meanwhile)
        answer = item["answer"]
        if "error" in answer:
            failures.append(f"{item['id']} ({item['label']}): the runtime failed: {answer['error']}")
            continue
        result = _grade(answer, question, code, LIMITS)
        assert result.backend == "pyodide"
        if not result.all_passed:
            failures.append(f"{item['id']} ({item['label']}): {_failures(result)}")
    slowest = sorted(answers, key=lambda a: -a["wallMs"])[:5]
    print(f"Pyodide {report['python']}: {len(answers)} runs in {report['totalMs'] / 1000:.1f} s; slowest: "
          + ", ".join(f"{a['id']} ({a['label']}) {a['wallMs']:.0f} ms" for a in slowest))
    assert not failures, f"{len(failures)} solutions fail in Pyodide {report['python']}:\n" + "\n".join(failures)
