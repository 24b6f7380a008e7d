"""The server log: method names and timings at INFO, message bodies only at DEBUG.

``server.log`` lives in the learner's Pytrix home and rotates (1 MB, 3 old
files kept). At the default INFO level it records one line per JSON-RPC
message: its method and, for requests, how long the answer took. Bodies,
which hold the full text of the learner's files, are logged only at DEBUG,
turned on with ``PYTRIX_LOG_LEVEL=DEBUG`` (or ``pytrix serve --log-level``).
pygls' own protocol logger writes every body at INFO, so it is held at
WARNING unless DEBUG is asked for.
"""

from __future__ import annotations

import logging
import os
import time
from logging.handlers import RotatingFileHandler
from typing import Any

from pygls.protocol import LanguageServerProtocol

log = logging.getLogger("pytrix.lsp.messages")

MAX_BYTES = 1_000_000
BACKUPS = 3
LEVEL_VARIABLE = "PYTRIX_LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TimedProtocol(LanguageServerProtocol):
    """pygls' protocol, logging each message's method (and a request's time) at INFO."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._started: dict[Any, tuple[str, float]] = {}

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        self._started[msg_id] = (method_name, time.perf_counter())
        log.debug("request %s #%s: %s", method_name, msg_id, params)
        super()._handle_request(msg_id, method_name, params)

    def _handle_notification(self, method_name: str, params: Any) -> None:
        started = time.perf_counter()
        log.debug("notification %s: %s", method_name, params)
        super()._handle_notification(method_name, params)
        log.info("notification %s handled in %.1f ms", method_name, (time.perf_counter() - started) * 1000)

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        method, started = self._started.pop(msg_id, ("?", time.perf_counter()))
        elapsed = (time.perf_counter() - started) * 1000
        outcome = "failed" if error is not None else "answered"
        log.info("request %s #%s %s in %.1f ms", method, msg_id, outcome, elapsed)
        log.debug("response #%s: %s", msg_id, error if error is not None else result)
        super()._send_response(msg_id, result=result, error=error)

    def notify(self, method: str, params: Any | None = None) -> None:
        log.info("sent %s", method)
        super().notify(method, params)

    def send_request(self, method: str, params: Any | None = None, callback: Any = None,
                     msg_id: Any = None) -> Any:
        log.info("sent request %s", method)
        return super().send_request(method, params, callback, msg_id)


def level_from(name: str | None) -> int:
    """A logging level from its name; INFO for anything unknown."""
    value = logging.getLevelName((name or "INFO").upper())
    return value if isinstance(value, int) else logging.INFO


def setup(path: os.PathLike[str] | str, level: int | None = None) -> logging.Handler:
    """Log to a rotating ``path`` (stderr when it cannot be opened) at ``level``."""
    if level is None:
        level = level_from(os.environ.get(LEVEL_VARIABLE))
    handler: logging.Handler
    try:
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # pygls logs every message body at INFO ("Sending data: ..."): bodies are DEBUG-only here.
    logging.getLogger("pygls.protocol").setLevel(logging.DEBUG if level <= logging.DEBUG else logging.WARNING)
    return handler
