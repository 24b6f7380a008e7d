"""The learner's own tests: reading ``# test:`` lines, and how they are graded and reported.

Reading is pure (``ast`` only) and fuzzed with hypothesis; running goes through
the real subprocess sandbox and the real service with a real SQLite store, to
show that own tests never decide a solve in either direction.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytrix.curriculum.bank import Bank, load_bank
from pytrix.curriculum.question import Compare, Kind, Question, TestCase
from pytrix.practice.files import render_practice_file
from pytrix.practice.findings import findings_for, own_summary, result_json
from pytrix.runner.grading import RawRun, grade
from pytrix.runner.literals import parse_call, parse_class_script
from pytrix.runner.own_tests import MAX_OWN_TESTS, OwnTests, read_own_tests, with_own_tests
from pytrix.runner.protocol import Limits, build_request
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox
from pytrix.service import PytrixService
from pytrix.settings import Settings
from pytrix.store.database import Store

REVERSE = "string-reversal.beginner"
RIGHT = "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
WRONG = "def reverse_string(s: str) -> str:\n    return s\n"
HEADER = f"# pytrix: question={REVERSE}\n"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def test_a_function_test_line_is_read_with_its_line_and_mode(bank: Bank) -> None:
    question = bank.get(REVERSE)
    source = HEADER + '# test: reverse_string("ab") == "ba"\n' + RIGHT + "    # test: reverse_string('') == ''  # empty\n"
    own = read_own_tests(source, question)
    assert own.problems == ()
    assert [(t.line, t.case.call, t.case.expected, t.case.mode) for t in own.tests] == [
        (2, 'reverse_string("ab")', '"ba"', Compare.EXACT),
        (5, "reverse_string('')", "''", Compare.EXACT),
    ]
    assert all(t.case.own_line == t.line for t in own.tests)


def test_a_float_expected_is_compared_closely_and_a_shared_mode_is_kept(bank: Bank) -> None:
    question = bank.get(REVERSE)
    assert read_own_tests("# test: f(1) == [0.1, 2]\n", question).tests[0].case.mode is Compare.FLOAT
    unordered = question.model_copy(update={"tests": [t.model_copy(update={"mode": Compare.UNORDERED})
                                                      for t in question.tests]})
    assert read_own_tests("# test: f(1) == [0.5]\n", unordered).tests[0].case.mode is Compare.UNORDERED


def test_class_and_program_forms(bank: Bank) -> None:
    account = bank.get("bank-account-class.beginner")
    own = read_own_tests('# test: [["BankAccount", "Bo"], ["deposit", 5]] == [None, True]\n', account)
    assert own.problems == () and own.tests[0].case.call == '[["BankAccount", "Bo"], ["deposit", 5]]'
    program = bank.get("format-and-parse-durations.beginner")
    own = read_own_tests('# test: input "61\\n" -> output "00:01:01"\n'
                         '# test: input "a -> b" -> output "x -> y"\n', program)
    assert own.problems == ()
    assert [(t.case.stdin, t.case.expected, t.case.mode) for t in own.tests] == [
        ("61\n", "'00:01:01'", Compare.STDOUT), ("a -> b", "'x -> y'", Compare.STDOUT)]


@pytest.mark.parametrize(("line", "reason"), [
    ("# test: reverse_string(x) == 'a'", "the call must use plain values only"),
    ("# test: reverse_string('a')", "it needs one `==`"),
    ("# test: reverse_string('a') == 'a' == 'a'", "it needs one `==`"),
    ("# test: reverse_string('a') != 'a'", "it needs one `==`"),
    ("# test: reverse_string('a') == open('x')", "the expected value is not a plain value"),
    ("# test: s.upper() == 'A'", "the call must use plain values only"),
    ("# test: reverse_string('a' == 'a'", "it is not valid Python"),
    ("# test:", "it is empty"),
])
def test_an_unreadable_line_is_a_message_at_its_line_with_the_form(bank: Bank, line: str, reason: str) -> None:
    question = bank.get(REVERSE)
    own = read_own_tests(HEADER + "\n" + line + "\n", question)
    assert own.tests == ()
    (problem,) = own.problems
    assert problem.line == 3
    assert problem.message.startswith(f"Your test on line 3 could not be read: {reason}")
    assert problem.message.endswith('Write it as `# test: reverse_string("hello") == "olleh"`.')


def test_a_test_line_inside_a_docstring_is_text(bank: Bank) -> None:
    question = bank.get(REVERSE)
    quoted = '"""Write it like this:\n# test: reverse_string("x") == "x"\n# test: nonsense\n"""\n'
    source = HEADER + quoted + RIGHT + "# test: reverse_string('ab') == 'ba'\n"
    own = read_own_tests(source, question)
    assert own.problems == () and [t.line for t in own.tests] == [source.count("\n")]
    broken = HEADER + quoted + "def (\n"  # a file that does not parse: lines are taken as written
    assert len(read_own_tests(broken, question).tests) == 1


