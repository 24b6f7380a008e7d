"""One run in the sandbox without asyncio: ``pytrix check``'s lean path.

The harness process starts exactly as every sandbox process does
(:mod:`pytrix.runner.processes`: the same command line, own session, scrubbed
environment, run folder, stdout discarded, stderr capped, results on their own
pipe) and confines itself the same way (the request's ``sandbox`` part:
rlimits, Landlock, seccomp, the audit hook). The run is read by the same
:class:`~pytrix.runner.attempts.Attempt` state machine the event loop drives,
here with ``poll``: the same per-test and per-run deadlines, disk cap, pipe caps,
event order, retries after a crash and grading
(:func:`~pytrix.runner.grading.grade_data`). Importing this module loads neither
asyncio nor pydantic.

:meth:`Process.spawn` may be called long before the run (``pytrix check`` starts
the process first, so the interpreter starts up on another core while the
command imports); :func:`run_once` then uses it for the first attempt, and cold
processes for any retry, as the CLI's early pool does.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from typing import Any

from pytrix.curriculum.plain import QuestionLike
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
from pytrix.runner.grading import RawRun, grade_data
from pytrix.runner.own_tests import with_own_tests
from pytrix.runner.processes import (
    STDERR_CAP,
    LineReader,
    harness_command,
    kill_process_group,
    make_run_folder,
    remove_run_dir,
    sandbox_env,
    sweep_once,
)
from pytrix.runner.results import LimitsLike, RunData, build_request, sandbox_options

BACKEND = "subprocess"
_CHUNK = 65536


class Process:
    """One harness process, started and read without an event loop; it serves one attempt."""

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
        """Write the request on stdin and close it (the harness reads to end of file)."""
        import json

        self.sent = True
        stdin = self.popen.stdin
        if stdin is None:
            return
        with contextlib.suppress(OSError):
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
            if self.reader.eof or (self._result_fd is None and not self.reader.lines):
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
            import logging

            logging.getLogger(__name__).warning("could not remove the run folder %s", self.workdir)


def _read_events(attempt: Attempt, process: Process) -> bool:
    """Read until the end event, end of file or a deadline; True on overflow."""
    while True:
        try:
            line = process.next_line(attempt.wake_at())
        except TimeoutError:
            woke = attempt.on_wake(time.monotonic())
            if woke == READ:
                continue
            if woke == EXPIRED and attempt.ask_where():
                deadline = time.monotonic() + WHERE_GRACE
                with contextlib.suppress(TimeoutError):
                    while not attempt.on_where(process.next_line(deadline)):
                        pass
            return False
        step = attempt.on_line(line, time.monotonic())
        if step != READ:
            return step == OVERFLOW


def _attempt(attempt: Attempt, process: Process, request: dict[str, Any], run_deadline: float) -> None:
    process.configure(*attempt.pipe_limits())
    process.send(request)
    try:
        attempt.start(process.pid, process.workdir, run_deadline, time.monotonic())
        overflow = _read_events(attempt, process)
        if attempt.after_reading(overflow):
            attempt.exited(process.wait_exit(EXIT_GRACE), process.stderr)
    finally:
        process.kill()


def run_once(question: QuestionLike, code: str, filename: str, limits: LimitsLike, *,
             first: Process | None = None, reveal_hidden: bool = False,
             confinement: dict[str, bool] | None = None) -> RunData:
    """Run ``code`` against the question's tests (the first attempt in ``first`` when it is
    still alive); every process it used is gone on return, ``first`` too."""
    started = time.monotonic()
    run_deadline = started + limits.run_timeout
    raw = RawRun(backend=BACKEND)
    question_tests = len(question.tests)
    question = with_own_tests(question, code)  # the learner's "# test:" lines run after the question's
    pending = list(range(len(question.tests)))
    failed_starts = 0
    budget = RunBudget()
    used: list[Process] = [first] if first is not None else []
    try:
        while pending:
            request = build_request(question, code, filename, limits, pending)
            request["sandbox"] = sandbox_options(limits, confinement)
            attempt = Attempt(question, limits, pending, None, budget)
            process, first = (first, None) if first is not None and first.alive else (None, None)
            if process is None:
                process = Process.spawn(warm=False)
                used.append(process)
            _attempt(attempt, process, request, run_deadline)
            if not attempt.saw_ready and not attempt.run_deadline_hit:
                # The harness reports "ready" before any learner code runs: this process
                # failed on its own. Try a fresh one once, then say so.
                failed_starts += 1
                if failed_starts == 1:
                    continue
                return start_failed(question.id, question_tests, BACKEND, (time.monotonic() - started) * 1000,
                                    attempt.exit_note)
            following = settle(attempt, raw, limits, pending)
            if following is None:
                break
            pending = following
        raw.duration_ms = (time.monotonic() - started) * 1000
        try:
            return grade_data(question, raw, reveal_hidden=reveal_hidden, code=code)
        except Exception:  # grading is ours, but must never take the command down
            return grading_failed(question.id, question_tests, BACKEND, raw.duration_ms)
    finally:
        for process in used:
            process.close()
