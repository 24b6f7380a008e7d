"""The learner's own ``# test:`` lines through the real language server, in both runtimes.

A failing own test is a Warning at its line starting "Your test:", never an
Error, and the file still passes; the run's JSON (what the practice panel
shows) marks the row ``own``. Through the client runtime the stand-in client
runs the harness as the Pyodide worker does, and the sandbox fall-back must
not run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lsprotocol import types
from test_client_runtime import CALLS, RIGHT, RUN_IN_THE_CLIENT, graded_by_the_client

if TYPE_CHECKING:
    from conftest import Session

OWN = RIGHT + "\n# test: reverse_string('ab') == 'ab'\n# test: reverse_string('xy') == 'yx'\n# test: what?\n"
FAILING_LINE = RIGHT.count("\n") + 1  # 0-based line of the first "# test:"


def own_warnings(diags: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diags if d.message.startswith("Your test")]


async def _check_the_warnings(lsp: Session, uri: str) -> None:
    diags = await lsp.diagnostics(uri, lambda d: len(own_warnings(d)) == 2 and any(x.code == "all-passed" for x in d))
    failing, unreadable = sorted(own_warnings(diags), key=lambda d: d.range.start.line)
    assert failing.severity == types.DiagnosticSeverity.Warning
    assert failing.range.start.line == FAILING_LINE
    assert failing.message == "Your test: reverse_string('ab'): expected 'ab', got 'ba'"
    assert unreadable.severity == types.DiagnosticSeverity.Warning
    assert unreadable.range.start.line == FAILING_LINE + 2
    assert unreadable.message.startswith(f"Your test on line {FAILING_LINE + 3} could not be read")
    assert not [d for d in diags if d.severity == types.DiagnosticSeverity.Error]
    (passed,) = [d for d in diags if d.code == "all-passed"]
    assert "and 1 of your 2 own tests passes" in passed.message


async def test_a_failing_own_test_is_a_warning_at_its_line_and_the_file_still_passes(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", OWN)
    await _check_the_warnings(lsp, uri)
    result = await lsp.command("pytrix.runTests", uri)
    assert result["status"] == "passed" and result["passed"] == result["total"] == 7
    rows = [(t["line"], t["status"]) for t in result["tests"] if t.get("own")]
    assert rows == [(FAILING_LINE + 1, "failed"), (FAILING_LINE + 2, "passed")]


@RUN_IN_THE_CLIENT
async def test_own_tests_run_in_the_client_runtime_too(lsp: Session) -> None:
    CALLS.clear()
    uri = lsp.open(lsp.workspace / "rev.py", OWN)
    await _check_the_warnings(lsp, uri)
    request = CALLS[-1]["request"]
    assert [t["index"] for t in request["tests"]] == list(range(9))  # the question's 7, then the 2 readable own
    assert request["tests"][7]["args"] == "('ab', )"
    sent = json.dumps(request["tests"])
    assert "'yx'" not in sent and "expected" not in sent  # expected values stay in the server, own ones too
    graded_by_the_client(lsp)


async def _hover(lsp: Session, uri: str, line: int, column: int) -> str:
    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, column))
    )
    assert hover is not None
    return str(hover.contents.value)  # type: ignore[union-attr]


async def test_hovers_mark_own_tests_as_yours(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", OWN)
    await _check_the_warnings(lsp, uri)
    on_the_test = await _hover(lsp, uri, FAILING_LINE, 3)
    assert f"failed (your test on line {FAILING_LINE + 1}):" in on_the_test
    assert "expected:" in on_the_test and "'ab'" in on_the_test and "'ba'" in on_the_test
    on_the_entry = await _hover(lsp, uri, RIGHT.splitlines().index("def reverse_string(s: str) -> str:"), 6)
    assert "✗ `reverse_string('ab')` (yours)" in on_the_entry and "✓ `reverse_string('xy')` (yours)" in on_the_entry
    assert '✓ `reverse_string("hello")`\n' in on_the_entry + "\n"  # the question's own rows are not marked
