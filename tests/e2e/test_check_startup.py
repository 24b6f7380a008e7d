"""Start-up of ``pytrix check``: the lean path (no asyncio, pydantic or rich) and its fall-back.

A real ``python -m pytrix check FILE`` process runs behind a spy that records
``sys.modules`` each time a sandbox process is started (the lean path's
:class:`~pytrix.runner.processes.Process` or the full path's early ``Worker``),
what the lean path answered (None: the full path ran) and at exit. No timing is
asserted: the figures live in ``bench/startup.py``. The lean path's output is
compared with the full path's on several bank questions (the full path forced by a
settings file holding a default value, which the lean path leaves to the full one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(300)

SPY = """
import atexit, json, runpy, sys
import pytrix.cli.lean as lean
from pytrix.runner.processes import Process

record, seen, made = sys.argv[1], {"spawns": [], "lean": "not called"}, []
spawn_lean = Process.spawn.__func__

def spy_lean(cls, *, warm):
    seen["spawns"].append({"path": "lean", "warm": warm, "modules": sorted(sys.modules)})
    made.append(spawn_lean(cls, warm=warm))
    return made[-1]

check = lean.lean_check

def spy_check(args):
    code = check(args)
    seen["lean"], seen["sent"] = code, [process.sent for process in made]
    if code is None:  # the full path runs next: watch its early process too
        from pytrix.runner.pool import Worker
        spawn = Worker.spawn.__func__

        async def spy(cls, *, warm=True, python=None):
            seen["spawns"].append({"path": "full", "warm": warm, "modules": sorted(sys.modules)})
            return await spawn(cls, warm=warm, python=python)

        Worker.spawn = classmethod(spy)
    return code

def dump():
    seen["exit"] = sorted(sys.modules)
    with open(record, "w") as out:
        json.dump(seen, out)

