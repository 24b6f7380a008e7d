"""Harness processes and the warm pool that starts them ahead of time.

A :class:`Worker` is one ``python -I harness.py`` process in its own session
(so its whole process group can be killed), with a fresh temporary working
directory, a scrubbed environment, stdout sent to ``/dev/null``, stderr kept
up to a small cap, and a dedicated pipe for result events. Each worker serves
exactly one run and is then killed and its directory removed.

A :class:`WarmPool` keeps ``size`` workers started and warm (interpreter up,
modules imported, blocked reading the request), refills itself in the
background and falls back to starting a worker on demand when it is empty.

How a sandbox-side interpreter starts (:func:`start_process`), its run folder
(:func:`new_run_folder`), its request (:func:`write_request`) and its end
(:func:`retire`) are shared with the fork server (:mod:`pytrix.runner.zygote`),
whose children are :class:`RunProcess` es like a :class:`Worker`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from pytrix.runner import processes
from pytrix.runner.processes import DEFAULT_LINE_LIMIT as DEFAULT_LINE_LIMIT
from pytrix.runner.processes import HARNESS_PATH as HARNESS_PATH
from pytrix.runner.processes import RUN_PREFIX as RUN_PREFIX
from pytrix.runner.processes import STDERR_CAP as STDERR_CAP
from pytrix.runner.processes import LineReader, is_warm_event
from pytrix.runner.processes import _killpg as _killpg
from pytrix.runner.processes import harness_command as harness_command
from pytrix.runner.processes import interpreter_command as interpreter_command
from pytrix.runner.processes import kill_process_group as kill_process_group
from pytrix.runner.processes import remove_run_dir as remove_run_dir
from pytrix.runner.processes import sandbox_env as sandbox_env
from pytrix.runner.processes import sweep_stale_run_dirs as sweep_stale_run_dirs

log = logging.getLogger(__name__)

async def new_run_folder() -> str:
    """A fresh run folder named after this process (stale ones are swept before the first)."""
    if not processes.swept:  # once per process, before its first run folder
        await asyncio.to_thread(processes.sweep_once)
    return processes.make_run_folder()


async def start_process(
    command: list[str], *, pass_fd: int, cwd: str, env: dict[str, str], stdin: int,
) -> tuple[asyncio.SubprocessTransport, _Process]:
    """Start a sandbox-side interpreter as every one starts.

    Its own session (so its process group can be killed whole), the given
    working directory and scrubbed environment, stdout discarded, stderr kept up
    to ``STDERR_CAP``, no descriptor of ours but ``pass_fd``. A fork server's
    children repeat these steps themselves (``forkserver.become_run_process``).
    """
    loop = asyncio.get_running_loop()
    return await loop.subprocess_exec(
        _Process, *command, stdin=stdin, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, pass_fds=(pass_fd,), cwd=cwd, env=env,
        start_new_session=True,
    )


class EventChannel(LineReader, asyncio.Protocol):
    """Reads the harness's result pipe as JSON lines, with size limits (:class:`LineReader`)."""

    def __init__(self) -> None:
        super().__init__()
        self.warm: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiter: asyncio.Future[None] | None = None
        self.transport: asyncio.ReadTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.ReadTransport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.feed(data)
        self._wake()

    def first_line(self, line: bytes) -> bool:
        if not self.warm.done():
            self.warm.set_result(is_warm_event(line))
        return self.warm.result()

    def overflow(self) -> None:
        super().overflow()
        if self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self._finish()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish()

    def _finish(self) -> None:
        self.eof = True
        if not self.warm.done():
            self.warm.set_result(False)
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_line(self, deadline: float) -> bytes | None:
        """The next complete line, ``None`` at end of file; TimeoutError at ``deadline``."""
        while not self.lines:
            if self.eof:
                return None
            loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            async with asyncio.timeout_at(deadline):
                await self._waiter
        return self.lines.popleft()


class _Process(asyncio.SubprocessProtocol):
    def __init__(self) -> None:
        self.stderr = bytearray()
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        room = STDERR_CAP - len(self.stderr)
        if fd == 2 and room > 0:
            self.stderr += data[:room]

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


