"""The run limits and run result as pydantic models (protocol ``pytrix-run`` version 1).

:class:`RunResult` is the graded answer every backend returns and the editor and
``--json`` get (their wire form). The grader fills the plain dataclasses of
:mod:`pytrix.runner.results` (which also holds :func:`build_request`, the enums
and the views shared by both kinds) and :meth:`RunResult.from_data` validates them into
these models. Expected values never enter the request: the harness cannot see
them. The learner's own tests (:mod:`pytrix.runner.own_tests`) travel as ordinary
tests after the question's; their results are marked ``own``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from pytrix.runner.results import HIDDEN_CALL as HIDDEN_CALL
from pytrix.runner.results import PROTOCOL_VERSION, RunData, RunLimits, RunViews, TestViews
from pytrix.runner.results import RunStatus as RunStatus
from pytrix.runner.results import TestStatus as TestStatus
from pytrix.runner.results import build_request as build_request

_DEFAULT = RunLimits()


class Limits(BaseModel):
    """Limits for one run; the sandbox enforces the ones the harness cannot."""

    test_timeout: float = Field(default=_DEFAULT.test_timeout, gt=0, le=60, description="seconds per test")
    run_timeout: float = Field(default=_DEFAULT.run_timeout, gt=0, le=300, description="seconds per run")
    stdout_chars: int = Field(default=_DEFAULT.stdout_chars, ge=100)
    repr_chars: int = Field(default=_DEFAULT.repr_chars, ge=50)
    value_chars: int = Field(default=_DEFAULT.value_chars, ge=1000)
    memory_mb: int = Field(default=_DEFAULT.memory_mb, ge=64)
    cpu_seconds: int = Field(default=_DEFAULT.cpu_seconds, ge=1)
    open_files: int = Field(default=_DEFAULT.open_files, ge=16, description="open file descriptors")
    file_mb: int = Field(default=_DEFAULT.file_mb, ge=1, description="largest file the code may write")
    disk_mb: int = Field(default=_DEFAULT.disk_mb, ge=1, description="disk space a run's folder may use in all")
    threads: int = Field(default=_DEFAULT.threads, ge=1, description="threads alive at once")


class ErrorInfo(BaseModel):
    type: str
    message: str
    line: int | None = None
    col: int | None = None


class TestResult(BaseModel, TestViews):
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


class RunResult(BaseModel, RunViews):
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

    @classmethod
    def from_data(cls, data: RunData) -> RunResult:
        """The validated model of a run the grader filled."""
        return cls.model_validate(data, from_attributes=True)

    @property
    def own_tests(self) -> list[TestResult]:  # type: ignore[override]  # the models' own kind
        """The results of the learner's own tests (not part of ``passed`` or ``total``)."""
        return [test for test in self.tests if test.own]
