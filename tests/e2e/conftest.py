"""Fixtures: a real ``pytrix serve`` process over stdio, driven by pytest-lsp.

Every test runs twice, once with VS Code's client capabilities and once with
Neovim's, each against its own PYTRIX_HOME and workspace folder and its own
server process, forked from a process that has imported Pytrix already
(``pytrix_command`` in tests/conftest.py); the start from nothing has its own
tests (test_startup.py).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

WAIT = 30.0


def plain(value: Any) -> Any:
    """Custom-request results arrive as namedtuples: turn them back into dicts."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class Session:
    """A client plus the folders its server uses, and helpers that wait on events."""

    def __init__(self, client: LanguageClient, workspace: Path, home: Path, flavour: str) -> None:
        self.client = client
        self.workspace = workspace
        self.home = home
        self.flavour = flavour
        self.versions: dict[str, int] = {}

    def open(self, path: Path, text: str | None = None, language: str = "python") -> str:
        uri = path.as_uri()
        if text is None:
            text = path.read_text(encoding="utf-8")
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )
        return uri

    def replace(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def save(self, uri: str) -> None:
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def diagnostics(
        self, uri: str, predicate: Callable[[list[types.Diagnostic]], bool], timeout: float = WAIT
    ) -> list[types.Diagnostic]:
        """Wait until the diagnostics published for ``uri`` satisfy ``predicate``."""
        async with asyncio.timeout(timeout):
            while True:
                current = self.client.diagnostics.get(uri)
                if current is not None and predicate(current):
                    return current
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    async def message(self, predicate: Callable[[str], bool], timeout: float = WAIT) -> str:
        """Wait until a window/showMessage whose text satisfies ``predicate`` has arrived."""
        async with asyncio.timeout(timeout):
            while True:
                for shown in self.client.messages:
                    if predicate(shown.message):
                        return shown.message
                await self.client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)

    async def command(self, name: str, *arguments: Any) -> Any:
        return plain(await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))
        ))

    async def request(self, method: str, params: Any) -> Any:
        return plain(await self.client.protocol.send_request_async(method, params))


@pytest_asyncio.fixture(params=["visual-studio-code", "neovim"])
async def lsp(request: pytest.FixtureRequest, tmp_path: Path, pytrix_command: list[str]) -> AsyncIterator[Session]:
    home = tmp_path / "home"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    marker = request.node.get_closest_marker("lsp_options")
    options = dict(marker.kwargs) if marker else {}
    for name, content in options.get("home_files", {}).items():  # in PYTRIX_HOME before the start
        home.mkdir(exist_ok=True)
        (home / name).write_bytes(content)
    env = {**os.environ, "PYTRIX_HOME": str(home)}
    env.pop("GEMINI_API_KEY", None)
    env.pop("GOOGLE_API_KEY", None)
    # A new server process per test, forked from the worker's fork server (tests/forked_pytrix.py).
    # `exec_start=True`: `python -m pytrix serve` itself (the test reads the server's own /proc entry).
    command = [sys.executable, "-m", "pytrix"] if options.get("exec_start") else pytrix_command
    config = ClientServerConfig(server_command=[*command, "serve"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.set_configuration({"pytrix": {"debounceMs": 50, **options.get("settings", {})}})
    for method, handler in options.get("handlers", {}).items():
        client.feature(method)(handler)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options=options.get("init"),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
        )
    )
    # `initialize` is answered before the server's core is loaded (lsp/startup.py); any later
    # request waits for it, so this one makes every test start from a ready server.
    await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=(workspace / "none.py").as_uri()),
        position=types.Position(line=0, character=0)))
    session = Session(client, workspace, home, request.param)
    yield session
    await client.shutdown_session()
    await client.stop()
