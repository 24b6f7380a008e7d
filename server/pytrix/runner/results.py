"""The run request and graded results as plain data (protocol ``pytrix-run`` version 1).

Everything here loads without pydantic, so ``pytrix check``'s lean path
(:mod:`pytrix.runner.oneshot`) builds a request, grades and prints with the very
code the full path uses. :mod:`pytrix.runner.protocol` holds the pydantic models of
the same results (the wire form the editor and ``--json`` get); the grader fills the
dataclasses here (:class:`RunData`), and the full path turns them into those models
(``RunResult.from_data(data)``). Both kinds share the
views below (:class:`TestViews`, :class:`RunViews`), so the findings and the CLI's
output read either.

:func:`build_request` turns a question and the learner's code into the JSON the
harness reads. Expected values never enter the request: the harness cannot see them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pytrix.curriculum.plain import Kind
from pytrix.runner.literals import parse_call, parse_class_script

PROTOCOL_VERSION = 1
HIDDEN_CALL = "hidden"
"""The ``call`` of an unnamed hidden test before it is revealed (its arguments stay in the server)."""


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


if TYPE_CHECKING:  # shapes for the type checker only: creating Protocol classes costs start-up time
    from pytrix.curriculum.plain import QuestionLike

    class LimitsLike(Protocol):
        """What running reads of a run's limits (a :class:`RunLimits` or a validated ``Limits``)."""

        @property
        def test_timeout(self) -> float: ...
        @property
        def run_timeout(self) -> float: ...
        @property
        def stdout_chars(self) -> int: ...
        @property
        def repr_chars(self) -> int: ...
        @property
        def value_chars(self) -> int: ...
        @property
        def memory_mb(self) -> int: ...
        @property
        def cpu_seconds(self) -> int: ...
        @property
        def open_files(self) -> int: ...
        @property
        def file_mb(self) -> int: ...
        @property
        def disk_mb(self) -> int: ...
        @property
        def threads(self) -> int: ...

    class ErrorLike(Protocol):
        @property
        def type(self) -> str: ...
        @property
        def message(self) -> str: ...
        @property
        def line(self) -> int | None: ...
        @property
        def col(self) -> int | None: ...

    class _Labelled(Protocol):
        @property
        def hidden(self) -> bool: ...
        @property
        def expected(self) -> str | None: ...
        @property
        def index(self) -> int: ...
        @property
        def call(self) -> str: ...

    class TestLike(Protocol):
        """A graded test: a :class:`TestData` or a ``TestResult``."""

        @property
        def index(self) -> int: ...
        @property
        def call(self) -> str: ...
        @property
        def status(self) -> TestStatus: ...
        @property
        def hidden(self) -> bool: ...
        @property
        def expected(self) -> str | None: ...
        @property
        def actual(self) -> str | None: ...
        @property
        def expected_full(self) -> str | None: ...
        @property
        def actual_full(self) -> str | None: ...
        @property
        def stdout(self) -> str: ...
        @property
        def stdout_truncated(self) -> bool: ...
        @property
        def error(self) -> ErrorLike | None: ...
        @property
        def stopped_line(self) -> int | None: ...
        @property
        def cpu_ms(self) -> float | None: ...
        @property
        def cpu_budget_ms(self) -> float | None: ...
        @property
        def message(self) -> str: ...
        @property
        def duration_ms(self) -> float: ...
        @property
        def own(self) -> bool: ...
        @property
        def line(self) -> int | None: ...
        @property
        def label(self) -> str: ...

    class _Counted(Protocol):
        @property
        def status(self) -> RunStatus: ...
        @property
        def tests(self) -> Sequence[TestLike]: ...

    class RunLike(Protocol):
        """A graded run: a :class:`RunData` or a ``RunResult``."""

        @property
        def question_id(self) -> str: ...
        @property
        def status(self) -> RunStatus: ...
        @property
        def passed(self) -> int: ...
        @property
        def total(self) -> int: ...
        @property
        def tests(self) -> Sequence[TestLike]: ...
        @property
        def compile_error(self) -> ErrorLike | None: ...
        @property
        def module_error(self) -> ErrorLike | None: ...
        @property
        def module_stdout(self) -> str: ...
        @property
        def duration_ms(self) -> float: ...
        @property
        def message(self) -> str: ...
        @property
        def all_passed(self) -> bool: ...
        @property
        def own_tests(self) -> Sequence[TestLike]: ...


class RunLimits(NamedTuple):
    """The limits of one run, as plain data: :class:`pytrix.runner.protocol.Limits` validates
    the same fields and takes its defaults from here."""

    test_timeout: float = 2.0
    run_timeout: float = 10.0
    stdout_chars: int = 20000
    repr_chars: int = 2000
    value_chars: int = 1_000_000
    memory_mb: int = 512
    cpu_seconds: int = 30
    open_files: int = 64
    file_mb: int = 16
    disk_mb: int = 64
    threads: int = 64


class TestViews:
    """What a graded test shows, for the dataclass and the pydantic model alike."""

    __test__ = False

    @property
    def label(self: _Labelled) -> str:
        """How a learner sees the test: its call, or ``hidden test 3 (its name)`` while hidden."""
        if self.hidden and self.expected is None:
            return f"hidden test {self.index + 1}" + ("" if self.call == HIDDEN_CALL else f" ({self.call})")
        return self.call


class RunViews:
    """What a graded run shows, for the dataclass and the pydantic model alike."""

    @property
    def all_passed(self: _Counted) -> bool:
        return self.status is RunStatus.PASSED

    @property
    def own_tests(self: _Counted) -> list[TestLike]:
        """The results of the learner's own tests (not part of ``passed`` or ``total``)."""
        return [test for test in self.tests if test.own]


@dataclasses.dataclass(slots=True)
class ErrorData:
    type: str
    message: str
    line: int | None = None
    col: int | None = None


@dataclasses.dataclass(slots=True)
class TestData(TestViews):
    """A graded test as the grader fills it (the fields of ``TestResult``)."""

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
    error: ErrorData | None = None
    stopped_line: int | None = None  # a timeout: the learner's line that was running when stopped
    cpu_ms: float | None = None  # a budgeted test: the CPU time the call used
    cpu_budget_ms: float | None = None  # ... and what it was allowed (scaled to the machine)
    message: str = ""
    duration_ms: float = 0.0
    own: bool = False  # the learner's own test (a ``# test:`` line): never counted in passed/total
    line: int | None = None  # an own test: its ``# test:`` line (1-based)


@dataclasses.dataclass(slots=True)
class RunData(RunViews):
    """A graded run as the grader fills it (the fields of ``RunResult``)."""

    question_id: str
    status: RunStatus
    protocol: int = PROTOCOL_VERSION
    passed: int = 0
    total: int = 0
    tests: list[TestData] = dataclasses.field(default_factory=list)
    compile_error: ErrorData | None = None
    module_error: ErrorData | None = None
    module_stdout: str = ""
    duration_ms: float = 0.0
    backend: str = "subprocess"
    python: str | None = None
    message: str = ""


def build_request(
    question: QuestionLike, code: str, filename: str, limits: LimitsLike, indices: list[int] | None = None
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


def sandbox_options(limits: LimitsLike, confinement: dict[str, bool] | None = None) -> dict[str, Any]:
    """The request's ``sandbox`` part: the limits and layers the harness applies to itself."""
    return {
        "memory_mb": limits.memory_mb,
        "cpu_seconds": limits.cpu_seconds,
        "open_files": limits.open_files,
        "file_mb": limits.file_mb,
        "threads": limits.threads,
        **(confinement or {}),
    }
