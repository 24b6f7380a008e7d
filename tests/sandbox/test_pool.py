"""The warm pool, cancellation, queueing and the sandbox's life cycle."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from sandbox_support import (
    ADD,
    ADD_SOLUTION,
    FAST,
    assert_still_works,
    describe,
    group_alive,
)

from pytrix.runner.pool import WarmPool, Worker
from pytrix.runner.protocol import RunStatus
from pytrix.runner.sandbox import SubprocessSandbox

LOOP = "def add(a, b):\n    while True:\n        pass\n"
SLOW = FAST.model_copy(update={"test_timeout": 20.0, "run_timeout": 30.0})


class Spy(SubprocessSandbox):
    """Records the workers it uses and signals when learner code has begun."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers: list[Worker] = []
        self.began = asyncio.Event()
        self.events: list[str] = []
        self._observer = self._observe

    def _observe(self, event: dict[str, Any]) -> None:
        self.events.append(event["event"])
        if event["event"] == "begin":
            self.began.set()

    async def _acquire(self) -> tuple[Worker, WarmPool | None]:
        worker, pool = await super()._acquire()
        self.workers.append(worker)
        return worker, pool


async def test_pool_hands_out_warm_processes_and_refills() -> None:
    async with SubprocessSandbox(FAST, pool_size=2) as box:
        await box.start()
        pool = box.pool
        assert pool is not None and pool.idle == 2
        for _ in range(3):
            result = await box.run(ADD, ADD_SOLUTION, "solution.py")
            assert result.status is RunStatus.PASSED, describe(result)
            await pool.wait_ready()
            assert pool.idle == 2
        assert pool.handed_out_warm == 3 and pool.handed_out_cold == 0
        assert pool.spawned == 5


async def test_empty_pool_falls_back_and_concurrent_runs_all_finish() -> None:
    pool = WarmPool(1)
    box = SubprocessSandbox(FAST, pool=pool)
    try:
        results = await asyncio.gather(*(box.run(ADD, ADD_SOLUTION, "solution.py") for _ in range(4)))
        assert all(r.status is RunStatus.PASSED for r in results), [r.message for r in results]
        assert pool.handed_out_warm + pool.handed_out_cold == 4
    finally:
        await box.close()
        await pool.close()


async def test_plain_constructor_runs_without_a_pool() -> None:
    box = SubprocessSandbox(FAST)
    assert box.pool is None
    result = await box.run(ADD, ADD_SOLUTION, "solution.py")
    assert result.status is RunStatus.PASSED, describe(result)
    assert box.pool is None
    await box.close()


async def test_cancelling_a_run_kills_its_process_group_promptly() -> None:
    async with Spy(SLOW, pool_size=1) as box:
        task = asyncio.create_task(box.run(ADD, LOOP, "solution.py"))
        await box.began.wait()
        worker = box.workers[-1]
        assert group_alive(worker.pid)
        task.cancel()
        # The cancel kills the group rather than letting the loop run into its own 20 s
        # limit: the task ends well before that (a hang guard, not a speed figure).
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, SLOW.test_timeout / 2)
        assert await worker.wait_exit(2.0) is not None
        assert not group_alive(worker.pid)
        await assert_still_works(box)


async def test_close_leaves_no_process_and_no_directory() -> None:
    box = Spy(FAST, pool_size=2)
    await box.start()
    pool = box.pool
    assert pool is not None
    idle = list(pool._idle)
    result = await box.run(ADD, "import os\ndef add(a, b):\n    os._exit(3)\n", "solution.py")
    assert result.status is RunStatus.FAILED, describe(result)
    await box.close()
    for worker in [*idle, *box.workers]:
        assert not os.path.exists(worker.workdir)
        assert not group_alive(worker.pid)
    assert pool.closed


def test_sandbox_survives_a_second_event_loop() -> None:
    """The CLI may call asyncio.run more than once with the same sandbox."""
    box = SubprocessSandbox(FAST, pool_size=1)
    first = asyncio.run(box.run(ADD, ADD_SOLUTION, "solution.py"))
    second = asyncio.run(box.run(ADD, ADD_SOLUTION, "solution.py"))
    asyncio.run(box.close())
    assert first.status is RunStatus.PASSED and second.status is RunStatus.PASSED


async def test_cancelling_the_caller_cancels_the_run() -> None:
    """A newer edit cancels the task awaiting the older run: its process group goes with it."""
    async with Spy(SLOW, pool_size=1) as box:
        task = asyncio.create_task(box.run(ADD, LOOP, "a.py"))
        await box.began.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await box.workers[-1].wait_exit(2.0) is not None
        await assert_still_works(box)


class Saboteur(Spy):
    """Kills the first process it is handed, as if it had died on its own."""

    async def _acquire(self) -> tuple[Worker, WarmPool | None]:
        worker, pool = await super()._acquire()
        if len(self.workers) == 1:
            worker.kill()
            await worker.wait_exit(2.0)
        return worker, pool


async def test_a_process_that_dies_before_the_run_is_replaced() -> None:
    async with Saboteur(FAST, pool_size=1) as box:
        result = await box.run(ADD, ADD_SOLUTION, "solution.py")
        assert result.status is RunStatus.PASSED, describe(result)
        assert len(box.workers) == 2


async def test_an_idle_process_killed_from_outside_is_not_used() -> None:
    async with SubprocessSandbox(FAST, pool_size=1) as box:
        await box.start()
        pool = box.pool
        assert pool is not None
        [idle] = list(pool._idle)
        os.killpg(idle.pid, 9)
        await idle.wait_exit(2.0)
        result = await box.run(ADD, ADD_SOLUTION, "solution.py")
        assert result.status is RunStatus.PASSED, describe(result)
