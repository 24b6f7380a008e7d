"""The learner's own tests in the terminal: ``pytrix check`` and ``pytrix submit`` list them
under "Your tests", and they never change the exit code or the solve (real CLI processes)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import forked_pytrix


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTRIX_HOME": str(tmp_path / "home"), "COLUMNS": "300"}


def pytrix(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*forked_pytrix.command(), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_and_submit_list_own_tests_apart_and_never_count_them(env: dict[str, str], tmp_path: Path) -> None:
    made = pytrix(env, "new", "--question", "string-reversal.beginner", "--dir", str(tmp_path / "ws"))
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    stub = path.read_text(encoding="utf-8")
    own = "# test: reverse_string('ab') == 'ba'\n# test: reverse_string('ab') == 'ab'\n# test: oops\n"
    path.write_text(stub.replace("    raise NotImplementedError", "    return s") + own, encoding="utf-8")
    lines = stub.count("\n")

    wrong = pytrix(env, "check", str(path))
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr  # a passing own test does not make it pass
    assert f"{path}:{lines + 3}:1: warning: Your test on line {lines + 3} could not be read" in wrong.stdout
    section = wrong.stdout.split("Your tests (they never count towards solving):\n", 1)[1].splitlines()
    assert section[:2] == [
        f"    {path}:{lines + 1}:1: failed: reverse_string('ab'): expected 'ba', got 'ab'",
        f"    {path}:{lines + 2}:1: passed: reverse_string('ab')",
    ]
    data = json.loads(pytrix(env, "check", str(path), "--json").stdout)
    assert [(t["own"], t["line"]) for t in data["tests"] if t["own"]] == [(True, lines + 1), (True, lines + 2)]
    assert data["passed"] < data["total"] == sum(not t["own"] for t in data["tests"])

    path.write_text(path.read_text(encoding="utf-8").replace("return s\n", "return s[::-1]\n"), encoding="utf-8")
    submitted = pytrix(env, "submit", str(path))
    assert submitted.returncode == 0 and "solved" in submitted.stdout, submitted.stdout + submitted.stderr
    assert "warning: Your test:" not in submitted.stdout  # listed once, in its section
    assert f"    {path}:{lines + 2}:1: failed: reverse_string('ab'): expected 'ab', got 'ba'" in submitted.stdout
    stats = json.loads(pytrix(env, "stats", "--json").stdout)
    assert stats.get("questionsSolved", stats.get("questions_solved")) == 1  # the wire is becoming camelCase


def test_the_practice_loop_lists_own_tests_too(env: dict[str, str], tmp_path: Path) -> None:
    made = pytrix(env, "new", "--question", "string-reversal.beginner", "--dir", str(tmp_path / "ws"))
    path = Path(made.stdout.strip())
    text = path.read_text(encoding="utf-8").replace("    raise NotImplementedError", "    return s[::-1]")
    path.write_text(text + "# test: reverse_string('ab') == 'ab'\n", encoding="utf-8")
    done = subprocess.run([*forked_pytrix.command(), "practice", "--once", "--question", "string-reversal.beginner",
                           "--dir", str(tmp_path / "ws")], env=env, capture_output=True, text=True, input="",
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # the failing own test does not fail the check
    assert "All 7 tests passed, and your own test fails." in done.stdout
    line = text.count("\n") + 1
    section = done.stdout.split("Your tests (they never count towards solving):\n", 1)[1].splitlines()
    assert section[0].endswith(f"{path.name}:{line}:1: failed: reverse_string('ab'): expected 'ab', got 'ba'")
