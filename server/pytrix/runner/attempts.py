"""One harness process's part of a run, read as a strict state machine, without asyncio.

:class:`Attempt` accepts a harness's events only in the order a genuine harness sends
them, keeps the per-test and per-run deadlines and the disk cap, and says why a process
ended; :func:`settle` decides, after each attempt, what the run records and which tests
a fresh process runs next (after a crash) or that the run stops (a timeout, a file that
does not load). The subprocess sandbox (:mod:`pytrix.runner.sandbox`, on the event loop)
and ``pytrix check``'s one-shot run (:mod:`pytrix.runner.oneshot`, with ``select``) drive
the same :class:`Attempt`, so a run is judged the same way on either path.
"""

from __future__ import annotations

import json
import math
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytrix.runner.events import Caps, RunBudget, clean_module, clean_ready, clean_test
from pytrix.runner.grading import RawRun
from pytrix.runner.processes import LineReader
from pytrix.runner.results import RunData, RunStatus

if TYPE_CHECKING:
    from pytrix.curriculum.plain import QuestionLike
    from pytrix.runner.results import LimitsLike

READ, STOP, OVERFLOW, EXPIRED = "read", "stop", "overflow", "expired"

# After the result pipe closes, how long a process may take to exit on its own.
EXIT_GRACE = 0.5
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
WHERE_GRACE = 0.25


