"""Pieces of ``pytrix check``'s lean path: which command lines it takes, and the database read
it answers "cannot tell" to whenever the store would do more than read (the full path then
opens the store, with its migrations and messages)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pytrix.cli.lean import lean_command
from pytrix.store.database import Store
from pytrix.store.readonly import solved_with
from pytrix.store.schema import SCHEMA_VERSION


@pytest.mark.parametrize(("args", "taken"), [
    (["rev.py"], ("rev.py", True)),
    (["rev.py", "--no-coach"], ("rev.py", False)),
    (["--no-coach", "rev.py"], ("rev.py", False)),
    (["rev.py", "--json"], None),
    (["rev.py", "--no-coach", "--no-coach"], None),
    (["--", "rev.py"], None),
    (["-x"], None),
    ([], None),
    (["a.py", "b.py"], None),
])
def test_only_a_plain_check_takes_the_lean_path(args: list[str], taken: tuple[str, bool] | None) -> None:
    assert lean_command(args) == taken


def _attempt(store: Store, code: str, solved: bool) -> None:
    store.record_attempt(question_id="q.beginner", module="m", subtopic="s", problem_type="q", difficulty="beginner",
                         mode="practice", passed=3 if solved else 1, total=3, code=code, results={}, hints_used=0,
                         duration_ms=1)


def test_no_database_yet_is_a_no_and_none_is_created(tmp_path: Path) -> None:
    path = tmp_path / "pytrix.db"
    assert solved_with(path, "q.beginner", "code") is False
    assert not path.exists()


def test_it_answers_as_the_store_does(tmp_path: Path) -> None:
    path = tmp_path / "pytrix.db"
    store = Store(path)
    try:
        _attempt(store, "right", solved=True)
        _attempt(store, "wrong", solved=False)
        for code in ("right", "wrong", "other"):
            assert solved_with(path, "q.beginner", code) is store.solved_with("q.beginner", code)
        assert solved_with(path, "other.beginner", "right") is False
    finally:
        store.close()


def test_a_database_of_another_schema_or_damaged_cannot_tell(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert solved_with(newer, "q.beginner", "code") is None
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database" * 100)
    assert solved_with(damaged, "q.beginner", "code") is None