class Worker:
    """One started harness process, used for exactly one run."""

    def __init__(self, transport: asyncio.SubprocessTransport, process: _Process,
                 channel: EventChannel, channel_transport: asyncio.ReadTransport,
                 workdir: str, warm: bool) -> None:
        self.transport = transport
        self.process = process
        self.channel = channel
        self.channel_transport = channel_transport
        self.workdir = workdir
        self.warm_mode = warm
        self.pid: int = transport.get_pid()
        self.loop = asyncio.get_running_loop()
        self._closed = False

    @classmethod
    async def spawn(cls, *, warm: bool = True, python: str | None = None) -> Worker:
        """Start a harness process (``warm``: preload modules and report readiness)."""
        loop = asyncio.get_running_loop()
        workdir = await new_run_folder()
        read_fd, write_fd = os.pipe()
        transport: asyncio.SubprocessTransport | None = None
        channel_transport: asyncio.ReadTransport | None = None
        pipe = os.fdopen(read_fd, "rb", buffering=0)  # owns read_fd from here on
        try:
            channel_transport, channel = await loop.connect_read_pipe(EventChannel, pipe)
            transport, process = await start_process(
                harness_command(write_fd, warm=warm, python=python), pass_fd=write_fd,
                cwd=workdir, env=sandbox_env(workdir), stdin=asyncio.subprocess.PIPE,
            )
        except BaseException:
            if transport is not None:
                _killpg(transport.get_pid())
                transport.close()
            if channel_transport is not None:
                channel_transport.close()
            else:
                pipe.close()  # idempotent if connect_read_pipe already closed it
            remove_run_dir(workdir)
            raise
        finally:
            os.close(write_fd)
        return cls(transport, process, channel, channel_transport, workdir, warm)

    @property
    def alive(self) -> bool:
        return not self._closed and self.transport.get_returncode() is None

    @property
    def warm(self) -> bool:
        """True once the harness has imported everything and waits for a request."""
        return not self.warm_mode or (self.channel.warm.done() and self.channel.warm.result())

    @property
    def returncode(self) -> int | None:
        return self.transport.get_returncode()

    @property
    def stderr(self) -> bytes:
        return bytes(self.process.stderr)

    async def wait_warm(self) -> bool:
        if not self.warm_mode:
            return True
        return await asyncio.shield(self.channel.warm)

    def configure(self, line_limit: int, total_limit: int, max_lines: int) -> None:
        """Bound what the run may send: bytes per line, bytes in all, number of lines."""
        self.channel.line_limit = line_limit
        self.channel.total_limit = total_limit
        self.channel.max_lines = max_lines

    def send(self, request: dict[str, Any]) -> None:
        """Write the request on stdin and close it (the harness reads to end of file)."""
        write_request(self.transport.get_pipe_transport(0), request)

    def kill(self) -> None:
        """SIGKILL the whole process group now (synchronous, idempotent)."""
        if self.transport.get_returncode() is None:
            # Not transport.kill(): Popen.send_signal() polls, and reaping the child here
            # would race the event loop's child watcher.
            kill_process_group(self.pid)

    async def wait_exit(self, timeout: float | None = None) -> int | None:
        """Wait until the process has exited; its return code, or None on timeout."""
        if not self.process.exited.done():
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(self.process.exited)
            except TimeoutError:
                return None
        return self.transport.get_returncode()

    async def close(self) -> None:
        """Kill the group, reap the process and remove the working directory."""
        if self._closed:
            return
        self._closed = True
        await retire(self, (self.channel_transport, self.transport))

    def abandon(self) -> None:
        """Clean up without awaiting (the loop that owns this worker is gone)."""
        self._closed = True
        _killpg(self.pid)
        with contextlib.suppress(Exception):
            self.channel_transport.close()
            self.transport.close()
        remove_run_dir(self.workdir)


def write_request(stdin: asyncio.BaseTransport | None, request: dict[str, Any]) -> None:
    """Write a run's request to its process's stdin and close it (the harness reads to EOF)."""
    if stdin is None or stdin.is_closing():
        return
    assert isinstance(stdin, asyncio.WriteTransport)
    with contextlib.suppress(OSError, RuntimeError):
        stdin.write(json.dumps(request).encode())
        stdin.close()


class RunProcess(Protocol):
    """What the sandbox needs of the process serving one run: a :class:`Worker` started
    cold, or a child forked by the fork server (:class:`pytrix.runner.zygote.ForkedWorker`)."""

    pid: int
    workdir: str
    channel: EventChannel

    @property
    def stderr(self) -> bytes: ...

    def configure(self, line_limit: int, total_limit: int, max_lines: int) -> None: ...

    def send(self, request: dict[str, Any]) -> None: ...

    def kill(self) -> None: ...

    async def wait_exit(self, timeout: float | None = None) -> int | None: ...

    async def close(self) -> None: ...


async def retire(process: RunProcess, transports: Iterable[asyncio.BaseTransport],
                 after_exit: Callable[[], None] | None = None) -> None:
    """Kill a run's process group, wait for its exit, remove its run folder, close its pipes."""
    process.kill()
    try:
        await process.wait_exit(5.0)
        if after_exit is not None:
            after_exit()
        await _remove_tree(process.workdir)
    finally:
        for transport in transports:
            transport.close()
        if os.path.lexists(process.workdir):  # cancelled (e.g. the event loop is closing)
            remove_run_dir(process.workdir)


async def _remove_tree(path: str) -> None:
    """Remove a working directory: inline when small, in a thread when the run filled it."""
    count = 0
    for _, dirs, files in os.walk(path):
        count += len(dirs) + len(files)
        if count > 64:
            break
    if count <= 64:
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return
    if not await asyncio.to_thread(remove_run_dir, path):
        log.warning("could not remove the run folder %s", path)


class PoolClosed(RuntimeError):
    """The pool was closed while a caller waited for a worker."""


