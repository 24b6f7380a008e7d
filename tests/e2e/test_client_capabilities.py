"""Each editor as its users meet it: a real ``pytrix serve`` under eglot's and Helix's capabilities.

The capability sets are the ones those clients send (tests/e2e/clients/): eglot 1.9
has no ``showDocument``, no work-done progress, no disabled actions and asks
for plain-text hovers; Helix has markdown and disabled actions but no
``showDocument``. Each test here failed before the fix it covers (issue 15).
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import tomllib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

import forked_pytrix

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).with_name("clients")
WAIT = 30.0
WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''
RIGHT = WRONG.replace("return s\n", "return s[::-1]\n")


def capabilities(flavour: str) -> tuple[types.ClientCapabilities, types.ClientInfo | None]:
    """A pytest-lsp preset, or one of the capability files in tests/e2e/clients/."""
    path = CLIENTS / f"{flavour}.json"
    if not path.is_file():
        return client_capabilities(flavour), None
    data = json.loads(path.read_text(encoding="utf-8"))
    converter = default_converter()
    info = converter.structure(data["clientInfo"], types.ClientInfo) if "clientInfo" in data else None
    return converter.structure(data["capabilities"], types.ClientCapabilities), info


class Editor:
    """One client session and helpers that wait on what the server sends."""

    def __init__(self, client: LanguageClient, home: Path) -> None:
        self.client = client
        self.home = home

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        ))
        return uri

    async def diagnostics(self, uri: str, predicate: Callable[[list[types.Diagnostic]], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not predicate(self.client.diagnostics.get(uri) or []):
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    async def message(self, predicate: Callable[[str], bool]) -> str:
        async with asyncio.timeout(WAIT):
            while True:
                for shown in self.client.messages:
                    if predicate(shown.message):
                        return shown.message
                await self.client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)

    async def actions(self, uri: str, only: list[str] | None = None) -> list[Any]:
        found = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(3, 4), end=types.Position(3, 4)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        ))
        return list(found or [])

    async def run(self, action: Any) -> Any:
        command = command_of(action)
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
        )


def command_of(action: Any) -> types.Command:
    """The command an action runs.

    The client's converter reads a ``CodeAction`` literal with a command as a
    ``Command`` whose ``command`` is the nested object's repr: undo that.
    """
    command = action.command if isinstance(action, (types.Command, types.CodeAction)) else action
    if isinstance(command, types.Command):
        return command
    if isinstance(command, str) and command.startswith("{"):
        data = ast.literal_eval(command)
        return types.Command(title=data["title"], command=data["command"], arguments=data.get("arguments"))
    return action  # type: ignore[no-any-return]


def is_bare_command(action: Any) -> bool:
    return isinstance(action, types.Command) and action.command.startswith("pytrix.")


@asynccontextmanager
async def editor(
    flavour: str, root: Path | None, home: Path, init: Any = None, env: dict[str, str] | None = None,
    adjust: Callable[[types.ClientCapabilities], None] | None = None,
) -> AsyncIterator[Editor]:
    """A real server under ``flavour``'s capabilities; ``root`` is the workspace root it sends."""
    server_env = {**os.environ, "PYTRIX_HOME": str(home), **(env or {})}
    server_env.pop("GEMINI_API_KEY", None)
    server_env.pop("GOOGLE_API_KEY", None)
    config = ClientServerConfig(server_command=[*forked_pytrix.command(), "serve"], server_env=server_env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.set_configuration({"pytrix": {"debounceMs": 50}})
    caps, info = capabilities(flavour)
    if adjust is not None:
        adjust(caps)
    await client.initialize_session(types.InitializeParams(
        capabilities=caps, client_info=info, initialization_options=init,
        root_uri=root.as_uri() if root else None,
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None,
    ))
    try:
        yield Editor(client, home)
    finally:
        await client.shutdown_session()
        await client.stop()


def titles(actions: list[Any]) -> list[str]:
    return [a.title for a in actions]


@pytest.mark.parametrize("flavour", ["eglot_1.9", "helix_25.01", "neovim"])
async def test_a_quickfix_request_keeps_the_practice_actions(flavour: str, tmp_path: Path) -> None:
    """Defect 1: ``context.only = ["quickfix"]`` returned nothing at all."""
    (tmp_path / "ws").mkdir()
    async with editor(flavour, tmp_path / "ws", tmp_path / "home") as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        quickfixes = titles(await ed.actions(uri, ["quickfix"]))
        assert "Pytrix: next hint (1/3)" in quickfixes and "Pytrix: submit" in quickfixes
        assert not any("new practice question" in t for t in quickfixes)  # kind "" is not a quickfix
        assert await ed.actions(uri, ["source.organizeImports"]) == []
        everything = titles(await ed.actions(uri))
        assert "Pytrix: new practice question (auto mode)" in everything


async def test_without_action_literals_the_client_gets_commands(tmp_path: Path) -> None:
    """LSP < 3.8 clients cannot take CodeAction objects: they get the commands."""
    (tmp_path / "ws").mkdir()

    def no_literals(caps: types.ClientCapabilities) -> None:
        assert caps.text_document is not None
        caps.text_document.code_action = types.CodeActionClientCapabilities()

    async with editor("neovim", tmp_path / "ws", tmp_path / "home", adjust=no_literals) as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        found = await ed.actions(uri)
        assert found and all(is_bare_command(a) for a in found)
        assert "Pytrix: submit" in titles(found)


@pytest.mark.parametrize("flavour", ["eglot_1.9", "neovim"])
async def test_the_locked_solution_is_listed_with_its_reason(flavour: str, tmp_path: Path) -> None:
    """Without disabled-action support the locked reveal was silently missing."""
    (tmp_path / "ws").mkdir()
    async with editor(flavour, tmp_path / "ws", tmp_path / "home") as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        locked = [a for a in await ed.actions(uri) if a.title.startswith("Pytrix: reveal solution (locked")]
        assert locked and "failed submissions" in locked[0].title
        await ed.run(locked[0])
        await ed.message(lambda m: "unlocks after" in m)


async def test_new_questions_stay_in_one_practice_folder_without_show_document(tmp_path: Path) -> None:
    """Defect 2: without VC, eglot's root is the opened file's folder; each new
    question nested one level deeper, was not opened and no message said where."""
    ws = tmp_path / "ws"
    (ws / "notes").mkdir(parents=True)
    scratch = ws / "notes" / "scratch.py"
    scratch.write_text("print('hello')\n", encoding="utf-8")
    async with editor("eglot_1.9", ws / "notes", tmp_path / "home") as ed:
        uri = ed.open(scratch)
        auto = [a for a in await ed.actions(uri) if a.title == "Pytrix: new practice question (auto mode)"]
        first = await ed.run(auto[0])
        first_path = Path(first["path"])
        assert first_path.is_file() and first["shown"] is False
        assert first_path.parent.parent == ws / "notes" / "pytrix"
        await ed.message(lambda m: str(first_path) in m)
    # The learner opens that file: eglot's root is now its folder (a module folder).
    async with editor("eglot_1.9", first_path.parent, tmp_path / "home") as ed:
        uri = ed.open(first_path)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        auto = [a for a in await ed.actions(uri) if a.title == "Pytrix: new practice question (auto mode)"]
        second = await ed.run(auto[0])
        second_path = Path(second["path"])
        assert second_path.parent.parent == ws / "notes" / "pytrix", second_path
        await ed.message(lambda m: str(second_path) in m)
        # Asked from the command line of the editor, without the file: the open one decides.
        third = await ed.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="pytrix.next", arguments=[{"module": "recursion"}])
        )
        assert Path(third["path"]).parent.parent == ws / "notes" / "pytrix"


