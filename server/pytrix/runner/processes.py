"""How a sandbox-side process starts and ends, without asyncio: its command line, its
scrubbed environment, its run folder (named after the owner process; stale ones swept),
killing its process group, and reading its result pipe as size-capped JSON lines.

:mod:`pytrix.runner.pool` (the event loop's processes and the warm pool), the fork server
(:mod:`pytrix.runner.zygote`) and ``pytrix check``'s one-shot run
(:mod:`pytrix.runner.oneshot`, through :class:`Process`, which reads without an event
loop) all start and read their processes through this module, so every harness process
starts the same way.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

# typing, pathlib and json load after the harness process has started (`pytrix check`
# starts it first thing), so only the type checker reads these.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from logging import Logger
    from pathlib import Path
    from typing import Any

HARNESS_PATH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "harness.py")
"""pytrix.runner.harness's file (the module itself is not imported here)."""
STDERR_CAP = 16_384
# Reads beyond these are refused whatever the run's limits (see Worker.configure).
DEFAULT_LINE_LIMIT = 64 * 1024 * 1024
# Run folders are named after the process that owns them, so a later start can tell
# which ones outlived their owner (killed with SIGKILL, a crash, a power cut).
RUN_PREFIX = "pytrix-run-"
_OWNED = re.compile(rf"^{RUN_PREFIX}(\d+)-")
_UNOWNED_AGE = 3600.0  # folders of the older naming, without an owner: stale after an hour
_FS_IOC_GETFLAGS, _FS_IOC_SETFLAGS = 0x80086601, 0x40086602
_STUCK_FLAGS = 0x10 | 0x20  # FS_IMMUTABLE_FL, FS_APPEND_FL


def remove_run_dir(path: str) -> bool:
    """Remove a run folder whatever its code did to it; True when it is gone.

    The sandbox refuses the calls that make a folder hard to remove (chmod, the
    inode-flag ioctls), so this is the second line: on failure, give every folder
    back its owner's permissions and clear the immutable and append-only flags,
    then try again.
    """
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        return True
    for root, dirs, files in os.walk(path, topdown=True, onerror=lambda _exc: None):
        _make_removable(root, directory=True)
        for name in dirs:
            _make_removable(os.path.join(root, name), directory=True)
        for name in files:
            _make_removable(os.path.join(root, name), directory=False)
    _make_removable(path, directory=True)
    # os.walk cannot enter a folder it could not read: repeat, each pass going deeper.
    for _ in range(64):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.lexists(path):
            return True
        before = _count_entries(path)
        for root, dirs, _files in os.walk(path, onerror=lambda _exc: None):
            for name in dirs:
                _make_removable(os.path.join(root, name), directory=True)
        if _count_entries(path) == before and not _any_unreadable(path):
            break
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)


def _make_removable(path: str, *, directory: bool) -> None:
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            return
        if directory and info.st_mode & 0o700 != 0o700:
            os.chmod(path, stat.S_IMODE(info.st_mode) | 0o700)
    try:
        import fcntl
        import struct
    except ImportError:  # not Linux
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            flags = struct.unpack("l", fcntl.ioctl(fd, _FS_IOC_GETFLAGS, struct.pack("l", 0)))[0]
            if flags & _STUCK_FLAGS:
                fcntl.ioctl(fd, _FS_IOC_SETFLAGS, struct.pack("l", flags & ~_STUCK_FLAGS))
        finally:
            os.close(fd)


def _count_entries(path: str) -> int:
    return sum(len(dirs) + len(files) for _, dirs, files in os.walk(path, onerror=lambda _exc: None))


def _any_unreadable(path: str) -> bool:
    for root, dirs, _ in os.walk(path, onerror=lambda _exc: None):
        for name in dirs:
            if not os.access(os.path.join(root, name), os.R_OK | os.X_OK):
                return True
    return False


