"""One message per outcome: the VS Code extension shows AI outcomes itself, other clients get them from the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import forked_pytrix
from pytrix.lsp.markup import to_plain_text

if TYPE_CHECKING:
    from conftest import Session


@pytest.mark.lsp_options(init={"runtimes": []})
async def test_the_extension_gets_the_outcome_without_a_second_toast(lsp: Session) -> None:
    outcome = await lsp.command("pytrix.testConnection")
    assert outcome["ok"] is False and outcome["kind"] == "api_key_required"
    assert "'Pytrix: Set Gemini API Key'" in outcome["message"]  # the palette title, as the toast shows it
    # The server's notifications precede its answer on the wire: none was sent.
    assert [m.message for m in lsp.client.messages if "Gemini" in m.message] == []


async def test_a_plain_client_gets_the_outcome_as_a_message(lsp: Session) -> None:
    outcome = await lsp.command("pytrix.testConnection")
    assert outcome["ok"] is False and outcome["kind"] == "api_key_required"
    shown = await lsp.message(lambda text: "No Gemini API key is set" in text)
    assert "GEMINI_API_KEY" in shown


RIGHT = "# pytrix: question=string-reversal.beginner\ndef reverse_string(s: str) -> str:\n    return s[::-1]\n"


async def _all_passed(lsp: Session, uri: str) -> str:
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    return next(d.message for d in diags if d.code == "all-passed")


@pytest.mark.lsp_options(init={"runtimes": []})
async def test_all_passed_names_the_palette_in_vscode_then_says_solved(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    assert await _all_passed(lsp, uri) == 'All 7 tests passed. Submit it with "Pytrix: Submit".'
    await lsp.command("pytrix.submit", uri)
    solved = await _all_passed(lsp, uri)
    assert solved.startswith("Solved: all 7 tests passed and the attempt is recorded.")
    assert '"Pytrix: Next Question (auto mode)"' in solved
    lsp.replace(uri, RIGHT + "\n")  # an edit after the submit: it is not the solved text any more
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" and x.message.startswith("All 7") for x in d))


async def test_all_passed_names_the_code_action_in_other_editors(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    assert await _all_passed(lsp, uri) == 'All 7 tests passed. Submit it with "Pytrix: submit".'
    await lsp.command("pytrix.submit", uri)
    assert '"Pytrix: new practice question (auto mode)"' in await _all_passed(lsp, uri)


WRONG = RIGHT.replace("return s[::-1]\n", "return s\n")


@pytest.mark.lsp_options(init={"runtimes": []})
async def test_the_extension_shows_hints_in_its_panel_not_in_a_toast(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    hint = await lsp.command("pytrix.hint", uri)
    assert hint["level"] == 1 and hint["text"]
    assert [m.message for m in lsp.client.messages if m.message.startswith("Hint ")] == []


async def test_other_editors_get_the_hint_as_a_message(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    hint = await lsp.command("pytrix.hint", uri)
    shown = await lsp.message(lambda text: text.startswith("Hint 1/"))
    # Messages are plain text: a hint that starts from the run's explained cause loses its backticks.
    assert to_plain_text(hint["text"])[:40] in shown


@pytest.mark.lsp_options(settings={"revealAfterFailures": 1})
async def test_a_submit_after_the_reveal_is_practice_not_a_solve(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.command("pytrix.submit", uri)
    revealed = await lsp.command("pytrix.reveal", uri)
    assert revealed.get("allowed") is not False
    lsp.replace(uri, RIGHT)
    result = await lsp.command("pytrix.submit", uri)
    assert result["mode"] == "revealed"
    note = await lsp.message(lambda text: "recorded as practice" in text)
    assert "You saw the solution" in note
    assert not [m for m in lsp.client.messages if m.message.startswith("Solved!")]
    assert (await _all_passed(lsp, uri)).startswith("All 7 tests passed.")


async def test_a_file_solved_earlier_opens_as_solved(lsp: Session) -> None:
    """Solved in another session (here the CLI, on the same progress): the editor says Solved, not Submit."""
    import os
    import subprocess

    practice = lsp.workspace / "solved.py"
    practice.write_text(RIGHT, encoding="utf-8")
    done = subprocess.run([*forked_pytrix.command(), "submit", str(practice)],
                          env={**os.environ, "PYTRIX_HOME": str(lsp.home)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    uri = lsp.open(practice, RIGHT)
    # Opening it submits nothing: the message says the solve is an earlier one.
    assert (await _all_passed(lsp, uri)).startswith(
        "Solved earlier: all 7 tests pass, and this code was already submitted and recorded.")
