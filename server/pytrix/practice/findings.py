"""Turn a run result into editor-neutral findings (the LSP layer maps them to diagnostics).

Each failing test is first explained (:mod:`pytrix.practice.explain`): a cause
is one plain sentence, and often a line (the ``print`` that should be a
``return``, the loop that never ends). Tests that fail the same way (same
cause, or same kind of failure, at the same line) become one finding: the
sentence, then the first test's evidence (``call: expected X, got Y``), with
every test of the group in ``related`` and ``data["indices"]``.

Where a finding lands: the cause's line; else, for an exception, the line of
the learner's file where it was raised; for a timeout, the line that was
running when the test was stopped; else the entry function's name. A syntax
error sits at its position, CPython's message followed by a plain sentence.
All passing is a single informational finding.

The learner's own tests (``# test:`` lines, :mod:`pytrix.runner.own_tests`)
are never errors: each failing one is a warning at its line, "Your test: …";
a line that cannot be read is a warning there too; passing ones are counted in
the all-passed finding ("and 2 of your own tests pass").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pytrix.practice.explain import Cause, explain, syntax_sentence
from pytrix.practice.files import find_entry
from pytrix.runner.own_tests import read_own_tests
from pytrix.runner.results import ErrorData, RunStatus, TestStatus

if TYPE_CHECKING:  # plain results or the validated models alike (`pytrix check` loads no pydantic)
    from pytrix.curriculum.plain import QuestionLike as Question
    from pytrix.runner.protocol import RunResult as ValidatedRun
    from pytrix.runner.results import ErrorLike as ErrorInfo
    from pytrix.runner.results import RunLike as RunResult
    from pytrix.runner.results import TestLike as TestResult

Severity = Literal["error", "warning", "information", "hint"]


@dataclass(frozen=True)
class Related:
    """Another place (or test) a finding refers to: the LSP's ``relatedInformation``."""

    line: int
    start: int
    end: int
    message: str


@dataclass(frozen=True)
class Finding:
    """A message anchored to a range of the practice file (0-based lines and columns)."""

    line: int
    start: int
    end: int
    severity: Severity
    message: str
    code: str
    data: dict[str, Any] = field(default_factory=dict)
    source: str = "pytrix"  # the diagnostic's source label (AI reviews use "pytrix-ai")
    end_line: int = -1  # the last line of a multi-line range; -1: the same as ``line``
    related: tuple[Related, ...] = ()  # each test of a group (the LSP's relatedInformation)


def _line_span(lines: list[str], line: int) -> tuple[int, int, int]:
    line = max(0, min(line, len(lines) - 1)) if lines else 0
    text = lines[line] if lines else ""
    start = len(text) - len(text.lstrip())
    return line, start, max(len(text), start + 1)


def _short(text: str, limit: int = 200) -> str:
    text = text.rstrip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(test: TestResult) -> str:
    return test.label


def evidence(test: TestResult) -> str:
    """What one test showed: ``call: expected X, got Y`` (or what it raised), plus its output."""
    label = _label(test)
    if test.status is TestStatus.TIMEOUT:
        message = f"{label} timed out: {test.message}"
    elif test.status is TestStatus.ERROR:
        message = f"{label} {test.message}"
    elif test.error is not None and test.error.type == "RuleBroken":  # a forbidden construct, at its line
        message = f"{label}: {test.message}"
    elif test.hidden and test.expected is None:  # only the kind of failure, never the values
        kind = "" if test.message in ("", "hidden test failed") else f": {test.message}"
        message = f"{label} failed{kind} (its input and expected value are shown once you solve it)"
    elif test.expected is None:
        message = f"{label} failed{': ' + test.message if test.message else ''}"
    elif test.message.startswith(("output line ", "printed ")):  # a program's output, line by line
        return f"{label}: {test.message}"
    else:
        message = f"{label}: expected {test.expected}, got {test.actual}"
        if test.message and not test.message.startswith("expected"):
            message += f" ({test.message})"
    if test.stdout.strip() and test.status is not TestStatus.PASSED:
        message += f"\nprinted: {_short(test.stdout)}"
    return message