class Attempt:
    """One harness process over a subset of the tests, read as a strict state machine.

    The caller feeds it what the process's result pipe yields (:meth:`on_line`) and
    wakes it at :meth:`wake_at` (:meth:`on_wake`); the sandbox's event loop and the
    one-shot run's ``select`` loop both drive it, so both read a run the same way.
    """

    def __init__(self, question: QuestionLike, limits: LimitsLike, indices: list[int],
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
        self.run_deadline = math.inf
        self.test_deadline = math.inf
        self.next_disk_check = math.inf

    def _test_timeout(self, index: int) -> float:
        return self.question.tests[index].timeout or self.limits.test_timeout

    def pipe_limits(self) -> tuple[int, int, int]:
        """What the result pipe may carry: bytes per line, bytes in all, lines."""
        limits = self.limits
        line_limit = 12 * (limits.value_chars + limits.stdout_chars + 8 * limits.repr_chars) + 65536
        # A genuine harness sends two lines per test and four more; the rest is forged.
        tests = len(self.indices)
        return line_limit, line_limit * (tests + 4), 4 * tests + 64

    def start(self, pid: int, workdir: str, run_deadline: float, now: float) -> None:
        """The request is sent to process ``pid``: reading starts."""
        self.pid, self.workdir = pid, workdir
        self.run_deadline = run_deadline
        self.test_deadline = math.inf
        self.next_disk_check = now + DISK_CHECK_SECONDS

    def wake_at(self) -> float:
        """When to wake if no line comes: the next deadline or disk check."""
        return min(self.run_deadline, self.test_deadline, self.next_disk_check)

    def on_wake(self, now: float) -> str:
        """Woken with no line: ``"read"`` on, ``"stop"`` (over the disk cap) or ``"expired"``
        (a deadline passed: :attr:`timed_out` names the test; ask it where it is)."""
        deadline = min(self.run_deadline, self.test_deadline)
        if now >= self.next_disk_check:
            self.next_disk_check = now + DISK_CHECK_SECONDS
            if self._over_disk_limit():
                return STOP
        if now < deadline:
            return READ
        if self.run_deadline <= self.test_deadline:
            self.run_deadline_hit = True
        if self.current is None and self.saw_module and self.position < len(self.indices):
            # stuck between tests (a finaliser or thread): blame the next test
            self.current = self.indices[self.position]
        self.timed_out = self.current
        return EXPIRED

    def on_line(self, line: bytes | None, now: float) -> str:
        """One line of the pipe (None: end of file): ``"read"`` on, ``"stop"`` or ``"overflow"``."""
        if line is None:
            return STOP
        if line == LineReader.OVERFLOW:
            return OVERFLOW
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            return READ
        if not isinstance(event, dict):
            return READ
        accepted = self._accept(event)
        if accepted is None:
            return READ
        self.events.append(accepted)
        if self.observer is not None:
            self.observer(accepted)
        kind = accepted["event"]
        if kind == "begin":
            self.test_deadline = now + self._test_timeout(self.current or 0)
        elif kind == "test":
            # between two tests the harness only loops: a stall here is the next test's
            self.test_deadline = now + self.limits.test_timeout
        elif kind == "end":
            self.finished = True
            return STOP
        return READ

    def on_where(self, line: bytes | None) -> bool:
        """A line read after asking a stopped test where it is (SIGUSR1): True once answered
        (a valid ``where`` event is kept) or nothing more can come."""
        if line is None or line == LineReader.OVERFLOW:
            return True
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            return False
        if (
            isinstance(event, dict)
            and event.get("event") == "where"
            and event.get("index") == self.timed_out
            and type(event.get("line")) is int
        ):
            self.events.append({"event": "where", "index": self.timed_out, "line": event["line"]})
            return True
        return False

    def ask_where(self) -> bool:
        """Send SIGUSR1 to a stopped test's process; whether an answer may come."""
        if self.timed_out is None or self.pid is None:
            return False
        try:
            os.kill(self.pid, signal.SIGUSR1)
        except OSError:
            return False
        return True

    def after_reading(self, overflow: bool) -> bool:
        """Reading stopped: whether to wait for the process's exit (to say why it ended)."""
        if self.finished or self.disk_exceeded:
            return False
        if overflow:
            self.exit_note = "the program sent more result data than allowed"
            return False
        return self.timed_out is None and not self.run_deadline_hit

    def exited(self, code: int | None, stderr: bytes) -> None:
        """The process ended (``code`` None: it did not within the grace time)."""
        if code is None:
            self.exit_note = "the program closed the runner's result channel"
        else:
            self.exit_note = describe_exit(code, stderr, self.limits)

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


def describe_exit(code: int | None, stderr: bytes, limits: LimitsLike) -> str:
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


def settle(attempt: Attempt, raw: RawRun, limits: LimitsLike, pending: list[int]) -> list[int] | None:
    """Record what ``attempt`` (a process that started: it said ``ready``) leaves in ``raw``;
    the tests a fresh process runs next, or None when the run is over."""
    raw.events.extend(attempt.events)
    if attempt.finished:
        return None
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
        return None
    stuck = attempt.current
    if stuck is not None:
        if attempt.timed_out is not None:
            raw.timed_out[stuck] = (
                attempt.question.tests[stuck].timeout or limits.test_timeout
                if not attempt.run_deadline_hit
                else limits.run_timeout
            )
        else:
            raw.crashed[stuck] = attempt.exit_note or "the process stopped during this test"
    if attempt.timed_out is not None or attempt.run_deadline_hit:
        # A timeout usually means a loop that every later test would hit
        # too: report now instead of making the learner wait for each.
        raw.skipped_after_timeout = True
        return None
    done = set(pending[: attempt.position]) | ({stuck} if stuck is not None else set())
    remaining = [i for i in pending if i not in done]
    if remaining == pending:  # no progress: stop rather than loop
        return None
    return remaining


def start_failed(question_id: str, total: int, backend: str, duration_ms: float, note: str) -> RunData:
    """The run's answer when Python could not be started twice in a row."""
    return RunData(question_id=question_id, status=RunStatus.INTERNAL_ERROR, total=total, backend=backend,
                   duration_ms=round(duration_ms, 3), message=f"The sandbox could not start Python: {note}.")


def grading_failed(question_id: str, total: int, backend: str, duration_ms: float) -> RunData:
    """The run's answer when grading raised (grading is ours, but never takes a front end down)."""
    return RunData(question_id=question_id, status=RunStatus.INTERNAL_ERROR, total=total, backend=backend,
                   duration_ms=round(duration_ms, 3), message="The result could not be graded (internal error).")
