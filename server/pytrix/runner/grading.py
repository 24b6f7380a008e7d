"""Grade raw harness events against a question's expected values.

Runs in the server, outside the learner's reach: canonical trees from the
harness are rebuilt into plain builtin values here and compared with the
expected literals, so a learner object with a rigged ``__eq__`` never takes
part in a comparison (it arrives as an opaque value, which equals nothing).

:func:`grade_data` works on plain data (any :class:`~pytrix.curriculum.plain.QuestionLike`,
filling a :class:`~pytrix.runner.results.RunData`) and imports no pydantic: ``pytrix
check``'s lean path uses it as it is; :func:`grade` is the same grading answered as the
validated :class:`~pytrix.runner.protocol.RunResult`.
"""

from __future__ import annotations

import ast
import math
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytrix.curriculum.plain import Compare, Kind
from pytrix.runner.harness import CALIBRATION_NOMINAL_MS
from pytrix.runner.results import (
    HIDDEN_CALL,
    ErrorData,
    RunData,
    RunStatus,
    TestData,
    TestStatus,
)

if TYPE_CHECKING:
    from pytrix.curriculum.plain import QuestionLike, TestLike
    from pytrix.runner.protocol import RunResult


class _SafeRepr(reprlib.Repr):
    """reprlib with huge integers summarised (their decimal form is slow and capped)."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 600:
            return f"<int with {x.bit_length()} bits>"
        return super().repr_int(x, level)


_display = _SafeRepr()
_display.maxstring = 300
_display.maxother = 300
_display.maxlist = _display.maxtuple = _display.maxset = _display.maxfrozenset = 30
_display.maxdict = 30
_display.maxlevel = 8
_display.maxlong = 200


class Opaque:
    """A value the harness could not serialise: it compares equal to nothing."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)


def decode(tree: Any) -> Any:
    """Rebuild a value from the harness's canonical tree."""
    if not isinstance(tree, list) or not tree:
        return Opaque("invalid", "<invalid value from the runner>")
    tag = tree[0]
    if tag == "none":
        return None
    if tag == "bool":
        return bool(tree[1])
    if tag == "int":
        return int(tree[1], 16)
    if tag == "float":
        return float.fromhex(tree[1])
    if tag == "complex":
        return complex(float.fromhex(tree[1]), float.fromhex(tree[2]))
    if tag == "str":
        return str(tree[1])
    if tag == "bytes":
        return bytes.fromhex(tree[1])
    if tag in ("list", "tuple", "set", "frozenset"):
        items = [decode(item) for item in tree[1]]
        if tag == "list":
            return items
        if tag == "tuple":
            return tuple(items)
        try:
            return set(items) if tag == "set" else frozenset(items)
        except TypeError:
            return Opaque(tag, repr(items))
    if tag == "dict":
        try:
            return {decode(k): decode(v) for k, v in tree[1]}
        except TypeError:
            return Opaque("dict", "<dict with unhashable keys>")
    if tag == "opaque":
        return Opaque(str(tree[1]), str(tree[2]))
    return Opaque("invalid", "<invalid value from the runner>")


def show(value: Any) -> str:
    """A short, safe repr for messages (values here are always builtin or Opaque)."""
    return _display.repr(value)


FULL_REPR_CHARS = 20_000


def full_repr(value: Any, short: str) -> str | None:
    """The complete repr (capped at FULL_REPR_CHARS) when ``short`` abbreviates it, else None."""
    if isinstance(value, Opaque):
        return None
    try:
        text = repr(value)
    except ValueError:  # an integer too large for decimal text: keep the summary
        return None
    if text == short:
        return None
    if len(text) > FULL_REPR_CHARS:
        text = text[:FULL_REPR_CHARS] + f"… [{len(text) - FULL_REPR_CHARS} more characters]"
    return text


def _strict_equal(a: Any, b: Any) -> bool:
    """Python equality, but NaN equals NaN and bool/int/float types must agree in kind."""
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_strict_equal, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    if type(a) in (set, frozenset) and type(b) in (set, frozenset):
        return type(a) is type(b) and a == b
    if type(a) is not type(b) and not (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
    ):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False


