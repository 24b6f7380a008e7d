"""SQL for the questions given: the ``question_given`` log that variety reads.

Every function takes an open connection, like ``store/progress.py``; the
choice of what counts as recent lives in ``pytrix.practice.variety``.
"""

from __future__ import annotations

import sqlite3


def log_given(conn: sqlite3.Connection, question_id: str, fingerprint: str, template: str | None,
              module: str, at: float, keep: int) -> None:
    """Log a question given at ``at``, keeping the newest ``keep`` rows; the same question
    given twice in a row updates the last row's time instead."""
    last = conn.execute(
        "SELECT question_id, fingerprint FROM question_given ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if last is not None and (last[0], last[1]) == (question_id, fingerprint):
        conn.execute("UPDATE question_given SET given_at = ? WHERE id = (SELECT MAX(id) FROM question_given)",
                     (at,))
        return
    cursor = conn.execute(
        "INSERT INTO question_given(question_id, fingerprint, template, module, given_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (question_id, fingerprint, template, module, at),
    )
    conn.execute("DELETE FROM question_given WHERE id <= ?", ((cursor.lastrowid or 0) - keep,))


def last_given(conn: sqlite3.Connection, count: int) -> list[sqlite3.Row]:
    """The newest ``count`` rows: (question id, fingerprint, template), newest first."""
    return conn.execute(
        "SELECT question_id, fingerprint, template FROM question_given ORDER BY id DESC LIMIT ?",
        (max(0, count),),
    ).fetchall()
