"""Hover: the question and latest results on the entry function; on a failing test's line,
why it fails (the explanation) and the full values of each test failing that way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pytrix.lsp.markup import markup_content

if TYPE_CHECKING:  # the core is imported after `initialize` is answered (lsp/startup.py)
    from pytrix.lsp.server import PytrixServer
    from pytrix.runner.protocol import RunResult, TestResult

MAX_DETAILED = 3


def _results_markdown(result: RunResult) -> list[str]:
    lines = [f"**Latest run:** {result.message}"]
    for test in result.tests:
        mark = {"passed": "✓", "not_run": "·"}.get(test.status.value, "✗")
        lines.append(f"- {mark} `{test.label}`" + (" (yours)" if test.own else ""))
    return lines


def _test_markdown(test: TestResult) -> str:
    from pytrix.runner.protocol import TestStatus

    yours = f" (your test on line {test.line})" if test.own else ""
    parts = [f"**{test.status.value.replace('_', ' ')}{yours}:** `{test.label}`", ""]
    expected = test.expected_full or test.expected
    actual = test.actual_full or test.actual
    if expected is not None:
        parts += ["expected:", "```python", expected, "```"]
    elif test.hidden:
        parts.append("*A hidden test's input and expected value are shown once you solve the question.*")
    if actual is not None and test.status is TestStatus.FAILED:
        parts += ["actual:", "```python", actual, "```"]
    if test.error is not None and test.status is TestStatus.ERROR:
        parts.append(f"raised `{test.error.type}`: {test.error.message}")
    if test.stdout.strip():
        parts += ["printed:", "```text", test.stdout.rstrip()[:4000], "```"]
    return "\n".join(parts)


def register(server: PytrixServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: PytrixServer, params: types.HoverParams) -> types.Hover | None:
        from pytrix.practice.files import find_entry
        from pytrix.runner.protocol import TestStatus

        uri = params.text_document.uri
        state = ls.documents.get(uri)
        document = ls.open_document(uri)
        if state is None or document is None or state.question_id is None or state.header_lost:
            return None
        try:
            question = ls.service.question(state.question_id)
        except Exception:
            return None
        where = document.position_codec.position_from_client_units(document.lines, params.position)
        line, column = where.line, where.character
        result = state.result
        failing: list[TestResult] = []
        causes: list[str] = []  # the explanations of the findings under the cursor
        for finding in state.run_findings:
            data = finding.data or {}
            if finding.line != line or not finding.start <= column <= finding.end:
                continue
            if isinstance(data.get("explanation"), str):
                causes.append(f"**Why:** {data['explanation']}")
            indices = data.get("indices", [data.get("index")])
            if result is None or not isinstance(indices, list):
                continue
            for index in indices:
                if isinstance(index, int) and 0 <= index < len(result.tests):
                    test = result.tests[index]
                    if test.status is not TestStatus.PASSED:
                        failing.append(test)
        details = causes + [_test_markdown(test) for test in failing[:MAX_DETAILED]]
        if len(failing) > MAX_DETAILED:
            details.append(f"*…and {len(failing) - MAX_DETAILED} more failing tests.*")
        entry = find_entry(document.source, question.entry)
        on_entry = entry is not None and entry.line == line and entry.start <= column <= entry.end
        if not on_entry and not details:
            return None
        body: list[str] = []
        if on_entry:
            located = ls.service.bank.curriculum.locate(question.problem_type)
            crumb = f"{located[0].name} › {located[1].name} › " if located else ""
            first_paragraph = question.prompt.strip().split("\n\n")[0]
            body += [f"### {question.title}", f"*{crumb}{question.difficulty.value}*", "", first_paragraph, ""]
            body += _results_markdown(result) if result is not None else ["*Not run yet.*"]
        if details:
            body += (["", "---", ""] if body else []) + "\n\n---\n\n".join(details).split("\n")
        return types.Hover(contents=markup_content(ls, "\n".join(body)))  # plain text if asked
