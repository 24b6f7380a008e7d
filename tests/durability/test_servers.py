"""Durability through real `pytrix serve` processes: kill -9 mid-burst, and two servers at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

RIGHT = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s[::-1]
'''


async def start_server(home: Path, workspace: Path) -> LanguageClient:
    env = {**os.environ, "PYTRIX_HOME": str(home)}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "pytrix", "serve"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("neovim"), root_uri=workspace.as_uri())
    )
    return client


def open_practice(client: LanguageClient, path: Path) -> str:
    path.write_text(RIGHT, encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=path.as_uri(), language_id="python", version=1, text=RIGHT)
        )
    )
    return path.as_uri()


async def submit(client: LanguageClient, uri: str) -> int:
    result: Any = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="pytrix.submit", arguments=[uri])
    )
    return int(result["attemptId"] if isinstance(result, dict) else result.attemptId)


def attempt_ids(db: Path) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT id FROM attempts")}
    finally:
        conn.close()


async def test_two_servers_submitting_at_once_lose_nothing(tmp_path: Path) -> None:
    home, workspace = tmp_path / "home", tmp_path / "ws"
    workspace.mkdir()
    clients = [await start_server(home, workspace) for _ in range(2)]
    try:
        uris = [open_practice(c, workspace / f"rev{i}.py") for i, c in enumerate(clients)]
        ids = await asyncio.gather(*(submit(c, u) for c, u in zip(clients, uris, strict=True) for _ in range(12)))
    finally:
        for client in clients:
            await client.shutdown_session()
            await client.stop()
    assert len(set(ids)) == 24
    assert attempt_ids(home / "pytrix.db") == set(ids)


async def test_kill_9_of_a_server_keeps_every_acknowledged_attempt(tmp_path: Path) -> None:
    home, workspace = tmp_path / "home", tmp_path / "ws"
    workspace.mkdir()
    client = await start_server(home, workspace)
    uri = open_practice(client, workspace / "rev.py")
    acknowledged: list[int] = []
    pending = [asyncio.ensure_future(submit(client, uri)) for _ in range(30)]
    try:
        for next_done in asyncio.as_completed(pending):
            acknowledged.append(await next_done)
            if len(acknowledged) == 8:
                break
        server = client._server
        assert server is not None
        os.kill(server.pid, signal.SIGKILL)  # mid-burst: more submissions are in flight
        await server.wait()
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await client.stop()
    stored = attempt_ids(home / "pytrix.db")
    assert set(acknowledged) <= stored
