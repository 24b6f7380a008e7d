"""CLI details a terminal learner meets: a closed pipe, `pytrix reveal`, and counted words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytrix.practice.cli_progress import plural

QUESTION = "string-reversal.beginner"
WRONG = f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n    return s\n"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PYTRIX_HOME": str(home)}


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pytrix", "data", "list", "--json"], env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)  # like `| head -c 10`: the reader stops and goes away
    proc.stdout.close()
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in error and "BrokenPipe" not in error, error


def test_reveal_is_locked_until_enough_failed_submissions_then_prints_the_solution(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")

    def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytrix", *args], env=_env(tmp_path / "home"),
                              capture_output=True, text=True, timeout=120)

    locked = pytrix("reveal", str(practice))
    assert locked.returncode == 1
    assert "unlocks after 3 failed submissions (3 more to go)" in locked.stdout
    for _ in range(3):
        assert pytrix("submit", str(practice)).returncode == 1
    shown = pytrix("reveal", str(practice))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "def reverse_string" in shown.stdout and "Here is a reference solution." in shown.stdout


def test_counted_words_agree_with_their_number() -> None:
    assert plural(1, "question") == "1 question"
    assert plural(0, "question") == "0 questions"
    assert plural(2, "day") == "2 days"
    assert plural(3, "child", "children") == "3 children"