Process.spawn = classmethod(spy_lean)
lean.lean_check = spy_check
atexit.register(dump)
sys.argv = ["pytrix", *sys.argv[2:]]
runpy.run_module("pytrix", run_name="__main__", alter_sys=True)
"""

# Not imported by the lean path at all, nor by the full path when its sandbox process starts.
HEAVY = ("asyncio", "pydantic", "rich", "sqlite3", "pytrix.service", "pytrix.curriculum.question",
         "pytrix.curriculum.bank", "pytrix.store.database", "pytrix.settings", "pytrix.responses",
         "pytrix.runner.sandbox", "pytrix.runner.protocol", "pytrix.runner.pool", "pytrix.cli.app")
FULL_START = ("pydantic", "rich", "sqlite3", "platformdirs", "pytrix.service", "pytrix.curriculum", "pytrix.store",
              "pytrix.settings", "pytrix.responses", "pytrix.practice", "pytrix.coach", "pytrix.ai", "pytrix.cli.app",
              "pytrix.runner.sandbox", "pytrix.runner.protocol")
# Never imported by `pytrix check`: the response models (only --json makes one), the AI stack, the server.
UNUSED = ("pytrix.responses", "google", "pytrix.ai.client", "pytrix.ai.tutor", "pygls", "lsprotocol",
          "pytrix.lsp.server")

REV = "# pytrix: question=string-reversal.beginner\n"
PRACTICE = REV + "def reverse_string(s: str) -> str:\n    return s\n"


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def run_folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("pytrix-run-"))


class Check:
    """`pytrix check` through the spy, in its own PYTRIX_HOME, PYTRIX_CACHE and TMPDIR."""

    def __init__(self, root: Path) -> None:
        self.root, self.tmp, self.home = root, root / "tmp", root / "home"
        self.tmp.mkdir()
        self.spy = root / "spy.py"
        self.spy.write_text(SPY, encoding="utf-8")
        self.env = {**os.environ, "PYTRIX_HOME": str(self.home), "PYTRIX_CACHE": str(root / "cache"),
                    "TMPDIR": str(self.tmp)}
        self.env.pop("FORCE_COLOR", None)

    def __call__(self, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
        record = self.root / "modules.json"
        record.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, str(self.spy), str(record), "check", *args], env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)
        seen: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
        return done, seen

    def file(self, name: str, text: str) -> str:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def full(self, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
        """The same check on the full path: a settings file (with a default value) that no
        command has validated yet sends it there."""
        settings = self.home / "settings.json"
        settings.write_text(json.dumps({"testTimeout": 2.0}), encoding="utf-8")
        self.forget_settings()
        try:
            return self(*args)
        finally:
            settings.unlink()

    def forget_settings(self) -> None:
        for record in (self.root / "cache").glob("settings-*.json"):
            record.unlink()


@pytest.fixture(scope="module")
def check(tmp_path_factory: pytest.TempPathFactory) -> Check:
    runner = Check(tmp_path_factory.mktemp("check-startup"))
    runner(runner.file("rev.py", PRACTICE))  # the bank cache is built once, as after installing
    return runner


@pytest.fixture(scope="module")
def checked(check: Check) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    return check(str(check.root / "rev.py"))


def test_the_lean_path_answers_and_its_fall_back_does_not_run(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    done, seen = checked
    assert done.returncode == 1, done.stderr
    assert seen["lean"] == 1
    assert "3/7 tests passed" in done.stdout
    assert "You returned the input `s` unchanged." in done.stdout
    assert [(spawn["path"], spawn["warm"]) for spawn in seen["spawns"]] == [("lean", False)]
    assert seen["sent"] == [True]  # the run used the process started first, and started no other


def test_the_sandbox_process_starts_before_anything_heavy_is_imported(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, seen = checked
    first = seen["spawns"][0]["modules"]
    assert loaded(first, HEAVY) == []
    assert loaded(first, ("pytrix.practice", "pytrix.coach", "pytrix.curriculum", "pytrix.runner.grading")) == []


def test_a_lean_check_never_imports_asyncio_pydantic_or_rich(
        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, seen = checked
    assert {"pytrix.cli.lean", "pytrix.runner.oneshot", "pytrix.practice.findings", "pytrix.coach"} <= set(seen["exit"])
    assert loaded(seen["exit"], HEAVY) == []
    assert loaded(seen["exit"], UNUSED) == []


def test_json_takes_the_full_path_whose_sandbox_starts_before_the_core(check: Check) -> None:
    done, seen = check(str(check.root / "rev.py"), "--json")
    assert done.returncode == 1, done.stderr
    assert seen["lean"] is None
    assert json.loads(done.stdout)["passed"] == 3
    assert [(spawn["path"], spawn["warm"]) for spawn in seen["spawns"]] == [("full", True)]
    first = seen["spawns"][0]["modules"]
    assert "asyncio" in first and "pytrix.runner.pool" in first
    assert loaded(first, FULL_START) == []
    assert {"pytrix.service", "pytrix.practice.findings", "pytrix.coach"} <= set(seen["exit"])
    assert loaded(seen["exit"], ("google", "pytrix.ai.client", "pytrix.ai.tutor", "pygls", "lsprotocol")) == []


def test_missing_plain_records_take_the_full_path_which_writes_them(check: Check) -> None:
    for records in (check.root / "cache").glob("bank-*.plain"):
        shutil.rmtree(records)
    done, seen = check(str(check.root / "rev.py"))
    assert seen["lean"] is None and done.returncode == 1, done.stderr
    assert [spawn["path"] for spawn in seen["spawns"]] == ["lean", "full"]
    assert seen["sent"] == [False]
    assert list((check.root / "cache").glob("bank-*.plain"))
    _, again = check(str(check.root / "rev.py"))
    assert again["lean"] == 1
    assert run_folders(check.tmp) == []


def test_no_process_or_run_folder_outlives_a_check_that_stops_early(check: Check) -> None:
    """A missing file is a usage error, said by the full path: both processes are closed unused."""
    done, seen = check(str(check.root / "missing.py"))
    assert done.returncode == 2
    assert "missing.py: no such file." in done.stderr and "Traceback" not in done.stderr
    assert seen["lean"] is None and seen["sent"] == [False]
    assert [spawn["path"] for spawn in seen["spawns"]] == ["lean", "full"]
    assert run_folders(check.tmp) == []


def test_no_run_folder_outlives_a_check(check: Check,
                                        checked: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    assert run_folders(check.tmp) == []


PERMISSIONS = "# pytrix: question=bit-flags.intermediate\n"
TWOS = "# pytrix: question=binary-string-conversion.advanced\n"
CASES = {
    "passing": REV + "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
    "failing": PRACTICE,
    "raising": REV + "def reverse_string(s: str) -> str:\n    return s[1000]\n",
    "starter": REV + "def reverse_string(s: str) -> str:\n    raise NotImplementedError\n",
    "timeout": REV + "def reverse_string(s: str) -> str:\n    while True:\n        pass\n",
    "own tests": REV + "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
                       '# test: reverse_string("ab") == "ba"\n# test: reverse_string("ab") == "ab"\n'
                       "# test: len(3) == 1\n",
    "broken file": REV + "def reverse_string(s: str) -> str:\n    return s[::-1\n",
    "top-level error": REV + "import nonexistent_module\n",
    "coaching": REV + "def reverse_string(s):\n    result = ''\n    for i in range(len(s)):\n"
                      "        result = s[i] + result\n    return result\n",
    "class": PERMISSIONS + "class Permissions:\n    def __init__(self, *names):\n        self.flags = 0\n",
    "program": TWOS + "import sys\nfor line in sys.stdin:\n    print(line.strip())\n",
    "unknown question": "# pytrix: question=no-such-thing.beginner\ndef f():\n    pass\n",
    "no header": "def f():\n    pass\n",
    "too big": REV + "x = 1\n" * 10_001,
    "too many bytes": REV + "x = 1  # " + "é" * 140_000 + "\n",
}


def _same(text: str) -> str:
    """Output with the run's own duration taken out (it differs from run to run)."""
    return re.sub(r"\(\d+ ms\)", "(… ms)", text)


