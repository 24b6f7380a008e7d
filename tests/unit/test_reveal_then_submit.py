"""A submission after the solution was revealed is practice: no solve, no streak, no promotion."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import forked_pytrix
from pytrix.curriculum.bank import load_bank
from pytrix.practice.stats import compute_stats
from pytrix.practice.transfer import export_progress
from pytrix.service import PytrixService
from pytrix.settings import Settings
from pytrix.store.database import Store

QUESTION = "string-reversal.beginner"
WRONG = "def reverse_string(s: str) -> str:\n    return s\n"
RIGHT = "def reverse_string(s: str) -> str:\n    return s[::-1]\n"


def _service(path: Path) -> PytrixService:
    return PytrixService(load_bank(), Store(path), Settings(reveal_after_failures=1))


def test_reveal_then_submit_is_recorded_as_practice(tmp_path: Path) -> None:
    service = _service(tmp_path / "p.db")
    try:
        asyncio.run(service.submit(QUESTION, WRONG, "rev.py"))
        before = compute_stats(service.store, service.bank)
        revealed = service.reveal(QUESTION)
        assert revealed.solution and "counts as practice" in revealed.message
        submission = asyncio.run(service.submit(QUESTION, RIGHT, "rev.py"))
        assert submission.result.all_passed and submission.mode == "revealed"
        assert submission.solved is False and submission.wire()["solved"] is False  # the service says so
        after = compute_stats(service.store, service.bank)
        assert after["attempts"] == before["attempts"] + 1
        assert after["questions_solved"] == before["questions_solved"] == 0
        assert after["streaks"]["correct"] == 0
        row = service.store.query("SELECT mode, solved FROM attempts ORDER BY id DESC LIMIT 1")[0]
        assert (row["mode"], row["solved"]) == ("revealed", 0)
    finally:
        service.close()


def test_a_question_never_revealed_is_a_solve(tmp_path: Path) -> None:
    service = _service(tmp_path / "p.db")
    try:
        submission = asyncio.run(service.submit(QUESTION, RIGHT, "rev.py"))
        assert submission.mode == "manual" and submission.solved is True
        assert compute_stats(service.store, service.bank)["questions_solved"] == 1
    finally:
        service.close()


def test_the_reveal_survives_export_and_import(tmp_path: Path) -> None:
    service = _service(tmp_path / "p.db")
    try:
        asyncio.run(service.submit(QUESTION, WRONG, "rev.py"))
        service.reveal(QUESTION)
        asyncio.run(service.submit(QUESTION, RIGHT, "rev.py"))
        exported = export_progress(service.store)
    finally:
        service.close()
    fresh = _service(tmp_path / "q.db")
    try:
        fresh.import_progress(exported)
        assert fresh.store.revealed_at(QUESTION) is not None
        assert fresh.store.query("SELECT mode, solved FROM attempts ORDER BY id DESC LIMIT 1")[0]["mode"] == "revealed"
    finally:
        fresh.close()


def test_the_terminal_says_it_counts_as_practice(tmp_path: Path) -> None:
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path)}
    practice = tmp_path / "rev.py"

    def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*forked_pytrix.command(), *args], env=env, capture_output=True, text=True,
                              timeout=120)

    assert pytrix("config", "set", "revealAfterFailures", "1").returncode == 0
    practice.write_text(f"# pytrix: question={QUESTION}\n{WRONG}", encoding="utf-8")
    pytrix("submit", str(practice))
    assert pytrix("reveal", str(practice)).returncode == 0
    practice.write_text(f"# pytrix: question={QUESTION}\n{RIGHT}", encoding="utf-8")
    done = pytrix("submit", str(practice))
    assert "recorded as practice: you saw the solution" in done.stdout
    assert "Solved:" not in done.stdout