async def test_files_the_editor_cannot_open_are_named_in_a_message(tmp_path: Path) -> None:
    """Without showDocument, the dashboard and the solution say where they were written."""
    ws = tmp_path / "ws"
    ws.mkdir()
    async with editor("eglot_1.9", ws, tmp_path / "home") as ed:
        dashboard = await ed.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="pytrix.dashboard", arguments=[])
        )
        assert dashboard["shown"] is False
        await ed.message(lambda m: m == f"The dashboard is in: {dashboard['path']} (open it to read it).")


@pytest.mark.parametrize(("flavour", "kind"), [
    ("eglot_1.9", types.MarkupKind.PlainText), ("helix_25.01", types.MarkupKind.Markdown),
])
async def test_hovers_come_in_the_format_the_client_asks_for(
    flavour: str, kind: types.MarkupKind, tmp_path: Path
) -> None:
    """Defect 3: eglot asked for plain text and showed raw ``###``, ``**`` and backticks."""
    (tmp_path / "ws").mkdir()
    async with editor(flavour, tmp_path / "ws", tmp_path / "home") as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        hover = await ed.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 6)
        ))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == kind
    text = hover.contents.value
    assert "Latest run:" in text and "reverse_string(" in text
    if kind == types.MarkupKind.PlainText:
        assert "###" not in text and "**" not in text and "`" not in text
    else:
        assert "**Latest run:**" in text