def _close(a: Any, b: Any, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        try:
            return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
        except OverflowError:  # an int beyond any float: only an equal int is close to it
            return type(a) is int and type(b) is int and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_close, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return _strict_equal(a, b)


def _sort_key(value: Any) -> str:
    try:
        return f"{type(value).__name__}:{value!r}"
    except ValueError:  # an integer too large for decimal text
        return f"{type(value).__name__}:<{id(value)}>"


def _as_sorted(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=_sort_key)


def _identical(a: Any, b: Any) -> bool:
    """Equal with the same type at every level (``1 != 1.0``, ``True != 1``); NaN equals NaN."""
    if type(a) is not type(b) or isinstance(a, Opaque):
        return False
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_identical, a, b))
    if isinstance(a, dict):
        return (len(a) == len(b) and all(type(k) is type(k2) for k, k2 in zip(a, b, strict=False))
                and a.keys() == b.keys() and all(_identical(a[k], b[k]) for k in a))
    if isinstance(a, (set, frozenset)):
        return a == b and sorted(map(_sort_key, a)) == sorted(map(_sort_key, b))
    return _strict_equal(a, b)


DIGEST_CHARS = 16


def digest(value: Any) -> tuple[int, str]:
    """``(length, first 16 hex digits of the sha256 of its repr)``: what ``mode = "digest"`` compares."""
    size = len(value) if isinstance(value, (list, tuple, str, dict, set, frozenset, bytes)) else -1
    try:
        text = repr(value)
    except ValueError:  # an int too large for decimal text
        text = f"<int with {value.bit_length()} bits>"
    import hashlib  # here: only a digest test needs it, and it loads OpenSSL

    return size, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


def values_match(expected: Any, actual: Any, mode: Compare) -> bool:
    """Compare two builtin values under a comparison mode."""
    if mode is Compare.DIGEST:
        return not isinstance(actual, Opaque) and expected == digest(actual)
    if mode is Compare.STRICT:
        return _identical(expected, actual)
    if mode is Compare.FLOAT:
        return _close(expected, actual)
    if mode is Compare.UNORDERED:
        if not isinstance(actual, (list, tuple)) or not isinstance(expected, (list, tuple)):
            return False
        if len(actual) != len(expected):
            return False
        return _strict_equal(_as_sorted(expected), _as_sorted(actual))
    if mode is Compare.SET:
        if not isinstance(actual, (list, tuple, set, frozenset)):
            return False
        try:
            return set(actual) == set(expected) and not any(isinstance(a, Opaque) for a in actual)
        except TypeError:
            return False
    return _strict_equal(expected, actual)


def normalise_stdout(text: str) -> str:
    """Ignore trailing spaces on each line and trailing blank lines."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


@dataclass(slots=True)
class RawRun:
    """What a backend collected: harness events plus what it saw from outside."""

    events: list[dict[str, Any]] = field(default_factory=list)
    timed_out: dict[int, float] = field(default_factory=dict)
    crashed: dict[int, str] = field(default_factory=dict)
    module_failure: str | None = None
    cancelled: bool = False
    skipped_after_timeout: bool = False
    backend: str = "subprocess"
    duration_ms: float = 0.0


PROGRAM_INPUT_CHARS = 80
"""How much of a program test's input its label shows before a "…"."""


def _call_text(question: QuestionLike, test: TestLike, hidden: bool = False) -> str:
    if hidden:  # only the name: the arguments would give the answer away
        return test.name or HIDDEN_CALL
    label = f"{test.name}: " if test.name else ""
    if question.kind is Kind.PROGRAM:
        stdin = test.stdin or ""
        if not stdin:
            return f"{label}program with empty input"
        shown = repr(stdin)  # newlines stay visible as \n, a leading blank line too
        if len(shown) > PROGRAM_INPUT_CHARS:
            shown = shown[: PROGRAM_INPUT_CHARS - 1] + "…"
        return f"{label}program with input {shown}"
    if question.kind is Kind.CLASS:
        return label + (test.call if len(test.call) <= 160 else test.call[:157] + "…")
    return label + test.call