def _kind(test: TestResult) -> str:
    if test.status is TestStatus.TIMEOUT:
        return "timeout"
    if test.hidden and test.expected is None and test.status is TestStatus.FAILED:
        return "hidden"
    if test.status is TestStatus.ERROR:
        error = test.error
        return f"error:{error.type}:{error.message}" if error is not None else f"error:{test.message}"
    return "wrong-answer"


_SAME_WAY = {
    "timeout": "{n} tests time out",
    "wrong-answer": "{n} tests give a wrong answer",
}


def _group_message(tests: list[TestResult], cause: Cause | None, kind: str) -> str:
    first = tests[0]
    n = len(tests)
    if cause is not None:
        head = cause.sentence if n == 1 else f"{n} tests fail the same way: {cause.sentence}"
        return f"{head}\n{evidence(first)}"
    if n == 1:
        return evidence(first)
    if kind == "hidden":
        return f"{n} hidden tests fail too (their inputs and expected values are shown once you solve it)"
    if kind.startswith("error:"):
        return f"{n} tests raise the same error: {evidence(first)}"
    return f"{_SAME_WAY[kind].format(n=n)}, for example {evidence(first)}"


def findings_for(result: RunResult, question: Question, source: str, *, solved: bool = False,
                 earlier: bool = False) -> list[Finding]:
    """Findings for one run of ``source`` against ``question``.

    ``solved``: this very source was submitted and solved the question, so the
    all-passed finding says so instead of inviting a submit; ``earlier``: that
    submission was an earlier one (this run recorded nothing).
    """
    lines = source.splitlines() or [""]
    entry = find_entry(source, question.entry)
    if entry is not None:
        entry_span = (entry.line, entry.start, entry.end)
    else:
        entry_span = _line_span(lines, len(lines) - 1)

    def at_error(error: ErrorInfo | None) -> tuple[int, int, int]:
        if error is not None and error.line is not None and 1 <= error.line <= len(lines):
            return _line_span(lines, error.line - 1)
        return entry_span

    if result.status is RunStatus.CANCELLED:
        return []
    unreadable = _unreadable_findings(source, question, lines)
    if result.compile_error is not None:
        return [_syntax_finding(result.compile_error, lines), *unreadable]
    if result.status is RunStatus.MODULE_ERROR:
        line, start, end = at_error(result.module_error)
        return [Finding(line, start, end, "error", result.message, "load-error"), *unreadable]
    if result.status is RunStatus.INTERNAL_ERROR:
        line, start, end = entry_span
        return [Finding(line, start, end, "warning", result.message, "runner-error"), *unreadable]

    causes = explain(result, question, source)
    groups: dict[tuple[str, int], list[TestResult]] = {}
    spans: dict[tuple[str, int], tuple[int, int, int]] = {}
    for test in result.tests:
        if test.status in (TestStatus.PASSED, TestStatus.NOT_RUN) or test.own:
            continue
        cause = causes.get(test.index)
        if cause is not None and cause.line is not None and 0 <= cause.line < len(lines):
            span = _line_span(lines, cause.line)
        elif test.status is TestStatus.ERROR or (test.error is not None and test.error.type == "RuleBroken"):
            span = at_error(test.error)  # an exception where it was raised, a broken rule where it is broken
        elif test.status is TestStatus.TIMEOUT and test.stopped_line is not None:
            span = at_error(ErrorData(type="Timeout", message="", line=test.stopped_line))
        else:
            span = entry_span
        key = (cause.code if cause is not None else _kind(test), span[0])
        groups.setdefault(key, []).append(test)
        spans.setdefault(key, span)

    findings: list[Finding] = []
    for key, tests in groups.items():
        line, start, end = spans[key]
        first = tests[0]
        cause = causes.get(first.index)
        code = {"timeout": "timeout", "error": "test-error"}.get(first.status.value, "test-failed")
        data: dict[str, Any] = {"index": first.index, "indices": [t.index for t in tests]}
        if cause is not None:
            data["cause"] = cause.code
            data["explanation"] = cause.sentence
        related = tuple(Related(line, start, end, evidence(t).split("\n")[0]) for t in tests)
        findings.append(Finding(
            line, start, end, "error", _group_message(tests, cause, key[0]), code, data,
            related=related if len(tests) > 1 else (),
        ))
    findings.extend(_own_test_findings(result, lines, entry_span))
    findings.extend(unreadable)
    if result.status is RunStatus.PASSED:
        line, start, end = entry_span
        own = own_summary(result)
        recorded = ("Solved earlier: all {total} tests pass, and this code was already submitted and recorded"
                    if earlier else "Solved: all {total} tests passed and the attempt is recorded")
        findings.append(
            Finding(
                line, start, end, "information",
                recorded.format(total=result.total) + f"{f' ({own})' if own else ''}. For another "
                "question, use \"Pytrix: new practice question (auto mode)\"." if solved else
                f"All {result.total} tests passed{f', and {own}' if own else ''}. "
                "Submit it with \"Pytrix: submit\".",
                "all-passed",
            )
        )
    return findings


