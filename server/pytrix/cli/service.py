"""The CLI's one way to open the application layer: :func:`open_service` reads the
learner's settings file, opens :class:`PytrixService` and closes it afterwards;
:func:`run_async` runs a command's coroutine and reaps the sandbox it used.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from pytrix.cli.output import console
from pytrix.service import PytrixService
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
