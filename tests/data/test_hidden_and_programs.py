"""What a learner sees of hidden tests and of program (stdin) tests, through the real CLI and sandbox."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import forked_pytrix
from pytrix.curriculum.bank import load_bank
from pytrix.practice.findings import evidence
from pytrix.runner.protocol import RunResult
from pytrix.runner.sandbox import SubprocessSandbox

# passes every visible test of reverse_words, fails only the hidden one ("   " -> "")
HIDDEN_ONLY = '''# pytrix: question=string-reversal.intermediate


def reverse_words(sentence: str) -> str:
    if sentence and not sentence.strip():
        return "?"
    return " ".join(reversed(sentence.split()))
'''

# adds every symbol: right only for numerals without a subtraction
ADDS_ALL = '''
import sys

VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
total = 0
for line in sys.stdin:
    numeral = line.strip().upper()
    if numeral:
        value = sum(VALUES[c] for c in numeral)
        print(f"{numeral} = {value}")
        total += value
print(f"total: {total}")
'''


def pytrix(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*forked_pytrix.command(), *args], env={**os.environ, "PYTRIX_HOME": str(home)},
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_and_submit_show_a_hidden_test_by_name_and_outcome_only(tmp_path: Path) -> None:
    path = tmp_path / "words.py"
    path.write_text(HIDDEN_ONLY)
    for command in ("check", "submit"):
        done = pytrix(tmp_path / "home", command, str(path))
        assert done.returncode == 1, done.stdout + done.stderr
        assert "hidden test 7" in done.stdout, done.stdout
        assert '"   "' not in done.stdout and "'?'" not in done.stdout  # neither its input nor the answer
        assert "shown once you solve it" in done.stdout


def _run(question_id: str, code: str) -> RunResult:
    question = load_bank().get(question_id)

    async def go() -> RunResult:
        async with SubprocessSandbox() as sandbox:
            return await sandbox.run(question, code, "roman.py")

    return asyncio.run(go())


def test_program_tests_are_labelled_and_diffed_line_by_line() -> None:
    result = _run("roman-numerals.intermediate", ADDS_ALL)
    by_call = {t.call: t for t in result.tests}
    assert "program with empty input" in by_call and by_call["program with empty input"].status.value == "passed"
    assert "a blank line first: program with input '\\nXII\\n'" in by_call  # the blank line stays visible
    first = evidence(by_call["program with input 'XIV\\nmcmxciv\\n'"])
    assert first == ("program with input 'XIV\\nmcmxciv\\n': "
                     "output line 1: expected 'XIV = 14', printed 'XIV = 16'")
    assert first.count("MCMXCIV") == 0  # no blob of the whole output, printed or expected


def test_a_long_program_input_is_cut_with_a_visible_mark() -> None:
    question = load_bank().get("roman-numerals.intermediate")
    long = question.model_copy(update={"tests": [
        question.tests[0].model_copy(update={"stdin": "MMXXIV\n" * 40}),
    ]})

    async def go() -> RunResult:
        async with SubprocessSandbox() as sandbox:
            return await sandbox.run(long, ADDS_ALL, "roman.py")

    [test] = asyncio.run(go()).tests
    assert test.call.startswith("program with input 'MMXXIV\\nMMXXIV") and test.call.endswith("…")