class WarmPool:
    """Keeps ``size`` harness processes started and warm; each serves one run.

    ``acquire`` hands out a warm worker at once when there is one, else the next
    worker still starting, else starts one on demand. ``release`` kills and reaps a
    used worker and refills the pool in the background (``SubprocessSandbox`` reaps
    inline and calls ``refill``): refilling after a run rather than when it starts
    keeps interpreter start-up from competing with the run itself. The pool is
    bound to the event loop that first uses it.
    """

    def __init__(self, size: int = 2, *, python: str | None = None) -> None:
        if size < 0:
            raise ValueError("pool size must be >= 0")
        self.size = size
        self.python = python
        self.loop: asyncio.AbstractEventLoop | None = None
        self._idle: collections.deque[Worker] = collections.deque()
        self._starting: set[asyncio.Task[None]] = set()
        self._waiters: collections.deque[asyncio.Future[Worker]] = collections.deque()
        self._closing: set[asyncio.Task[None]] = set()
        self._failures = 0
        self.closed = False
        self.spawned = 0
        self.handed_out_warm = 0
        self.handed_out_cold = 0

    def __repr__(self) -> str:
        return (f"<WarmPool size={self.size} idle={len(self._idle)} "
                f"starting={len(self._starting)} closed={self.closed}>")

    @property
    def idle(self) -> int:
        return len(self._idle)

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise RuntimeError("a WarmPool is bound to the event loop that first used it")
        return loop

    def start(self) -> None:
        """Begin filling the pool (needs a running event loop)."""
        self._bind()
        self._fill()

    def _fill(self) -> None:
        if self.closed or self.loop is None:
            return
        # After repeated start failures, stop refilling eagerly: acquire() still works.
        while (len(self._idle) + len(self._starting) - len(self._waiters) < self.size
               and self._failures < 3):
            task = self.loop.create_task(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _start_one(self) -> None:
        try:
            worker = await Worker.spawn(warm=True, python=self.python)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._failures += 1
            log.exception("could not start a sandbox process")
            return
        self.spawned += 1
        self._failures = 0
        if self.closed:
            await worker.close()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def acquire(self) -> Worker:
        """A worker for one run: warm if possible, else the first to finish starting."""
        self._bind()
        if self.closed or self.size == 0:
            self.handed_out_cold += 1
            return await Worker.spawn(warm=False, python=self.python)
        while self._idle:
            worker = self._idle.popleft()
            if worker.alive:
                self.handed_out_warm += 1
                if not self._idle and not self._starting:
                    self._fill()  # nothing left: refill now rather than after the run
                return worker
            self._dispose(worker)
        self._fill()
        if len(self._starting) > len(self._waiters):
            waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                worker = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    self._idle.appendleft(waiter.result())
                raise
            except PoolClosed:
                pass
            else:
                self.handed_out_warm += 1
                self._fill()
                return worker
            finally:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        self.handed_out_cold += 1
        return await Worker.spawn(warm=False, python=self.python)

    def release(self, worker: Worker) -> None:
        """Give back a used worker: kill it now, reap it and refill in the background."""
        worker.kill()
        self._dispose(worker)
        self._fill()

    def refill(self) -> None:
        """Start processes in the background until the pool is full again."""
        if self.loop is not None and not self.closed:
            self._fill()

    def _dispose(self, worker: Worker) -> None:
        if self.loop is None:
            worker.abandon()
            return
        task = self.loop.create_task(worker.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def wait_ready(self, timeout: float | None = 30.0) -> None:
        """Wait until ``size`` workers are idle and warm (for benchmarks and tests)."""
        self._bind()
        async with asyncio.timeout(timeout):
            while not self.closed:
                self._fill()
                if len(self._idle) >= self.size:
                    for worker in list(self._idle):
                        await worker.wait_warm()
                    if len(self._idle) >= self.size and all(w.alive for w in self._idle):
                        return
                    for worker in [w for w in self._idle if not w.alive]:
                        self._idle.remove(worker)
                        self._dispose(worker)
                elif self._starting:
                    await asyncio.wait(set(self._starting), return_when=asyncio.FIRST_COMPLETED)
                else:
                    raise RuntimeError("the pool cannot start sandbox processes")

    async def close(self) -> None:
        """Stop refilling, kill the idle workers and wait for every cleanup."""
        if self.closed:
            await self._drain_closing()
            return
        self.closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(PoolClosed())
        self._waiters.clear()
        starting = list(self._starting)
        for task in starting:
            task.cancel()
        await asyncio.gather(*starting, return_exceptions=True)
        idle, self._idle = list(self._idle), collections.deque()
        await asyncio.gather(*(worker.close() for worker in idle), return_exceptions=True)
        await self._drain_closing()

    async def _drain_closing(self) -> None:
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    def abandon(self) -> None:
        """Kill everything without awaiting (the pool's event loop is gone)."""
        self.closed = True
        for task in self._starting:
            task.cancel()
        for worker in self._idle:
            worker.abandon()
        self._idle.clear()
