"""A fake Gemini REST server on 127.0.0.1 for the AI tests.

It speaks ``POST /{version}/models/{model}:generateContent`` and answers from a
script: replies queued per model (or for any model with ``"*"``), else a
``responder`` function, else a plain "OK" text. Every request is recorded
(model, API key header, prompt, system instruction, raw body) so tests can
check what the real ``google-genai`` SDK sent. A reply can ``hang`` until the
test releases it (for timeouts) without any sleeping.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PATH = re.compile(r"^/(?P<version>[^/]+)/models/(?P<model>[^/:]+):generateContent$")


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    text: str | None = "OK"
    body: Any = None  # a raw body (bytes or JSON-able) that replaces the normal one
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    input_tokens: int = 12
    output_tokens: int = 34


def ok(payload: Any, **kwargs: Any) -> Reply:
    """A 200 whose model text is ``payload`` (JSON-encoded unless already a string)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return Reply(text=text, **kwargs)


def error(status: int, message: str, name: str, *, retry_after: str | None = None,
          retry_delay: str | None = None, reason: str | None = None) -> Reply:
    """An API error shaped like Google's: {"error": {"code", "message", "status", "details"}}."""
    details: list[dict[str, Any]] = []
    if retry_delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
    if reason is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason})
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"error": {"code": status, "message": message, "status": name, "details": details}}
    return Reply(status=status, body=body, headers=headers, text=None)


@dataclass
class Request:
    """One request the fake received."""

    version: str
    model: str
    api_key: str | None
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        parts = self.body.get("contents", [{}])[0].get("parts", [])
        return "".join(p.get("text", "") for p in parts)

    @property
    def system(self) -> str:
        parts = (self.body.get("systemInstruction") or {}).get("parts", [])
        return "".join(p.get("text", "") for p in parts)


class FakeGemini:
    """The server, its script and its record."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.responder: Callable[[Request], Reply] | None = None
        self._queues: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._arrived = threading.Condition(self._lock)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                match = _PATH.match(self.path.split("?")[0])
                if match is None:
                    self._send(404, {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}}, {})
                    return
                request = Request(match["version"], match["model"], self.headers.get("x-goog-api-key"),
                                  json.loads(raw or b"{}"))
                reply = fake._next(request)
                if reply.hang:
                    fake._release.wait(30)
                    return
                if reply.body is not None:
                    body = reply.body
                else:
                    body = {
                        "candidates": [{"content": {"role": "model", "parts": [{"text": reply.text}]},
                                        "finishReason": "STOP", "index": 0}],
                        "usageMetadata": {"promptTokenCount": reply.input_tokens,
                                          "candidatesTokenCount": reply.output_tokens,
                                          "totalTokenCount": reply.input_tokens + reply.output_tokens},
                        "modelVersion": request.model,
                    }
                self._send(reply.status, body, reply.headers)

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, model: str, *replies: Reply) -> None:
        """Queue replies for ``model`` (``"*"``: any model), used once each, in order."""
        with self._lock:
            self._queues[model].extend(replies)

    def _next(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._arrived.notify_all()
            for key in (request.model, "*"):
                if self._queues[key]:
                    return self._queues[key].popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply(text="OK")

    def models_called(self) -> list[str]:
        with self._lock:
            return [r.model for r in self.requests]

    def release(self) -> None:
        """Let every hanging reply go (its client has long timed out)."""
        self._release.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
