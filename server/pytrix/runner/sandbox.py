"""The subprocess sandbox: each run in a fresh ``python -I`` in its own process group.

The harness reports events on a dedicated pipe, so nothing the learner prints
can pose as a result. The parent enforces a per-test and a per-run wall-clock
limit by killing the whole process group; after a test times out or the
process dies, the remaining tests continue in a fresh process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.runner import harness
from pytrix.runner.grading import RawRun, grade
from pytrix.runner.protocol import Limits, RunResult, build_request

HARNESS_PATH = Path(harness.__file__).resolve()
_STDERR_CAP = 16_384
_LINE_LIMIT = 64 * 1024 * 1024


def sandbox_env() -> dict[str, str]:
    """A scrubbed environment: nothing of the server's (no keys, no paths) leaks in."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def _drain(stream: asyncio.StreamReader | None, sink: bytearray) -> None:
    if stream is None:
        return
    while chunk := await stream.read(65536):
        room = _STDERR_CAP - len(sink)
        if room > 0:
            sink.extend(chunk[:room])


class _Attempt:
    """One harness process over a subset of the tests."""

    def __init__(self, question: Question, limits: Limits, indices: list[int]) -> None:
        self.question = question
        self.limits = limits
        self.indices = indices
        self.events: list[dict[str, Any]] = []
        self.current: int | None = None
        self.finished = False
        self.saw_module = False
        self.timed_out: int | None = None
        self.run_deadline_hit = False
        self.exit_note = ""

    def _test_timeout(self, index: int) -> float:
        return self.question.tests[index].timeout or self.limits.test_timeout

    async def run(self, request: dict[str, Any], run_deadline: float) -> None:
        read_fd, write_fd = os.pipe()
        workdir = tempfile.mkdtemp(prefix="pytrix-run-")
        stderr = bytearray()
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-I", "-X", "utf8", str(HARNESS_PATH), str(write_fd),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                pass_fds=(write_fd,),
                cwd=workdir,
                env=sandbox_env(),
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            os.close(write_fd)
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        os.close(write_fd)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=_LINE_LIMIT)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", buffering=0)
        )
        drain = asyncio.ensure_future(_drain(proc.stderr, stderr))
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(request).encode())
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.drain()
            proc.stdin.close()
            await self._read_events(reader, run_deadline)
        finally:
            _kill_group(proc)
            transport.close()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            code = await proc.wait()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(drain, 1.0)
            shutil.rmtree(workdir, ignore_errors=True)
        if not self.finished and self.timed_out is None and not self.run_deadline_hit:
            self.exit_note = _describe_exit(code, stderr)

    async def _read_events(self, reader: asyncio.StreamReader, run_deadline: float) -> None:
        test_deadline = float("inf")
        while True:
            now = time.monotonic()
            deadline = min(run_deadline, test_deadline)
            if deadline <= now:
                if run_deadline <= test_deadline:
                    self.run_deadline_hit = True
                self.timed_out = self.current
                return
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=deadline - now)
            except TimeoutError:
                continue
            except ValueError:  # a line over the limit: the harness is gone or lying
                self.exit_note = "the runner produced an oversized result"
                return
            if not line:
                return
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            self.events.append(event)
            kind = event.get("event")
            if kind == "begin":
                self.current = int(event["index"])
                test_deadline = time.monotonic() + self._test_timeout(self.current)
            elif kind == "test":
                self.current = None
                test_deadline = float("inf")
            elif kind in ("module", "compile_error"):
                self.saw_module = True
            elif kind == "end":
                self.finished = True
                return


def _describe_exit(code: int | None, stderr: bytes) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name in ("SIGKILL", "SIGXCPU"):
            return f"the process was stopped by {name} (a CPU or memory limit?)"
        return f"the process was killed by {name}"
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if stderr else []
    detail = f" ({tail[0][:200]})" if tail else ""
    return f"the program ended abruptly during this test (os._exit or a crash){detail}"


class SubprocessSandbox:
    """Runs a question's tests in fresh sandboxed processes."""

    name = "subprocess"

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    async def run(
        self, question: Question, code: str, filename: str, *, limits: Limits | None = None,
        reveal_hidden: bool = False,
    ) -> RunResult:
        limits = limits or self.limits
        started = time.monotonic()
        run_deadline = started + limits.run_timeout
        raw = RawRun(backend=self.name)
        pending = list(range(len(question.tests)))
        while pending:
            request = build_request(question, code, filename, limits, pending)
            request["sandbox"] = {"memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds}
            attempt = _Attempt(question, limits, pending)
            await attempt.run(request, run_deadline)
            raw.events.extend(attempt.events)
            reported = {e["index"] for e in attempt.events if e.get("event") == "test"}
            if attempt.finished:
                break
            if not attempt.saw_module:
                raw.module_failure = (
                    f"The file could not be loaded: {attempt.exit_note or 'the runner stopped'}."
                )
                if attempt.run_deadline_hit or (attempt.timed_out is None and not attempt.exit_note):
                    raw.module_failure = (
                        f"Loading the file took longer than {limits.run_timeout:g} s: "
                        "is there an infinite loop at the top level?"
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
            if attempt.timed_out is not None:
                # A timeout usually means a loop that every later test would hit
                # too: report now instead of making the learner wait for each.
                raw.skipped_after_timeout = True
                break
            done = reported | ({stuck} if stuck is not None else set())
            remaining = [i for i in pending if i not in done]
            if remaining == pending:  # no progress: stop rather than loop
                break
            pending = remaining
        raw.duration_ms = (time.monotonic() - started) * 1000
        return grade(question, raw, reveal_hidden=reveal_hidden)
