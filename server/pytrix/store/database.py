"""The SQLite store: one file, WAL mode, migrations on open, short transactions.

Two server processes (two editor windows) may write at once: every write is a
single ``BEGIN IMMEDIATE`` transaction and readers never block writers (WAL).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pytrix.errors import PytrixError
from pytrix.store import questions
from pytrix.store.readonly import SOLVED_WITH
from pytrix.store.schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(PytrixError):
    """The database cannot be opened or is damaged."""


def split_sql(script: str) -> list[str]:
    """Split a migration into statements; a trigger body's ``;`` stays inside its statement."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n\t;"):
                statements.append(current.strip())
            current = ""
    return statements


class Store:
    """Access to the Pytrix database; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path), timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"Cannot open the Pytrix database at {path}: {exc}. "
                "Move the file aside (your progress is in it) or set PYTRIX_HOME to another folder."
            ) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        with self._lock:
            self._conn.execute("BEGIN DEFERRED")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params))

    def _migrate(self) -> None:
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The database at {self.path} was written by a newer Pytrix "
                    f"(schema {version}, this one knows {SCHEMA_VERSION}): upgrade Pytrix."
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in split_sql(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        return int(self.query("PRAGMA user_version")[0][0])

    # -- questions ---------------------------------------------------------
    def save_question(self, question_id: str, source: str, fingerprint: str, body: str) -> None:
        with self.transaction() as conn:
            questions.put_question(conn, question_id, source, fingerprint, body, time.time())

    def load_question_body(self, question_id: str) -> str | None:
        with self._lock:
            return questions.question_body(self._conn, question_id)

    def generated_question_bodies(self, limit: int) -> list[str]:
        """The bodies of the newest generated (AI) questions."""
        with self._lock:
            return questions.generated_question_bodies(self._conn, limit)

    # -- attempts ----------------------------------------------------------
    def record_attempt(
        self,
        *,
        question_id: str,
        module: str,
        subtopic: str,
        problem_type: str,
        difficulty: str,
        mode: str,
        passed: int,
        total: int,
        code: str,
        results: dict[str, Any],
        hints_used: int,
        duration_ms: int,
    ) -> int:
        """Record an attempt on its own; return its id once it is committed.

        Submissions go through :func:`pytrix.practice.progress.record`, which also
        updates reviews and auto mode in the same transaction; both insert with
        :func:`pytrix.store.progress.insert_attempt`.
        """
        from pytrix.store.progress import insert_attempt

        with self.transaction() as conn:
            return insert_attempt(
                conn, question_id=question_id, module=module, subtopic=subtopic,
                problem_type=problem_type, difficulty=difficulty, mode=mode, passed=passed,
                total=total, code=code, results_json=json.dumps(results), hints_used=hints_used,
                duration_ms=duration_ms, created_at=time.time(),
            )

    def failed_submissions(self, question_id: str) -> int:
        rows = self.query(
            "SELECT COUNT(*) FROM attempts WHERE question_id = ? AND solved = 0", (question_id,)
        )
        return int(rows[0][0])

    def solved_with(self, question_id: str, code: str) -> bool:
        """Whether this very code was submitted and solved the question."""
        rows = self.query(SOLVED_WITH, (question_id, code))
        return bool(rows)

    def attempt_count(self, question_id: str) -> int:
        """How many attempts the learner has recorded on this question."""
        return int(self.query("SELECT COUNT(*) FROM attempts WHERE question_id = ?", (question_id,))[0][0])

    def given_history(self, question_ids: list[str]) -> dict[str, tuple[int, float]]:
        """For each question given before: how many times, and when last (epoch seconds)."""
        found: dict[str, tuple[int, float]] = {}
        for start in range(0, len(question_ids), 500):
            chunk = question_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT question_id, COUNT(*), MAX(given_at) FROM question_given"
                f" WHERE question_id IN ({marks}) GROUP BY question_id", tuple(chunk),
            ):
                found[str(row[0])] = (int(row[1]), float(row[2]))
        return found

    def last_worked_at(self, question_id: str) -> float | None:
        """When the question was last given or attempted (epoch seconds), if ever."""
        rows = self.query(
            "SELECT MAX(t) FROM ("
            " SELECT MAX(given_at) AS t FROM question_given WHERE question_id = ?"
            " UNION ALL SELECT MAX(created_at) FROM attempts WHERE question_id = ?)",
            (question_id, question_id),
        )
        value = rows[0][0] if rows else None
        return float(value) if value is not None else None

    def solved_question_ids(self) -> set[str]:
        return {r[0] for r in self.query("SELECT DISTINCT question_id FROM attempts WHERE solved = 1")}

    # -- hints -------------------------------------------------------------
    def hint_level(self, question_id: str) -> int:
        rows = self.query("SELECT level FROM hint_progress WHERE question_id = ?", (question_id,))
        return int(rows[0]["level"]) if rows else 0

    def mark_revealed(self, question_id: str, at: float) -> None:
        """Remember that the question's solution was shown (the first time counts)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO hint_progress(question_id, level, updated_at, revealed_at) VALUES (?, 0, ?, ?)"
                " ON CONFLICT(question_id) DO UPDATE SET"
                " revealed_at = COALESCE(hint_progress.revealed_at, excluded.revealed_at)",
                (question_id, at, at),
            )

    def revealed_at(self, question_id: str) -> float | None:
        rows = self.query("SELECT revealed_at FROM hint_progress WHERE question_id = ?", (question_id,))
        value = rows[0][0] if rows else None
        return float(value) if value is not None else None

    def set_hint_level(self, question_id: str, level: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO hint_progress(question_id, level, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(question_id) DO UPDATE SET level = excluded.level,"
                " updated_at = excluded.updated_at",
                (question_id, level, time.time()),
            )
