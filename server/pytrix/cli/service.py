"""The CLI's one way to open the application layer: :func:`open_service` reads the
learner's settings file, opens :class:`PytrixService` and closes it afterwards;
:func:`run_async` runs a command's coroutine and reaps the sandbox it used;
:func:`choose_question` asks the service for the question a command's choice leads to.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from pytrix.cli.output import UsageError, console
from pytrix.curriculum.question import Difficulty
from pytrix.service import Chosen, PytrixService
from pytrix.settings_file import file_settings

T = TypeVar("T")


@contextlib.contextmanager
def open_service() -> Iterator[PytrixService]:
    """The service with the settings file's values (its problems printed), closed on exit."""
    settings, problems = file_settings()
    for problem in problems:
        console(stderr=True).print(f"pytrix: {problem}", markup=False)
    service = PytrixService.open(settings)
    try:
        yield service
    finally:
        service.close()


def run_async(service: PytrixService, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to completion, then reap every sandbox process it used."""

    async def main() -> T:
        task = asyncio.current_task()
        if task is not None and hasattr(signal, "SIGTERM"):
            # SIGTERM cancels the run like Ctrl-C: its processes and run folders go first.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await work
        finally:
            await service.sandbox.close()

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        raise SystemExit(128 + signal.SIGTERM) from None


def choose_question(service: PytrixService, question_id: str | None, module: str | None,
                    difficulty: str | None) -> Chosen:
    """The service's choice for ``--question``/``--module``/``--difficulty`` (none: auto
    mode), with what it says printed on stderr (``new`` and ``auto next`` share it)."""
    if question_id and (module or difficulty):
        raise UsageError("--question names one question: leave out --module and --difficulty, "
                         "or drop --question to pick by module and difficulty.")

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
