"""Messages a learner trial found unclear, through the real CLI (subprocesses, the real sandbox).

An own program test whose input runs out says so and shows how to give an
empty line; an own test calling a name the file does not define (``len``) says
an own test checks the file's code; a failing class test names the first step
that differs; a long hidden test shown after solving ends with an ellipsis.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_own_tests_cli import env, pytrix

from pytrix.curriculum.bank import Bank, load_bank

__all__ = ["env"]  # the fixture, shared with the own tests' CLI tests


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def practice_file(tmp_path: Path, question_id: str, body: str) -> Path:
    path = tmp_path / "practice.py"
    path.write_text(f"# pytrix: question={question_id}\n{body}", encoding="utf-8")
    return path


def test_an_own_program_test_whose_input_runs_out_says_how_to_give_an_empty_line(
        env: dict[str, str], tmp_path: Path, bank: Bank) -> None:
    question = bank.get("format-and-parse-durations.beginner")
    own = '# test: input "" -> output "no numbers"\n'
    path = practice_file(tmp_path, question.id, "seconds = int(input())\nprint(seconds)\n" + own)
    done = pytrix(env, "check", str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    section = done.stdout.split("Your tests", 1)[1]
    assert ("raised EOFError: EOF when reading a line: the input ran out (this test gives no input at all and "
            'the program asked for more); an empty line is "\\n", as in # test: input "\\n" -> output "..."'
            ) in section
    assert "EOF when reading a line\n" not in section  # never the bare message


def test_an_own_test_calling_a_builtin_says_it_must_call_the_files_code(
        env: dict[str, str], tmp_path: Path, bank: Bank) -> None:
    question = bank.get("string-reversal.beginner")
    path = practice_file(tmp_path, question.id, question.solution + '# test: len("abc") == 3\n')
    done = pytrix(env, "check", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    line = path.read_text(encoding="utf-8").count("\n")
    assert (f"warning: Your test on line {line} calls `len`, which your file does not define: an own test calls "
            "a function your file defines, like `# test: reverse_string(") in done.stdout
    assert "keep the function or class named len" not in done.stdout


def test_a_failing_class_test_names_the_first_step_that_differs(
        env: dict[str, str], tmp_path: Path, bank: Bank) -> None:
    question = bank.get("bank-account-class.beginner")
    own = '# test: [["BankAccount", "Ana"], ["deposit", 5], ["get_balance"]] == [None, True, 6]\n'
    path = practice_file(tmp_path, question.id, question.solution + own)
    done = pytrix(env, "check", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(step 3, get_balance(): expected 6, got 5)" in done.stdout


def test_a_long_hidden_test_shown_after_solving_ends_with_an_ellipsis(
        env: dict[str, str], tmp_path: Path, bank: Bank) -> None:
    question = bank.get("string-reversal.advanced")
    long_calls = [t for t in question.tests if t.hidden and len(t.call or "") > 200]
    assert long_calls
    path = practice_file(tmp_path, question.id, question.solution)
    done = pytrix(env, "submit", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    shown = done.stdout.split("The hidden tests were:\n", 1)[1].splitlines()
    cut = [line for line in shown if line.strip().startswith(long_calls[0].call[:40])]
    assert cut and cut[0].strip().startswith(long_calls[0].call[:199] + "… -> "), cut
