"""Turn a run result into editor-neutral findings (the LSP layer maps them to diagnostics).

A failing test lands on the line of the learner's file where it raised, or on
the entry function's name for a wrong answer or a timeout; a syntax error at
its position; all passing is a single informational finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pytrix.curriculum.question import Question
from pytrix.practice.files import find_entry
from pytrix.runner.protocol import ErrorInfo, RunResult, RunStatus, TestResult, TestStatus

Severity = Literal["error", "warning", "information", "hint"]


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


def _line_span(lines: list[str], line: int) -> tuple[int, int, int]:
    line = max(0, min(line, len(lines) - 1)) if lines else 0
    text = lines[line] if lines else ""
    start = len(text) - len(text.lstrip())
    return line, start, max(len(text), start + 1)


def _short(text: str, limit: int = 200) -> str:
    text = text.rstrip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _test_message(test: TestResult, question: Question) -> str:
    label = f"hidden test {test.index + 1}: {test.call}" if test.hidden and test.expected is None else test.call
    if test.status is TestStatus.TIMEOUT:
        message = f"{label} timed out: {test.message}"
    elif test.status is TestStatus.ERROR:
        message = f"{label} {test.message}"
    elif test.expected is None:
        message = f"{label} failed (the expected value is shown when you submit)"
    else:
        message = f"{label}: expected {test.expected}, got {test.actual}"
        if test.message and not test.message.startswith("expected"):
            message += f" ({test.message})"
    if test.stdout.strip() and test.status is not TestStatus.PASSED:
        message += f"\nprinted: {_short(test.stdout)}"
    return message


def findings_for(result: RunResult, question: Question, source: str) -> list[Finding]:
    """Findings for one run of ``source`` against ``question``."""
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
    if result.compile_error is not None:
        err = result.compile_error
        line = (err.line or 1) - 1
        line = max(0, min(line, len(lines) - 1))
        col = max(0, (err.col or 1) - 1)
        text = lines[line]
        col = min(col, len(text))
        end = len(text) if len(text) > col else col + 1
        return [Finding(line, col, end, "error", f"{err.type}: {err.message}", "syntax-error")]
    if result.status is RunStatus.MODULE_ERROR:
        line, start, end = at_error(result.module_error)
        return [Finding(line, start, end, "error", result.message, "load-error")]
    if result.status is RunStatus.INTERNAL_ERROR:
        line, start, end = entry_span
        return [Finding(line, start, end, "warning", result.message, "runner-error")]

    findings: list[Finding] = []
    for test in result.tests:
        if test.status in (TestStatus.PASSED, TestStatus.NOT_RUN):
            continue
        if test.status is TestStatus.ERROR:
            line, start, end = at_error(test.error)
        else:
            line, start, end = entry_span
        code = {"timeout": "timeout", "error": "test-error"}.get(test.status.value, "test-failed")
        findings.append(
            Finding(line, start, end, "error", _test_message(test, question), code, {"index": test.index})
        )
    if result.status is RunStatus.PASSED:
        line, start, end = entry_span
        findings.append(
            Finding(
                line, start, end, "information",
                f"All {result.total} tests passed. Submit it with the code action \"Pytrix: submit\".",
                "all-passed",
            )
        )
    return findings
