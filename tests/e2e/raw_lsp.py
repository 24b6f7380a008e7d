"""A raw JSON-RPC client over a real ``pytrix serve`` process, for messages no LSP client
library would send: oversized, malformed, deeply nested, params of the wrong type.

It answers every request the server makes (``window/showDocument``,
``workspace/configuration``, ...) with ``null`` so handlers never wait on it, and
waits for answers with ``select`` on the server's stdout, never with sleeps.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ANSWER_WAIT = 30.0


class RawServer:
    """One ``pytrix serve`` process over stdio, spoken to in raw frames."""

    def __init__(self, home: Path, workspace: Path, command: list[str] | None = None) -> None:
        workspace.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTRIX_HOME": str(home), "GEMINI_API_KEY": "", "GOOGLE_API_KEY": ""}
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "pytrix", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, cwd=workspace,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.fd = self.stdout.fileno()
        self.buffer = bytearray()
        self.next_id = 1
        self.stray: list[dict[str, Any]] = []  # answers with no id (parse errors)
        reply = self.request("initialize", {"processId": None, "rootUri": workspace.as_uri(),
                                            "capabilities": {}})
        assert "result" in reply, reply
        self.notify("initialized", {})

    def write_raw(self, data: bytes) -> None:
        self.stdin.write(data)
        self.stdin.flush()

    def send(self, message: dict[str, Any] | bytes) -> None:
        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.write_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def request(self, method: str, params: Any = None, *, omit_params: bool = False) -> dict[str, Any]:
        ident = self.new_id()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return self.answer(ident)

    def answer(self, ident: Any, timeout: float = ANSWER_WAIT) -> dict[str, Any]:
        """The server's answer to request ``ident``; AssertionError if none comes in time."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.read(deadline)
            if message is None:
                raise AssertionError(f"no answer to request {ident!r} (server alive: "
                                     f"{self.proc.poll() is None})")
            if "method" in message:
                if "id" in message:  # a request from the server: answer it
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            if message.get("id") == ident:
                return message
            if message.get("id") is None:
                self.stray.append(message)

    def read(self, deadline: float) -> dict[str, Any] | None:
        """The next message from the server, or None at the deadline or end of output."""
        while True:
            header_end = self.buffer.find(b"\r\n\r\n")
            if header_end >= 0:
                length = 0
                for line in bytes(self.buffer[:header_end]).split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                start = header_end + 4
                if len(self.buffer) >= start + length:
                    body = bytes(self.buffer[start:start + length])
                    del self.buffer[:start + length]
                    return json.loads(body)  # type: ignore[no-any-return]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk

    def alive(self) -> None:
        """The server answers a normal request."""
        reply = self.request("pytrix/curriculum", {})
        assert reply["result"]["modules"], reply

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        self.stdin.close()
        self.stdout.close()