@pytest.mark.parametrize("name", list(CASES))
def test_the_lean_path_prints_what_the_full_path_prints(check: Check, name: str) -> None:
    path = check.file(f"case_{name.replace(' ', '_')}.py", CASES[name])
    lean, seen = check(path)
    full, full_seen = check.full(path)
    assert full_seen["lean"] is None
    assert seen["lean"] == (None if name in ("unknown question", "no header") else lean.returncode)
    assert (lean.returncode, _same(lean.stdout), lean.stderr) == (full.returncode, _same(full.stdout), full.stderr)
    assert "Traceback" not in lean.stderr
    for flag in ("--no-coach",):
        again, _ = check(path, flag)
        full_again, _ = check.full(path, flag)
        assert _same(again.stdout) == _same(full_again.stdout)


def test_a_solved_file_says_so_on_both_paths(check: Check) -> None:
    path = check.file("solved.py", CASES["passing"])
    before, _ = check(path)
    assert before.returncode == 0 and "Solved earlier" not in before.stdout
    submitted = subprocess.run([sys.executable, "-m", "pytrix", "submit", path], env=check.env,
                               capture_output=True, text=True, timeout=120, check=False)
    assert submitted.returncode == 0, submitted.stderr
    lean, seen = check(path)
    full, _ = check.full(path)
    assert seen["lean"] == 0
    assert _same(lean.stdout) == _same(full.stdout)
    assert "hidden tests were" in lean.stdout


def test_a_settings_file_validated_once_is_read_by_the_lean_path(check: Check) -> None:
    """A command validates the file (the full path), then checks take the lean path with its
    limits and its problems, until the file changes."""
    path = check.file("settings_case.py", CASES["timeout"])
    settings = check.home / "settings.json"
    settings.write_text(json.dumps({"testTimeout": 0.5, "memoryMb": 1}), encoding="utf-8")
    check.forget_settings()
    try:
        full, full_seen = check(path)
        lean, seen = check(path)
        assert (full_seen["lean"], seen["lean"]) == (None, 1)
        assert "took longer than 0.5 s" in lean.stdout
        assert "pytrix: Setting pytrix.memoryMb = 1 is invalid" in lean.stderr
        assert (lean.returncode, _same(lean.stdout), lean.stderr) == (full.returncode, _same(full.stdout), full.stderr)
        settings.write_text(json.dumps({"testTimeout": 0.6}), encoding="utf-8")
        _, changed = check(path)
        assert changed["lean"] is None  # not validated as it is now: the full path answers
    finally:
        settings.unlink()
