"""Code actions and code lenses: hint, reveal, run, submit, new question, header repair.

A client's ``context.only`` filters the actions by kind (``quickfix`` keeps the
practice actions and quick fixes, a ``source`` request gets none); a client
without code-action literals gets bare commands; a client without disabled
actions sees the locked *reveal solution* with its reason in the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from pytrix.errors import PytrixError
from pytrix.lsp import commands
from pytrix.lsp.clients import (
    is_vscode_extension,
    supports_action_literals,
    supports_disabled_actions,
)
from pytrix.lsp.convert import plain
from pytrix.lsp.server import PytrixServer  # at run time: pygls reads the command handler's hints

CHOOSE_MODULE = "pytrix.chooseModule"  # "new practice question…": asks for the module, then writes it
VSCODE_NEW_QUESTION = "pytrix.ui.newQuestion"  # the VS Code extension's own picker (a client command)


def _command(title: str, name: str, *arguments: object) -> types.Command:
    return types.Command(title=title, command=name, arguments=list(arguments))


def _action(
    title: str, command: types.Command, kind: types.CodeActionKind = types.CodeActionKind.QuickFix
) -> types.CodeAction:
    return types.CodeAction(title=title, command=command, kind=kind)


def practice_actions(ls: PytrixServer, uri: str, question_id: str) -> list[types.CodeAction]:
    question = ls.service.question(question_id)
    level = ls.service.store.hint_level(question.id)
    total = len(question.hints)
    hint_title = (
        f"Pytrix: next hint ({level + 1}/{total})" if level < total else f"Pytrix: show the last hint again ({total}/{total})"
    )
    actions = [
        _action(hint_title, _command(hint_title, commands.HINT, uri)),
        _action("Pytrix: run tests", _command("Run tests", commands.RUN_TESTS, uri)),
        _action("Pytrix: submit", _command("Submit", commands.SUBMIT, uri)),
        _action("Pytrix: evaluate my code", _command("Evaluate my code", "pytrix.evaluate", uri)),
        _action("Pytrix: optimise my solution", _command("Optimise", "pytrix.optimize", uri)),
    ]
    reveal = ls.service.reveal_gate(question.id)  # asks only: listing the menu reveals nothing
    if reveal.allowed:
        actions.append(_action("Pytrix: reveal solution", _command("Reveal solution", commands.REVEAL, uri)))
    elif supports_disabled_actions(ls):
        actions.append(
            types.CodeAction(
                title="Pytrix: reveal solution",
                kind=types.CodeActionKind.QuickFix,
                disabled=types.CodeActionDisabled(reason=reveal.message),
            )
        )
    else:  # no disabled actions: still listed, saying why; running it shows the full reason
        title = f"Pytrix: reveal solution (locked: {locked_reason(reveal.message)})"
        actions.append(_action(title, _command(title, commands.REVEAL, uri)))
    return actions


def locked_reason(message: str) -> str:
    """The first sentence of the reveal gate's message, short enough for a menu."""
    first = message.strip().split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:] if first else "not yet"


def kind_matches(kind: str | None, only: Sequence[str]) -> bool:
    """LSP kind filtering: ``quickfix`` matches ``quickfix`` and ``quickfix.x``, not ``""``."""
    if kind is None:
        return False
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def new_question_actions(ls: PytrixServer, uri: str, *, in_practice_file: bool) -> list[types.CodeAction]:
    """New questions, kept short: auto mode's next question everywhere, and in any other
    Python file one *new practice question…* that asks for the module (in the VS Code
    extension its own *New Question…* picker). The file it is asked from places the new
    one (``{"uri"}``)."""
    actions = [
        _action(
            "Pytrix: new practice question (auto mode)",
            _command("Next question", commands.NEXT, {"uri": uri}),
            types.CodeActionKind.Empty,
        )
    ]
    if not in_practice_file:
        actions.append(_action(
            "Pytrix: new practice question…",
            _command("New Question…", VSCODE_NEW_QUESTION) if is_vscode_extension(ls)
            else _command("New practice question…", CHOOSE_MODULE, {"uri": uri}),
            types.CodeActionKind.Empty,
        ))
    return actions


