"""The run request and run result (protocol ``pytrix-run`` version 1).

:func:`build_request` turns a question and the learner's code into the JSON the
harness reads; :class:`RunResult` is the graded answer every backend returns.
Expected values never enter the request: the harness cannot see them. The
learner's own tests (:mod:`pytrix.runner.own_tests`) travel as ordinary tests
after the question's; their results are marked ``own``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from pytrix.curriculum.question import Kind, Question
from pytrix.runner.literals import parse_call, parse_class_script

PROTOCOL_VERSION = 1
HIDDEN_CALL = "hidden"
"""The ``call`` of an unnamed hidden test before it is revealed (its arguments stay in the server)."""


class Limits(BaseModel):
    """Limits for one run; the sandbox enforces the ones the harness cannot."""

    test_timeout: float = Field(default=2.0, gt=0, le=60, description="seconds per test")
    run_timeout: float = Field(default=10.0, gt=0, le=300, description="seconds per run")
    stdout_chars: int = Field(default=20000, ge=100)
    repr_chars: int = Field(default=2000, ge=50)
    value_chars: int = Field(default=1_000_000, ge=1000)
    memory_mb: int = Field(default=512, ge=64)
    cpu_seconds: int = Field(default=30, ge=1)
    open_files: int = Field(default=64, ge=16, description="open file descriptors")
    file_mb: int = Field(default=16, ge=1, description="largest file the code may write")
    disk_mb: int = Field(default=64, ge=1, description="disk space a run's folder may use in all")
    threads: int = Field(default=64, ge=1, description="threads alive at once")


class TestStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    NOT_RUN = "not_run"


class RunStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    COMPILE_ERROR = "compile_error"
    MODULE_ERROR = "module_error"
    CANCELLED = "cancelled"
    INTERNAL_ERROR = "internal_error"


class ErrorInfo(BaseModel):
    type: str
    message: str
    line: int | None = None
    col: int | None = None


class TestResult(BaseModel):
    """The graded outcome of one test."""

    __test__ = False

    index: int
    call: str
    status: TestStatus
    hidden: bool = False
    expected: str | None = None
    actual: str | None = None
    expected_full: str | None = None  # set when ``expected`` is abbreviated (hover shows it)
    actual_full: str | None = None
    stdout: str = ""
    stdout_truncated: bool = False
    error: ErrorInfo | None = None
    stopped_line: int | None = None  # a timeout: the learner's line that was running when stopped
    cpu_ms: float | None = None  # a budgeted test: the CPU time the call used
    cpu_budget_ms: float | None = None  # ... and what it was allowed (scaled to the machine)
    message: str = ""
    duration_ms: float = 0.0
    own: bool = False  # the learner's own test (a ``# test:`` line): never counted in passed/total
    line: int | None = None  # an own test: its ``# test:`` line (1-based)

    @property
    def label(self) -> str:
        """How a learner sees the test: its call, or ``hidden test 3 (its name)`` while hidden."""
        if self.hidden and self.expected is None:
            return f"hidden test {self.index + 1}" + ("" if self.call == HIDDEN_CALL else f" ({self.call})")
        return self.call


class RunResult(BaseModel):
    """The graded outcome of a whole run."""

    protocol: int = PROTOCOL_VERSION
    question_id: str
    status: RunStatus
    passed: int = 0
    total: int = 0
    tests: list[TestResult] = Field(default_factory=list)
    compile_error: ErrorInfo | None = None
    module_error: ErrorInfo | None = None
    module_stdout: str = ""
    duration_ms: float = 0.0
    backend: str = "subprocess"
    python: str | None = None
    message: str = ""

    @property
    def all_passed(self) -> bool:
        return self.status is RunStatus.PASSED

    @property
    def own_tests(self) -> list[TestResult]:
        """The results of the learner's own tests (not part of ``passed`` or ``total``)."""
        return [test for test in self.tests if test.own]


def build_request(
    question: Question, code: str, filename: str, limits: Limits, indices: list[int] | None = None
) -> dict[str, Any]:
    """Build the harness request for ``question``'s tests (or only ``indices``)."""
    tests: list[dict[str, Any]] = []
    for index, test in enumerate(question.tests):
        if indices is not None and index not in indices:
            continue
        item: dict[str, Any] = {"index": index, "stdin": test.stdin}
        if test.unchanged:
            item["unchanged"] = True
        if test.budget is not None:
            item["budget"] = test.budget
        if test.timeout is not None:  # its own limit (seconds): the editor's runtime enforces it too
            item["timeout"] = test.timeout
        if question.kind is Kind.FUNCTION:
            call = parse_call(test.call)
            item.update(name=call.name, args=call.args_source, kwargs=call.kwargs_source)
        elif question.kind is Kind.CLASS:
            item["steps"] = [list(step) for step in parse_class_script(test.call).steps]
        tests.append(item)
    return {
        "protocol": PROTOCOL_VERSION,
        "filename": filename,
        "code": code.removeprefix("\ufeff"),  # a UTF-8 byte order mark is not Python
        "kind": question.kind.value,
        "entry": question.entry,
        "tests": tests,
        "limits": {
            "stdout_chars": limits.stdout_chars,
            "repr_chars": limits.repr_chars,
            "value_chars": limits.value_chars,
            "depth": 200,
        },
    }