def grade(question: QuestionLike, raw: RawRun, reveal_hidden: bool = False, code: str | None = None) -> RunResult:
    """Turn raw events into a :class:`~pytrix.runner.protocol.RunResult` (see :func:`grade_data`)."""
    from pytrix.runner.protocol import RunResult

    return RunResult.from_data(grade_data(question, raw, reveal_hidden, code))


def grade_data(question: QuestionLike, raw: RawRun, reveal_hidden: bool = False,
               code: str | None = None) -> RunData:
    """Turn raw events into a graded run, as plain data.

    With ``code``, each of the question's ``forbid`` rules is one more check after
    the tests, failing at the first line that breaks it. The learner's own tests
    (``own_line`` set, see :mod:`pytrix.runner.own_tests`) are graded like the
    others and marked ``own``, but count in neither ``passed`` nor ``total``.
    """
    result = RunData(
        question_id=question.id,
        status=RunStatus.FAILED,
        total=sum(test.own_line is None for test in question.tests),
        backend=raw.backend,
        duration_ms=round(raw.duration_ms, 3),
    )
    by_index: dict[int, dict[str, Any]] = {}
    running_line: dict[int, Any] = {}  # test index -> the line running when it was stopped
    for event in raw.events:
        kind = event.get("event")
        if kind == "ready":
            result.python = event.get("python")
        elif kind == "compile_error":
            result.compile_error = ErrorData(**event["error"])
        elif kind == "module":
            result.module_stdout = str(event.get("stdout", ""))
            if event.get("error"):
                result.module_error = ErrorData(**event["error"])
        elif kind == "test" and isinstance(event.get("index"), int):
            by_index.setdefault(event["index"], event)
        elif kind == "where" and isinstance(event.get("index"), int):
            running_line.setdefault(event["index"], event.get("line"))

    for index, test in enumerate(question.tests):
        hidden = test.hidden and not reveal_hidden
        entry = TestData(index=index, call=_call_text(question, test, hidden), status=TestStatus.NOT_RUN,
                           hidden=test.hidden, own=test.own_line is not None, line=test.own_line)
        expected_value = test.expected_value()
        if not hidden:
            entry.expected = show(expected_value) if test.mode is not Compare.STDOUT else str(expected_value)
            if test.mode is not Compare.STDOUT:
                entry.expected_full = full_repr(expected_value, entry.expected)
        reported = by_index.get(index)
        if index in raw.timed_out:
            entry.status = TestStatus.TIMEOUT
            entry.message = f"took longer than {raw.timed_out[index]:g} s: is there an infinite loop?"
            entry.stopped_line = _stopped_at(running_line.get(index), reported)
        elif index in raw.crashed:
            entry.status = TestStatus.ERROR
            entry.message = raw.crashed[index]
        elif reported is not None:
            try:
                _grade_event(entry, reported, test, expected_value, hidden)
            except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:
                # Whatever the runner sent, one test's value never fails the whole run.
                entry.status = TestStatus.FAILED
                entry.actual = entry.actual_full = None
                entry.message = f"the value could not be compared ({type(exc).__name__})"
        elif raw.skipped_after_timeout:
            entry.message = "not run: an earlier test timed out"
        result.tests.append(entry)
    _check_rules(question, code, result)

    result.passed = sum(t.status is TestStatus.PASSED and not t.own for t in result.tests)
    if raw.cancelled:
        result.status = RunStatus.CANCELLED
        result.message = "The run was cancelled."
    elif result.compile_error:
        result.status = RunStatus.COMPILE_ERROR
        result.message = f"Syntax error: {result.compile_error.message}"
    elif result.module_error or raw.module_failure:
        result.status = RunStatus.MODULE_ERROR
        if result.module_error:
            err = result.module_error
            result.message = f"The file failed while loading: {err.type}: {err.message}"
        else:
            result.message = raw.module_failure or "The file failed while loading."
    elif result.passed == result.total:
        result.status = RunStatus.PASSED
        result.message = f"All {result.total} tests passed."
    else:
        result.status = RunStatus.FAILED
        result.message = f"{result.passed}/{result.total} tests passed."
    return result