async def choose_module(ls: PytrixServer, near: str | None) -> dict[str, Any] | None:
    """Ask the learner for a module (``window/showMessageRequest``), then write that module's
    next question; None when the learner dismisses the question."""
    modules = [m for m in ls.service.bank.curriculum.ordered_modules if ls.service.bank.for_module(m.id)]
    answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
        type=types.MessageType.Info, message="Pytrix: a new practice question from which module?",
        actions=[types.MessageActionItem(title=m.name) for m in modules],
    ))
    module = next((m for m in modules if answer is not None and m.name == answer.title), None)
    if module is None:
        return None
    chosen = await commands.choose_question(ls, {"module": module.id})
    return (await commands.new_question_file(ls, chosen, near=near)).wire()


def restore_header_action(uri: str, question_id: str, version: int | None) -> types.CodeAction:
    edit = types.TextEdit(
        range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
        new_text=f"# pytrix: question={question_id}\n",
    )
    return types.CodeAction(
        title="Pytrix: restore the header",
        kind=types.CodeActionKind.QuickFix,
        is_preferred=True,
        edit=types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ]
        ),
    )


def register(server: PytrixServer) -> None:
    @server.command(CHOOSE_MODULE)
    async def cmd_choose_module(ls: PytrixServer, *args: Any) -> dict[str, Any] | None:
        await ls.wait_for_settings()
        options = plain(args[0]) if args else None
        near = options.get("uri") if isinstance(options, dict) else None
        try:
            return await choose_module(ls, near if isinstance(near, str) else None)
        except PytrixError as exc:
            raise commands.user_error(ls, exc) from exc

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: PytrixServer, params: types.CodeActionParams
    ) -> Sequence[types.CodeAction | types.Command]:
        uri = params.text_document.uri
        if not ls.is_python(uri):
            return []
        try:
            document = ls.workspace.get_text_document(uri)
        except Exception:
            return []
        from pytrix.practice.files import question_id_of

        only = params.context.only
        actions: list[types.CodeAction] = []
        state = ls.documents.get(uri)
        question_id = question_id_of(document.source)
        if question_id is None and state is not None and state.header_lost and state.question_id:
            actions.append(restore_header_action(uri, state.question_id, document.version))
        actions.extend(ls.coach_actions(uri, params))
        practice = (question_id is not None and question_id in ls.service.bank.questions) or (
            question_id is not None and ls.service.store.load_question_body(question_id) is not None
        )
        if practice:
            assert question_id is not None
            actions.extend(practice_actions(ls, uri, question_id))
        actions.extend(new_question_actions(ls, uri, in_practice_file=practice or question_id is not None))
        if only:
            actions = [a for a in actions if kind_matches(a.kind, only)]
        if not supports_action_literals(ls):  # LSP < 3.8 clients take commands only
            return [types.Command(title=a.title, command=a.command.command, arguments=a.command.arguments)
                    for a in actions if a.command is not None and a.disabled is None]
        return actions

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: PytrixServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        if state is None or state.question_id is None or state.header_lost:
            return []
        try:
            document = ls.workspace.get_text_document(uri)
            question = ls.service.question(state.question_id)
        except Exception:
            return []
        from pytrix.practice.files import find_entry

        entry = find_entry(document.source, question.entry)
        line = entry.line if entry else 0
        where = types.Range(start=types.Position(line, 0), end=types.Position(line, 0))
        lenses = [types.CodeLens(range=where, command=_command("▶ Run tests", commands.RUN_TESTS, uri))]
        result = state.result
        if result is not None:
            if result.status.value == "compile_error":
                label = "✗ syntax error"
            elif result.status.value == "module_error":
                label = "✗ the file fails to load"
            else:
                label = f"{result.passed}/{result.total} passing"
            lenses.append(types.CodeLens(range=where, command=_command(label, commands.RUN_TESTS, uri)))
        lenses.append(types.CodeLens(range=where, command=_command("✓ Submit", commands.SUBMIT, uri)))
        return lenses
