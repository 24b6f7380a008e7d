"""Hints one step at a time, the reveal gate, code lenses, run-on-change off."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

if TYPE_CHECKING:
    from conftest import Session

WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''
RIGHT = WRONG.replace("return s\n", "return s[::-1]\n")


async def actions(lsp: Session, uri: str) -> list[str]:
    found = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a.title for a in found or []]


async def test_hints_come_one_step_at_a_time(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: any(x.code == "test-failed" for x in d))
    assert "Pytrix: next hint (1/3)" in await actions(lsp, uri)
    first = await lsp.command("pytrix.hint", uri)
    assert first["level"] == 1 and first["total"] == 3 and not first["exhausted"]
    # The latest run failed for an explained cause: the hint starts with it, then the ladder's step.
    assert first["source"] == "code"
    assert first["text"].startswith("You returned the input `s` unchanged. Fix that first. Then: ")
    assert "Pytrix: next hint (2/3)" in await actions(lsp, uri)
    second = await lsp.command("pytrix.hint", {"uri": uri})
    assert second["level"] == 2 and second["text"] != first["text"]
    third = await lsp.command("pytrix.hint", uri)
    assert third["exhausted"]
    again = await lsp.command("pytrix.hint", uri)
    assert again["level"] == 3
    await lsp.message(lambda m: m.startswith("Hint 1/3: You returned the input s unchanged."))
    doc = await lsp.request("pytrix/questionDocument", {"questionId": "string-reversal.beginner"})
    assert "## Hints so far" in doc["markdown"] and third["text"].split("Then: ", 1)[-1] in doc["markdown"]


@pytest.mark.lsp_options(settings={"revealAfterFailures": 2})
async def test_the_solution_unlocks_after_the_set_number_of_failed_submissions(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    refused = await lsp.command("pytrix.reveal", uri)
    assert refused["allowed"] is False and "2 failed submissions" in refused["message"]
    assert "Pytrix: reveal solution" not in await actions(lsp, uri) or lsp.flavour == "visual-studio-code"
    for _ in range(2):
        failed = await lsp.command("pytrix.submit", uri)
        assert failed["status"] == "failed"
    assert "Pytrix: reveal solution" in await actions(lsp, uri)
    revealed = await lsp.command("pytrix.reveal", uri)
    assert revealed["allowed"] is True and "[::-1]" in revealed["solution"]
    solution_file = lsp.workspace / "rev_solution.py"
    assert solution_file.is_file() and "[::-1]" in solution_file.read_text()


@pytest.mark.lsp_options(settings={"revealAfterFailures": 2})
async def test_submit_keeps_hidden_tests_hidden_until_the_solution_unlocks(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    before = await lsp.diagnostics(uri, lambda d: any("hidden test" in x.message for x in d))
    assert all("got" not in x.message for x in before if "hidden test" in x.message)
    for _ in range(2):  # a failed submission shows neither a hidden test's input nor its expected value
        result = await lsp.command("pytrix.submit", uri)
        hidden = [t for t in result["tests"] if t["hidden"]]
        assert hidden and hidden[0]["expected"] is None and hidden[0]["call"] == "hidden"
    result = await lsp.command("pytrix.submit", uri)  # two failures unlock the solution: nothing left to hide
    hidden = [t for t in result["tests"] if t["hidden"]]
    assert hidden and hidden[0]["expected"] is not None and hidden[0]["call"] != "hidden"


async def test_code_lens_shows_run_count_and_submit(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: len(d) > 0)
    lenses = await lsp.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    titles = [lens.command.title for lens in lenses or [] if lens.command]
    assert titles == ["▶ Run tests", "3/7 passing", "✓ Submit"]
    assert all(lens.range.start.line == 3 for lens in lenses or [])
    result = await lsp.command("pytrix.runTests", uri)
    assert result["passed"] == 3 and result["total"] == 7


@pytest.mark.lsp_options(settings={"runOnChange": False})
async def test_with_run_on_change_off_only_save_runs(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: any(x.code == "test-failed" for x in d))
    lsp.replace(uri, RIGHT)
    lsp.save(uri)
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    assert len(diags) == 1


async def test_next_command_creates_a_module_question(lsp: Session) -> None:
    created = await lsp.command("pytrix.next", {"module": "string-manipulation", "difficulty": "advanced"})
    assert created["questionId"].endswith(".advanced")
    source = (lsp.workspace / "pytrix").rglob("*.py")
    assert any(p.as_uri() == created["uri"] for p in source)


async def test_submit_shows_work_done_progress_where_supported(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.command("pytrix.submit", uri)
    reports = [r for values in lsp.client.progress_reports.values() for r in values]
    if lsp.flavour == "visual-studio-code":
        kinds = [type(r).__name__ for r in reports]
        assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
        assert reports[0].title == "Pytrix: submitting"
    else:  # Neovim's capabilities list work-done progress too; either way no stray tokens
        assert all(values for values in lsp.client.progress_reports.values())
