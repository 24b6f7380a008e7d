"""Bad input gets a clear answer and the server stays up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

if TYPE_CHECKING:
    from conftest import Session

RIGHT = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s[::-1]
'''


async def still_alive(lsp: Session) -> None:
    curriculum = await lsp.request("pytrix/curriculum", None)
    assert curriculum["modules"][0]["id"] == "string-manipulation"


@pytest.mark.parametrize(
    ("method", "params", "fragment"),
    [
        ("pytrix/newQuestion", ["not", "an", "object"], "must be an object"),
        ("pytrix/newQuestion", {"difficulty": "impossible"}, "'difficulty' must be one of"),
        ("pytrix/newQuestion", {"module": "no-such-module"}, "There is no module 'no-such-module'"),
        ("pytrix/newQuestion", {"questionId": "no-such.question"}, "no question with id 'no-such.question'"),
        ("pytrix/newQuestion", {"questionId": 42}, "'questionId' must be a string"),
        ("pytrix/questionDocument", {}, "needs 'questionId' or 'uri'"),
        ("pytrix/questionDocument", {"uri": "file:///etc/passwd"}, "is not a question URI"),
        ("pytrix/questionDocument", {"questionId": "nope.beginner"}, "no question with id"),
    ],
)
async def test_malformed_or_unknown_params_get_a_clear_error(
    lsp: Session, method: str, params: Any, fragment: str
) -> None:
    with pytest.raises(JsonRpcException) as caught:
        await lsp.client.protocol.send_request_async(method, params)
    assert fragment in str(caught.value)
    await still_alive(lsp)


@pytest.mark.parametrize("arguments", [[], [42], [{"nouri": 1}], ["file:///not/open.py"]])
async def test_commands_with_bad_arguments_get_a_clear_error(lsp: Session, arguments: list[Any]) -> None:
    with pytest.raises(JsonRpcException):
        await lsp.command("pytrix.hint", *arguments)
    await still_alive(lsp)


async def test_question_document_is_markdown(lsp: Session) -> None:
    doc = await lsp.request("pytrix/questionDocument", {"uri": "pytrix:/question/string-reversal.beginner.md"})
    assert doc["markdown"].startswith("# Reverse a string")
    assert "reverse_string(\"hello\")" in doc["markdown"]
    assert "hidden test" in doc["markdown"]


async def test_unknown_question_in_the_header_is_reported_at_the_header(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "bad.py", "# pytrix: question=nope.beginner\n\ndef f():\n    pass\n")
    diags = await lsp.diagnostics(uri, lambda d: len(d) > 0)
    assert diags[0].code == "unknown-question"
    assert diags[0].range.start.line == 0
    assert "pytrix data list" in diags[0].message
    await still_alive(lsp)


async def test_deleting_the_header_warns_and_offers_to_restore_it(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    lsp.replace(uri, RIGHT.split("\n", 1)[1])
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "header-missing" for x in d))
    assert all(d.code != "all-passed" for d in diags)
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=list(diags)),
        )
    )
    restore = [a for a in actions or [] if a.title == "Pytrix: restore the header"]
    assert restore and isinstance(restore[0], types.CodeAction)
    edit = restore[0].edit
    assert edit is not None and edit.document_changes
    change = edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    assert change.edits[0].new_text == "# pytrix: question=string-reversal.beginner\n"


async def test_a_plain_python_file_gets_no_run_but_offers_new_questions(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "scratch.py", "print('hello')\n")
    await lsp.diagnostics(uri, lambda d: True)
    assert list(lsp.client.diagnostics[uri]) == []
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title for a in actions or []]
    # A short list: auto mode's next question and one that asks for the module, none per module.
    assert titles == ["Pytrix: new practice question (auto mode)", "Pytrix: new practice question…"]


async def test_a_non_python_document_is_left_alone(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "notes.md", "# pytrix: question=string-reversal.beginner\n", language="markdown")
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions
    assert uri not in lsp.client.diagnostics
    await still_alive(lsp)


async def test_an_empty_file_is_fine(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "empty.py", "")
    await lsp.diagnostics(uri, lambda d: True)
    assert list(lsp.client.diagnostics[uri]) == []
    lenses = await lsp.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert not lenses
    await still_alive(lsp)


async def test_a_file_that_fails_while_loading_is_reported(lsp: Session) -> None:
    source = "# pytrix: question=string-reversal.beginner\nimport not_a_module_anywhere\n"
    uri = lsp.open(lsp.workspace / "load.py", source)
    diags = await lsp.diagnostics(uri, lambda d: len(d) > 0)
    assert diags[0].code == "load-error"
    assert diags[0].range.start.line == 1
    assert "ModuleNotFoundError" in diags[0].message


@pytest.mark.lsp_options(settings={"debounceMs": "soon", "testTimeout": -1, "runOnSave": True})
async def test_invalid_settings_are_reported_and_replaced_by_defaults(lsp: Session) -> None:
    text = await lsp.message(lambda m: "pytrix.debounceMs" in m)
    assert "using the default 600" in text
    await lsp.message(lambda m: "pytrix.testTimeout" in m)
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
