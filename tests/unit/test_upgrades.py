"""Progress survives upgrades and downgrades of Pytrix.

Upgrades: a database left at every earlier schema version is migrated forward
and keeps its attempts. Downgrades: a database written by a newer Pytrix is
refused by the CLI with a message and exit 2, and left untouched.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

import forked_pytrix
from pytrix.store.database import Store, split_sql
from pytrix.store.schema import MIGRATIONS, SCHEMA_VERSION

ATTEMPT = (
    "INSERT INTO attempts(question_id, module, subtopic, problem_type, difficulty, mode,"
    " passed, total, solved, code, results, hints_used, duration_ms, created_at)"
    " VALUES ('string-reversal.beginner', 'string-manipulation', 'basic-string-operations',"
    " 'string-reversal', 'beginner', 'manual', 7, 7, 1, 'x', '{}', 0, 1234, 1700000000)"
)


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_database_from_every_earlier_schema_is_upgraded_with_its_attempts(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number in range(version):
        for statement in split_sql(MIGRATIONS[number]):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(ATTEMPT)
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    assert store.query("SELECT question_id, solved, duration_ms FROM attempts")[0][:] == (
        "string-reversal.beginner", 1, 1234)
    store.close()


def test_an_older_pytrix_refuses_a_newer_database_and_leaves_it_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    path = home / "pytrix.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _dump(path)
    env = {**os.environ, "PYTRIX_HOME": str(home)}
    done = subprocess.run([*forked_pytrix.command(), "stats"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "newer Pytrix" in done.stderr and "Traceback" not in done.stderr
    assert _dump(path) == before


def _dump(path: Path) -> tuple[int, list[str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0], list(conn.iterdump())
