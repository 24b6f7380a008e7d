"""The practice loop end to end over stdio: new question, diagnostics, fix, submit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from conftest import Session

WRONG = '''# pytrix: question=string-reversal.beginner
"""Reverse a string."""


def reverse_string(s: str) -> str:
    return s
'''

RIGHT = '''# pytrix: question=string-reversal.beginner
"""Reverse a string."""


def reverse_string(s: str) -> str:
    return s[::-1]
'''

CRASH = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    letters = list(s)
    return letters[len(s)]
'''

LOOP = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    while True:
        pass
'''


def errors(diags: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diags if d.severity == types.DiagnosticSeverity.Error]


def all_passed(diags: list[types.Diagnostic]) -> bool:
    return len(diags) == 1 and diags[0].code == "all-passed"


async def test_new_question_writes_a_practice_file_and_opens_it(lsp: Session) -> None:
    result = await lsp.request("pytrix/newQuestion", {"module": "string-manipulation", "difficulty": "beginner"})
    path = Path(result["path"])
    assert path.is_file()
    assert path.is_relative_to(lsp.workspace)
    assert path.read_text(encoding="utf-8").startswith(f"# pytrix: question={result['questionId']}")
    assert result["questionUri"] == f"pytrix:/question/{result['questionId']}.md"
    if lsp.flavour == "visual-studio-code":  # Neovim's capabilities do not advertise showDocument
        assert [d.uri for d in lsp.client.shown_documents] == [result["uri"]]


async def test_wrong_answer_is_reported_at_the_function_with_expected_and_actual(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    diags = await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    first = errors(diags)[0]
    assert first.range.start.line == 4  # def reverse_string
    assert first.range.start.character == 4
    assert 'reverse_string("hello"): expected \'olleh\', got \'hello\'' in first.message
    assert first.source == "pytrix"
    hidden = [d for d in diags if "hidden test" in d.message]
    assert hidden and "expected" not in hidden[0].message.split("failed")[0]


async def test_fixing_the_code_reports_all_passing(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    lsp.replace(uri, RIGHT)
    diags = await lsp.diagnostics(uri, all_passed)
    assert diags[0].severity == types.DiagnosticSeverity.Information
    assert "All 7 tests passed" in diags[0].message


async def test_an_exception_is_reported_at_the_line_that_raised(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "crash.py", CRASH)
    diags = await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    first = errors(diags)[0]
    assert first.range.start.line == 5
    assert "IndexError" in first.message


async def test_a_syntax_error_is_reported_at_its_position(lsp: Session) -> None:
    source = "# pytrix: question=string-reversal.beginner\n\ndef reverse_string(s:\n    return s\n"
    uri = lsp.open(lsp.workspace / "syntax.py", source)
    diags = await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert len(diags) == 1
    assert diags[0].code == "syntax-error"
    assert diags[0].range.start.line == 2


async def test_infinite_loop_times_out_and_the_server_keeps_answering(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "loop.py", LOOP)
    # While the run is in flight, a code action request is answered: the answer arrives
    # before the run's timeout diagnostic is published (order of events, not a clock).
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not any(d.code == "timeout" for d in lsp.client.diagnostics.get(uri, [])), \
        "the code action waited for the run"
    titles = [a.title for a in actions or []]  # the test client may parse actions as Commands
    assert any("hint" in t for t in titles), titles
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "timeout" for x in d))
    timeout = next(d for d in diags if d.code == "timeout")
    assert timeout.range.start.line == 4  # the loop that was running, not the def
    assert timeout.message.startswith("`while True:` has no `break` or `return` inside, so it never ends.")
    assert "timed out" in timeout.message


async def test_a_newer_version_supersedes_an_older_run(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "loop.py", LOOP)
    lsp.replace(uri, RIGHT)
    diags = await lsp.diagnostics(uri, all_passed, timeout=10)
    assert all(d.code != "timeout" for d in diags)


async def test_closing_clears_diagnostics(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    lsp.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await lsp.diagnostics(uri, lambda d: len(d) == 0)


async def test_submit_records_the_attempt(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.diagnostics(uri, all_passed)
    result = await lsp.command("pytrix.submit", uri)
    assert result["status"] == "passed"
    assert result["attemptId"] >= 1
    stats = await lsp.request("pytrix/stats", None)
    assert stats["attempts"] == 1 and stats["questionsSolved"] == 1
    await lsp.message(lambda text: text.startswith("Solved!"))
