"""Plain data for ``pytrix check``'s lean path: the records beside the bank cache, and the
plain twins of the pydantic models (same fields, same defaults, same requests and grades)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.bank_cache import plain_question
from pytrix.curriculum.plain import PlainQuestion, PlainTest, record_of
from pytrix.curriculum.question import TestCase
from pytrix.runner.grading import RawRun, grade, grade_data
from pytrix.runner.own_tests import with_own_tests
from pytrix.runner.protocol import Limits, RunResult, TestResult
from pytrix.runner.results import RunData, RunLimits, TestData, build_request
from pytrix.settings import Settings


def _fields(kind: Any) -> dict[str, Any]:
    if hasattr(kind, "_field_defaults"):  # a named tuple
        return {name: kind._field_defaults.get(name, "required") for name in kind._fields}
    if dataclasses.is_dataclass(kind):
        return {f.name: f.default if f.default is not dataclasses.MISSING else "required"
                for f in dataclasses.fields(kind)}
    return {name: "required" if info.is_required() else info.get_default(call_default_factory=True)
            for name, info in kind.model_fields.items()}


def test_the_plain_twins_have_the_models_fields_and_defaults() -> None:
    assert _fields(RunLimits) == _fields(Limits)
    plain_tests, model_tests = _fields(TestData), _fields(TestResult)
    assert plain_tests == model_tests
    plain_run = {k: v for k, v in _fields(RunData).items() if k != "tests"}
    assert plain_run == {k: v for k, v in _fields(RunResult).items() if k != "tests"}
    test_case = _fields(TestCase)
    assert {k: v for k, v in _fields(PlainTest).items() if k != "expected"} == {
        k: v for k, v in test_case.items() if k != "expected"}


def test_every_record_gives_the_same_request_and_grade_as_its_model() -> None:
    bank = load_bank()
    code = "# test: 1 == 1\n"
    checked = 0
    for question in bank.questions.values():
        record = record_of(question)
        if record is None:
            assert question.forbid
            continue
        plain = PlainQuestion.of(record)
        assert build_request(plain, code, "f.py", RunLimits()) == build_request(question, code, "f.py", Limits())
        raw = RawRun(events=[{"event": "ready", "python": "3"}, {"event": "module", "stdout": ""}])
        assert dataclasses.asdict(grade_data(plain, raw, code=code)) == grade(question, raw, code=code).model_dump()
        checked += 1
    assert checked > 500


def test_own_tests_on_a_plain_question_are_plain_and_graded_alike() -> None:
    question = load_bank().get("string-reversal.beginner")
    plain = PlainQuestion.of(record_of(question) or {})
    source = 'def reverse_string(s):\n    return s[::-1]\n# test: reverse_string("ab") == "ba"\n# test: reverse_string("x") == 1.5\n'
    own_model, own_plain = with_own_tests(question, source), with_own_tests(plain, source)
    assert [type(t) for t in own_plain.tests[-2:]] == [PlainTest, PlainTest]
    assert [(t.call, t.expected, t.mode, t.own_line) for t in own_plain.tests] == [
        (t.call, t.expected, t.mode, t.own_line) for t in own_model.tests]


def test_a_question_with_forbid_rules_has_no_record() -> None:
    bank = load_bank()
    ruled = next(q for q in bank.questions.values() if q.forbid)
    assert record_of(ruled) is None
    assert plain_question(ruled.id) is None


def test_settings_defaults_are_the_plain_limits() -> None:
    """The lean path runs only without a settings file, with RunLimits(): the service's limits then."""
    settings = Settings()
    limits = RunLimits()
    assert (settings.test_timeout, settings.run_timeout, settings.memory_mb) == (
        limits.test_timeout, limits.run_timeout, limits.memory_mb)
