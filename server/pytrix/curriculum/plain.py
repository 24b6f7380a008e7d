"""Questions as plain data: the enums every question model uses, the read-only shape the
runner, grader and findings need of a question (:class:`QuestionLike`), and a named-tuple
version of it (:class:`PlainQuestion`) that loads without pydantic.

The validated pydantic models of :mod:`pytrix.curriculum.question` satisfy
:class:`QuestionLike` as they are. ``pytrix check``'s lean path reads a
:class:`PlainQuestion` from the bank cache's plain records
(:mod:`pytrix.curriculum.bank_cache`), which are written from the validated models:
validation is never skipped, it happened when the record was made.
:func:`record_of` is the one place that decides what a record holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from pytrix.runner.literals import parse_literal

if TYPE_CHECKING:
    from typing import Protocol, Self


class Difficulty(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Kind(StrEnum):
    """What the learner writes: a function, a class, or a stdin/stdout program."""

    FUNCTION = "function"
    CLASS = "class"
    PROGRAM = "program"


class Compare(StrEnum):
    """How an actual value is compared with the expected one."""

    EXACT = "exact"
    FLOAT = "float"
    UNORDERED = "unordered"
    SET = "set"
    STDOUT = "stdout"
    STRICT = "strict"
    """Types must agree everywhere: ``1 != 1.0``, ``True != 1``, ``(1,) != [1]``."""
    DIGEST = "digest"
    """For outputs too large to write out: ``expected`` is ``(length, "sha256 prefix")`` of the
    value's repr (see :func:`pytrix.runner.grading.digest`)."""


class Style(StrEnum):
    """What the learner does with the starter code."""

    WRITE = "write"
    """The stub is a skeleton; the learner writes the code."""
    FIX = "fix"
    """A "find the bug" exercise: the stub is working-looking code with a bug the prompt announces."""


class Source(StrEnum):
    BANK = "bank"
    AI = "ai"


if TYPE_CHECKING:  # shapes for the type checker only: creating Protocol classes costs start-up time
    class TestLike(Protocol):
        """What running, grading and explaining read of one test."""

        @property
        def call(self) -> str: ...
        @property
        def expected(self) -> str: ...
        @property
        def mode(self) -> Compare: ...
        @property
        def stdin(self) -> str | None: ...
        @property
        def hidden(self) -> bool: ...
        @property
        def timeout(self) -> float | None: ...
        @property
        def name(self) -> str: ...
        @property
        def unchanged(self) -> bool: ...
        @property
        def budget(self) -> float | None: ...
        @property
        def own_line(self) -> int | None: ...

        def expected_value(self) -> Any: ...

        def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self: ...

    class QuestionLike(Protocol):
        """What running, grading, findings and the CLI's output read of a question."""

        @property
        def id(self) -> str: ...
        @property
        def module(self) -> str: ...
        @property
        def kind(self) -> Kind: ...
        @property
        def entry(self) -> str: ...
        @property
        def stub(self) -> str: ...
        @property
        def given(self) -> Sequence[str]: ...
        @property
        def tests(self) -> Sequence[TestLike]: ...
        @property
        def forbid(self) -> Sequence[Any]: ...

        def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self: ...


class PlainTest(NamedTuple):
    """A :class:`~pytrix.curriculum.question.TestCase` as plain data (same fields, same defaults;
    a named tuple: it costs a fraction of a dataclass at start-up)."""

    call: str = ""
    expected: str = "None"
    mode: Compare = Compare.EXACT
    stdin: str | None = None
    hidden: bool = False
    timeout: float | None = None
    note: str = ""
    name: str = ""
    unchanged: bool = False
    budget: float | None = None
    own_line: int | None = None

    def expected_value(self) -> Any:
        return parse_literal(self.expected)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> PlainTest:
        """A copy with ``update``'s fields, as the pydantic models make it (no validation)."""
        return self._replace(**dict(update or {}))


class PlainQuestion(NamedTuple):
    """The part of a :class:`~pytrix.curriculum.question.Question` a check reads, as plain data.

    Only questions without ``forbid`` rules have one (:func:`record_of`): the rules are
    pydantic models, checked on the full path.
    """

    id: str
    module: str
    kind: Kind
    entry: str
    stub: str
    tests: tuple[PlainTest, ...]
    given: tuple[str, ...] = ()
    forbid: tuple[Any, ...] = ()

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> PlainQuestion:
        """The question a :func:`record_of` record describes."""
        tests = tuple(PlainTest(**{**test, "mode": Compare(test["mode"])}) for test in record["tests"])
        return cls(id=record["id"], module=record["module"], kind=Kind(record["kind"]), entry=record["entry"],
                   stub=record["stub"], tests=tests, given=tuple(record["given"]))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> PlainQuestion:
        """A copy with ``update``'s fields, as the pydantic models make it (no validation)."""
        update = dict(update or {})
        if "tests" in update:
            update["tests"] = tuple(update["tests"])
        return self._replace(**update)


TEST_FIELDS = PlainTest._fields


def record_of(question: QuestionLike) -> dict[str, Any] | None:
    """A validated question as plain data (str, int, float, bool, None, lists and dicts), or
    None when it has ``forbid`` rules (those questions are checked on the full path)."""
    if question.forbid:
        return None
    return {
        "id": question.id, "module": question.module, "kind": question.kind.value, "entry": question.entry,
        "stub": question.stub, "given": list(question.given),
        "tests": [{name: (value.value if isinstance(value, StrEnum) else value)
                   for name in TEST_FIELDS for value in (getattr(test, name),)} for test in question.tests],
    }
