"""The subprocess sandbox: each run in a fresh ``python -I`` harness process.

Each process serves one run, in its own process group and temporary working
directory (see :mod:`pytrix.runner.pool`), and confines itself before learner
code runs (resource limits, Landlock, seccomp, audit hooks: see
:mod:`pytrix.runner.harness`). The harness reports events on a dedicated pipe,
so nothing the learner prints can pose as a result, and the parent checks every
event against the order it expects before grading.

The parent enforces a per-test and a per-run wall-clock limit by killing the
whole process group; after a test crashes the process, the remaining tests
continue in a fresh process; after a timeout the run stops. Before it stops a
test at its limit, the parent sends SIGUSR1 and waits a moment for the
harness's ``where`` event: the line that was running, where the timeout is
shown. With a
:class:`~pytrix.runner.pool.WarmPool` (``pool_size > 0``) a run starts in an
already warm process instead of paying interpreter start-up; with
``fork_server=True`` each process is forked from a zygote that imported the
harness once (:mod:`pytrix.runner.zygote`), and cold processes take over if
the zygote dies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.runner.attempts import (
    EXIT_GRACE,
    EXPIRED,
    OVERFLOW,
    READ,
    WHERE_GRACE,
    Attempt,
    grading_failed,
    settle,
    start_failed,
)
from pytrix.runner.events import RunBudget
from pytrix.runner.grading import RawRun, grade
from pytrix.runner.own_tests import with_own_tests
from pytrix.runner.pool import (
    HARNESS_PATH,
    EventChannel,
    RunProcess,
    WarmPool,
    Worker,
    sandbox_env,
)
from pytrix.runner.protocol import Limits, RunResult, build_request
from pytrix.runner.results import sandbox_options
from pytrix.runner.zygote import ForkedWorker, ForkServer, ZygoteLost

__all__ = ["HARNESS_PATH", "SubprocessSandbox", "sandbox_env"]

log = logging.getLogger(__name__)

class _Attempt(Attempt):
    """An :class:`~pytrix.runner.attempts.Attempt` read on the event loop."""

    async def run(self, worker: RunProcess, request: dict[str, Any], run_deadline: float) -> None:
        worker.configure(*self.pipe_limits())
        worker.send(request)
        try:
            self.start(worker.pid, worker.workdir, run_deadline, asyncio.get_running_loop().time())
            overflow = await self._read_events(worker.channel)
            if self.after_reading(overflow):
                self.exited(await worker.wait_exit(EXIT_GRACE), worker.stderr)
        finally:
            worker.kill()

    async def _read_events(self, channel: EventChannel) -> bool:
        """Read until the end event, end of file or a deadline; True on overflow."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                line = await channel.next_line(self.wake_at())
            except TimeoutError:
                woke = self.on_wake(loop.time())
                if woke == READ:
                    continue
                if woke == EXPIRED:
                    await self._ask_where(channel)
                return False
            step = self.on_line(line, loop.time())
            if step != READ:
                return step == OVERFLOW

    async def _ask_where(self, channel: EventChannel) -> None:
        """Ask the stopped test which line it is running (SIGUSR1) and keep a valid answer.

        The harness answers with a ``where`` event from a signal handler; learner
        code stuck in C may not answer, so the wait is short. The line is only
        used to place the timeout message in the file.
        """
        if not self.ask_where():
            return
        deadline = asyncio.get_running_loop().time() + WHERE_GRACE
        while True:
            try:
                line = await channel.next_line(deadline)
            except TimeoutError:
                return
            if self.on_where(line):
                return


