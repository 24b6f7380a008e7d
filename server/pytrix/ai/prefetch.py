"""Prefetch: keep the next few generated questions ready in the background.

Auto mode says which (problem type, difficulty) pairs come next with
:meth:`PrefetchQueue.want`; the queue generates (and verifies) questions for
the first ``depth`` of them while the learner works, and :meth:`take` hands a
ready one over at once. The producer returns None when it cannot make one (no
key, a cap, an error): the caller then falls back to its usual choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

from pytrix.curriculum.question import Difficulty, Question

log = logging.getLogger(__name__)

Slot = tuple[str, Difficulty]
Producer = Callable[[str, Difficulty], Awaitable[Question | None]]


class PrefetchQueue:
    """Questions generated ahead of time, per (problem type, difficulty)."""

    def __init__(self, produce: Producer, depth: int = 2) -> None:
        self._produce = produce
        self.depth = depth
        self._ready: dict[Slot, list[Question]] = {}
        self._tasks: dict[Slot, list[asyncio.Task[None]]] = {}

    def ready_count(self) -> int:
        return sum(len(v) for v in self._ready.values())

    def in_flight(self) -> int:
        return sum(1 for tasks in self._tasks.values() for t in tasks if not t.done())

    def want(self, upcoming: Sequence[Slot]) -> None:
        """Keep questions ready for the first ``depth`` slots of ``upcoming``."""
        needed = Counter(list(upcoming)[: self.depth])
        # Ready questions for slots no longer ahead are dropped past 2 x depth (they stay saved).
        for slot in [s for s in self._ready if s not in needed]:
            if self.ready_count() <= 2 * self.depth:
                break
            del self._ready[slot]
        for slot, count in needed.items():
            tasks = [t for t in self._tasks.get(slot, []) if not t.done()]
            self._tasks[slot] = tasks
            missing = count - len(self._ready.get(slot, [])) - len(tasks)
            for _ in range(max(0, missing)):
                tasks.append(asyncio.ensure_future(self._fill(slot)))

    async def _fill(self, slot: Slot) -> None:
        try:
            question = await self._produce(*slot)
        except asyncio.CancelledError:
            raise
        except Exception:  # a background fill must never take the server down
            log.exception("prefetch for %s failed", slot[0])
            return
        if question is not None:
            self._ready.setdefault(slot, []).append(question)

    async def take(self, problem_type: str, difficulty: Difficulty, *, wait: bool = False) -> Question | None:
        """A ready question for the slot (waiting for one in flight when ``wait``), or None."""
        slot = (problem_type, difficulty)
        if wait and not self._ready.get(slot):
            pending = [t for t in self._tasks.get(slot, []) if not t.done()]
            if pending:
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        ready = self._ready.get(slot)
        return ready.pop(0) if ready else None

    async def settle(self) -> None:
        """Wait until every fill in flight has finished."""
        pending = [t for group in self._tasks.values() for t in group if not t.done()]
        if pending:
            await asyncio.wait(pending)

    async def close(self) -> None:
        tasks = [t for group in self._tasks.values() for t in group if not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
