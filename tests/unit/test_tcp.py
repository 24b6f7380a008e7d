"""``pytrix serve --tcp HOST:PORT`` speaks LSP over a socket."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path


def _frame(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read_message(stream: socket.SocketIO) -> dict[str, object]:
    headers = b""
    while not headers.endswith(b"\r\n\r\n"):
        chunk = stream.read(1)
        assert chunk, "connection closed"
        headers += chunk
    length = int(headers.split(b"Content-Length:")[1].split(b"\r\n")[0])
    return json.loads(stream.read(length))  # type: ignore[no-any-return]


def test_initialize_over_tcp(tmp_path: Path) -> None:
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "pytrix", "serve", "--tcp", "127.0.0.1:0"],
        env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stderr is not None
        port = None
        for line in server.stderr:  # the server announces its port once it is bound
            match = re.search(r"Serving on \('127\.0\.0\.1', (\d+)\)", line)
            if match:
                port = int(match.group(1))
                break
        assert port is not None, "the server never announced its port"
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        stream = socket.SocketIO(sock, "rwb")
        stream.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
        reply = _read_message(stream)
        while "id" not in reply:
            reply = _read_message(stream)
        result = reply["result"]
        assert isinstance(result, dict)
        assert result["serverInfo"]["name"] == "pytrix"
        assert "pytrix.submit" in result["capabilities"]["executeCommandProvider"]["commands"]
        stream.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        stream.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        sock.close()
    finally:
        server.kill()
        server.wait()
