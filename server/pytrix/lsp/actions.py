"""Code actions and code lenses: hint, reveal, run, submit, new question, header repair."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pytrix.lsp import commands
from pytrix.practice.files import find_entry, question_id_of

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer


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
    reveal = ls.service.reveal(question.id)
    if reveal.allowed:
        actions.append(_action("Pytrix: reveal solution", _command("Reveal solution", commands.REVEAL, uri)))
    else:
        caps = ls.client_capabilities.text_document
        supports_disabled = bool(caps and caps.code_action and caps.code_action.disabled_support)
        if supports_disabled:
            actions.append(
                types.CodeAction(
                    title="Pytrix: reveal solution",
                    kind=types.CodeActionKind.QuickFix,
                    disabled=types.CodeActionDisabled(reason=reveal.message),
                )
            )
    return actions


def new_question_actions(ls: PytrixServer) -> list[types.CodeAction]:
    actions = [
        _action(
            "Pytrix: new practice question (auto mode)",
            _command("Next question", commands.NEXT),
            types.CodeActionKind.Empty,
        )
    ]
    for module in ls.service.bank.curriculum.ordered_modules:
        if not ls.service.bank.for_module(module.id):
            continue
        title = f"Pytrix: new practice question: {module.name}"
        actions.append(
            _action(title, _command(title, commands.NEXT, {"module": module.id}), types.CodeActionKind.Empty)
        )
    return actions


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
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: PytrixServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        if not ls.is_python(uri):
            return []
        try:
            document = ls.workspace.get_text_document(uri)
        except Exception:
            return []
        only = params.context.only
        actions: list[types.CodeAction] = []
        state = ls.documents.get(uri)
        question_id = question_id_of(document.source)
        if question_id is None and state is not None and state.header_lost and state.question_id:
            actions.append(restore_header_action(uri, state.question_id, document.version))
        actions.extend(ls.coach_actions(uri, params))
        if only:
            return [a for a in actions if a.kind and any(a.kind.startswith(k) for k in only)]
        if (question_id is not None and question_id in ls.service.bank.questions) or (
            question_id is not None and ls.service.store.load_question_body(question_id) is not None
        ):
            actions.extend(practice_actions(ls, uri, question_id))
        actions.extend(new_question_actions(ls))
        if only:
            return [a for a in actions if a.kind and any(a.kind.startswith(k) for k in only)]
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
