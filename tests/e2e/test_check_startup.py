"""Start-up of ``pytrix check``: its sandbox process starts before the core is imported,
the run uses that process, and the command imports only what it uses.

A real ``python -m pytrix check FILE`` process runs behind a spy that records
``sys.modules`` each time a sandbox process is started, and again at exit. No
timing is asserted: the figures live in ``bench/startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)

SPY = """
import atexit, json, runpy, sys
from pytrix.runner.pool import Worker

record, seen = sys.argv[1], {"spawns": []}
spawn = Worker.spawn.__func__

async def spy(cls, *, warm=True, python=None):
    seen["spawns"].append({"warm": warm, "modules": sorted(sys.modules)})
    return await spawn(cls, warm=warm, python=python)

def dump():
    seen["exit"] = sorted(sys.modules)
    with open(record, "w") as out:
        json.dump(seen, out)

Worker.spawn = classmethod(spy)
atexit.register(dump)
sys.argv = ["pytrix", *sys.argv[2:]]
runpy.run_module("pytrix", run_name="__main__", alter_sys=True)
"""

# Not yet imported when the sandbox process starts: the core, its models and every heavy library.
HEAVY = ("pydantic", "rich", "sqlite3", "platformdirs", "pytrix.service", "pytrix.curriculum", "pytrix.store",
         "pytrix.settings", "pytrix.responses", "pytrix.practice", "pytrix.coach", "pytrix.ai", "pytrix.cli.app",
         "pytrix.runner.sandbox", "pytrix.runner.protocol")
# Never imported by `pytrix check`: the response models (only --json makes one), the AI stack, the server.
UNUSED = ("pytrix.responses", "google", "pytrix.ai.client", "pytrix.ai.tutor", "pygls", "lsprotocol",
          "pytrix.lsp.server")

PRACTICE = "# pytrix: question=string-reversal.beginner\ndef reverse_string(s: str) -> str:\n    return s\n"


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def run_folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("pytrix-run-"))


class Check:
    """`pytrix check` through the spy, in its own PYTRIX_HOME and TMPDIR."""

    def __init__(self, root: Path) -> None:
        self.root, self.tmp = root, root / "tmp"
        self.tmp.mkdir()
        self.spy = root / "spy.py"
        self.spy.write_text(SPY, encoding="utf-8")
        self.env = {**os.environ, "PYTRIX_HOME": str(root / "home"), "TMPDIR": str(self.tmp)}

    def __call__(self, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
        record = self.root / "modules.json"
        record.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, str(self.spy), str(record), "check", *args], env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)
        seen: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
        return done, seen


@pytest.fixture(scope="module")
def check(tmp_path_factory: pytest.TempPathFactory) -> Check:
    runner = Check(tmp_path_factory.mktemp("check-startup"))
    (runner.root / "rev.py").write_text(PRACTICE, encoding="utf-8")
    runner(str(runner.root / "rev.py"))  # the bank cache is built once, as after installing
    return runner


@pytest.fixture(scope="module")
def checked(check: Check) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    return check(str(check.root / "rev.py"))


def test_the_sandbox_process_starts_before_the_core_is_imported(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, seen = checked
    first = seen["spawns"][0]
    assert first["warm"] is True
    assert "asyncio" in first["modules"] and "pytrix.runner.pool" in first["modules"]
    assert loaded(first["modules"], HEAVY) == []


def test_the_run_uses_that_process_and_starts_no_other(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    """The fall-back (a cold process started at the run) did not run."""
    done, seen = checked
    assert done.returncode == 1, done.stderr
    assert "3/7 tests passed" in done.stdout
    assert "You returned the input `s` unchanged." in done.stdout
    assert [spawn["warm"] for spawn in seen["spawns"]] == [True]


def test_check_imports_only_what_it_uses(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, seen = checked
    assert {"pytrix.service", "pytrix.practice.findings", "pytrix.coach"} <= set(seen["exit"])
    assert loaded(seen["exit"], UNUSED) == []


def test_no_process_or_run_folder_outlives_a_check_that_stops_early(check: Check) -> None:
    """A missing file is a usage error: the process started for the run is closed unused."""
    done, seen = check(str(check.root / "missing.py"))
    assert done.returncode == 2
    assert "missing.py: no such file." in done.stderr and "Traceback" not in done.stderr
    assert [spawn["warm"] for spawn in seen["spawns"]] == [True]
    assert run_folders(check.tmp) == []


def test_no_run_folder_outlives_a_check(check: Check,
                                        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    assert run_folders(check.tmp) == []