def _check_rules(question: QuestionLike, code: str | None, result: RunData) -> None:
    """Add one check per ``forbid`` rule (only when the code parses)."""
    if not question.forbid:
        return
    from pytrix.curriculum.rules import broken_rules, rule_label  # the rules are pydantic models

    breaches = broken_rules(code, list(question.forbid)) if code is not None and question.forbid else None
    if breaches is None:
        return
    for number, (rule, breach) in enumerate(zip(question.forbid, breaches, strict=True)):
        entry = TestData(index=len(question.tests) + number, call=rule_label(rule), status=TestStatus.PASSED)
        if breach is not None:
            entry.status = TestStatus.FAILED
            entry.message = breach.message
            entry.error = ErrorData(type="RuleBroken", message=breach.message, line=breach.line,
                                    col=breach.col + 1)
        result.tests.append(entry)
    result.total += len(question.forbid)


def stdout_difference(expected: str, actual: str) -> str:
    """The first line where printed output differs from the expected output, in one sentence."""
    want, got = expected.splitlines(), actual.splitlines()
    for number, (w, g) in enumerate(zip(want, got, strict=False), start=1):
        if w != g:
            return f"output line {number}: expected {w!r}, printed {g!r}"
    if len(got) < len(want):
        missing = want[len(got)]
        return (f"printed {len(got)} line{'s' if len(got) != 1 else ''}, expected {len(want)}: "
                f"line {len(got) + 1} should be {missing!r}")
    extra = got[len(want)]
    return (f"printed {len(got)} lines, expected {len(want)}: "
            f"line {len(want) + 1} ({extra!r}) should not be there")


def allowed_cpu_ms(test: TestLike, event: dict[str, Any]) -> float | None:
    """A budgeted test's CPU allowance in ms: its budget, scaled up on a slower machine."""
    if test.budget is None:
        return None
    calibration = event.get("calibration_ms")
    scale = max(1.0, calibration / CALIBRATION_NOMINAL_MS) if isinstance(calibration, float) else 1.0
    return test.budget * 1000 * scale


def _too_slow(entry: TestData, test: TestLike, event: dict[str, Any]) -> bool:
    """Fail ``entry`` as too slow when its call went over its CPU budget; whether it did."""
    over = over_budget(test, event)
    if not over:
        return False
    entry.status = TestStatus.FAILED
    entry.expected = entry.expected_full = entry.actual = entry.actual_full = None
    entry.cpu_ms, entry.cpu_budget_ms = event["cpu_ms"], allowed_cpu_ms(test, event)
    entry.message = over
    return True


def over_budget(test: TestLike, event: dict[str, Any]) -> str:
    """The message for a call that used more CPU time than its budget ("" when within it).

    The same whether the call finished or the harness stopped it (the sandbox has a CPU timer,
    Pyodide does not), so both runtimes say the same thing.
    """
    allowed, used = allowed_cpu_ms(test, event), event.get("cpu_ms")
    if allowed is None or not isinstance(used, float) or used <= allowed:
        return ""
    return (f"too slow for this input: it used {used / 1000:.2f} s of CPU time, "
            f"the budget is {allowed / 1000:.2f} s; the prompt asks for a faster approach")


NOT_WRITTEN = "not written yet: replace the starter code's `raise NotImplementedError` with your code"


