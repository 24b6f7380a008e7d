"""Fixtures for the sandbox battery: real harness processes, short limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from sandbox_support import FAST

from pytrix.runner.sandbox import SubprocessSandbox


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sandbox() -> AsyncIterator[SubprocessSandbox]:
    """One pooled sandbox shared by a whole test module: it must survive every case."""
    box = SubprocessSandbox(FAST, pool_size=2)
    await box.start()
    try:
        yield box
    finally:
        await box.close()
