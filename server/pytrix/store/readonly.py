"""Reading the learner's database without opening the store: ``pytrix check``'s lean path.

:func:`solved_with` answers the one question a check asks (was this very code
submitted and solved?) through a read-only connection, so the check neither
creates, migrates nor writes the database. It answers None whenever it cannot
tell for sure (no database yet is a plain "no"): a schema other than the one
this Pytrix writes, a locked or damaged file; the caller then opens the store
as every other command does, with its migrations and messages.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

SOLVED_WITH = "SELECT 1 FROM attempts WHERE question_id = ? AND solved = 1 AND code = ? LIMIT 1"
"""Whether this very code was submitted and solved the question (the store asks the same)."""


def solved_with(path: Path, question_id: str, code: str) -> bool | None:
    """Whether ``code`` solved ``question_id`` in the database at ``path``; None: cannot tell."""
    if not path.exists():
        return False
    import sqlite3

    from pytrix.store.schema import SCHEMA_VERSION

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    with contextlib.closing(conn):
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return None
            return conn.execute(SOLVED_WITH, (question_id, code)).fetchone() is not None
        except sqlite3.Error:
            return None
