"""Fixtures for the sandbox battery: real harness processes, short limits.

The battery runs against both process paths (``BACKENDS``): cold ``python -I``
processes (started ahead by a warm pool, as the server does) and children
forked from the fork server (as ``pytrix data check`` does). On the fork server
path every test also proves that the cold fall-back never ran.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from sandbox_support import BACKENDS, assert_only_forked, make_sandbox

from pytrix.runner.sandbox import SubprocessSandbox


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=BACKENDS)
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[SubprocessSandbox]:
    """One sandbox per backend shared by a whole test module: it must survive every case."""
    box = make_sandbox(request.param)
    await box.start()
    try:
        yield box
    finally:
        await box.close()


@pytest.fixture(autouse=True)
def _forked_path_only(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test on the fork server path: no run fell back to a cold process."""
    yield
    for value in request.node.funcargs.values():
        box = value[0] if isinstance(value, tuple) and value else value
        if isinstance(box, SubprocessSandbox) and box.fork_server:
            assert_only_forked(box)
