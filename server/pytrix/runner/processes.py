"""How a sandbox-side process starts and ends, without asyncio: its command line, its
scrubbed environment, its run folder (named after the owner process; stale ones swept),
killing its process group, and reading its result pipe as size-capped JSON lines.

:mod:`pytrix.runner.pool` (the event loop's processes and the warm pool), the fork server
(:mod:`pytrix.runner.zygote`) and ``pytrix check``'s one-shot run
(:mod:`pytrix.runner.oneshot`) all start and read their processes through this module,
so every harness process starts the same way.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from pytrix.runner import harness

log = logging.getLogger("pytrix.runner.pool")

HARNESS_PATH = Path(harness.__file__).resolve()
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
            log.warning("could not remove the stale run folder %s", entry.path)
    if removed:
        log.info("removed %d run folder(s) left by processes that are gone", len(removed))
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


def interpreter_command(script: Path, *args: str, python: str | None = None) -> list[str]:
    """How every sandbox-side interpreter starts (``-I``: isolated, ``-B``: no .pyc writes)."""
    return [python or sys.executable, "-I", "-B", "-X", "utf8", str(script), *args]


def harness_command(result_fd: int, *, warm: bool, python: str | None = None) -> list[str]:
    """The command line of one harness process."""
    return interpreter_command(HARNESS_PATH, *(["--warm"] if warm else []), str(result_fd),
                               python=python)


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
