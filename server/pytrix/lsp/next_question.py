"""``pytrix.next``: the next practice question, from auto mode, the bank or the AI
(the service's choice, :meth:`pytrix.service.PytrixService.choose_question`)."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from pytrix.errors import PytrixError
from pytrix.lsp import commands
from pytrix.lsp.convert import plain
from pytrix.lsp.server import PytrixServer


def register(server: PytrixServer) -> None:
    @server.command(commands.NEXT)
    async def cmd_next(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        await ls.wait_for_settings()
        options = plain(args[0]) if args else {}
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise JsonRpcInvalidParams(f"{commands.NEXT} takes an optional object {{module, difficulty, uri}}")
        near = options.get("uri")  # the document asked from: it places the practice folder
        if near is not None and not isinstance(near, str):
            raise JsonRpcInvalidParams(f"{commands.NEXT}: 'uri' must be a string")
        try:
            chosen = await commands.choose_question(ls, options)  # no choice given: auto mode
            return (await commands.new_question_file(ls, chosen, near=near)).wire()
        except PytrixError as exc:
            raise commands.user_error(ls, exc) from exc
