"""The learner's API key: held in memory only, and scrubbed from every text we emit.

The key comes from the editor (``pytrix/setApiKey``) or from ``GEMINI_API_KEY``
/ ``GOOGLE_API_KEY``. It is never written to disk, the database or a log:
:func:`redact` removes every key this process has seen from a string, and
:class:`RedactingFilter` does the same for every log record.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Literal

KeySource = Literal["client", "environment"]
ENV_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
_MASK = "[redacted key]"
_MIN_SECRET = 6  # shorter strings are too common to scrub without mangling text

_seen: set[str] = set()
_seen_lock = threading.Lock()


def _remember(key: str) -> None:
    if len(key) >= _MIN_SECRET:
        with _seen_lock:
            _seen.add(key)


def redact(text: str) -> str:
    """``text`` with every API key this process has held replaced by a mask."""
    if not text:
        return text
    with _seen_lock:
        secrets = sorted(_seen, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that scrubs keys from the message and any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _seen:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction() -> None:
    """Put a :class:`RedactingFilter` on every handler of the root logger (once each)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


class ApiKeys:
    """Which key to use: the editor's (memory only) over the environment's."""

    def __init__(self) -> None:
        self._client_key: str | None = None
        for name in ENV_VARS:
            value = os.environ.get(name, "").strip()
            if value:
                _remember(value)
        install_log_redaction()

    def set_client_key(self, key: str | None) -> None:
        """Hold ``key`` in memory (``None`` or blank clears it)."""
        key = (key or "").strip() or None
        if key is not None:
            _remember(key)
            install_log_redaction()
        self._client_key = key

    def current(self) -> tuple[str, KeySource] | None:
        """The key to use and where it came from, or None."""
        if self._client_key:
            return self._client_key, "client"
        for name in ENV_VARS:
            value = os.environ.get(name, "").strip()
            if value:
                _remember(value)
                return value, "environment"
        return None

    @property
    def source(self) -> KeySource | None:
        found = self.current()
        return found[1] if found else None

    def __repr__(self) -> str:  # never show the key, even in a debugger or a log line
        return f"ApiKeys(source={self.source!r})"
