"""LSP surface of progress: history, dashboard, auto mode, reset, reopen, export/import.

Thin handlers over :mod:`pytrix.practice` through the service; every message
is documented in docs/PROTOCOL.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from pytrix.errors import PytrixError
from pytrix.lsp import commands
from pytrix.lsp.convert import plain
from pytrix.lsp.server import PytrixServer

if TYPE_CHECKING:  # the core is imported after `initialize` is answered (lsp/startup.py)
    from pytrix.responses import QuestionDocument

HISTORY = "pytrix/history"
DASHBOARD = "pytrix/dashboard"
AUTO_STATUS = "pytrix/autoStatus"
EXPORT = "pytrix/exportProgress"
IMPORT = "pytrix/importProgress"

SLOW_DOWN = "pytrix.slowDown"
RESET = "pytrix.reset"
REOPEN = "pytrix.reopen"
OPEN_DASHBOARD = "pytrix.dashboard"

DASHBOARD_URI_RE = re.compile(r"^pytrix:/*dashboard(\.md)?$")


def is_dashboard_uri(uri: str) -> bool:
    return DASHBOARD_URI_RE.match(uri) is not None


def _options(args: tuple[Any, ...], name: str) -> dict[str, Any]:
    """The first argument as a dict (``[]``, ``[null]`` and ``[{}]`` give ``{}``)."""
    value = plain(args[0]) if args else {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(f"{name} takes one object argument")
    return value


def _params(params: Any, name: str) -> dict[str, Any]:
    value = plain(params)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(f"{name}: params must be an object")
    return value


def _str(data: dict[str, Any], key: str, name: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise JsonRpcInvalidParams(f"{name}: '{key}' must be a string")
    return value


def history(ls: PytrixServer, params: Any) -> dict[str, Any]:
    data = _params(params, HISTORY)
    return ls.service.history(
        limit=data.get("limit"), offset=data.get("offset"),
        question_id=_str(data, "questionId", HISTORY), module=_str(data, "module", HISTORY),
    ).wire()


def dashboard(ls: PytrixServer) -> QuestionDocument:
    from pytrix.practice.dashboard import DASHBOARD_URI
    from pytrix.responses import QuestionDocument

    return QuestionDocument(uri=DASHBOARD_URI, markdown=ls.service.dashboard_markdown())


async def open_dashboard(ls: PytrixServer) -> dict[str, Any]:
    """Write the dashboard as a markdown file beside the practice files and show it.

    Editors that can open ``pytrix:`` documents use ``pytrix/dashboard``; this
    command serves every other editor through ``window/showDocument``.
    """
    result = dashboard(ls)
    path = ls.practice_dir() / "DASHBOARD.md"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.markdown, encoding="utf-8")
    except OSError as exc:
        raise PytrixError(f"Cannot write the dashboard to {path}: {exc.strerror}.") from exc
    uri = path.as_uri()
    shown = await commands.show_document(ls, uri, "The dashboard is in")
    return result.model_copy(update={"path": str(path), "file_uri": uri, "shown": shown}).wire()


def reset(ls: PytrixServer, options: dict[str, Any]) -> dict[str, Any]:
    scope = options.get("scope")
    if scope not in ("question", "module", "all"):
        raise JsonRpcInvalidParams(f"{RESET}: 'scope' must be \"question\", \"module\" or \"all\"")
    target = _str(options, "id", RESET)
    if scope != "all" and not target:
        raise JsonRpcInvalidParams(f"{RESET}: resetting a {scope} needs 'id'")
    if options.get("confirm") is not True:
        raise JsonRpcInvalidParams(
            f"{RESET} forgets progress for good: send 'confirm': true once the learner agreed"
        )
    result = ls.service.reset(scope, target)
    what = "all progress" if scope == "all" else f"{scope} {target}"
    ls.notify_user(f"Reset {what}: {result.attempts_removed} attempts removed.")
    ls.refresh_lenses()
    return result.wire()


async def reopen(ls: PytrixServer, options: dict[str, Any]) -> dict[str, Any]:
    from pytrix.responses import NewQuestionReport

    attempt_id = options.get("attemptId")
    if isinstance(attempt_id, bool) or not isinstance(attempt_id, int):
        raise JsonRpcInvalidParams(f"{REOPEN} needs {{'attemptId': <attempt id>}}")
    question, path = ls.service.reopen(attempt_id, ls.practice_dir())
    uri = path.as_uri()
    shown = await commands.show_document(ls, uri, "Your attempt is back in")
    return NewQuestionReport(
        attempt_id=attempt_id, question_id=question.id, title=question.title, path=str(path),
        uri=uri, question_uri=f"pytrix:/question/{question.id}.md", shown=shown,
    ).wire()


def slow_down(ls: PytrixServer, options: dict[str, Any]) -> dict[str, Any]:
    outcome = ls.service.slow_down(_str(options, "subtopic", SLOW_DOWN))
    ls.notify_user(outcome.message)
    return outcome.wire()


def import_progress(ls: PytrixServer, params: Any) -> dict[str, Any]:
    data = _params(params, IMPORT)
    if data.get("confirm") is not True:
        raise JsonRpcInvalidParams(f"{IMPORT} replaces all progress: send 'confirm': true")
    if "data" not in data:
        raise JsonRpcInvalidParams(f"{IMPORT} needs 'data': an export from {EXPORT}")
    return ls.service.import_progress(data["data"]).wire()


def register(server: PytrixServer) -> None:
    def guarded(ls: PytrixServer, exc: PytrixError) -> JsonRpcInvalidParams:
        ls.notify_user(str(exc), types.MessageType.Error)
        return JsonRpcInvalidParams(str(exc))

    @server.feature(HISTORY)
    def req_history(ls: PytrixServer, params: Any) -> dict[str, Any]:
        try:
            return history(ls, params)
        except PytrixError as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc

    @server.feature(DASHBOARD)
    def req_dashboard(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return dashboard(ls).wire()

    @server.feature(AUTO_STATUS)
    def req_auto_status(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return ls.service.auto_status().wire()

    @server.feature(EXPORT)
    def req_export(ls: PytrixServer, params: Any) -> dict[str, Any]:
        return ls.service.export_progress()

    @server.feature(IMPORT)
    def req_import(ls: PytrixServer, params: Any) -> dict[str, Any]:
        try:
            return import_progress(ls, params)
        except PytrixError as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc

    @server.command(SLOW_DOWN)
    def cmd_slow_down(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        try:
            return slow_down(ls, _options(args, SLOW_DOWN))
        except PytrixError as exc:
            raise guarded(ls, exc) from exc

    @server.command(RESET)
    def cmd_reset(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        try:
            return reset(ls, _options(args, RESET))
        except PytrixError as exc:
            raise guarded(ls, exc) from exc

    @server.command(REOPEN)
    async def cmd_reopen(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        options = _options(args, REOPEN) if not (args and isinstance(args[0], int)) else {"attemptId": args[0]}
        try:
            return await reopen(ls, options)
        except PytrixError as exc:
            raise guarded(ls, exc) from exc

    @server.command(OPEN_DASHBOARD)
    async def cmd_dashboard(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        try:
            return await open_dashboard(ls)
        except PytrixError as exc:
            raise guarded(ls, exc) from exc
