"""Custom requests in the ``pytrix/`` namespace (documented in docs/PROTOCOL.md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pygls.exceptions import JsonRpcInvalidParams

from pytrix.errors import PytrixError
from pytrix.lsp import commands
from pytrix.lsp.convert import optional_str, params_dict

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer

CURRICULUM = "pytrix/curriculum"
NEW_QUESTION = "pytrix/newQuestion"
QUESTION_DOCUMENT = "pytrix/questionDocument"
STATS = "pytrix/stats"
LAST_RESULT = "pytrix/lastResult"

_QUESTION_URI = re.compile(r"^pytrix:/*question/(?P<id>[A-Za-z0-9_.~-]+?)(\.md)?$")


def question_uri(question_id: str) -> str:
    return f"pytrix:/question/{question_id}.md"


def register(server: PytrixServer) -> None:
    @server.feature(CURRICULUM)
    def curriculum(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return ls.service.curriculum().wire()

    @server.feature(NEW_QUESTION)
    async def new_question(ls: PytrixServer, params: Any) -> dict[str, Any]:
        data = params_dict(params, NEW_QUESTION)
        open_it = data.get("open", True)
        if not isinstance(open_it, bool):
            raise JsonRpcInvalidParams(f"{NEW_QUESTION}: 'open' must be true or false")
        try:
            chosen = await commands.choose_question(ls, data)  # auto mode, the bank or the AI
            return (await commands.new_question_file(ls, chosen, open_it)).wire()
        except PytrixError as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc

    @server.feature(QUESTION_DOCUMENT)
    def question_document(ls: PytrixServer, params: Any) -> dict[str, Any]:
        from pytrix.responses import QuestionDocument

        data = params_dict(params, QUESTION_DOCUMENT)
        question_id = optional_str(data, "questionId", QUESTION_DOCUMENT)
        uri = optional_str(data, "uri", QUESTION_DOCUMENT)
        if question_id is None and uri is not None:
            from pytrix.lsp.progress import dashboard, is_dashboard_uri

            if is_dashboard_uri(uri):
                return dashboard(ls).wire()
            match = _QUESTION_URI.match(unquote(uri))  # a client may send "~" as %7E
            if match is None:
                raise JsonRpcInvalidParams(
                    f"{QUESTION_DOCUMENT}: {uri!r} is not a question URI (pytrix:/question/<id>.md)"
                )
            question_id = match.group("id")
        if question_id is None:
            raise JsonRpcInvalidParams(f"{QUESTION_DOCUMENT} needs 'questionId' or 'uri'")
        try:
            markdown = ls.service.question_markdown(question_id)
        except PytrixError as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc
        return QuestionDocument(uri=question_uri(question_id), question_id=question_id, markdown=markdown).wire()

    @server.feature(STATS)
    def stats(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return ls.service.stats().wire()

    @server.feature(LAST_RESULT)
    def last_result(ls: PytrixServer, params: Any) -> dict[str, Any]:
        """The latest run of a document, without running again (panels follow every run)."""
        data = params_dict(params, LAST_RESULT)
        uri = optional_str(data, "uri", LAST_RESULT)
        if uri is None:
            raise JsonRpcInvalidParams(f"{LAST_RESULT} needs 'uri': the practice file's URI")
        return commands.last_run(ls, uri).wire()