def palette_titles() -> set[str]:
    package = json.loads((ROOT / "vscode-extension" / "package.json").read_text(encoding="utf-8"))
    return {f"{c.get('category', '')}: {c['title']}" for c in package["contributes"]["commands"]}


@pytest.mark.parametrize("flavour", ["eglot_1.9", "helix_25.01", "visual-studio-code"])
async def test_messages_name_actions_the_editor_has(flavour: str, tmp_path: Path) -> None:
    """Defect 4: after a submit, 'Pytrix: next question' existed in no editor."""
    (tmp_path / "ws").mkdir()
    vscode = flavour == "visual-studio-code"
    init = {"runtimes": [], "settings": {"runtime": "subprocess"}} if vscode else None
    async with editor(flavour, tmp_path / "ws", tmp_path / "home", init=init) as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", RIGHT)
        await ed.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
        submit = [a for a in await ed.actions(uri) if a.title == "Pytrix: submit"]
        await ed.run(submit[0])
        solved = await ed.message(lambda m: m.startswith("Solved!"))
        named = solved.split("'")[1]
        available = palette_titles() if vscode else set(titles(await ed.actions(uri)))
        assert named in available, (named, sorted(available))


async def test_the_log_holds_method_names_and_timings_not_bodies(tmp_path: Path) -> None:
    """Defect 5: every JSON-RPC body (the learner's whole file) was logged at INFO, unrotated."""
    (tmp_path / "ws").mkdir()
    secret = "learner_secret_text_42"
    home = tmp_path / "home"
    async with editor("eglot_1.9", tmp_path / "ws", home) as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG + f"# {secret}\n")
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        await ed.actions(uri)
    log = (home / "server.log").read_text(encoding="utf-8")
    assert "notification textDocument/didOpen handled in" in log
    assert "request textDocument/codeAction #" in log and " ms" in log
    assert secret not in log and "Sending data" not in log
    debug_home = tmp_path / "debug-home"
    async with editor("eglot_1.9", tmp_path / "ws", debug_home, env={"PYTRIX_LOG_LEVEL": "DEBUG"}) as ed:
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG + f"# {secret}\n")
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
    assert secret in (debug_home / "server.log").read_text(encoding="utf-8")


def test_the_log_file_rotates(tmp_path: Path) -> None:
    import logging
    from logging.handlers import RotatingFileHandler

    from pytrix.lsp import logs

    root, pygls_protocol = logging.getLogger(), logging.getLogger("pygls.protocol")
    levels = root.level, pygls_protocol.level
    handler = logs.setup(tmp_path / "server.log", logging.INFO)
    try:
        assert isinstance(handler, RotatingFileHandler) and handler.maxBytes == logs.MAX_BYTES
        assert pygls_protocol.level == logging.WARNING
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(levels[0])
        pygls_protocol.setLevel(levels[1])


async def test_the_shipped_helix_config_drives_the_server(tmp_path: Path) -> None:
    """Helix is not packaged for these machines: its shipped languages.toml is checked and its
    settings are sent the way Helix sends them (initializationOptions and workspace/configuration)."""
    config = tomllib.loads((ROOT / "server" / "pytrix" / "editors" / "helix" / "languages.toml").read_text(encoding="utf-8"))
    server = config["language-server"]["pytrix"]
    assert server["command"] == "pytrix" and server["args"] == ["serve"]
    assert any("pytrix" in language.get("language-servers", []) for language in config["language"])
    settings = server["config"]
    (tmp_path / "ws").mkdir()
    async with editor("helix_25.01", tmp_path / "ws", tmp_path / "home", init=settings) as ed:
        ed.client.set_configuration(settings)
        uri = ed.open(tmp_path / "ws" / "rev.py", WRONG)
        await ed.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
        reveal = [a for a in await ed.actions(uri, ["quickfix"]) if a.title == "Pytrix: reveal solution"]
        assert reveal and reveal[0].disabled is not None  # Helix shows disabled actions with the reason
        assert f"{settings['pytrix']['revealAfterFailures']} failed submissions" in reveal[0].disabled.reason
    assert not [m.message for m in ed.client.messages if "pytrix." in m.message]  # no settings rejected
