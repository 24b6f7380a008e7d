"""SQL for AI usage: the ``ai_usage`` table, one row per local day, model and feature.

Every function takes an open connection, like ``store/progress.py``; the
caller (``pytrix.ai.usage``) decides what a day is and shapes the rows.
"""

from __future__ import annotations

import sqlite3


def add_usage(conn: sqlite3.Connection, day: str, model: str, feature: str, *, calls: int, errors: int,
              input_tokens: int, output_tokens: int, at: float) -> None:
    """Add to a day's row with one atomic upsert (two servers never lose an update)."""
    conn.execute(
        "INSERT INTO ai_usage(day, model, feature, calls, errors, input_tokens, output_tokens,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(day, model, feature) DO UPDATE SET"
        " calls = calls + excluded.calls, errors = errors + excluded.errors,"
        " input_tokens = input_tokens + excluded.input_tokens,"
        " output_tokens = output_tokens + excluded.output_tokens,"
        " updated_at = excluded.updated_at",
        (day, model, feature, calls, errors, input_tokens, output_tokens, at),
    )


def calls_on(conn: sqlite3.Connection, day: str, feature: str) -> int:
    """Calls of ``feature`` on ``day``, over every model."""
    row = conn.execute(
        "SELECT COALESCE(SUM(calls), 0) FROM ai_usage WHERE day = ? AND feature = ?", (day, feature)
    ).fetchone()
    return int(row[0])


def usage_since(conn: sqlite3.Connection, day: str) -> list[sqlite3.Row]:
    """Rows from ``day`` on, newest first."""
    return conn.execute(
        "SELECT day, model, feature, calls, errors, input_tokens, output_tokens FROM ai_usage"
        " WHERE day >= ? ORDER BY day DESC, model, feature",
        (day,),
    ).fetchall()