def step_difference(test: TestLike, expected: Any, actual: Any) -> str:
    """A class test's first call whose result differs (``step 3, pop(): expected 1, got None``),
    or ``""`` for any other test. The whole result lists say less at a glance."""
    call = (test.call or "").strip()
    if not (call.startswith("[") and type(expected) is list and type(actual) is list):
        return ""
    if test.mode not in (Compare.EXACT, Compare.STRICT, Compare.FLOAT):
        return ""
    try:
        steps = ast.parse(call, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    if not isinstance(steps, ast.List):
        return ""
    for number, (want, got, step) in enumerate(zip(expected, actual, steps.elts, strict=False), start=1):
        if values_match(want, got, test.mode) or not isinstance(step, ast.List | ast.Tuple) or not step.elts:
            continue
        head = step.elts[0]
        name = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else "?"
        shown = f"{name}({', '.join(ast.unparse(arg) for arg in step.elts[1:])})"
        return f"step {number}, {shown}: expected {show(want)}, got {show(got)}"
    if len(expected) != len(actual):
        return f"{len(expected)} results (one per step) were expected, {len(actual)} came back"
    return ""


def _stopped_at(where: Any, reported: dict[str, Any] | None) -> int | None:
    """The learner's line a stopped test was running: from the sandbox's ``where`` event, or
    from the KeyboardInterrupt the editor's Pyodide raised to stop it."""
    if type(where) is int and where > 0:
        return where
    error = reported.get("error") if reported is not None else None
    if isinstance(error, dict) and error.get("type") == "KeyboardInterrupt":
        line = error.get("line")
        return line if type(line) is int and line > 0 else None
    return None


def _grade_event(
    entry: TestData, event: dict[str, Any], test: TestLike, expected: Any, hidden: bool
) -> None:
    entry.duration_ms = float(event.get("duration_ms", 0.0))
    entry.stdout = str(event.get("stdout", ""))
    entry.stdout_truncated = bool(event.get("stdout_truncated", False))
    if event.get("outcome") == "raised" and _too_slow(entry, test, event):  # stopped by the CPU timer
        return
    if event.get("outcome") == "raised":
        entry.status = TestStatus.ERROR
        entry.error = ErrorData(**event["error"])
        if entry.error.type == "NotImplementedError" and not entry.error.message:
            entry.error.message = NOT_WRITTEN
        entry.message = f"raised {entry.error.type}: {entry.error.message}"
        return
    if test.mode is Compare.STDOUT:
        actual_text = entry.stdout
        entry.actual = None if hidden else actual_text
        ok = not entry.stdout_truncated and normalise_stdout(actual_text) == normalise_stdout(str(expected))
        if not ok and not hidden:
            wanted, printed = normalise_stdout(str(expected)), normalise_stdout(actual_text)
            # Cut short yet equal so far: the test printed more than it may keep.
            entry.message = (stdout_difference(wanted, printed) if wanted != printed
                             else "printed more output than a test may keep: the output was cut short")
    else:
        actual = decode(event.get("value"))
        entry.actual = None if hidden else show(actual)
        if entry.actual is not None:
            entry.actual_full = full_repr(actual, entry.actual)
        ok = values_match(expected, actual, test.mode)
        if not ok and test.mode is Compare.DIGEST and not hidden:
            size = digest(actual)[0]
            got = f"{size} items" if size >= 0 else entry.actual
            entry.message = (f"expected {expected[0]} items, got {got}" if size != expected[0]
                             else f"the {size} items are not the expected ones")
        if not ok and isinstance(actual, Opaque) and not hidden:
            entry.message = f"returned a {actual.type_name} object; return plain Python values"
        if not ok and not hidden and not entry.message:
            entry.message = step_difference(test, expected, actual)
    if test.budget is not None and isinstance(event.get("cpu_ms"), float):
        entry.cpu_ms, entry.cpu_budget_ms = event["cpu_ms"], allowed_cpu_ms(test, event)
    if ok and _too_slow(entry, test, event):  # a wrong answer is said first, a right one too slow
        return
    changed = event.get("changed")
    if ok and test.unchanged and changed:
        ok = False
        which = ", ".join(f"argument {c + 1}" if isinstance(c, int) else f"argument {c}" for c in changed)
        entry.message = (f"the call changed its input ({which}); the question says to leave the "
                         "inputs unchanged: build a new value instead")
    entry.status = TestStatus.PASSED if ok else TestStatus.FAILED
    if not ok and not entry.message:
        entry.message = "hidden test failed" if hidden else f"expected {entry.expected}, got {entry.actual}"