def test_a_program_line_without_strings_is_unreadable(bank: Bank) -> None:
    program = bank.get("format-and-parse-durations.beginner")
    (problem,) = read_own_tests("# test: input 5 -> output 6\n", program).problems
    assert "each be a quoted string" in problem.message and "Write it as `# test: input '0\\n' -> output \"00:00:00\\n\"`." in problem.message


def test_only_the_first_tests_run_and_the_rest_are_said_to_be_left_out(bank: Bank) -> None:
    question = bank.get(REVERSE)
    source = "".join(f"# test: reverse_string('{n}') == '{n}'\n" for n in range(MAX_OWN_TESTS + 3))
    own = read_own_tests(source, question)
    assert len(own.tests) == MAX_OWN_TESTS
    assert [p.line for p in own.problems] == [MAX_OWN_TESTS + 1, MAX_OWN_TESTS + 2, MAX_OWN_TESTS + 3]
    assert "is left out: a run takes the first 20" in own.problems[0].message


def test_with_own_tests_appends_once_and_leaves_a_file_without_any_alone(bank: Bank) -> None:
    question = bank.get(REVERSE)
    assert with_own_tests(question, HEADER + RIGHT) is question
    source = HEADER + "# test: reverse_string('ab') == 'ba'\n" + RIGHT
    once = with_own_tests(question, source)
    assert len(once.tests) == len(question.tests) + 1 and once.tests[-1].own_line == 2
    assert with_own_tests(once, source).tests == once.tests
    assert with_own_tests(once, HEADER + RIGHT).tests == question.tests


def test_a_question_may_not_carry_own_tests(bank: Bank) -> None:
    data = bank.get(REVERSE).model_dump()
    data["tests"][0]["own_line"] = 3
    with pytest.raises(ValueError, match="own_line is only for a learner's own tests"):
        Question.model_validate(data)


def test_every_practice_file_teaches_the_form_with_a_line_its_question_reads(bank: Bank) -> None:
    for question in bank.questions.values():
        text = render_practice_file(question, bank.curriculum)
        assert read_own_tests(text, question) == OwnTests(), question.id  # nothing in a fresh file is one
        example = text.splitlines()[2].split("one per line: ", 1)[1]
        own = read_own_tests(example + "\n", question)
        assert len(own.tests) == 1 and own.problems == (), (question.id, example)
        assert _names_what_the_solution_defines(question, own.tests[0].case), (question.id, example)


