"""What a learner's trial found, in the editor (a real ``pytrix serve`` over stdio): the
untouched starter code is no attempt, a solve unlocks the reveal, a short new-question list
whose *new practice question…* asks for the module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

from pytrix.curriculum.bank import load_bank
from pytrix.practice.files import render_practice_file

if TYPE_CHECKING:
    from conftest import Session

QUESTION = "string-reversal.beginner"


def starter() -> str:
    bank = load_bank()
    return render_practice_file(bank.questions[QUESTION], bank.curriculum)


async def titles(lsp: Session, uri: str) -> list[str]:
    found = await lsp.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[]),
    ))
    return [a.title for a in found or []]


@pytest.mark.lsp_options(settings={"revealAfterFailures": 1})
async def test_submitting_the_starter_code_records_nothing(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", starter())
    with pytest.raises(Exception, match="still the starter code"):
        await lsp.command("pytrix.submit", uri)
    await lsp.message(lambda m: "still the starter code" in m and "nothing was recorded" in m)
    refused = await lsp.command("pytrix.reveal", uri)  # one failed submission would have unlocked it
    assert refused["allowed"] is False and "1 more to go" in refused["message"]
    stats = await lsp.request("pytrix/stats", {})
    assert stats["attempts"] == 0


async def test_a_solve_unlocks_the_reveal_and_the_menu_reveals_nothing(lsp: Session) -> None:
    solved = starter().replace("    raise NotImplementedError", "    return s[::-1]")
    uri = lsp.open(lsp.workspace / "rev.py", solved)
    assert (await lsp.command("pytrix.reveal", uri))["allowed"] is False
    assert (await lsp.command("pytrix.submit", uri))["status"] == "passed"
    assert "Pytrix: reveal solution" in await titles(lsp, uri)
    again = await lsp.command("pytrix.submit", uri)  # listing the menu marked nothing as revealed
    assert again["mode"] != "revealed"
    revealed = await lsp.command("pytrix.reveal", uri)
    assert revealed["allowed"] is True and "[::-1]" in revealed["solution"]


async def test_a_practice_file_offers_only_the_next_question(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", starter())
    offered = [t for t in await titles(lsp, uri) if "new practice question" in t]
    assert offered == ["Pytrix: new practice question (auto mode)"]


ASKED: list[types.ShowMessageRequestParams] = []


def pick_string_manipulation(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
    """The learner's answer to "which module?"."""
    ASKED.append(params)
    return next((a for a in params.actions or [] if a.title == "String Manipulation"), None)


@pytest.mark.lsp_options(handlers={types.WINDOW_SHOW_MESSAGE_REQUEST: pick_string_manipulation})
async def test_new_practice_question_asks_for_the_module(lsp: Session) -> None:
    ASKED.clear()
    uri = lsp.open(lsp.workspace / "scratch.py", "print('hello')\n")
    assert "Pytrix: new practice question…" in await titles(lsp, uri)
    created = await lsp.command("pytrix.chooseModule", {"uri": uri})  # what that action runs
    assert ASKED and "which module" in ASKED[0].message
    assert created["path"].startswith(str(lsp.workspace / "pytrix" / "string-manipulation"))


@pytest.mark.lsp_options(settings={"practiceDir": "../../escape"})
async def test_an_editor_practice_folder_outside_the_workspace_is_refused(lsp: Session) -> None:
    await lsp.message(lambda m: "practiceDir" in m and "would leave the workspace" in m)
    created = await lsp.command("pytrix.next", {})
    assert created["path"].startswith(str(lsp.workspace / "pytrix"))


@pytest.mark.lsp_options(init={"runtimes": []})  # the VS Code extension announces its runtimes
async def test_the_vscode_extension_gets_its_own_new_question_picker(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "scratch.py", "print('hello')\n")
    found = await lsp.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[]),
    ))
    choose = [a for a in found or [] if a.title == "Pytrix: new practice question…"]
    # (pytest-lsp reads a CodeAction back as a Command; the command id is inside either way)
    assert len(choose) == 1 and "pytrix.ui.newQuestion" in str(choose[0])
    assert "pytrix.chooseModule" not in str(choose[0])
