"""``findings_for`` in-process: where each failure lands, how tests failing alike are grouped,
and every message shape, with the causes chosen by the test.

``explain`` is replaced by a table of causes for these tests, so what is checked
is the grouping and anchoring, not which explainer fires (that is
``test_explained_failures.py``, in the real sandbox).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytrix.curriculum.question import Question
from pytrix.practice import findings
from pytrix.practice.explain import Cause
from pytrix.practice.findings import Finding, Related, evidence, findings_for, result_json
from pytrix.runner.protocol import ErrorInfo, RunResult, RunStatus, TestResult
from pytrix.runner.protocol import TestStatus as Status

ADD = Question(
    id="find.beginner", module="find", subtopic="find", problem_type="find", difficulty="beginner",
    title="Add", prompt="p", entry="add", stub="def add(a, b):\n    pass\n",
    solution="def add(a, b):\n    return a + b\n", hints=["h"],
    tests=[{"call": f"add({n}, {n})", "expected": str(2 * n)} for n in range(1, 7)],
)
CODE = "import math\n\n\ndef add(a, b):\n    total = a * b\n        \n    return total\n"
ENTRY = (3, 4, 7)  # 0-based line of `def add`, the name's columns
CAUSES: dict[int, Cause] = {}


@pytest.fixture(autouse=True)
def chosen_causes(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, Cause]]:
    CAUSES.clear()
    monkeypatch.setattr(findings, "explain", lambda result, question, source: dict(CAUSES))
    yield CAUSES


def wrong(index: int, actual: str = "0", **extra: Any) -> TestResult:
    n = index + 1
    extra.setdefault("message", f"expected {2 * n}, got {actual}")
    return TestResult(index=index, call=f"add({n}, {n})", status=Status.FAILED, expected=str(2 * n),
                      actual=actual, **extra)


def raised(index: int, kind: str = "ValueError", message: str = "bad", line: int | None = 5) -> TestResult:
    n = index + 1
    return TestResult(index=index, call=f"add({n}, {n})", status=Status.ERROR, expected=str(2 * n),
                      error=ErrorInfo(type=kind, message=message, line=line), message=f"raised {kind}: {message}")


def stuck(index: int, line: int | None = None) -> TestResult:
    n = index + 1
    return TestResult(index=index, call=f"add({n}, {n})", status=Status.TIMEOUT, expected=str(2 * n),
                      stopped_line=line, message="took longer than 1 s: is there an infinite loop?")


def passed(index: int) -> TestResult:
    n = index + 1
    return TestResult(index=index, call=f"add({n}, {n})", status=Status.PASSED, expected=str(2 * n),
                      actual=str(2 * n))


def run(*tests: TestResult, status: RunStatus = RunStatus.FAILED, **extra: Any) -> RunResult:
    return RunResult(question_id=ADD.id, status=status, total=len(tests), tests=list(tests),
                     passed=sum(t.status is Status.PASSED for t in tests), **extra)


def test_wrong_answers_at_the_entry_are_one_group_with_every_test_related() -> None:
    [found] = findings_for(run(passed(0), wrong(1), wrong(2, "7"), wrong(3)), ADD, CODE)
    assert (found.line, found.start, found.end) == ENTRY
    assert (found.severity, found.code) == ("error", "test-failed")
    assert found.message == "3 tests give a wrong answer, for example add(2, 2): expected 4, got 0"
    assert found.data == {"index": 1, "indices": [1, 2, 3]}
    assert found.related == (Related(3, 4, 7, "add(2, 2): expected 4, got 0"),
                             Related(3, 4, 7, "add(3, 3): expected 6, got 7"),
                             Related(3, 4, 7, "add(4, 4): expected 8, got 0"))


def test_one_wrong_answer_is_its_evidence_alone() -> None:
    [found] = findings_for(run(passed(0), wrong(1)), ADD, CODE)
    assert found.message == "add(2, 2): expected 4, got 0" and found.related == ()


def test_errors_group_by_kind_message_and_line() -> None:
    same = [raised(0), raised(1)]
    other_message = raised(2, message="worse")
    elsewhere = raised(3, line=7)
    outside = raised(4, line=99)  # not a line of the file: at the entry
    no_line = raised(5, "KeyError", "'k'", None)
    found = findings_for(run(*same, other_message, elsewhere, outside, no_line), ADD, CODE)
    assert [(f.line, f.start, f.end, f.data["indices"]) for f in found] == [
        (4, 4, 17, [0, 1]), (4, 4, 17, [2]), (6, 4, 16, [3]), (3, 4, 7, [4]), (3, 4, 7, [5])]
    assert found[0].message == "2 tests raise the same error: add(1, 1) raised ValueError: bad"
    assert found[0].code == "test-error" and len(found[0].related) == 2
    assert found[1].message == "add(3, 3) raised ValueError: worse"


def test_timeouts_land_on_the_line_that_was_running() -> None:
    found = findings_for(run(stuck(0), stuck(1), stuck(2, line=5), stuck(3, line=1), stuck(4, line=8)), ADD, CODE)
    assert [(f.line, f.start, f.end, f.data["indices"]) for f in found] == [
        (3, 4, 7, [0, 1, 4]), (4, 4, 17, [2]), (0, 0, 11, [3])]
    assert found[0].code == "timeout"
    assert found[0].message == ("3 tests time out, for example add(1, 1) timed out: took longer than 1 s: "
                                "is there an infinite loop?")
    assert found[1].message == "add(3, 3) timed out: took longer than 1 s: is there an infinite loop?"


def test_hidden_failures_are_grouped_without_their_values() -> None:
    hidden = [TestResult(index=i, call="hidden", status=Status.FAILED, hidden=True, message="hidden test failed")
              for i in (4, 5)]
    [found] = findings_for(run(*hidden), ADD, CODE)
    assert found.message == ("2 hidden tests fail too (their inputs and expected values are shown once "
                             "you solve it)")
    assert found.related[0].message == ("hidden test 5 failed (its input and expected value are shown once "
                                        "you solve it)")


def test_a_cause_moves_the_finding_to_its_line_and_leads_the_message(chosen_causes: dict[int, Cause]) -> None:
    loop = Cause("print-not-return", "You printed the answer instead of returning it.", 4)
    chosen_causes.update({0: loop, 1: loop, 2: Cause("far", "Out of the file.", 40), 3: Cause("none", "No line.")})
    found = findings_for(run(wrong(0), wrong(1), wrong(2), wrong(3)), ADD, CODE)
    assert [(f.line, f.start, f.end, f.data["indices"]) for f in found] == [
        (4, 4, 17, [0, 1]), (3, 4, 7, [2]), (3, 4, 7, [3])]
    grouped = found[0]
    assert grouped.message == ("2 tests fail the same way: You printed the answer instead of returning it.\n"
                               "add(1, 1): expected 2, got 0")
    assert grouped.data == {"index": 0, "indices": [0, 1], "cause": "print-not-return",
                            "explanation": "You printed the answer instead of returning it."}
    assert found[1].message == "Out of the file.\nadd(3, 3): expected 6, got 0"
    assert found[1].data["cause"] == "far"


def test_a_blank_or_missing_line_still_has_a_range() -> None:
    CAUSES[0] = Cause("blank", "On the blank line.", 5)  # "        ": only spaces
    [found] = findings_for(run(wrong(0)), ADD, CODE)
    assert (found.line, found.start, found.end) == (5, 8, 9)
    [found] = findings_for(run(wrong(0)), ADD, "")
    assert (found.line, found.start, found.end) == (0, 0, 1)


def test_without_the_entry_function_the_last_line_is_used() -> None:
    [found] = findings_for(run(wrong(0)), ADD, "x = 1\n\n\n   y = 2   \n")
    assert (found.line, found.start, found.end) == (3, 3, 11)


def test_all_passed_is_one_information_finding() -> None:
    tests = [passed(i) for i in range(6)]
    [found] = findings_for(run(*tests, status=RunStatus.PASSED), ADD, CODE)
    assert (found.line, found.start, found.end, found.severity, found.code) == (*ENTRY, "information", "all-passed")
    assert found.message == 'All 6 tests passed. Submit it with "Pytrix: submit".'
    [solved] = findings_for(run(*tests, status=RunStatus.PASSED), ADD, CODE, solved=True)
    assert solved.message == ("Solved: all 6 tests passed and the attempt is recorded. For another question, "
                              'use "Pytrix: new practice question (auto mode)".')


def test_not_run_tests_are_left_out() -> None:
    not_run = TestResult(index=1, call="add(2, 2)", status=Status.NOT_RUN, message="not run")
    assert [f.data["indices"] for f in findings_for(run(wrong(0), not_run), ADD, CODE)] == [[0]]


def test_a_cancelled_run_has_no_findings() -> None:
    assert findings_for(run(wrong(0), status=RunStatus.CANCELLED), ADD, CODE) == []


@pytest.mark.parametrize(("line", "col", "at"), [
    (4, 14, (3, 13, 14)),     # past the end of `def add(a, b)`: one column after it
    (4, 5, (3, 4, 13)),
    (None, None, (0, 0, 11)),
    (99, 1, (4, 0, 12)),      # clamped to the last line
    (0, -4, (0, 0, 11)),
])
def test_a_syntax_error_sits_at_its_position(line: int | None, col: int | None, at: tuple[int, int, int]) -> None:
    source = "import math\n\n\ndef add(a, b)\n    return a\n"
    error = ErrorInfo(type="SyntaxError", message="expected ':'", line=line, col=col)
    [found] = findings_for(run(status=RunStatus.COMPILE_ERROR, compile_error=error), ADD, source)
    assert (found.line, found.start, found.end) == at
    assert found.code == "syntax-error" and found.severity == "error"
    assert found.message.startswith("SyntaxError: expected ':'\n")
    assert found.data == {"explanation": found.message.split("\n", 1)[1]}


def test_a_syntax_error_without_a_plain_sentence_is_cpythons_message_alone() -> None:
    error = ErrorInfo(type="SyntaxError", message="zzz unheard of", line=1, col=1)
    [found] = findings_for(run(status=RunStatus.COMPILE_ERROR, compile_error=error), ADD, "x\n")
    assert found.message == "SyntaxError: zzz unheard of" and found.data == {}


@pytest.mark.parametrize(("line", "at"), [(1, (0, 0, 11)), (7, (6, 4, 16)), (8, ENTRY), (0, ENTRY), (None, ENTRY)])
def test_a_load_error_sits_at_the_line_that_raised(line: int | None, at: tuple[int, int, int]) -> None:
    error = ErrorInfo(type="NameError", message="name 'q' is not defined", line=line)
    result = run(status=RunStatus.MODULE_ERROR, module_error=error, message="The file failed while loading.")
    [found] = findings_for(result, ADD, CODE)
    assert (found.line, found.start, found.end) == at
    assert (found.code, found.severity, found.message) == ("load-error", "error", "The file failed while loading.")


def test_a_runner_error_is_a_warning_at_the_entry() -> None:
    [found] = findings_for(run(status=RunStatus.INTERNAL_ERROR, message="the runner broke"), ADD, CODE)
    assert (found.line, found.start, found.end) == ENTRY
    assert (found.severity, found.code, found.message) == ("warning", "runner-error", "the runner broke")


@pytest.mark.parametrize(("test", "text"), [
    (stuck(0), "add(1, 1) timed out: took longer than 1 s: is there an infinite loop?"),
    (raised(0), "add(1, 1) raised ValueError: bad"),
    (TestResult(index=6, call="rule: no calling `sorted()`", status=Status.FAILED,
                error=ErrorInfo(type="RuleBroken", message="m", line=2), message="line 2: no sorted"),
     "rule: no calling `sorted()`: line 2: no sorted"),
    (TestResult(index=2, call="big", status=Status.FAILED, hidden=True, message="hidden test failed"),
     "hidden test 3 (big) failed (its input and expected value are shown once you solve it)"),
    (TestResult(index=2, call="hidden", status=Status.FAILED, hidden=True, message="returned a list"),
     "hidden test 3 failed: returned a list (its input and expected value are shown once you solve it)"),
    (TestResult(index=2, call="hidden", status=Status.FAILED, hidden=True, message=""),
     "hidden test 3 failed (its input and expected value are shown once you solve it)"),
    (TestResult(index=0, call="add(1, 1)", status=Status.FAILED, message="the process died"),
     "add(1, 1) failed: the process died"),
    (TestResult(index=0, call="add(1, 1)", status=Status.FAILED), "add(1, 1) failed"),
    (TestResult(index=0, call="program", status=Status.FAILED, expected="1\n", actual="2\n", stdout="2\n",
                message="output line 1: expected '1', printed '2'"),
     "program: output line 1: expected '1', printed '2'"),
    (TestResult(index=0, call="program", status=Status.FAILED, expected="1\n", actual="", stdout="",
                message="printed 0 lines, expected 1: line 1 should be '1'"),
     "program: printed 0 lines, expected 1: line 1 should be '1'"),
    (wrong(0, "'x'", message="returned a str"), "add(1, 1): expected 2, got 'x' (returned a str)"),
    (wrong(0, "3", stdout="debug 1\ndebug 2\n\n"), "add(1, 1): expected 2, got 3\nprinted: debug 1\ndebug 2"),
    (wrong(0, "3", stdout="   \n"), "add(1, 1): expected 2, got 3"),
    (wrong(0, "3", stdout="x" * 300), "add(1, 1): expected 2, got 3\nprinted: " + "x" * 199 + "…"),
    (wrong(0, "3", stdout="x" * 200), "add(1, 1): expected 2, got 3\nprinted: " + "x" * 200),
    (TestResult(index=0, call="add(1, 1)", status=Status.PASSED, expected="2", actual="2", stdout="hi\n"),
     "add(1, 1): expected 2, got 2"),
])
def test_evidence_of_one_test(test: TestResult, text: str) -> None:
    assert evidence(test) == text


def test_result_json_carries_each_explanation_to_its_tests() -> None:
    result = run(wrong(0), wrong(1), TestResult(index=2, call="add(3, 3)", status=Status.FAILED, expected="6"),
                 passed(3))
    explained = Finding(3, 4, 7, "error", "m", "test-failed",
                        {"index": 0, "indices": [0, 2, 9], "cause": "c", "explanation": "Because."})
    plain = Finding(3, 4, 7, "error", "m", "test-failed", {"index": 1, "indices": [1]})
    odd = Finding(3, 4, 7, "error", "m", "test-failed", {"indices": [3], "explanation": 7})
    explained = Finding(3, 4, 7, "error", "m", "test-failed",
                        {"index": 0, "indices": [9, 0, 2], "cause": "c", "explanation": "Because."})
    data = result_json(result, [plain, Finding(0, 0, 1, "information", "m", "all-passed"), odd, explained])
    first, second, third, fourth = data["tests"]
    assert (first["explanation"], first["cause"], first["message"]) == ("Because.", "c", "Because. (expected 2, got 0)")
    assert "explanation" not in second and second["message"] == "expected 4, got 0"
    assert (third["explanation"], third["message"]) == ("Because.", "Because.")
    assert "explanation" not in fourth
    assert data["question_id"] == ADD.id and data["status"] == "failed"


def test_crashed_and_hidden_errors_are_grouped_by_what_they_say() -> None:
    crashed = [TestResult(index=i, call=f"add({i + 1}, {i + 1})", status=Status.ERROR, expected="0",
                          message="the Python runtime crashed") for i in (0, 1)]
    hidden = [TestResult(index=i, call="hidden", status=Status.ERROR, hidden=True,
                         error=ErrorInfo(type="ValueError", message="bad", line=5), message="raised ValueError: bad")
              for i in (2, 3)]
    found = findings_for(run(*crashed, *hidden), ADD, CODE)
    assert [f.data["indices"] for f in found] == [[0, 1], [2, 3]]
    assert found[0].message == "2 tests raise the same error: add(1, 1) the Python runtime crashed"
    assert found[1].message == "2 tests raise the same error: hidden test 3 raised ValueError: bad"


def test_related_entries_are_the_first_line_of_each_evidence() -> None:
    [found] = findings_for(run(wrong(0, stdout="debug\n"), wrong(1, stdout="more\n")), ADD, CODE)
    assert [r.message for r in found.related] == ["add(1, 1): expected 2, got 0", "add(2, 2): expected 4, got 0"]
    assert found.message.endswith("\nprinted: debug")


@pytest.mark.parametrize(("line", "at"), [(0, (0, 0, 11)), (6, (6, 4, 16)), (7, ENTRY), (-1, ENTRY)])
def test_a_cause_on_the_first_or_last_line_is_kept_there(line: int, at: tuple[int, int, int]) -> None:
    CAUSES[0] = Cause("edge", "At the edge.", line)
    [found] = findings_for(run(wrong(0)), ADD, CODE)
    assert (found.line, found.start, found.end) == at
