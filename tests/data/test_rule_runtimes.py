"""Every new test capability behaves the same in the sandbox and in Pyodide.

One question uses them all (input builders, an unchanged check, strict and
digest modes, a CPU budget, named hidden tests, a forbidden call). Learner
programs that keep or break each rule run in the real subprocess sandbox and
in Pyodide under Node (the same harness source the editor loads); both event
streams go through the server's validator and grader and must give the same
verdicts and messages.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pytrix.curriculum.question import Question
from pytrix.runner.client_backend import HARNESS_SOURCE
from pytrix.runner.events import validate_client_events
from pytrix.runner.grading import RawRun, digest, grade
from pytrix.runner.protocol import Limits, RunResult, build_request
from pytrix.runner.sandbox import SubprocessSandbox

HERE = Path(__file__).parent
PYODIDE = HERE.parents[1] / "vscode-extension" / "node_modules" / "pyodide"
N = 20_000

QUESTION = Question.model_validate({
    "id": "merge-rules.beginner", "module": "m", "subtopic": "s", "problem_type": "merge-rules",
    "difficulty": "beginner", "title": "Merge", "prompt": "Merge a and b without sorting or changing them.",
    "entry": "merge", "stub": "def merge(a, b):\n    # TODO\n    raise NotImplementedError\n",
    "solution": "def merge(a, b):\n    return a + b\n", "hints": ["h"],
    "tests": [
        {"call": "merge([1, 3], [2])", "expected": "[1, 2, 3]"},
        {"call": "merge([1, 4], [2, 3])", "expected": "[1, 2, 3, 4]", "unchanged": True, "name": "inputs kept"},
        {"call": "merge([1, 2.0], [1.0, 2])", "expected": "[1, 1.0, 2.0, 2]", "mode": "strict",
         "name": "ties: a first"},
        {"call": f"merge(seq(0, {N}, 2), seq(1, {N}, 2))", "expected": repr(digest(list(range(N)))),
         "mode": "digest", "budget": 0.05, "timeout": 10, "hidden": True, "name": "large input"},
        {"call": 'merge(rand_ints(3, 5, 5, 1), concat(repeat(9, 2), [10]))', "expected": "[5, 5, 5, 9, 9, 10]"},
    ],
    "forbid": [{"call": "sorted", "why": "merge them yourself"}],
})

MERGE = '''
def merge(a, b):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i]); i += 1
        else:
            out.append(b[j]); j += 1
    return out + a[i:] + b[j:]
'''
PROGRAMS = {
    "right": MERGE,
    "mutates": MERGE.replace("    return out + a[i:] + b[j:]", "    out += a[i:] + b[j:]\n    a.clear()\n    return out"),
    "other tie": MERGE.replace("a[i] <= b[j]", "a[i] < b[j]"),
    "sorts": "def merge(a, b):\n    return sorted(a + b)\n",
    "slow": MERGE.replace("    return out", "    for _ in range(len(out) * 1000):\n        pass\n    return out"),
}


def _shape(result: RunResult) -> list[tuple[str, str, str]]:
    """Each check's verdict and message, times masked (CPU speeds differ between runtimes)."""
    return [(t.call, t.status.value, re.sub(r"\d+\.\d+ s", "_ s", t.message)) for t in result.tests]


def _sandbox_results() -> dict[str, RunResult]:
    async def go() -> dict[str, RunResult]:
        async with SubprocessSandbox() as sandbox:
            return {name: await sandbox.run(QUESTION, code, "merge.py") for name, code in PROGRAMS.items()}

    return asyncio.run(go())


def _pyodide_results() -> dict[str, RunResult]:
    node = shutil.which("node")
    if node is None or not (PYODIDE / "pyodide.mjs").is_file():
        pytest.skip("Node or the extension's Pyodide (npm install in vscode-extension) is missing")
    limits = Limits()
    requests = [build_request(QUESTION, code, "merge.py", limits) for code in PROGRAMS.values()]
    done = subprocess.run([node, str(HERE / "pyodide_runner.mjs"), str(PYODIDE)],
                          input=json.dumps({"harness": HARNESS_SOURCE, "requests": requests}),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    answers: list[Any] = json.loads(done.stdout)
    results = {}
    for (name, code), events in zip(PROGRAMS.items(), answers, strict=True):
        clean = validate_client_events(events, len(QUESTION.tests), limits)
        results[name] = grade(QUESTION, RawRun(events=clean, backend="pyodide"), code=code)
    return results


@pytest.fixture(scope="module")
def sandbox() -> dict[str, RunResult]:
    return _sandbox_results()


def test_each_rule_breaker_fails_only_its_rule_in_the_sandbox(sandbox: dict[str, RunResult]) -> None:
    failed = {name: [t.call for t in result.tests if t.status.value != "passed"]
              for name, result in sandbox.items()}
    assert failed == {
        "right": [], "mutates": ["inputs kept: merge([1, 4], [2, 3])"],
        "other tie": ["ties: a first: merge([1, 2.0], [1.0, 2])"],
        "sorts": ["rule: no calling `sorted()`"], "slow": ["large input"],
    }
    slow = next(t for t in sandbox["slow"].tests if t.call == "large input")
    # a hidden test tells only the kind of failure: too slow, never its input or expected value
    assert slow.message.startswith("too slow for this input: it used ")
    assert slow.expected is None and slow.actual is None
    # the sandbox's CPU timer stopped it at 1.5 times the budget, long before its loop was done
    assert slow.cpu_ms is not None and slow.cpu_budget_ms is not None
    assert slow.cpu_ms <= 1.5 * slow.cpu_budget_ms + 60
    assert sandbox["slow"].tests[3].cpu_ms is not None and sandbox["right"].tests[3].cpu_ms is not None
    assert sandbox["right"].tests[3].cpu_ms < 50 / 3  # the budget leaves the right answer room


def test_pyodide_gives_the_same_verdicts_and_messages(sandbox: dict[str, RunResult]) -> None:
    pyodide = _pyodide_results()
    for name in PROGRAMS:
        assert _shape(pyodide[name]) == _shape(sandbox[name]), name
