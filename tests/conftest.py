"""What the whole suite shares: running on several pytest-xdist workers safely.

``make unit`` runs ``pytest -n auto --dist loadfile --no-loadscope-reorder``:
each test file runs whole on one worker, so a fixture a file shares between
its tests (a warm sandbox pool, the extension's bundles and .vsix, code-server,
the built wheel and its venvs, a raw server) is built once, not once per
worker, and tests that share it never run beside each other. (``--dist
loadgroup`` and ``xdist_group`` marks do not group anything with pytest 9:
xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads.) This file
adds three rules on top:

- **A file that asserts on CPU budgets runs alone** (``ALONE``: marked
  ``alone``; ``make unit`` runs ``-m "not alone"`` on the workers, then
  ``-m alone`` in one process).
- **The files that take minutes go first.** Under xdist the tests of
  ``HEAVY_FIRST`` (code-server, the install, the editors, then the rest of
  the extension) are handed out before the rest, in that order, so the
  longest file does not start last and hold up the end of the run.
- **A build that writes into the source tree runs once per run.**
  ``build_once(name, build)`` runs ``build`` under an exclusive file lock
  shared by every worker of the run, records its (JSON) result, and gives the
  recorded result to every later caller, on any worker. ``npm run build``
  (``vscode-extension/out``), the .vsix, code-server's install and ``python -m
  build`` use it: two workers building into one folder at once would break
  each other, and a second build would only cost time.

``pytrix_command`` is the command that runs ``pytrix``: by default a child of
a fork server that has imported Pytrix once per worker (tests/forked_pytrix.py
says why and what stays real); ``PYTRIX_TEST_FORK=0`` runs ``python -m pytrix``.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import forked_pytrix

HEAVY_FIRST = ("tests/extension/test_code_server.py", "tests/install/", "tests/editors/", "tests/extension/")
"""Files that take minutes each, in the order they are handed out under xdist, before everything else.

The code-server file (several minutes, the run's longest) starts at once on
one worker; the other worker takes the install and editor files, then the
Chromium half of the extension (tests/extension/test_vscode.py), whose tests
wait for the .vsix build that the code-server file started.
"""

ALONE = ("tests/extension/test_bank_pyodide.py", "tests/data/test_rule_runtimes.py")
"""Files whose tests hold the code to CPU budgets on a busy machine: marked ``alone``.

``make unit`` runs them after the parallel pass, in a process of their own
(``-m alone``), so the other worker's Chromium, code-server and servers do not
eat into a budget the test asserts on. (Every bank solution in Pyodide, with
its hidden large-input tests and their CPU budgets: one of them went over its
budget beside the code-server tests. The rule runtimes' check that the CPU timer
stops a slow call at 1.5 times its budget: 135.3 ms against 135 in one CI run.)
"""

Build = Callable[[str, Callable[[Path], Any]], Any]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "alone: run apart from the parallel tests (tests/conftest.py ALONE)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(ALONE):
            item.add_marker(pytest.mark.alone)
    if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker sorts alike: their collections must match
        items.sort(key=_heavy_rank)  # stable: the order within each rank is kept


def _heavy_rank(item: pytest.Item) -> int:
    """Where ``item`` goes in the hand-out order: its place in ``HEAVY_FIRST``, else after them all."""
    return next((rank for rank, prefix in enumerate(HEAVY_FIRST) if item.nodeid.startswith(prefix)), len(HEAVY_FIRST))


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this run sees: above the workers' own base folders."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def build_once(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """``build_once(name, build)``: ``build(folder)`` once per run, its JSON result for every caller.

    ``folder`` is a scratch folder of the run, shared by the workers, for what
    the build makes. A build that raises (or skips) records nothing: the next
    caller tries again and meets the same failure.
    """
    shared = _run_folder(tmp_path_factory) / "built-once"
    shared.mkdir(exist_ok=True)

    def once(name: str, build: Callable[[Path], Any]) -> Any:
        record = shared / f"{name}.json"
        with (shared / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if record.is_file():
                return json.loads(record.read_text(encoding="utf-8"))
            folder = shared / name
            folder.mkdir(exist_ok=True)
            result = build(folder)
            record.write_text(json.dumps(result), encoding="utf-8")
            return result

    return once


@pytest.fixture(scope="session")
def pytrix_command() -> list[str]:
    """The command prefix that runs ``pytrix ARGS`` (append the arguments): a process forked
    from this worker's fork server, or ``python -m pytrix`` (tests/forked_pytrix.py)."""
    return forked_pytrix.command()
