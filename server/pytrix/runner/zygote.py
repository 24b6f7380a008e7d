"""The fork server (zygote), server side: one warm process that forks each run's process.

A cold harness process spends about 45 ms of CPU starting the interpreter and
importing the harness; a batch of runs (``pytrix data check``) is mostly that.
:class:`ForkServer` starts one process exactly like a cold harness process
(``python -I``, own session, scrubbed environment: :func:`pool.start_process`)
running :mod:`pytrix.runner.forkserver`, which imports the harness once and then
forks a child per run. :class:`ForkedWorker` is such a child seen from here: the
same contract as a cold :class:`~pytrix.runner.pool.Worker` (a run folder,
the request on stdin, stderr capped, events on a dedicated pipe, the whole
process group killed at the end), so the sandbox's clocks, disk cap, ``where``
requests and event validation apply unchanged.

The child confines itself with the harness's own ``main`` (the same code path
as a cold process), after repeating what ``subprocess`` does before ``exec``.
It holds no descriptor of the zygote's, and its seccomp filter and audit hook
refuse signals to other processes, ptrace and ``/proc`` reads, so it cannot
reach the zygote; each child is forked from the zygote's untouched state, so
nothing one run leaves behind reaches the next.

When the zygote dies or cannot start, :class:`ForkServer` says why
(:attr:`ForkServer.lost`) and the sandbox runs cold processes instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from pytrix.runner.pool import (
    HARNESS_PATH,
    STDERR_CAP,
    EventChannel,
    _killpg,
    interpreter_command,
    kill_process_group,
    new_run_folder,
    remove_run_dir,
    retire,
    sandbox_env,
    start_process,
    write_request,
)

log = logging.getLogger(__name__)

FORKSERVER_PATH = Path(__file__).with_name("forkserver.py").resolve()
_READY_TIMEOUT = 30.0


class ZygoteLost(RuntimeError):
    """The fork server is gone or never started; the sandbox falls back to cold processes."""


class ForkServer:
    """One zygote process and its control socket, bound to the event loop that started it."""

    def __init__(self, *, python: str | None = None) -> None:
        self.python = python
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid: int | None = None
        self.lost: str | None = None
        """Why the zygote is gone (None while it serves)."""
        self.forks = 0
        self._sock: socket.socket | None = None
        self._transport: asyncio.SubprocessTransport | None = None
        self._exited: asyncio.Future[None] | None = None
        self._ready: asyncio.Future[int] | None = None
        self._next_id = 0
        self._forking: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, asyncio.Future[int | None]] = {}
        self._orphans: set[int] = set()
        self._gone = asyncio.Event()
        self._reaping: set[int] = set()
        self._reaped = asyncio.Event()
        self._reaped.set()

    @property
    def alive(self) -> bool:
        return self.pid is not None and self.lost is None

    async def start(self) -> None:
        """Start the zygote and wait until it has imported the harness; ZygoteLost on failure."""
        loop = self.loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.setblocking(False)
        self._sock = ours
        self._ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._on_readable)
        try:
            command = interpreter_command(FORKSERVER_PATH, str(HARNESS_PATH), str(theirs.fileno()),
                                          python=self.python)
            self._transport, process = await start_process(
                command, pass_fd=theirs.fileno(), cwd="/", env=sandbox_env(),
                stdin=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            self._lose(f"the fork server could not start: {exc}")
            raise ZygoteLost(self.lost) from exc
        finally:
            theirs.close()
        self._exited = process.exited
        process.exited.add_done_callback(lambda _: self._lose(self._exit_reason(process.stderr)))
        try:
            async with asyncio.timeout(_READY_TIMEOUT):
                self.pid = await asyncio.shield(self._ready)
        except TimeoutError:
            self._lose("the fork server did not start in time")
        except ZygoteLost:
            pass  # it exited or closed its socket first: self.lost says which
        if self.lost is not None:
            self.abandon()
            raise ZygoteLost(self.lost)

    def _exit_reason(self, stderr: bytes | bytearray) -> str:
        code = self._transport.get_returncode() if self._transport is not None else None
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {lines[-1][:200]}" if lines else ""
        return f"the fork server is gone: it exited (code {code}){tail}"

    def _on_readable(self) -> None:
        while self._sock is not None:
            try:
                data = self._sock.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionResetError:
                data = b""
            except OSError as exc:
                self._lose(f"the fork server's socket failed: {exc}")
                return
            if not data:
                self._lose("the fork server is gone: its socket closed")
                return
            try:
                message = json.loads(data)
                self._dispatch(message)
            except (ValueError, KeyError, TypeError):
                self._lose("the fork server sent a malformed message")
                return

    def _dispatch(self, message: dict[str, Any]) -> None:
        assert self.loop is not None
        if "ready" in message:
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(int(message["ready"]))
        elif "forked" in message:
            pid = int(message["pid"])
            self._exits[pid] = self.loop.create_future()
            waiter = self._forking.pop(int(message["forked"]), None)
            if waiter is None or waiter.done():  # its caller was cancelled: nobody owns it
                self._orphans.add(pid)
                _killpg(pid)
            else:
                waiter.set_result(pid)
        elif "reaped" in message:
            self._reaping.discard(int(message["reaped"]))
            if not self._reaping:
                self._reaped.set()
        elif "exited" in message:
            pid = int(message["exited"])
            done = self._exits.get(pid)
            if done is not None and not done.done():
                done.set_result(int(message["code"]))
            if pid in self._orphans:
                self._orphans.discard(pid)
                self.reap(pid)

    def _send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        if self.lost is not None or self._sock is None:
            raise ZygoteLost(self.lost or "the fork server is not running")
        try:
            socket.send_fds(self._sock, [json.dumps(message).encode()], fds or [])
        except OSError as exc:
            self._lose(f"the fork server's socket failed: {exc}")
            raise ZygoteLost(self.lost) from exc

    async def fork(self, cwd: str, env: dict[str, str], fds: list[int]) -> int:
        """Fork a child with ``fds`` (request, stderr, result pipes) in ``cwd``; its pid."""
        assert self.loop is not None
        self._next_id += 1
        waiter: asyncio.Future[int] = self.loop.create_future()
        self._forking[self._next_id] = waiter
        try:
            self._send({"op": "fork", "id": self._next_id, "cwd": cwd, "env": env}, fds)
        except ZygoteLost:
            self._forking.pop(self._next_id, None)
            raise
        pid = await waiter
        self.forks += 1
        return pid

    async def wait_lost(self) -> str:
        """Wait until the zygote is known to be gone; why."""
        await self._gone.wait()
        return self.lost or ""

    def exit_of(self, pid: int) -> asyncio.Future[int | None]:
        """Resolves to the child's return code (negative: its signal), None if the zygote died."""
        return self._exits[pid]

    def reap(self, pid: int) -> None:
        """Let the zygote reap a finished child (its pid may be reused from then on)."""
        self._exits.pop(pid, None)
        with contextlib.suppress(ZygoteLost):
            self._send({"op": "reap", "pid": pid})
            self._reaping.add(pid)
            self._reaped.clear()

    async def wait_reaped(self) -> None:
        """Wait until the zygote has reaped every child it was asked to (or is gone)."""
        await asyncio.wait({asyncio.ensure_future(self._reaped.wait()),
                            asyncio.ensure_future(self._gone.wait())},
                           return_when=asyncio.FIRST_COMPLETED)

    def _lose(self, reason: str, *, warn: bool = True) -> None:
        if self.lost is not None:
            return
        self.lost = reason
        self._gone.set()
        if warn and self.pid is not None:
            log.warning("%s; runs fall back to cold sandbox processes", reason)
        self._disconnect()
        for waiter in [*self._forking.values()]:
            if not waiter.done():
                waiter.set_exception(ZygoteLost(reason))
        self._forking.clear()
        for done in self._exits.values():
            if not done.done():
                done.set_result(None)
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(ZygoteLost(reason))
            self._ready.exception()  # retrieved: start() reports it
        if self._transport is not None and self._transport.get_returncode() is None:
            _killpg(self._transport.get_pid())

    def _disconnect(self) -> None:
        if self._sock is None:
            return
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._sock = None

    async def close(self) -> None:
        """Stop the zygote (it exits when its socket closes) and reap it."""
        self._lose("the fork server was closed", warn=False)
        if self._exited is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await asyncio.shield(self._exited)
        if self._transport is not None:
            self._transport.close()

    def abandon(self) -> None:
        """Stop without awaiting (the zygote's event loop is gone or it failed to start)."""
        self.lost = self.lost or "the fork server was closed"
        with contextlib.suppress(Exception):
            self._disconnect()
        if self._transport is not None:
            _killpg(self._transport.get_pid())
            with contextlib.suppress(Exception):
                self._transport.close()


