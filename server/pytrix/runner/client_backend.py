"""The client runtime backend: tests run in the editor's Pyodide, graded here.

The server sends the harness request (and the harness source) to the client,
which runs ``harness.run_request`` in a web worker and answers with the raw
events plus what it saw from outside (tests it had to interrupt or that
crashed the worker). Grading happens in the server exactly as for the
subprocess sandbox, so both backends grade identically. Any failure raises
:class:`ClientRuntimeError` so the caller can fall back to the sandbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.runner import harness
from pytrix.runner.events import InvalidEvents, validate_client_events
from pytrix.runner.grading import RawRun, grade
from pytrix.runner.own_tests import with_own_tests
from pytrix.runner.protocol import Limits, RunResult, build_request

Send = Callable[[dict[str, Any]], Awaitable[Any]]
HARNESS_SOURCE = Path(harness.__file__).read_text(encoding="utf-8")
_GRACE = 5.0
_NOTE_CHARS = 2000


class ClientRuntimeError(RuntimeError):
    """The client could not run the tests (not ready, crashed, bad answer)."""


def _by_index(value: Any, what: str, field: str, total: int) -> dict[int, Any]:
    """Read ``[{"index": i, field: x}, ...]``: the wire shape of ``timedOut`` and ``crashed``.

    Lists of records, not maps keyed by index: pygls turns a JSON object's keys
    into attribute names, and ``"0"`` would arrive as ``_0``.
    """
    if value is None:
        return {}
    if not isinstance(value, list):
        raise ClientRuntimeError(f"'{what}' must be a list of {{index, {field}}} records")
    mapped: dict[int, Any] = {}
    for entry in value[:total + 1]:
        index = entry.get("index") if isinstance(entry, dict) else None
        if type(index) is not int or not 0 <= index < total or field not in entry:
            raise ClientRuntimeError(
                f"'{what}' holds {str(entry)[:60]!r}, not an {{index, {field}}} record for a test")
        if index in mapped:
            raise ClientRuntimeError(f"'{what}' names test {index} twice")
        mapped[index] = entry[field]
    if len(value) > total:
        raise ClientRuntimeError(f"'{what}' names more tests than the question has")
    return mapped


class ClientRuntime:
    """Runs tests through ``send`` (an LSP request to the client)."""

    name = "pyodide"

    def __init__(self, send: Send, limits: Limits | None = None) -> None:
        self.send = send
        self.limits = limits or Limits()

    async def run(
        self, question: Question, code: str, filename: str, *, limits: Limits | None = None,
        reveal_hidden: bool = False,
    ) -> RunResult:
        limits = limits or self.limits
        question = with_own_tests(question, code)  # the learner's "# test:" lines run after the question's
        request = build_request(question, code, filename, limits)
        params = {
            "request": request,
            "harness": HARNESS_SOURCE,
            "testTimeout": limits.test_timeout,
            "runTimeout": limits.run_timeout,
        }
        started = time.monotonic()
        try:
            reply = await asyncio.wait_for(self.send(params), limits.run_timeout + _GRACE)
        except TimeoutError as exc:
            raise ClientRuntimeError("the editor's Python runtime did not answer in time") from exc
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise ClientRuntimeError(f"the editor's Python runtime failed: {exc}") from exc
        if not isinstance(reply, dict) or not isinstance(reply.get("events"), list):
            raise ClientRuntimeError("the editor's Python runtime sent an answer without events")
        total = len(question.tests)
        try:
            events = validate_client_events(reply["events"], total, limits)
        except InvalidEvents as exc:
            raise ClientRuntimeError(f"the editor's Python runtime sent an invalid answer: {exc}") from exc
        timed_out = {k: _seconds(v, "timedOut")
                     for k, v in _by_index(reply.get("timedOut"), "timedOut", "seconds", total).items()}
        crashed = {k: str(v)[:_NOTE_CHARS]
                   for k, v in _by_index(reply.get("crashed"), "crashed", "message", total).items()}
        module_failure = reply.get("moduleFailure")
        duration: Any = reply.get("durationMs")
        if type(duration) not in (int, float) or not 0 <= duration < 1e9:
            duration = (time.monotonic() - started) * 1000
        raw = RawRun(
            events=events, timed_out=timed_out, crashed=crashed, backend=self.name,
            module_failure=module_failure[:_NOTE_CHARS]
            if isinstance(module_failure, str) and module_failure else None,
            skipped_after_timeout=bool(timed_out), duration_ms=float(duration),
        )
        return grade(question, raw, reveal_hidden=reveal_hidden, code=code)


def _seconds(value: Any, what: str) -> float:
    if type(value) not in (int, float) or not 0 <= value <= 3600:
        raise ClientRuntimeError(f"'{what}' holds {str(value)[:40]!r}, not a number of seconds")
    return float(value)