def _names_what_the_solution_defines(question: Question, case: TestCase) -> bool:
    """The example calls a function, or builds a class and calls its methods, that the solution has;
    a program's example gives it some input."""
    if question.kind is Kind.PROGRAM:
        return bool((case.stdin or "").strip())
    tree = ast.parse(question.solution)
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    methods = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}  # bases' too
    if question.kind is Kind.FUNCTION:
        return parse_call(case.call or "").name in functions
    script = parse_class_script(case.call or "")
    return (script.class_name in classes and len(script.steps) >= 2
            and all(name in methods for name, _ in script.steps[1:]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_any_test_line_is_either_a_test_or_a_warning(bank: Bank, bodies: list[str]) -> None:
    for question_id in (REVERSE, "bank-account-class.beginner", "format-and-parse-durations.beginner"):
        question = bank.get(question_id)
        bodies = [b.replace("\n", " ").replace("\r", " ") for b in bodies]
        source = "".join(f"# test: {body}\n" for body in bodies)
        own = read_own_tests(source, question)
        lines = sorted([t.line for t in own.tests] + [p.line for p in own.problems])
        assert lines == [n for n, text in enumerate(source.splitlines(), start=1) if text.startswith("# test:")]
        assert all(p.message.startswith(f"Your test on line {p.line} ") for p in own.problems)
        request = build_request(with_own_tests(question, source), source, "x.py", Limits())  # never raises
        assert len(request["tests"]) == len(question.tests) + len(own.tests)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#test: ()[]=\"'0123456789,.-_abcinpuotr>\n\\x")), max_size=200))
def test_any_source_is_read_without_an_exception(bank: Bank, source: str) -> None:
    for question_id in (REVERSE, "bank-account-class.beginner", "format-and-parse-durations.beginner"):
        own = read_own_tests(source, bank.get(question_id))
        assert len(own.tests) <= MAX_OWN_TESTS


def test_grading_keeps_own_tests_out_of_the_count_and_rules_after_them(bank: Bank) -> None:
    question = bank.get("custom-iterator-class.beginner")
    source = "# test: countdown_demo(0) == ([], [], True, 'done')\n# test: helper(1) == 2\n"
    graded = grade(with_own_tests(question, source), RawRun(), code=source)
    n = len(question.tests)
    assert graded.total == n + len(question.forbid)
    assert [t.index for t in graded.tests] == list(range(len(graded.tests)))
    assert [(t.own, t.line) for t in graded.tests[n:n + 2]] == [(True, 1), (True, 2)]
    assert not any(t.own for t in graded.tests[n + 2:]) and len(graded.tests) == n + 2 + len(question.forbid)


def _run(question: Question, source: str):  # type: ignore[no-untyped-def]
    return asyncio.run(SubprocessSandbox().run(question, source, "own.py"))


def test_a_failing_own_test_is_a_warning_and_the_question_still_passes(bank: Bank) -> None:
    question = bank.get(REVERSE)
    source = HEADER + "# test: reverse_string('ab') == 'ab'\n# test: reverse_string('ab') == 'ba'\n" + RIGHT
    result = _run(question, source)
    assert result.all_passed and (result.passed, result.total) == (len(question.tests), len(question.tests))
    assert [(t.line, t.status) for t in result.own_tests] == [(2, Status.FAILED), (3, Status.PASSED)]
    found = findings_for(result, question, source)
    warning = next(f for f in found if f.code == "own-test-failed")
    assert (warning.line, warning.severity) == (1, "warning")
    assert warning.message == "Your test: reverse_string('ab'): expected 'ab', got 'ba'"
    assert not [f for f in found if f.severity == "error"]
    summary = next(f for f in found if f.code == "all-passed")
    assert summary.message.startswith(f"All {len(question.tests)} tests passed, and 1 of your 2 own tests passes.")
    rows = [t for t in result_json(result, found)["tests"] if t.get("own")]
    assert [(row["line"], row["status"]) for row in rows] == [(2, "failed"), (3, "passed")]


def test_an_own_test_that_hangs_times_out_alone(bank: Bank) -> None:
    question = bank.get(REVERSE)
    source = HEADER + "# test: spin(1) == 1\n" + RIGHT + "\n\ndef spin(n):\n    while True:\n        n += 1\n"
    result = _run(question, source)
    assert result.all_passed
    assert [t.status for t in result.own_tests] == [Status.TIMEOUT]
    (warning,) = [f for f in findings_for(result, question, source) if f.code == "own-test-failed"]
    assert warning.line == 1 and "timed out" in warning.message


def test_own_tests_of_class_and_program_questions_run(bank: Bank) -> None:
    account = bank.get("bank-account-class.beginner")
    source = ('# test: [["BankAccount", "Bo"], ["deposit", 5], ["get_balance"]] == [None, True, 5]\n'
              '# test: [["BankAccount", "Bo"], ["deposit", -1]] == [None, True]\n' + account.solution)
    assert [t.status for t in _run(account, source).own_tests] == [Status.PASSED, Status.FAILED]
    program = bank.get("format-and-parse-durations.beginner")
    source = ('# test: input "61\\n" -> output "00:01:01"\n# test: input "1" -> output "1"\n'
              + program.solution)
    result = _run(program, source)
    assert result.all_passed
    assert [(t.status, t.message) for t in result.own_tests] == [
        (Status.PASSED, ""), (Status.FAILED, "output line 1: expected '1', printed '00:00:01'")]


def _attempt(service: PytrixService) -> dict[str, object]:
    row = service.store.query("SELECT passed, total, solved, results FROM attempts ORDER BY id DESC LIMIT 1")[0]
    return {"passed": row["passed"], "total": row["total"], "solved": row["solved"],
            "own": [t for t in json.loads(row["results"])["tests"] if t.get("own")]}


def test_own_tests_never_decide_a_submission(tmp_path: Path, bank: Bank) -> None:
    service = PytrixService(bank, Store(tmp_path / "p.db"), Settings())
    n = len(bank.get(REVERSE).tests)
    try:
        # A passing own test does not make a wrong solution count.
        asyncio.run(service.submit(REVERSE, HEADER + "# test: reverse_string('aa') == 'aa'\n" + WRONG, "r.py"))
        wrong = _attempt(service)
        assert wrong["solved"] == 0 and wrong["total"] == n and wrong["passed"] < n
        assert [(t["status"], t["line"]) for t in wrong["own"]] == [("passed", 2)]  # type: ignore[attr-defined]
        # A failing own test does not stop a right one.
        asyncio.run(service.submit(REVERSE, HEADER + "# test: reverse_string('ab') == 'ab'\n" + RIGHT, "r.py"))
        right = _attempt(service)
        assert (right["solved"], right["passed"], right["total"]) == (1, n, n)
        assert [t["status"] for t in right["own"]] == ["failed"]  # type: ignore[attr-defined]
    finally:
        service.close()


def test_the_summary_wording() -> None:
    from pytrix.runner.protocol import RunResult, RunStatus, TestResult

    def summary(*statuses: Status) -> str:
        tests = [TestResult(index=i, call="f()", status=s, own=True) for i, s in enumerate(statuses)]
        return own_summary(RunResult(question_id="a.beginner", status=RunStatus.PASSED, tests=tests))

    assert summary() == ""
    assert summary(Status.PASSED) == "your own test passes"
    assert summary(Status.FAILED) == "your own test fails"
    assert summary(Status.PASSED, Status.PASSED) == "2 of your own tests pass"
    assert summary(Status.FAILED, Status.ERROR) == "none of your 2 own tests pass"
    assert summary(Status.PASSED, Status.PASSED, Status.FAILED) == "2 of your 3 own tests pass"
    assert summary(Status.PASSED, Status.NOT_RUN) == "your own test passes"


def test_a_failing_own_test_is_never_explained_so_hints_never_start_from_it(tmp_path: Path, bank: Bank) -> None:
    from pytrix.practice.explain import explain

    question = bank.get(REVERSE)
    helper = "\n\ndef first(x):\n    return x[0]\n"  # an IndexError: explained were it the question's test
    source = HEADER + "# test: first([]) == 1\n" + RIGHT + helper
    result = _run(question, source)
    assert result.all_passed and [t.status for t in result.own_tests] == [Status.ERROR]
    assert explain(result, question, source) == {}
    as_if_the_questions = result.model_copy(deep=True)
    as_if_the_questions.tests[-1].own = False
    assert explain(as_if_the_questions, question, source)  # so the empty answer above is the own rule
    service = PytrixService(bank, Store(tmp_path / "p.db"), Settings())
    try:
        assert service.cause_hint(question, source, result) is None
    finally:
        service.close()


def test_reviews_and_ai_prompts_report_the_questions_tests_only(bank: Bank) -> None:
    from pytrix.ai.offline import verdict_of
    from pytrix.ai.prompts import results_text

    question = bank.get(REVERSE)
    source = HEADER + "# test: reverse_string('own') == 'nwo'\n" + WRONG
    result = _run(question, source)
    assert [t.status for t in result.own_tests] == [Status.FAILED]
    assert "'nwo'" not in results_text(result) and "reverse_string" in results_text(result)
    verdict, text = verdict_of(result)
    assert verdict == "partly correct" and "'nwo'" not in text and text.startswith(f"{result.passed}/{result.total}")


LITERALS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LITERALS, max_size=3), LITERALS)
def test_any_call_over_plain_values_is_read_and_sent(bank: Bank, args: list[object], expected: object) -> None:
    question = bank.get(REVERSE)
    call = f"reverse_string({', '.join(map(repr, args))})"
    source = f"# test: {call} == {expected!r}\n"
    (own,) = read_own_tests(source, question).tests
    assert (own.case.call, own.case.expected) == (call, repr(expected))
    assert own.case.expected_value() == expected
    (sent,) = build_request(with_own_tests(question, source), source, "x.py", Limits())["tests"][-1:]
    assert sent["name"] == "reverse_string" and sent["index"] == len(question.tests)
