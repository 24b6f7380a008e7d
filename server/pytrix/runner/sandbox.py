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
import json
import logging
import math
import os
import signal
from collections.abc import Callable, Mapping
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.runner.events import Caps, RunBudget, clean_module, clean_ready, clean_test
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
from pytrix.runner.protocol import Limits, RunResult, RunStatus, build_request
from pytrix.runner.zygote import ForkedWorker, ForkServer, ZygoteLost

__all__ = ["HARNESS_PATH", "SubprocessSandbox", "sandbox_env"]

log = logging.getLogger(__name__)

# After the result pipe closes, how long a process may take to exit on its own.
_EXIT_GRACE = 0.5
# How often the parent measures a running process's folder against `disk_mb`; at the
# fastest writes seen (about 250 MB/s) a run overshoots by some 12 MB at most.
DISK_CHECK_SECONDS = 0.05
DISK_ENTRIES = 10_000


def disk_usage(path: str, max_entries: int = DISK_ENTRIES) -> int | None:
    """Bytes a folder tree occupies on disk (allocated blocks); None past ``max_entries``."""
    total, seen, stack = 0, 0, [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        seen += len(entries)
        if seen > max_entries:
            return None
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return total
# After a test's time limit, how long the harness may take to say which line was running.
_WHERE_GRACE = 0.25


class _Attempt:
    """One harness process over a subset of the tests, read as a strict state machine."""

    def __init__(self, question: Question, limits: Limits, indices: list[int],
                 observer: Callable[[dict[str, Any]], None] | None = None,
                 budget: RunBudget | None = None) -> None:
        self.question = question
        self.limits = limits
        self.indices = indices
        self.observer = observer
        self.events: list[dict[str, Any]] = []
        self.current: int | None = None
        self.position = 0  # how many of `indices` have reported
        self.finished = False
        self.saw_ready = False
        self.saw_module = False
        self.module_failed = False
        self.timed_out: int | None = None
        self.run_deadline_hit = False
        self.exit_note = ""
        self.pid: int | None = None
        self.workdir: str | None = None
        self.disk_exceeded = False
        self.caps = Caps.of(limits)
        self.budget = budget or RunBudget()  # shared by every attempt of one run

    def _test_timeout(self, index: int) -> float:
        return self.question.tests[index].timeout or self.limits.test_timeout

    async def run(self, worker: RunProcess, request: dict[str, Any], run_deadline: float) -> None:
        limits = self.limits
        line_limit = 12 * (limits.value_chars + limits.stdout_chars + 8 * limits.repr_chars) + 65536
        # A genuine harness sends two lines per test and four more; the rest is forged.
        tests = len(self.indices)
        worker.configure(line_limit, line_limit * (tests + 4), 4 * tests + 64)
        worker.send(request)
        try:
            self.pid = worker.pid
            self.workdir = worker.workdir
            overflow = await self._read_events(worker.channel, run_deadline)
            if self.finished or self.disk_exceeded:
                return
            if overflow:
                self.exit_note = "the program sent more result data than allowed"
                return
            if self.timed_out is not None or self.run_deadline_hit:
                return
            code = await worker.wait_exit(_EXIT_GRACE)
            if code is None:
                self.exit_note = "the program closed the runner's result channel"
            else:
                self.exit_note = _describe_exit(code, worker.stderr, limits)
        finally:
            worker.kill()

    async def _read_events(self, channel: EventChannel, run_deadline: float) -> bool:
        """Read until the end event, end of file or a deadline; True on overflow."""
        loop = asyncio.get_running_loop()
        test_deadline = math.inf
        next_disk_check = loop.time() + DISK_CHECK_SECONDS
        while True:
            deadline = min(run_deadline, test_deadline)
            try:
                line = await channel.next_line(min(deadline, next_disk_check))
            except TimeoutError:
                if loop.time() >= next_disk_check:
                    next_disk_check = loop.time() + DISK_CHECK_SECONDS
                    if self._over_disk_limit():
                        return False
                if loop.time() < deadline:
                    continue
                if run_deadline <= test_deadline:
                    self.run_deadline_hit = True
                if self.current is None and self.saw_module and self.position < len(self.indices):
                    # stuck between tests (a finaliser or thread): blame the next test
                    self.current = self.indices[self.position]
                self.timed_out = self.current
                await self._ask_where(channel)
                return False
            if line is None:
                return False
            if line == EventChannel.OVERFLOW:
                return True
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if not isinstance(event, dict):
                continue
            accepted = self._accept(event)
            if accepted is None:
                continue
            self.events.append(accepted)
            if self.observer is not None:
                self.observer(accepted)
            kind = accepted["event"]
            if kind == "begin":
                test_deadline = loop.time() + self._test_timeout(self.current or 0)
            elif kind == "test":
                # between two tests the harness only loops: a stall here is the next test's
                test_deadline = loop.time() + self.limits.test_timeout
            elif kind == "end":
                self.finished = True
                return False

    def _over_disk_limit(self) -> bool:
        """Whether the run's folder holds more than ``disk_mb``; says so in ``exit_note``."""
        if self.workdir is None:
            return False
        used = disk_usage(self.workdir)
        if used is None:
            self.exit_note = f"the program created more than {DISK_ENTRIES:,} files and folders"
        elif used > self.limits.disk_mb * 1024 * 1024:
            self.exit_note = f"the program wrote more than {self.limits.disk_mb} MB to disk"
        else:
            return False
        self.disk_exceeded = True
        return True

    async def _ask_where(self, channel: EventChannel) -> None:
        """Ask the stopped test which line it is running (SIGUSR1) and keep a valid answer.

        The harness answers with a ``where`` event from a signal handler; learner
        code stuck in C may not answer, so the wait is short. The line is only
        used to place the timeout message in the file.
        """
        if self.timed_out is None or self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGUSR1)
        except OSError:
            return
        deadline = asyncio.get_running_loop().time() + _WHERE_GRACE
        while True:
            try:
                line = await channel.next_line(deadline)
            except TimeoutError:
                return
            if line is None or line == EventChannel.OVERFLOW:
                return
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if (
                isinstance(event, dict)
                and event.get("event") == "where"
                and event.get("index") == self.timed_out
                and type(event.get("line")) is int
            ):
                self.events.append({"event": "where", "index": self.timed_out, "line": event["line"]})
                return

    def _accept(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The cleaned event if it is the one expected now, else None."""
        kind = event.get("event")
        if kind == "ready" and not self.saw_ready:
            self.saw_ready = True
            return clean_ready(event)
        if kind in ("module", "compile_error") and not self.saw_module and self.position == 0:
            self.saw_module = True
            clean = clean_module(event, self.caps, self.budget)
            self.module_failed = "error" in clean
            return clean
        index = event.get("index")
        if kind == "begin" and self.current is None and self.position < len(self.indices):
            if index == self.indices[self.position] and type(index) is int:
                self.saw_module = True  # program questions have no module event
                self.current = index
                return {"event": "begin", "index": index}
            return None
        if kind == "test" and self.current is not None and index == self.current:
            self.current = None
            self.position += 1
            return clean_test(event, index, self.caps, self.budget)
        if kind == "end" and self.current is None and (
            self.position == len(self.indices) or self.module_failed
        ):
            return {"event": "end"}
        return None


def _describe_exit(code: int | None, stderr: bytes, limits: Limits) -> str:
    tail_lines = stderr.decode("utf-8", "replace").strip().splitlines()
    tail = tail_lines[-1][:200] if tail_lines else ""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGXCPU":
            return f"the program used more than {limits.cpu_seconds} s of CPU time"
        if name == "SIGKILL":
            return (f"the program was killed (SIGKILL): it may have gone over the memory "
                    f"({limits.memory_mb} MB) or CPU ({limits.cpu_seconds} s) limit")
        if name == "SIGSEGV":
            return ("the program crashed (segmentation fault), usually from recursion too deep "
                    "for the C stack: was sys.setrecursionlimit raised?")
        if name == "SIGXFSZ":
            return f"the program wrote a file larger than {limits.file_mb} MB"
        if name == "SIGABRT":
            return "the program aborted (os.abort() or a fatal error)"
        return f"the program was killed by {name}"
    if "MemoryError" in tail:
        return f"the program used more than {limits.memory_mb} MB of memory"
    detail = f" ({tail})" if tail else ""
    return f"the program ended abruptly during this test (os._exit or a crash){detail}"


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
        return {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": limits.cpu_seconds,
            "open_files": limits.open_files,
            "file_mb": limits.file_mb,
            "threads": limits.threads,
            **self._confinement,
        }

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
                return RunResult(
                    question_id=question.id, status=RunStatus.INTERNAL_ERROR,
                    total=question_tests, backend=self.name,
                    duration_ms=round((loop.time() - started) * 1000, 3),
                    message=f"The sandbox could not start Python: {attempt.exit_note}.",
                )
            raw.events.extend(attempt.events)
            if attempt.finished:
                break
            if not attempt.saw_module:
                if attempt.run_deadline_hit:
                    raw.module_failure = (
                        f"Loading the file took longer than {limits.run_timeout:g} s: "
                        "is there an infinite loop at the top level?"
                    )
                else:
                    raw.module_failure = (
                        f"The file could not be loaded: {attempt.exit_note or 'the runner stopped'}."
                    )
                break
            stuck = attempt.current
            if stuck is not None:
                if attempt.timed_out is not None:
                    raw.timed_out[stuck] = (
                        question.tests[stuck].timeout or limits.test_timeout
                        if not attempt.run_deadline_hit
                        else limits.run_timeout
                    )
                else:
                    raw.crashed[stuck] = attempt.exit_note or "the process stopped during this test"
            if attempt.timed_out is not None or attempt.run_deadline_hit:
                # A timeout usually means a loop that every later test would hit
                # too: report now instead of making the learner wait for each.
                raw.skipped_after_timeout = True
                break
            done = set(pending[: attempt.position]) | ({stuck} if stuck is not None else set())
            remaining = [i for i in pending if i not in done]
            if remaining == pending:  # no progress: stop rather than loop
                break
            pending = remaining
        raw.duration_ms = (loop.time() - started) * 1000
        try:
            return grade(question, raw, reveal_hidden=reveal_hidden, code=code)
        except Exception:  # grading is ours, but must never take the server down
            log.exception("grading failed for %s", question.id)
            return RunResult(
                question_id=question.id, status=RunStatus.INTERNAL_ERROR, total=question_tests,
                backend=self.name, duration_ms=round(raw.duration_ms, 3),
                message="The result could not be graded (internal error).",
            )