swept = False
"""Whether this process has swept stale run folders (:func:`sweep_once`)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def sweep_stale_run_dirs(folder: str | None = None, *, now: float | None = None) -> list[str]:
    """Remove run folders whose owning process is gone; return the ones removed."""
    folder = folder or tempfile.gettempdir()
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(RUN_PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            owner = _OWNED.match(entry.name)
            if owner is not None:
                pid = int(owner.group(1))
                if pid == os.getpid() or _alive(pid):
                    continue
            elif now - entry.stat(follow_symlinks=False).st_mtime < _UNOWNED_AGE:
                continue
        except (OSError, ValueError):
            continue
        if remove_run_dir(entry.path):
            removed.append(entry.path)
        else:
            _log().warning("could not remove the stale run folder %s", entry.path)
    if removed:
        _log().info("removed %d run folder(s) left by processes that are gone", len(removed))
    return removed


def sandbox_env(workdir: str | None = None) -> dict[str, str]:
    """A scrubbed environment: nothing of the server's (no keys, no paths) leaks in.

    No ``PYTHON*`` variables: ``python -I`` ignores them (``-B`` and ``-X utf8`` are
    passed on the command line instead).
    """
    # Two malloc arenas at most: each reserves 64 MB of address space, which would count
    # against the memory limit for every thread the learner starts.
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MALLOC_ARENA_MAX": "2"}
    if workdir is not None:
        env.update(HOME=workdir, TMPDIR=workdir)
    return env


def interpreter_command(script: str | Path, *args: str, python: str | None = None) -> list[str]:
    """How every sandbox-side interpreter starts (``-I``: isolated, ``-B``: no .pyc writes)."""
    return [python or sys.executable, "-I", "-B", "-X", "utf8", str(script), *args]


def harness_command(result_fd: int, *, warm: bool, python: str | None = None) -> list[str]:
    """The command line of one harness process."""
    return interpreter_command(HARNESS_PATH, *(["--warm"] if warm else []), str(result_fd),
                               python=python)


def _log() -> Logger:
    """The sandbox's logger (logging is imported when there is something to say)."""
    import logging

    return logging.getLogger("pytrix.runner.pool")


def sweep_once() -> None:
    """Sweep stale run folders, once per process (before its first run folder)."""
    global swept
    if not swept:
        swept = True
        sweep_stale_run_dirs()


def make_run_folder() -> str:
    """A fresh run folder named after this process (call :func:`sweep_once` before the first)."""
    return tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-")


def is_warm_event(line: bytes) -> bool:
    if not line.startswith(b'{"event": "warm"'):
        return False
    try:
        import json

        return bool(json.loads(line).get("event") == "warm")
    except (ValueError, AttributeError):
        return False


class LineReader:
    """A result pipe's bytes as complete lines, with limits: bytes per line, in all, and lines.

    Past a limit the reader stops, clears what it holds and queues :attr:`OVERFLOW`.
    The first line goes to :meth:`first_line`, which may swallow it (a warm process's
    ``warm`` event).
    """

    OVERFLOW = b"\x00overflow"

    def __init__(self) -> None:
        self.lines: collections.deque[bytes] = collections.deque()
        self.buffer = bytearray()
        self.eof = False
        self.line_limit = DEFAULT_LINE_LIMIT
        self.total_limit = 4 * DEFAULT_LINE_LIMIT
        self.total = 0
        self.line_count = 0
        self.max_lines = 1 << 20
        self.overflowed = False
        self._first = True

    def first_line(self, line: bytes) -> bool:
        """Called with the first line; True to swallow it."""
        return False

    def feed(self, data: bytes) -> None:
        if self.overflowed:
            return
        self.total += len(data)
        self.buffer += data
        start = 0
        while True:
            end = self.buffer.find(b"\n", start)
            if end < 0:
                break
            line = bytes(self.buffer[start:end])
            start = end + 1
            self.line_count += 1
            if len(line) > self.line_limit or self.line_count > self.max_lines:
                self.overflow()
                return
            if self._first:
                self._first = False
                if self.first_line(line):
                    continue
            self.lines.append(line)
        del self.buffer[:start]
        if len(self.buffer) > self.line_limit or self.total > self.total_limit:
            self.overflow()

    def overflow(self) -> None:
        self.overflowed = True
        self.buffer.clear()
        self.lines.append(self.OVERFLOW)


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pid, signal.SIGKILL)


