"""LSP surface of the AI tutor: the key, usage, review, optimise, connection test.

Thin handlers over :class:`pytrix.ai.tutor.AITutor` (``ls.service.ai``); the
key arrives in ``pytrix/setApiKey`` and lives only in the tutor's memory. No
handler echoes it: results carry ``hasKey``/``source``, never the key, and
error texts pass through the redaction of :mod:`pytrix.ai.keys`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from pytrix.lsp import clients, commands
from pytrix.lsp.convert import params_dict
from pytrix.lsp.server import PytrixServer
from pytrix.lsp.uris import uri_to_path

log = logging.getLogger(__name__)

SET_API_KEY = "pytrix/setApiKey"
USAGE = "pytrix/usage"
EVALUATE = "pytrix.evaluate"
OPTIMIZE = "pytrix.optimize"
TEST_CONNECTION = "pytrix.testConnection"
AI_COMMANDS = (EVALUATE, OPTIMIZE, TEST_CONNECTION)


def _internal(ls: PytrixServer, what: str, exc: Exception) -> JsonRpcInternalError:
    return commands.internal_error(ls, what, exc)


def set_api_key(ls: PytrixServer, params: Any) -> dict[str, Any]:
    data = params_dict(params, SET_API_KEY)
    if "apiKey" not in data:
        raise JsonRpcInvalidParams(f"{SET_API_KEY} takes {{apiKey: string | null}} (null clears it)")
    key = data["apiKey"]
    if key is not None and not isinstance(key, str):
        raise JsonRpcInvalidParams(f"{SET_API_KEY}: 'apiKey' must be a string or null")
    return ls.service.set_api_key(key).wire()


def usage(ls: PytrixServer, params: Any) -> dict[str, Any]:
    data = params_dict(params, USAGE)
    days = data.get("days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        raise JsonRpcInvalidParams(f"{USAGE}: 'days' must be a whole number from 1 to 366")
    return ls.service.usage(days).wire()


async def evaluate(ls: PytrixServer, uri: str) -> dict[str, Any]:
    """Review the document; the findings join its diagnostics (source ``pytrix-ai``)."""
    from pytrix.practice.findings import findings_for

    source, question = commands._document(ls, uri)
    state = ls.state(uri)
    version = ls.workspace.get_text_document(uri).version
    result = state.result if state.result_version == version else None
    with commands.progress(ls, "Pytrix: reviewing your code"):
        if result is None:  # no run of this version yet: run it now, like a save would
            state.cancel_run()
            filename = (uri_to_path(uri) or Path("practice.py")).name
            result = await ls.service.run(question, source, filename)
            state.result, state.result_version = result, version
            state.run_findings = findings_for(result, question, source)
        outcome = await ls.service.evaluate(question, source, result)
    if ls.workspace.get_text_document(uri).version == version:
        state.review_findings, state.review_version = outcome.diagnostics, version
        ls.publish(uri, version)
    origin = "AI review" if outcome.source == "ai" else "Offline review"
    count = len(outcome.findings)
    ls.notify_user(f"{origin}: {outcome.verdict}; {count} suggestion{'s' if count != 1 else ''} "
                   "shown at their lines.")
    if outcome.notice:
        ls.notify_user(outcome.notice, types.MessageType.Warning)
    return outcome.wire()


async def optimize(ls: PytrixServer, uri: str) -> dict[str, Any]:
    """A faster solution and a measured comparison, written beside the file as markdown."""
    source, question = commands._document(ls, uri)
    with commands.progress(ls, "Pytrix: optimising and measuring"):
        outcome = await ls.service.optimize(question, source)
    if not outcome.allowed:
        ls.notify_user(outcome.message, types.MessageType.Warning)
        return outcome.wire()
    path = uri_to_path(uri)
    if path is not None:
        target = path.with_name(f"{path.stem}_optimized.md")
        target.write_text(outcome.markdown, encoding="utf-8")
        outcome = outcome.model_copy(update={"uri": target.as_uri()})
        await commands.show_document(ls, target.as_uri(), "The optimised solution is in")
    if outcome.notice:
        ls.notify_user(outcome.notice, types.MessageType.Warning)
    ls.notify_user(f"{outcome.message} ({'AI' if outcome.source == 'ai' else 'from the bank'}"
                   f"{'; ' + outcome.complexity if outcome.complexity else ''}).")
    return outcome.wire()


async def test_connection(ls: PytrixServer) -> dict[str, Any]:
    with commands.progress(ls, "Pytrix: testing the Gemini connection"):
        outcome = await ls.service.test_connection()
    if not clients.is_vscode_extension(ls):  # the extension shows the outcome itself, with its buttons
        ls.notify_user(outcome.message, types.MessageType.Info if outcome.ok else types.MessageType.Error)
    return outcome.model_copy(update={"message": clients.name_actions(ls, outcome.message)}).wire()


def register(server: PytrixServer) -> None:
    @server.feature(SET_API_KEY)
    def on_set_api_key(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return set_api_key(ls, params)

    @server.feature(USAGE)
    def on_usage(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return usage(ls, params)

    commands.document_command(server, EVALUATE, evaluate, "review the code")
    commands.document_command(server, OPTIMIZE, optimize, "optimise the code")

    @server.command(TEST_CONNECTION)
    async def cmd_test_connection(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        await ls.wait_for_settings()
        try:
            return await test_connection(ls)
        except Exception as exc:
            raise _internal(ls, "test the connection", exc) from None