def own_summary(result: RunResult) -> str:
    """How the learner's own tests went, for a sentence: "2 of your own tests pass" ("" without any)."""
    own = [test for test in result.own_tests if test.status is not TestStatus.NOT_RUN]
    passing = sum(test.status is TestStatus.PASSED for test in own)
    if not own:
        return ""
    if passing == len(own):
        return f"{passing} of your own tests pass" if passing > 1 else "your own test passes"
    if passing == 0:
        return f"none of your {len(own)} own tests pass" if len(own) > 1 else "your own test fails"
    return f"{passing} of your {len(own)} own tests pass{'es' if passing == 1 else ''}"


def _own_test_findings(result: RunResult, lines: list[str], entry_span: tuple[int, int, int]) -> list[Finding]:
    """A warning at the ``# test:`` line of each of the learner's own tests that fails."""
    findings: list[Finding] = []
    for test in result.own_tests:
        if test.status in (TestStatus.PASSED, TestStatus.NOT_RUN):
            continue
        if test.line is not None and 1 <= test.line <= len(lines):
            line, start, end = _line_span(lines, test.line - 1)
        else:
            line, start, end = entry_span
        data: dict[str, Any] = {"index": test.index, "indices": [test.index], "own": True}
        findings.append(Finding(line, start, end, "warning", f"Your test: {evidence(test)}", "own-test-failed", data))
    return findings


def _unreadable_findings(source: str, question: Question, lines: list[str]) -> list[Finding]:
    """A warning at each ``# test:`` line that could not be read (or is over the cap)."""
    findings: list[Finding] = []
    for problem in read_own_tests(source, question).problems:
        line, start, end = _line_span(lines, problem.line - 1)
        findings.append(Finding(line, start, end, "warning", problem.message, "own-test-unreadable"))
    return findings


def _syntax_finding(err: ErrorInfo, lines: list[str]) -> Finding:
    """The compile error at its position, CPython's message first, then one plain sentence."""
    line = (err.line or 1) - 1
    line = max(0, min(line, len(lines) - 1))
    col = max(0, (err.col or 1) - 1)
    text = lines[line]
    col = min(col, len(text))
    end = len(text) if len(text) > col else col + 1
    message = f"{err.type}: {err.message}"
    sentence = syntax_sentence(err.type, err.message, text)
    if sentence:
        message += f"\n{sentence}"
    data = {"explanation": sentence} if sentence else {}
    return Finding(line, col, end, "error", message, "syntax-error", data)


def result_json(result: ValidatedRun, findings: list[Finding]) -> dict[str, Any]:
    """The run result as JSON for front ends, each explained test carrying its explanation.

    A test a finding explains gets ``explanation`` (and ``cause``) and its
    ``message`` starts with that sentence, so a panel that lists tests with
    their messages (VS Code's practice panel) shows why without knowing more.
    """
    data: dict[str, Any] = result.model_dump(mode="json")
    tests = {test["index"]: test for test in data.get("tests", [])}
    for finding in findings:
        explanation = finding.data.get("explanation") if finding.data else None
        if not isinstance(explanation, str):
            continue
        for index in finding.data.get("indices", []):
            test = tests.get(index)
            if test is None:
                continue
            test["explanation"] = explanation
            test["cause"] = finding.data.get("cause")
            test["message"] = f"{explanation} ({test['message']})" if test.get("message") else explanation
    return data