def kill_process_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid``, and ``pid`` itself should it have left it."""
    _killpg(pid)
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.kill(pid, signal.SIGKILL)


_CHUNK = 65536


class Process:
    """One harness process, started and read without an event loop (``poll``); it serves one
    attempt (:mod:`pytrix.runner.oneshot`)."""

    def __init__(self, popen: subprocess.Popen[bytes], result_fd: int, workdir: str) -> None:
        self.popen = popen
        self.pid = popen.pid
        self.workdir = workdir
        self.reader = LineReader()
        self._result_fd: int | None = result_fd
        self._stderr = bytearray()
        self._poll = select.poll()
        self._poll.register(result_fd, select.POLLIN)
        assert popen.stderr is not None
        self._stderr_fd: int | None = popen.stderr.fileno()
        self._poll.register(self._stderr_fd, select.POLLIN)
        self.closed = False
        self.sent = False
        """Whether a request went to it (the run used it)."""

    @classmethod
    def spawn(cls, *, warm: bool) -> Process:
        """Start a harness process (``warm``: it imports everything, says so, then waits)."""
        sweep_once()
        workdir = make_run_folder()
        read_fd, write_fd = os.pipe()
        try:
            popen = subprocess.Popen(
                harness_command(write_fd, warm=warm), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, pass_fds=(write_fd,), cwd=workdir, env=sandbox_env(workdir),
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            remove_run_dir(workdir)
            raise
        finally:
            os.close(write_fd)
        return cls(popen, read_fd, workdir)

    @property
    def alive(self) -> bool:
        return not self.closed and self.popen.poll() is None

    @property
    def stderr(self) -> bytes:
        return bytes(self._stderr)

    def configure(self, line_limit: int, total_limit: int, max_lines: int) -> None:
        """Bound what the run may send: bytes per line, bytes in all, number of lines."""
        self.reader.line_limit, self.reader.total_limit, self.reader.max_lines = line_limit, total_limit, max_lines

    def send(self, request: dict[str, Any]) -> None:
        """Write the request on stdin and close it (the harness reads to end of file; it
        reads before it writes anything, so a blocking write cannot wait on us)."""
        self.sent = True
        stdin = self.popen.stdin
        if stdin is None:
            return
        with contextlib.suppress(OSError):
            import json

            stdin.write(json.dumps(request).encode())
        with contextlib.suppress(OSError):
            stdin.close()

    def _pump(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for output and take it (stderr kept up to its cap)."""
        for fd, _ in self._poll.poll(max(0, int(timeout * 1000) + 1)):
            data = b""
            with contextlib.suppress(BlockingIOError, InterruptedError):
                data = os.read(fd, _CHUNK)
            if fd == self._stderr_fd:
                if not data:
                    self._poll.unregister(fd)
                    self._stderr_fd = None
                else:
                    self._stderr += data[: max(0, STDERR_CAP - len(self._stderr))]
            elif fd == self._result_fd:
                if not data:
                    self._stop_results()
                    self.reader.eof = True
                    continue
                self.reader.feed(data)
                if self.reader.overflowed:
                    self._stop_results()  # read no more of it, as the event loop pauses reading

    def _stop_results(self) -> None:
        if self._result_fd is not None:
            self._poll.unregister(self._result_fd)
            os.close(self._result_fd)
            self._result_fd = None

    def next_line(self, deadline: float) -> bytes | None:
        """The next complete line, ``None`` at end of file; TimeoutError at ``deadline``."""
        while not self.reader.lines:
            if self.reader.eof or self._result_fd is None:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self._pump(left)
        return self.reader.lines.popleft()

    def wait_exit(self, timeout: float) -> int | None:
        """Wait until the process has exited (taking its stderr meanwhile); its code, or None."""
        deadline = time.monotonic() + timeout
        while (code := self.popen.poll()) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if self._stderr_fd is not None:
                self._pump(min(left, 0.01))
            else:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    return self.popen.wait(left)
        return code

    def kill(self) -> None:
        """SIGKILL the whole process group now (idempotent)."""
        if self.popen.returncode is None:
            kill_process_group(self.pid)

    def close(self) -> None:
        """Kill the group, reap the process, remove the run folder and close the pipes."""
        if self.closed:
            return
        self.closed = True
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5.0)
        self._stop_results()
        for pipe in (self.popen.stdin, self.popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if not remove_run_dir(self.workdir):
            _log().warning("could not remove the run folder %s", self.workdir)