class _Stderr(asyncio.Protocol):
    """A child's stderr, kept up to ``STDERR_CAP`` bytes (like a cold process's)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def data_received(self, data: bytes) -> None:
        room = STDERR_CAP - len(self.data)
        if room > 0:
            self.data += data[:room]


class ForkedWorker:
    """One child forked by the zygote, used for exactly one run (see :class:`pool.RunProcess`)."""

    def __init__(self, server: ForkServer, pid: int, workdir: str, channel: EventChannel,
                 transports: list[asyncio.BaseTransport], stdin: asyncio.BaseTransport,
                 stderr: _Stderr) -> None:
        self.server = server
        self.pid = pid
        self.workdir = workdir
        self.channel = channel
        self._transports = transports
        self._stdin = stdin
        self._stderr = stderr
        self._exit = server.exit_of(pid)
        self._closed = False

    @classmethod
    async def spawn(cls, server: ForkServer) -> ForkedWorker:
        """Fork a child for one run; ZygoteLost when the zygote is gone."""
        loop = asyncio.get_running_loop()
        workdir = await new_run_folder()
        request_r, request_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        result_r, result_w = os.pipe()
        files = [os.fdopen(fd, mode, buffering=0)
                 for fd, mode in ((result_r, "rb"), (stderr_r, "rb"), (request_w, "wb"))]
        transports: list[asyncio.BaseTransport] = []
        try:
            channel_transport, channel = await loop.connect_read_pipe(EventChannel, files[0])
            transports.append(channel_transport)
            stderr_transport, stderr = await loop.connect_read_pipe(_Stderr, files[1])
            transports.append(stderr_transport)
            stdin, _ = await loop.connect_write_pipe(asyncio.Protocol, files[2])
            transports.append(stdin)
            pid = await server.fork(workdir, sandbox_env(workdir), [request_r, stderr_w, result_w])
        except BaseException:
            for transport in transports:
                transport.close()
            for file in files:
                file.close()
            remove_run_dir(workdir)
            raise
        finally:
            for fd in (request_r, stderr_w, result_w):
                os.close(fd)
        return cls(server, pid, workdir, channel, transports, stdin, stderr)

    @property
    def returncode(self) -> int | None:
        return self._exit.result() if self._exit.done() else None

    @property
    def alive(self) -> bool:
        return not self._closed and not self._exit.done()

    @property
    def lost(self) -> bool:
        """Whether the zygote died before this child's exit was known."""
        return self._exit.done() and self._exit.result() is None

    @property
    def stderr(self) -> bytes:
        return bytes(self._stderr.data)

    def configure(self, line_limit: int, total_limit: int, max_lines: int) -> None:
        """Bound what the run may send: bytes per line, bytes in all, number of lines."""
        self.channel.line_limit = line_limit
        self.channel.total_limit = total_limit
        self.channel.max_lines = max_lines

    def send(self, request: dict[str, Any]) -> None:
        write_request(self._stdin, request)

    def kill(self) -> None:
        """SIGKILL the child's whole process group (its pid stays ours until reaped)."""
        if self.returncode is None:  # also when the zygote died first: the child may not have
            kill_process_group(self.pid)

    async def wait_exit(self, timeout: float | None = None) -> int | None:
        """Wait until the child has exited; its return code, or None on timeout."""
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self._exit)
        except TimeoutError:
            return None

    async def close(self) -> None:
        """Kill the group, let the zygote reap the child and remove the run folder."""
        if self._closed:
            return
        self._closed = True
        await retire(self, self._transports, after_exit=self._reap)

    def _reap(self) -> None:
        if self._exit.done():
            self.server.reap(self.pid)
