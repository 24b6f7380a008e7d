"""The suite's forked ``pytrix`` processes (tests/forked_pytrix.py) behave as started ones do.

Each command runs once as ``python -m pytrix`` and once forked from the fork
server, with the same environment, folder and pipes: the exit code, both
streams and the files written must be the same, so a test that uses the fork
server proves what it proved with a started process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import forked_pytrix

QUESTION = "string-reversal.beginner"


def _plain(text: str, folder: Path) -> str:
    """``text`` without what differs between any two runs: the folder and the timings."""
    return re.sub(r"\(\d+ ms\)", "(N ms)", text.replace(str(folder), "<dir>"))


def _both(tmp_path: Path, *args: str) -> list[tuple[int, str, str, list[str]]]:
    """``pytrix ARGS`` started and forked, each in its own folder and home: (code, out, err, files)."""
    if os.environ.get("PYTRIX_TEST_FORK") == "0":
        raise AssertionError("this test compares the fork server with python -m pytrix: unset PYTRIX_TEST_FORK")
    seen = []
    for name, command in (("started", [sys.executable, "-m", "pytrix"]), ("forked", forked_pytrix.command())):
        folder = tmp_path / name
        folder.mkdir()
        env = {**os.environ, "PYTRIX_HOME": str(folder / "home"), "COLUMNS": "100"}
        env.pop("GEMINI_API_KEY", None)
        env.pop("GOOGLE_API_KEY", None)
        done = subprocess.run([*command, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        seen.append((done.returncode, _plain(done.stdout, folder), _plain(done.stderr, folder), files))
    return seen


def test_a_forked_command_uses_the_tests_folder_home_and_streams(tmp_path: Path) -> None:
    started, forked = _both(tmp_path, "new", "--question", QUESTION, "--dir", "ws")
    assert started == forked
    assert started[0] == 0 and any(name.startswith("ws/") for name in started[3])
    assert "home/pytrix.db" in started[3]  # PYTRIX_HOME is the test's, not the fork server's


def test_a_forked_command_exits_with_the_commands_code(tmp_path: Path) -> None:
    practice = tmp_path / "wrong.py"
    practice.write_text(f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n    return s\n")
    started, forked = _both(tmp_path, "check", str(practice))
    assert started[:3] == forked[:3] and started[0] == 1
    (tmp_path / "usage").mkdir()
    started, forked = _both(tmp_path / "usage", "no-such-command")
    assert started == forked and started[0] == 2 and "invalid choice" in started[2]


def test_a_forked_command_whose_reader_is_gone_ends_as_a_started_one(tmp_path: Path) -> None:
    codes = []
    for command in ([sys.executable, "-m", "pytrix"], forked_pytrix.command()):
        proc = subprocess.Popen([*command, "data", "list", "--json"], env={**os.environ, "PYTRIX_HOME": str(tmp_path)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader went away before the answer
        err = proc.stderr.read().decode()
        codes.append((proc.wait(timeout=120), "Traceback" in err))
    assert codes[0] == codes[1]
