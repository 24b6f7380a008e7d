"""``grade()`` field by field: what each kind of event becomes in the result a learner reads.

Built from raw events in-process (no sandbox), so every branch of the grader is
reached in milliseconds: statuses, messages, the values shown, the line a
stopped test was running, hidden tests, program and class labels, CPU budgets,
unchanged arguments and ``forbid`` rules. The sandbox tests prove the events
are what a real run sends; these prove what the grader makes of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytrix.curriculum.question import Question
from pytrix.runner.grading import (
    NOT_WRITTEN,
    Opaque,
    RawRun,
    decode,
    digest,
    full_repr,
    grade,
    show,
)
from pytrix.runner.harness import CALIBRATION_NOMINAL_MS, DEFAULT_LIMITS, canonical
from pytrix.runner.protocol import ErrorInfo, RunStatus, TestResult
from pytrix.runner.protocol import TestStatus as Status

READY = {"event": "ready", "python": "3.11.7"}
MODULE = {"event": "module", "stdout": "loaded\n"}


def question(tests: list[dict[str, Any]], kind: str = "function", entry: str = "f", **extra: Any) -> Question:
    return Question(
        id="grade.beginner", module="grade", subtopic="grade", problem_type="grade",
        difficulty="beginner", title="Grade", prompt="p", entry=entry, kind=kind,
        stub="def f(x):\n    pass\n", solution="def f(x):\n    return x\n", hints=["h"],
        tests=tests, **extra,
    )


def returned(index: int, value: Any, **extra: Any) -> dict[str, Any]:
    return {"event": "test", "index": index, "outcome": "returned",
            "value": canonical(value, DEFAULT_LIMITS), "stdout": "", "duration_ms": 2.5, **extra}


def raised(index: int, kind: str, message: str, line: int | None = 4) -> dict[str, Any]:
    return {"event": "test", "index": index, "outcome": "raised", "stdout": "partial\n",
            "duration_ms": 1.0, "error": {"type": kind, "message": message, "line": line}}


SIX = question([{"call": f"f({n})", "expected": str(n)} for n in range(6)])


def test_a_mixed_run_field_by_field() -> None:
    raw = RawRun(
        events=[READY, MODULE, returned(0, 0), returned(1, 7), raised(2, "ZeroDivisionError", "division by zero"),
                {"event": "begin", "index": 3}, {"event": "where", "index": 3, "line": 9},
                {"event": "where", "index": 3, "line": 12}],
        timed_out={3: 1.5}, crashed={4: "the process died"}, skipped_after_timeout=True,
        backend="pyodide", duration_ms=12.34567,
    )
    result = grade(SIX, raw)
    assert (result.status, result.passed, result.total) == (RunStatus.FAILED, 1, 6)
    assert result.message == "1/6 tests passed."
    assert (result.backend, result.duration_ms, result.python) == ("pyodide", 12.346, "3.11.7")
    assert result.module_stdout == "loaded\n"
    ok, wrong, error, stuck, crashed, skipped = result.tests
    assert ok == TestResult(index=0, call="f(0)", status=Status.PASSED, expected="0", actual="0",
                            duration_ms=2.5)
    assert (wrong.status, wrong.expected, wrong.actual) == (Status.FAILED, "1", "7")
    assert wrong.message == "expected 1, got 7"
    assert error.status is Status.ERROR and error.stdout == "partial\n"
    assert error.error == ErrorInfo(type="ZeroDivisionError", message="division by zero", line=4)
    assert error.message == "raised ZeroDivisionError: division by zero"
    assert error.actual is None
    assert stuck.status is Status.TIMEOUT and stuck.stopped_line == 9  # the first report counts
    assert stuck.message == "took longer than 1.5 s: is there an infinite loop?"
    assert (crashed.status, crashed.message) == (Status.ERROR, "the process died")
    assert (skipped.status, skipped.message) == (Status.NOT_RUN, "not run: an earlier test timed out")
    assert [t.index for t in result.tests] == list(range(6))


def test_the_first_result_for_a_test_counts_and_unknown_events_are_ignored() -> None:
    raw = RawRun(events=[READY, {"event": "test", "index": "0"}, returned(0, 0), returned(0, 5),
                         {"event": "surprise"}, {"event": "where", "index": "1", "line": 3}])
    result = grade(question([{"call": "f(0)", "expected": "0"}]), raw)
    assert result.tests[0].status is Status.PASSED
    assert result.status is RunStatus.PASSED and result.message == "All 1 tests passed."


def test_a_test_with_no_result_and_no_timeout_is_not_run_without_a_reason() -> None:
    result = grade(SIX, RawRun(events=[READY, MODULE]))
    assert {t.status for t in result.tests} == {Status.NOT_RUN}
    assert {t.message for t in result.tests} == {""}
    assert result.status is RunStatus.FAILED and result.message == "0/6 tests passed."


@pytest.mark.parametrize(("raw", "status", "message"), [
    (RawRun(events=[READY, returned(0, 0)], cancelled=True), RunStatus.CANCELLED, "The run was cancelled."),
    (RawRun(events=[READY, {"event": "compile_error", "error": {"type": "SyntaxError", "message": "bad", "line": 2}}]),
     RunStatus.COMPILE_ERROR, "Syntax error: bad"),
    (RawRun(events=[READY, {"event": "module", "stdout": "",
                            "error": {"type": "NameError", "message": "name 'x' is not defined"}}]),
     RunStatus.MODULE_ERROR, "The file failed while loading: NameError: name 'x' is not defined"),
    (RawRun(events=[READY], module_failure="Loading took longer than 10 s"),
     RunStatus.MODULE_ERROR, "Loading took longer than 10 s"),
    (RawRun(events=[READY, returned(0, 0)]), RunStatus.PASSED, "All 1 tests passed."),
    (RawRun(events=[READY, returned(0, 1)]), RunStatus.FAILED, "0/1 tests passed."),
])
def test_run_statuses_and_their_messages(raw: RawRun, status: RunStatus, message: str) -> None:
    result = grade(question([{"call": "f(0)", "expected": "0"}]), raw)
    assert (result.status, result.message) == (status, message)


def test_a_compile_error_is_kept_with_its_position() -> None:
    error = {"type": "SyntaxError", "message": "bad", "line": 2, "col": 5}
    result = grade(question([{"call": "f(0)", "expected": "0"}]),
                   RawRun(events=[{"event": "compile_error", "error": error}]))
    assert result.compile_error == ErrorInfo(type="SyntaxError", message="bad", line=2, col=5)
    assert result.module_error is None


HIDDEN = question([{"call": "f(1)", "expected": "1"},
                   {"call": "f(2)", "expected": "2", "hidden": True, "name": "large input"},
                   {"call": "f(3)", "expected": "3", "hidden": True}])


def test_hidden_tests_show_only_their_name_until_revealed() -> None:
    raw = RawRun(events=[READY, returned(0, 1), returned(1, 5), returned(2, 5)])
    _, named, unnamed = grade(HIDDEN, raw).tests
    assert (named.call, named.expected, named.actual, named.message) == (
        "large input", None, None, "hidden test failed")
    assert named.hidden and named.label == "hidden test 2 (large input)"
    assert (unnamed.call, unnamed.label) == ("hidden", "hidden test 3")
    _, named, unnamed = grade(HIDDEN, raw, reveal_hidden=True).tests
    assert (named.call, named.expected, named.actual) == ("large input: f(2)", "2", "5")
    assert named.message == "expected 2, got 5" and named.hidden
    assert unnamed.call == "f(3)"


def test_a_hidden_program_keeps_its_output_to_itself() -> None:
    program = question([{"stdin": "1\n", "expected": "'1\\n'", "mode": "stdout", "hidden": True}], kind="program")
    [test] = grade(program, RawRun(events=[READY, {**returned(0, None), "stdout": "2\n"}])).tests
    assert (test.status, test.actual, test.expected, test.message) == (
        Status.FAILED, None, None, "hidden test failed")


@pytest.mark.parametrize(("tests", "calls"), [
    ([{"stdin": "", "expected": "''", "mode": "stdout"}], ["program with empty input"]),
    ([{"stdin": "3\n1 2 3\n", "expected": "''", "mode": "stdout", "name": "three"}],
     ["three: program with input '3\\n1 2 3\\n'"]),
    ([{"stdin": "x" * 200, "expected": "''", "mode": "stdout"}],
     ["program with input '" + "x" * 78 + "…"]),
    ([{"stdin": "x" * 77, "expected": "''", "mode": "stdout"}], ["program with input '" + "x" * 77 + "'"]),
    ([{"stdin": "x" * 78, "expected": "''", "mode": "stdout"}], ["program with input '" + "x" * 78 + "'"]),
    ([{"stdin": "x" * 79, "expected": "''", "mode": "stdout"}], ["program with input '" + "x" * 78 + "…"]),
])
def test_program_labels_show_the_input(tests: list[dict[str, Any]], calls: list[str]) -> None:
    assert [t.call for t in grade(question(tests, kind="program"), RawRun()).tests] == calls


def test_class_labels_are_cut_at_160_characters() -> None:
    short = '[["Stack"], ["push", 1]]'
    long = '[["Stack"], ' + ", ".join(['["push", 1]'] * 20) + "]"
    exact = '[["Stack"], ["p", "' + "y" * (160 - len('[["Stack"], ["p", ""]]')) + '"]]'
    over = exact.replace('"y', '"yy')
    assert (len(exact), len(over)) == (160, 161)
    classes = question([{"call": short, "expected": "[None]", "name": "push"},
                        {"call": long, "expected": "[None]"}, {"call": exact, "expected": "[None]"},
                        {"call": over, "expected": "[None]"}],
                       kind="class", entry="Stack")
    labels = [t.call for t in grade(classes, RawRun()).tests]
    assert labels == [f"push: {short}", long[:157] + "…", exact, over[:157] + "…"]


def test_an_untouched_stub_is_not_written_yet() -> None:
    result = grade(question([{"call": "f(0)", "expected": "0"}, {"call": "f(1)", "expected": "1"}]),
                   RawRun(events=[raised(0, "NotImplementedError", ""), raised(1, "NotImplementedError", "todo")]))
    unwritten, explicit = result.tests
    assert unwritten.error is not None and unwritten.error.message == NOT_WRITTEN
    assert unwritten.message == f"raised NotImplementedError: {NOT_WRITTEN}"
    assert explicit.message == "raised NotImplementedError: todo"


def test_an_opaque_value_is_named_and_equals_nothing() -> None:
    event = {**returned(0, 0), "value": ["opaque", "Thing", "<Thing at 0x1>"]}
    [test] = grade(question([{"call": "f(0)", "expected": "0"}]), RawRun(events=[event])).tests
    assert test.status is Status.FAILED and test.actual == "<Thing at 0x1>"
    assert test.message == "returned a Thing object; return plain Python values"


def test_a_value_that_cannot_be_rebuilt_fails_only_its_test() -> None:
    bad = {**returned(0, 0), "value": ["int", "not hex"]}
    result = grade(question([{"call": "f(0)", "expected": "0"}, {"call": "f(1)", "expected": "1"}]),
                   RawRun(events=[bad, returned(1, 1)]))
    broken, fine = result.tests
    assert broken.status is Status.FAILED and broken.actual is None and broken.actual_full is None
    assert broken.message == "the value could not be compared (ValueError)"
    assert fine.status is Status.PASSED


def test_digest_messages_count_items() -> None:
    big = list(range(50))
    digests = question([{"call": "f(0)", "expected": repr(digest(big)), "mode": "digest"}] * 3)
    raw = RawRun(events=[returned(0, big[:-1]), returned(1, [*big[:-1], 99]), returned(2, 5)])
    short, same_size, scalar = grade(digests, raw).tests
    assert short.message == "expected 50 items, got 49 items"
    assert same_size.message == "the 50 items are not the expected ones"
    assert scalar.message == "expected 50 items, got 5"
    [ok] = grade(question([{"call": "f(0)", "expected": repr(digest(big)), "mode": "digest"}]),
                 RawRun(events=[returned(0, big)])).tests
    assert ok.status is Status.PASSED


def test_a_call_that_changes_its_input_fails_when_the_question_says_unchanged() -> None:
    tests = [{"call": "f([1])", "expected": "[1]", "unchanged": True}, {"call": "f([1])", "expected": "[1]"},
             {"call": "f([1])", "expected": "[2]", "unchanged": True}]
    raw = RawRun(events=[returned(0, [1], changed=[0, "key"]), returned(1, [1], changed=[0]),
                         returned(2, [1], changed=[0])])
    changed, allowed, wrong = grade(question(tests), raw).tests
    assert changed.status is Status.FAILED
    assert changed.message == ("the call changed its input (argument 1, argument key); the question says "
                               "to leave the inputs unchanged: build a new value instead")
    assert allowed.status is Status.PASSED
    assert wrong.message == "expected [2], got [1]"  # a wrong answer is said first


def test_cpu_budgets_scale_with_the_machine() -> None:
    tests = [{"call": "f(0)", "expected": "0", "budget": 0.5}] * 4 + [{"call": "f(0)", "expected": "0"}]
    slow_machine = 2 * CALIBRATION_NOMINAL_MS
    raw = RawRun(events=[
        returned(0, 0, cpu_ms=600.0),                                  # over 500 ms
        returned(1, 0, cpu_ms=500.0),                                  # exactly the budget
        returned(2, 0, cpu_ms=900.0, calibration_ms=slow_machine),     # 900 of 1000 ms
        returned(3, 0, cpu_ms=600.0, calibration_ms=CALIBRATION_NOMINAL_MS / 2),  # never scaled down
        returned(4, 0, cpu_ms=9000.0),                                 # no budget at all
    ])
    over, edge, scaled, fast_machine, unbudgeted = grade(question(tests), raw).tests
    assert over.status is Status.FAILED
    assert over.message == ("too slow for this input: it used 0.60 s of CPU time, "
                            "the budget is 0.50 s; the prompt asks for a faster approach")
    assert (over.cpu_ms, over.cpu_budget_ms) == (600.0, 500.0)
    assert edge.status is Status.PASSED
    assert scaled.status is Status.PASSED and scaled.cpu_budget_ms == 1000.0
    assert fast_machine.status is Status.FAILED and fast_machine.cpu_budget_ms == 500.0
    assert unbudgeted.status is Status.PASSED and unbudgeted.cpu_ms is None
    [wrong] = grade(question(tests[:1]), RawRun(events=[returned(0, 3, cpu_ms=600.0)])).tests
    assert wrong.message == "expected 0, got 3"


RULES = question([{"call": "f(0)", "expected": "0"}],
                 forbid=[{"call": "sorted", "why": "sort it yourself"}, {"syntax": "While"}])


def test_forbid_rules_are_checks_after_the_tests() -> None:
    code = "def f(x):\n    return sorted([x])[0]\n"
    result = grade(RULES, RawRun(events=[returned(0, 0)]), code=code)
    assert result.total == 3 and result.passed == 2
    assert result.status is RunStatus.FAILED and result.message == "2/3 tests passed."
    _, sorted_rule, while_rule = result.tests
    assert sorted_rule.index == 1 and sorted_rule.call == "rule: no calling `sorted()`"
    assert sorted_rule.status is Status.FAILED
    assert sorted_rule.message == "line 2: calling `sorted()` is not allowed in this question: sort it yourself"
    assert sorted_rule.error == ErrorInfo(type="RuleBroken", message=sorted_rule.message, line=2, col=12)
    assert while_rule.index == 2 and while_rule.status is Status.PASSED and while_rule.error is None


@pytest.mark.parametrize("code", [None, "def f(x:\n"])
def test_rules_are_not_checked_without_parsable_code(code: str | None) -> None:
    result = grade(RULES, RawRun(events=[returned(0, 0)]), code=code)
    assert result.total == 1 and len(result.tests) == 1 and result.status is RunStatus.PASSED


@pytest.mark.parametrize(("where", "error", "line"), [
    (7, None, 7),
    (0, None, None),
    (-3, None, None),
    ("7", None, None),
    (None, {"type": "KeyboardInterrupt", "message": "", "line": 5}, 5),
    (0, {"type": "KeyboardInterrupt", "message": "", "line": 5}, 5),
    (None, {"type": "KeyboardInterrupt", "message": "", "line": 0}, None),
    (None, {"type": "KeyboardInterrupt", "message": "", "line": None}, None),
    (None, {"type": "ValueError", "message": "", "line": 5}, None),
    (8, {"type": "KeyboardInterrupt", "message": "", "line": 5}, 8),
    (1, None, 1),
    (None, {"type": "KeyboardInterrupt", "message": "", "line": 1}, 1),
])
def test_the_line_a_stopped_test_was_running(where: Any, error: dict[str, Any] | None, line: int | None) -> None:
    events: list[dict[str, Any]] = []
    if where is not None:
        events.append({"event": "where", "index": 0, "line": where})
    if error is not None:
        events.append({"event": "test", "index": 0, "outcome": "raised", "error": error})
    [test] = grade(question([{"call": "f(0)", "expected": "0"}]), RawRun(events=events, timed_out={0: 2.0})).tests
    assert test.status is Status.TIMEOUT and test.stopped_line == line
    assert test.message == "took longer than 2 s: is there an infinite loop?"


@pytest.mark.parametrize(("tree", "value"), [
    (["none"], None), (["bool", True], True), (["bool", 0], False), (["int", "-ff"], -255),
    (["float", (2.5).hex()], 2.5), (["complex", (1.0).hex(), (-2.0).hex()], complex(1, -2)),
    (["str", "é"], "é"), (["bytes", "00ff"], b"\x00\xff"),
    (["list", [["int", "1"], ["str", "a"]]], [1, "a"]), (["tuple", [["int", "1"]]], (1,)),
    (["set", [["int", "1"], ["int", "2"]]], {1, 2}), (["frozenset", [["int", "1"]]], frozenset({1})),
    (["dict", [[["str", "k"], ["list", []]]]], {"k": []}),
])
def test_decode_rebuilds_every_tag(tree: Any, value: Any) -> None:
    decoded = decode(tree)
    assert decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize(("tree", "kind", "text"), [
    ([], "invalid", "<invalid value from the runner>"),
    ("int", "invalid", "<invalid value from the runner>"),
    (["mystery", 1], "invalid", "<invalid value from the runner>"),
    (["set", [["list", []]]], "set", "[[]]"),
    (["frozenset", [["list", []]]], "frozenset", "[[]]"),
    (["dict", [[["list", []], ["int", "1"]]]], "dict", "<dict with unhashable keys>"),
    (["opaque", "Thing", "<Thing>"], "Thing", "<Thing>"),
])
def test_decode_turns_the_unrebuildable_into_opaque_values(tree: Any, kind: str, text: str) -> None:
    decoded = decode(tree)
    assert isinstance(decoded, Opaque)
    assert (decoded.type_name, decoded.text, repr(decoded)) == (kind, text, text)
    assert decoded != decoded and hash(decoded) == id(decoded)


def test_full_repr_only_when_the_short_one_abbreviates() -> None:
    assert full_repr([1, 2], show([1, 2])) is None
    assert full_repr(Opaque("x", "x"), "y") is None
    long = list(range(100))
    assert full_repr(long, show(long)) == repr(long)
    huge = "x" * 30_000
    text = full_repr(huge, show(huge))
    assert text is not None and text.startswith("'xxx") and text.endswith("… [10002 more characters]")
    assert len(text) == 20_000 + len("… [10002 more characters]")
    assert full_repr(10**5000, show(10**5000)) is None  # too long for decimal text: the summary stays
    assert show(2**600) == "<int with 601 bits>" and not show(2**599).startswith("<int")


def test_events_without_optional_fields_get_their_defaults() -> None:
    bare = {"event": "test", "index": 0, "outcome": "returned", "value": ["int", "0"]}
    result = grade(question([{"call": "f(0)", "expected": "0"}]), RawRun(events=[{"event": "module"}, bare]))
    [test] = result.tests
    assert (test.status, test.duration_ms, test.stdout, test.stdout_truncated) == (Status.PASSED, 0.0, "", False)
    assert result.module_stdout == ""


def test_long_values_keep_their_full_text_for_the_hover() -> None:
    long = list(range(100))
    tests = [{"call": "f(0)", "expected": repr(long)}, {"call": "f(0)", "expected": "'text'"},
             {"call": "f(0)", "expected": "'1\\n'", "mode": "stdout"}]
    raw = RawRun(events=[returned(0, [*long, 100]), returned(1, "text"), {**returned(2, None), "stdout": "2\n"}])
    listed, text, printed = grade(question(tests), raw).tests
    assert listed.expected_full == repr(long) and listed.actual_full == repr([*long, 100])
    assert listed.expected is not None and listed.expected.endswith("...]")
    assert (text.expected, text.expected_full, text.actual, text.status) == ("'text'", None, "'text'", Status.PASSED)
    assert (printed.expected, printed.expected_full, printed.actual) == ("1\n", None, "2\n")


def test_a_truncated_output_equal_so_far_says_it_was_cut() -> None:
    event = {**returned(0, None), "stdout": "1\n", "stdout_truncated": True}
    [test] = grade(question([{"call": "f(0)", "expected": "'1\\n'", "mode": "stdout"}]), RawRun(events=[event])).tests
    assert test.message == "printed more output than a test may keep: the output was cut short"


def test_an_empty_answer_to_a_digest_counts_zero_items() -> None:
    [test] = grade(question([{"call": "f(0)", "expected": repr(digest([1, 2])), "mode": "digest"}]),
                   RawRun(events=[returned(0, [])])).tests
    assert test.message == "expected 2 items, got 0 items"


def test_the_cpu_message_rounds_to_hundredths() -> None:
    [test] = grade(question([{"call": "f(0)", "expected": "0", "budget": 9}]),
                   RawRun(events=[returned(0, 0, cpu_ms=10_000.0)])).tests
    assert test.message == ("too slow for this input: it used 10.00 s of CPU time, "
                            "the budget is 9.00 s; the prompt asks for a faster approach")


def test_a_repr_of_exactly_the_cap_is_kept_whole() -> None:
    text = "x" * (20_000 - 2)
    assert full_repr(text, "short") == repr(text) and len(repr(text)) == 20_000


def test_a_call_stopped_by_the_cpu_timer_is_too_slow_not_an_error() -> None:
    stopped = {**raised(0, "TimeoutError", "CPU budget"), "cpu_ms": 900.0}
    in_time = {**raised(1, "ValueError", "bad"), "cpu_ms": 100.0}
    tests = [{"call": "f(0)", "expected": "0", "budget": 0.5}, {"call": "f(1)", "expected": "1", "budget": 0.5}]
    slow, error = grade(question(tests), RawRun(events=[stopped, in_time])).tests
    assert slow.status is Status.FAILED and slow.error is None
    assert (slow.expected, slow.expected_full, slow.actual, slow.actual_full) == (None, None, None, None)
    assert (slow.cpu_ms, slow.cpu_budget_ms) == (900.0, 500.0)
    assert slow.message == ("too slow for this input: it used 0.90 s of CPU time, the budget is 0.50 s; "
                            "the prompt asks for a faster approach")
    assert error.status is Status.ERROR and error.message == "raised ValueError: bad"
