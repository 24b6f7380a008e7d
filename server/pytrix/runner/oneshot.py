"""One run in the sandbox without asyncio: ``pytrix check``'s lean path.

The harness process (:class:`~pytrix.runner.processes.Process`) starts exactly as
every sandbox process does (:mod:`pytrix.runner.processes`: the same command
line, own session, scrubbed environment, run folder, stdout discarded, stderr
capped, results on their own pipe) and confines itself the same way (the
request's ``sandbox`` part: rlimits, Landlock, seccomp, the audit hook). The run
is read by the same :class:`~pytrix.runner.attempts.Attempt` state machine the
event loop drives, here with ``poll``: the same per-test and per-run deadlines,
disk cap, pipe caps, event order, retries after a crash and grading
(:func:`~pytrix.runner.grading.grade_data`). Importing this module loads neither
asyncio nor pydantic.

The process may be started long before the run (``pytrix check`` starts it first,
so the interpreter starts up on another core while the command imports);
:func:`run_once` then uses it for the first attempt, and cold processes for any
retry, as the CLI's early pool does.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

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
from pytrix.runner.processes import Process
from pytrix.runner.results import RunData, build_request, sandbox_options

if TYPE_CHECKING:
    from pytrix.curriculum.plain import QuestionLike
    from pytrix.runner.results import LimitsLike

BACKEND = "subprocess"


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
