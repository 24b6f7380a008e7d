"""SQL for stored questions (generated ones, and any question a learner was given that
the bank no longer has): the ``questions`` table, keyed by question id.

Every function takes an open connection, like ``store/progress.py``.
"""

from __future__ import annotations

import sqlite3


def put_question(conn: sqlite3.Connection, question_id: str, source: str, fingerprint: str, body: str,
                 created_at: float) -> None:
    """Store a question's body (a generated one), replacing any with the same id."""
    conn.execute(
        "INSERT OR REPLACE INTO questions(id, source, fingerprint, body, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (question_id, source, fingerprint, body, created_at),
    )


def question_body(conn: sqlite3.Connection, question_id: str) -> str | None:
    row = conn.execute("SELECT body FROM questions WHERE id = ?", (question_id,)).fetchone()
    return None if row is None else str(row[0])


def generated_question_bodies(conn: sqlite3.Connection, limit: int) -> list[str]:
    """The bodies of the newest generated (AI) questions."""
    return [str(r[0]) for r in conn.execute(
        "SELECT body FROM questions WHERE source = 'ai' ORDER BY created_at DESC LIMIT ?", (limit,)
    )]