class SubprocessSandbox:
    """Runs a question's tests in fresh sandboxed processes.

    ``pool_size > 0`` keeps that many warm processes ready (created lazily in
    the running event loop; call :meth:`close` when done). A shared ``pool``
    may be passed instead; the caller then owns and closes it. ``confinement``
    switches layers off for diagnostics and tests only, e.g. ``{"audit": False}``.
    ``fork_server=True`` forks each run's process from a zygote instead (batch
    checks); if the zygote cannot start or dies, runs go on in cold processes,
    :attr:`fallback` says why and :attr:`processes` counts both kinds.
    """

    name = "subprocess"

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        pool_size: int = 0,
        pool: WarmPool | None = None,
        confinement: Mapping[str, bool] | None = None,
        fork_server: bool = False,
    ) -> None:
        self.limits = limits or Limits()
        self.pool_size = pool_size
        self._shared_pool = pool
        self._own_pool: WarmPool | None = None
        self._confinement = dict(confinement or {})
        self.fork_server = fork_server
        self._zygote: ForkServer | None = None
        self._zygote_starting: asyncio.Task[ForkServer] | None = None
        self.fallback: str | None = None
        """Why runs went to cold processes although ``fork_server`` was asked for."""
        self.processes = {"forked": 0, "cold": 0}
        self._reaping: set[asyncio.Task[None]] = set()
        self._observer: Callable[[dict[str, Any]], None] | None = None  # test hook

    @property
    def pool(self) -> WarmPool | None:
        """The pool runs draw from in the current event loop, if any."""
        return self._shared_pool or self._own_pool

    def _pool_for_loop(self) -> WarmPool | None:
        if self._shared_pool is not None:
            return self._shared_pool
        if self.pool_size <= 0:
            return None
        loop = asyncio.get_running_loop()
        if self._own_pool is not None and self._own_pool.loop not in (None, loop):
            self._own_pool.abandon()  # its event loop is gone (e.g. a second asyncio.run)
            self._own_pool = None
        if self._own_pool is None or self._own_pool.closed:
            self._own_pool = WarmPool(self.pool_size)
            self._own_pool.start()
        return self._own_pool

    async def start(self) -> None:
        """Start the fork server or the warm pool now and wait until it is ready (optional)."""
        await self._zygote_for_loop()
        pool = self._pool_for_loop()
        if pool is not None:
            await pool.wait_ready()

    @property
    def zygote(self) -> ForkServer | None:
        """The fork server runs are forked from, once started."""
        return self._zygote

    async def _zygote_for_loop(self) -> ForkServer | None:
        """The running zygote (started on first use), or None once it is lost."""
        if not self.fork_server or self.fallback is not None:
            return None
        loop = asyncio.get_running_loop()
        if self._zygote is not None and self._zygote.loop is not loop:
            self._zygote.abandon()  # its event loop is gone (e.g. a second asyncio.run)
            self._zygote = None
        if self._zygote is None:
            if self._zygote_starting is None or self._zygote_starting.get_loop() is not loop:
                self._zygote_starting = loop.create_task(self._start_zygote())
            try:
                self._zygote = await asyncio.shield(self._zygote_starting)
            except ZygoteLost as exc:
                self._fall_back(str(exc))
                return None
        if self._zygote.lost is not None:
            self._fall_back(self._zygote.lost)
            return None
        return self._zygote

    @staticmethod
    async def _start_zygote() -> ForkServer:
        server = ForkServer()
        await server.start()
        return server

    def _fall_back(self, reason: str) -> None:
        if self.fallback is None:
            self.fallback = reason
            log.warning("fork server unavailable (%s): running cold sandbox processes", reason)

    async def _acquire(self) -> tuple[RunProcess, WarmPool | None]:
        zygote = await self._zygote_for_loop()
        if zygote is not None:
            try:
                worker = await ForkedWorker.spawn(zygote)
            except ZygoteLost as exc:
                self._fall_back(str(exc))
            else:
                self.processes["forked"] += 1
                return worker, None
        self.processes["cold"] += 1
        pool = self._pool_for_loop()
        if pool is not None:
            return await pool.acquire(), pool
        return await Worker.spawn(warm=False), None

    def _release(self, worker: RunProcess, pool: WarmPool | None) -> None:
        worker.kill()
        if pool is not None and not pool.closed and isinstance(worker, Worker):
            pool.release(worker)
            return
        task = asyncio.get_running_loop().create_task(worker.close())
        self._reaping.add(task)
        task.add_done_callback(self._reaping.discard)

    async def close(self) -> None:
        """Stop the pool (if this sandbox owns it) and the zygote; reap every finished process."""
        if self._own_pool is not None:
            if self._own_pool.loop in (None, asyncio.get_running_loop()):
                await self._own_pool.close()
            else:
                self._own_pool.abandon()
            self._own_pool = None
        while self._reaping:
            await asyncio.gather(*list(self._reaping), return_exceptions=True)
        if self._zygote_starting is not None and not self._zygote_starting.done():
            self._zygote_starting.cancel()
            await asyncio.gather(self._zygote_starting, return_exceptions=True)
        self._zygote_starting = None
        if self._zygote is not None:
            if self._zygote.loop is asyncio.get_running_loop():
                await self._zygote.close()
            else:
                self._zygote.abandon()
            self._zygote = None

    async def __aenter__(self) -> SubprocessSandbox:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _sandbox_options(self, limits: Limits) -> dict[str, Any]:
        return sandbox_options(limits, self._confinement)

    async def run(
        self, question: Question, code: str, filename: str, *, limits: Limits | None = None,
        reveal_hidden: bool = False,
    ) -> RunResult:
        """Run ``code`` against the question's tests; every process it used is gone on return."""
        used: list[tuple[RunProcess, WarmPool | None]] = []
        try:
            result = await self._run(question, code, filename, limits or self.limits,
                                     reveal_hidden, used)
        except BaseException:
            for worker, pool in used:  # cancelled: kill now, reap in the background
                self._release(worker, pool)
            raise
        await asyncio.gather(*(worker.close() for worker, _ in used))
        for pool in {pool for _, pool in used if pool is not None}:
            pool.refill()
        return result

    async def _run(
        self, question: Question, code: str, filename: str, limits: Limits, reveal_hidden: bool,
        used: list[tuple[RunProcess, WarmPool | None]],
    ) -> RunResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        run_deadline = started + limits.run_timeout
        raw = RawRun(backend=self.name)
        question_tests = len(question.tests)
        question = with_own_tests(question, code)  # the learner's "# test:" lines run after the question's
        pending = list(range(len(question.tests)))
        failed_starts = 0
        budget = RunBudget()
        while pending:
            request = build_request(question, code, filename, limits, pending)
            request["sandbox"] = self._sandbox_options(limits)
            attempt = _Attempt(question, limits, pending, self._observer, budget)
            worker, pool = await self._acquire()
            used.append((worker, pool))
            try:
                await attempt.run(worker, request, run_deadline)
            finally:
                worker.kill()
            if isinstance(worker, ForkedWorker) and not attempt.finished:
                await worker.wait_exit(5.0)  # the zygote reports the exit, or its own death
                if worker.lost:  # the zygote died under this attempt, not by the code's doing:
                    self._fall_back(worker.server.lost or "the fork server died during a run")
                    continue  # again, in a cold process
            if not attempt.saw_ready and not attempt.run_deadline_hit:
                # The harness reports "ready" before any learner code runs: this process
                # failed on its own. Try a fresh one once, then say so.
                failed_starts += 1
                if failed_starts == 1:
                    continue
                log.error("sandbox process failed to start: %s", attempt.exit_note)
                return RunResult.from_data(start_failed(question.id, question_tests, self.name,
                                                        (loop.time() - started) * 1000, attempt.exit_note))
            following = settle(attempt, raw, limits, pending)
            if following is None:
                break
            pending = following
        raw.duration_ms = (loop.time() - started) * 1000
        try:
            return grade(question, raw, reveal_hidden=reveal_hidden, code=code)
        except Exception:  # grading is ours, but must never take the server down
            log.exception("grading failed for %s", question.id)
            return RunResult.from_data(grading_failed(question.id, question_tests, self.name, raw.duration_ms))

