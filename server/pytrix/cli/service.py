"""The CLI's one way to open the application layer: :func:`open_service` reads the
learner's settings file, opens :class:`PytrixService` and closes it afterwards;
:func:`run_async` runs a command's coroutine and reaps the sandbox it used;
:func:`choose_question` asks the service for the question a command's choice leads to.

:func:`start_sandbox` starts the first sandbox process before the core is imported
(``pytrix check``): it starts up on another core while this process imports, and
the service's first run uses it. Only light modules are imported here at the top:
the service, its models and rich load when a command opens them.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import signal
import sys
from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from pytrix.cli.output import Lines, UsageError, console
from pytrix.runner.pool import WarmPool, Worker

if TYPE_CHECKING:
    from pathlib import Path

    from pytrix.service import Chosen, PytrixService

T = TypeVar("T")

_runner: asyncio.Runner | None = None
"""The event loop of every command in this process once :func:`start_sandbox` ran (its
process belongs to that loop); else each :func:`run_async` has its own."""
_early: Worker | None = None
"""The process :func:`start_sandbox` started, until a service takes it."""


class EarlyPool(WarmPool):
    """The process started before the imports, for the service's first run; a later run
    (a crashed test's retry) starts cold, and nothing is started ahead."""

    def __init__(self, worker: Worker) -> None:
        super().__init__(0)
        self._first: Worker | None = worker

    async def acquire(self) -> Worker:
        worker, self._first = self._first, None
        if worker is not None:
            self.loop = asyncio.get_running_loop()
            if worker.alive:
                self.handed_out_warm += 1
                return worker
            await worker.close()
        return await super().acquire()

    async def close(self) -> None:
        worker, self._first = self._first, None
        if worker is not None:
            await worker.close()
        await super().close()


def start_sandbox() -> None:
    """Start one warm sandbox process now, before the core's imports (``pytrix check``).

    If it cannot start, nothing is said here: the run starts its own process and
    reports what goes wrong.
    """
    global _runner, _early
    if _runner is not None:
        return
    runner = asyncio.Runner()
    try:
        _early = runner.run(Worker.spawn(warm=True))
    except KeyboardInterrupt:
        runner.close()
        raise SystemExit(130) from None
    except Exception:
        runner.close()
        return
    _runner = runner
    atexit.register(_close_runner)


def _close_runner() -> None:
    """At exit: the early process if no service took it, then the event loop."""
    global _runner, _early
    runner, worker, _runner, _early = _runner, _early, None, None
    if runner is None:
        return
    if worker is not None:
        with contextlib.suppress(Exception):
            runner.run(worker.close())
    runner.close()


def _adopt_early_sandbox(service: PytrixService) -> None:
    """The service's sandbox runs on the early process (as the language server's does)."""
    global _early
    worker, _early = _early, None
    if worker is not None:
        from pytrix.runner.sandbox import SubprocessSandbox

        service.sandbox = SubprocessSandbox(service.limits(), pool=EarlyPool(worker))


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@contextlib.contextmanager
def open_service() -> Iterator[PytrixService]:
    """The service with the settings file's values (its problems printed), closed on exit."""
    from pytrix.service import PytrixService
    from pytrix.settings_file import file_settings, settings_path

    path = settings_path()
    before = _bytes(path)
    settings, problems = file_settings()
    if before is not None and _bytes(path) == before:  # validated as it still is: `pytrix check` may reuse it
        from pytrix.cli.settings_record import write

        write(path, before, settings, problems)
    said = Lines(sys.stderr)  # as `pytrix check`'s lean path says them
    for problem in problems:
        said.print(f"pytrix: {problem}")
    service = PytrixService.open(settings)
    _adopt_early_sandbox(service)
    try:
        yield service
    finally:
        service.close()


def run_async(service: PytrixService, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to completion, then reap every sandbox process it used."""

    async def main() -> T:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None and hasattr(signal, "SIGTERM"):
            # SIGTERM cancels the run like Ctrl-C: its processes and run folders go first.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await work
        finally:
            await service.sandbox.close()
            if isinstance(service.sandbox.pool, EarlyPool):
                await service.sandbox.pool.close()
            if hasattr(signal, "SIGTERM"):  # the loop may outlive this run (`_runner`)
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(main()) if _runner is None else _runner.run(main())
    except asyncio.CancelledError:
        raise SystemExit(128 + signal.SIGTERM) from None


def choose_question(service: PytrixService, question_id: str | None, module: str | None,
                    difficulty: str | None) -> Chosen:
    """The service's choice for ``--question``/``--module``/``--difficulty`` (none: auto
    mode), with what it says printed on stderr (``new`` and ``auto next`` share it)."""
    if question_id and (module or difficulty):
        raise UsageError("--question names one question: leave out --module and --difficulty, "
                         "or drop --question to pick by module and difficulty.")

    from pytrix.curriculum.question import Difficulty

    async def work() -> Chosen:
        try:
            return await service.choose_question(
                question_id=question_id or None, module=module or None,
                difficulty=Difficulty(difficulty) if difficulty else None)
        finally:
            await service.close_tutor()

    chosen = run_async(service, work())
    if chosen.auto is not None:
        console(stderr=True).print(f"Auto mode: {chosen.auto.detail}", markup=False)
    if chosen.notice:
        console(stderr=True).print(chosen.notice, markup=False)
    return chosen
