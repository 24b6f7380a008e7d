"""Queue sandbox runs and cancel the ones a newer document version makes stale.

Runs for one key (a document URI, say) are ordered by version: submitting
version N cancels any queued or running run of an older version of that key,
which then returns a ``cancelled`` result instead of raising, and a run
submitted with a version older than one already seen returns ``cancelled`` at
once. At most ``concurrency`` runs execute at a time; the others wait in
submission order. Cancelling the task that awaits :meth:`RunScheduler.run`
cancels the run too (its process group is killed) and propagates as usual.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Protocol

from pytrix.curriculum.question import Question
from pytrix.runner.protocol import Limits, RunResult, RunStatus

SUPERSEDED = "Cancelled: a newer version of the file is being run."


class Sandbox(Protocol):
    """What the scheduler needs of a backend (SubprocessSandbox, or a client runtime)."""

    @property
    def name(self) -> str: ...

    async def run(
        self, question: Question, code: str, filename: str, *, limits: Limits | None = None,
        reveal_hidden: bool = False,
    ) -> RunResult: ...


class RunScheduler:
    """Serialises runs per key and bounds how many run at once."""

    def __init__(self, sandbox: Sandbox, concurrency: int | None = None) -> None:
        self.sandbox = sandbox
        self.concurrency = concurrency or max(1, min(4, os.cpu_count() or 1))
        self._gate: asyncio.Semaphore | None = None
        self._latest: dict[str, int] = {}
        self._running: dict[str, tuple[int, asyncio.Task[RunResult]]] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.concurrency)
        return self._gate

    async def run(self, key: str, version: int, question: Question, code: str, filename: str,
                  **kwargs: Any) -> RunResult:
        """Run ``code`` for ``key`` at ``version``; stale versions come back cancelled."""
        if version < self._latest.get(key, version):
            return self._cancelled(question)
        self._latest[key] = version
        previous = self._running.get(key)
        if previous is not None and previous[0] <= version:
            previous[1].cancel()
        task = asyncio.ensure_future(self._gated(question, code, filename, kwargs))
        self._running[key] = (version, task)
        try:
            return await task
        except asyncio.CancelledError:
            this = asyncio.current_task()
            if task.cancelled() and (this is None or not this.cancelling()):
                return self._cancelled(question)  # superseded, not cancelled by our caller
            raise
        finally:
            if self._running.get(key, (None, None))[1] is task:
                del self._running[key]

    async def _gated(self, question: Question, code: str, filename: str,
                     kwargs: dict[str, Any]) -> RunResult:
        async with self._semaphore():
            return await self.sandbox.run(question, code, filename, **kwargs)

    def cancel(self, key: str) -> None:
        """Cancel whatever runs or waits for ``key`` (e.g. the document was closed)."""
        entry = self._running.get(key)
        if entry is not None:
            entry[1].cancel()
        self._latest.pop(key, None)

    def _cancelled(self, question: Question) -> RunResult:
        return RunResult(question_id=question.id, status=RunStatus.CANCELLED,
                         total=len(question.tests), backend=self.sandbox.name, message=SUPERSEDED)
