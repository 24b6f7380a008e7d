"""SQL for progress: attempts, the pre-aggregated stats tables, history, auto mode, reviews.

Every function takes an open connection, so callers compose several of them in
one transaction (``Store.transaction()``) or one read snapshot
(``Store.snapshot()``). The aggregates (``stat_cells``, ``question_progress``,
``activity_days``, ``progress_streak``) are kept by the ``attempts_aggregate``
trigger on insert; deletes and imports call :func:`rebuild_aggregates`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

REVEALED = "revealed"
"""The mode of an attempt submitted after the question's solution was revealed."""

PROGRESS_TABLES: tuple[str, ...] = (
    "attempts",
    "hint_progress",
    "auto_meta",
    "auto_subtopics",
    "auto_queue",
    "auto_issued",
    "review_cards",
    "question_given",
)
"""Tables that hold the learner's progress (aggregates are derived from ``attempts``)."""

_REBUILD: tuple[str, ...] = (
    "DELETE FROM stat_cells",
    "INSERT INTO stat_cells SELECT module, subtopic, problem_type, difficulty, COUNT(*),"
    " SUM(solved), SUM(duration_ms), MAX(created_at) FROM attempts"
    " GROUP BY module, subtopic, problem_type, difficulty",
    "DELETE FROM question_progress",
    "INSERT INTO question_progress SELECT question_id, MAX(module), COUNT(*), SUM(solved),"
    " MAX(created_at) FROM attempts GROUP BY question_id",
    "DELETE FROM activity_days",
    "INSERT INTO activity_days SELECT date(created_at, 'unixepoch', 'localtime'), COUNT(*),"
    " SUM(solved) FROM attempts GROUP BY 1",
    "UPDATE progress_streak SET"
    " current = (SELECT COUNT(*) FROM attempts WHERE id >"
    "  (SELECT COALESCE(MAX(id), 0) FROM attempts WHERE solved = 0)),"
    " best = (SELECT COALESCE(MAX(run), 0) FROM (SELECT SUM(solved) AS run FROM"
    "  (SELECT solved, SUM(1 - solved) OVER (ORDER BY id) AS grp FROM attempts) GROUP BY grp))"
    " WHERE id = 1",
)

ATTEMPT_COLUMNS = (
    "id, question_id, module, subtopic, problem_type, difficulty, mode, passed, total, solved,"
    " hints_used, duration_ms, created_at"
)


def rebuild_aggregates(conn: sqlite3.Connection) -> None:
    """Recompute every aggregate table from ``attempts`` (inside the caller's transaction)."""
    for statement in _REBUILD:
        conn.execute(statement)


# -- attempts -----------------------------------------------------------------

def insert_attempt(
    conn: sqlite3.Connection,
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
    results_json: str,
    hints_used: int,
    duration_ms: int,
    created_at: float,
    attempt_id: int | None = None,
) -> int:
    """Insert one attempt (the trigger updates the aggregates); return its id.

    An attempt in mode :data:`REVEALED` (submitted after the solution was shown)
    is never a solve, whatever it passed.
    """
    cursor = conn.execute(
        "INSERT INTO attempts(id, question_id, module, subtopic, problem_type, difficulty, mode,"
        " passed, total, solved, code, results, hints_used, duration_ms, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            attempt_id, question_id, module, subtopic, problem_type, difficulty, mode, passed,
            total, int(total > 0 and passed == total and mode != REVEALED), code, results_json, hints_used,
            duration_ms, created_at,
        ),
    )
    return int(cursor.lastrowid or 0)


def attempt_row(conn: sqlite3.Connection, attempt_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    return row


def history_rows(
    conn: sqlite3.Connection,
    *,
    limit: int,
    offset: int,
    question_id: str | None = None,
    module: str | None = None,
    with_code: bool = True,
) -> tuple[int, list[sqlite3.Row]]:
    """A page of attempts, newest first, and how many match in all."""
    clauses: list[str] = []
    params: list[Any] = []
    if question_id is not None:
        clauses.append("question_id = ?")
        params.append(question_id)
    if module is not None:
        clauses.append("module = ?")
        params.append(module)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    columns = f"{ATTEMPT_COLUMNS}, code, results" if with_code else ATTEMPT_COLUMNS
    total = int(conn.execute(f"SELECT COUNT(*) FROM attempts {where}", params).fetchone()[0])
    rows = conn.execute(
        f"SELECT {columns} FROM attempts {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return total, rows


# -- aggregates -----------------------------------------------------------------

def stat_cells(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT module, subtopic, problem_type, difficulty, attempts, solved, duration_ms,"
        " last_attempt_at FROM stat_cells"
    ).fetchall()


def question_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Per module: questions attempted and questions solved at least once."""
    return conn.execute(
        "SELECT module, COUNT(*) AS attempted, SUM(solved > 0) AS solved"
        " FROM question_progress GROUP BY module"
    ).fetchall()


def question_progress(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """question id -> (attempts, solved attempts)."""
    return {
        r[0]: (int(r[1]), int(r[2]))
        for r in conn.execute("SELECT question_id, attempts, solved FROM question_progress")
    }


def activity_days(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT day, attempts, solved FROM activity_days ORDER BY day").fetchall()


def correct_streak(conn: sqlite3.Connection) -> tuple[int, int]:
    """(current, best) run of solved submissions in a row."""
    row = conn.execute("SELECT current, best FROM progress_streak WHERE id = 1").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def recent_attempts(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()


# -- auto mode ------------------------------------------------------------------

def meta_get(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM auto_meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def meta_set(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO auto_meta(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def auto_subtopic(conn: sqlite3.Connection, subtopic: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM auto_subtopics WHERE subtopic = ?", (subtopic,)
    ).fetchone()
    return row


def auto_subtopics(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM auto_subtopics ORDER BY module, subtopic").fetchall()


def save_auto_subtopic(
    conn: sqlite3.Connection, *, subtopic: str, module: str, difficulty: str, streak: int,
    attempts: int, updated_at: float,
) -> None:
    conn.execute(
        "INSERT INTO auto_subtopics(subtopic, module, difficulty, streak, attempts, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(subtopic) DO UPDATE SET"
        " module = excluded.module, difficulty = excluded.difficulty, streak = excluded.streak,"
        " attempts = excluded.attempts, updated_at = excluded.updated_at",
        (subtopic, module, difficulty, streak, attempts, updated_at),
    )


def queue(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM auto_queue ORDER BY id").fetchall()


def enqueue(
    conn: sqlite3.Connection, question_id: str, module: str, subtopic: str, reason: str,
    created_at: float,
) -> None:
    conn.execute(
        "INSERT INTO auto_queue(question_id, module, subtopic, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (question_id, module, subtopic, reason, created_at),
    )


def dequeue(conn: sqlite3.Connection, item_id: int) -> None:
    conn.execute("DELETE FROM auto_queue WHERE id = ?", (item_id,))


def issued(conn: sqlite3.Connection, question_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM auto_issued WHERE question_id = ?", (question_id,)
    ).fetchone()
    return row


def issue(
    conn: sqlite3.Connection, question_id: str, module: str, subtopic: str, reason: str,
    issued_at: float,
) -> None:
    conn.execute(
        "INSERT INTO auto_issued(question_id, module, subtopic, reason, issued_at, open, failed)"
        " VALUES (?, ?, ?, ?, ?, 1, 0) ON CONFLICT(question_id) DO UPDATE SET"
        " module = excluded.module, subtopic = excluded.subtopic, reason = excluded.reason,"
        " issued_at = excluded.issued_at, open = 1, failed = 0",
        (question_id, module, subtopic, reason, issued_at),
    )


def mark_issued(conn: sqlite3.Connection, question_id: str, *, open_: bool, failed: bool) -> None:
    conn.execute(
        "UPDATE auto_issued SET open = ?, failed = ? WHERE question_id = ?",
        (int(open_), int(failed), question_id),
    )


def subtopic_totals(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """subtopic id -> (attempts, solved) over every attempt."""
    return {
        r[0]: (int(r[1]), int(r[2]))
        for r in conn.execute(
            "SELECT subtopic, SUM(attempts), SUM(solved) FROM stat_cells GROUP BY subtopic"
        )
    }


# -- reviews --------------------------------------------------------------------

def review_card(conn: sqlite3.Connection, problem_type: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM review_cards WHERE problem_type = ?", (problem_type,)
    ).fetchone()
    return row


def save_review_card(
    conn: sqlite3.Connection, *, problem_type: str, module: str, subtopic: str, difficulty: str,
    card: str, due: float, reviews: int, updated_at: float,
) -> None:
    conn.execute(
        "INSERT INTO review_cards(problem_type, module, subtopic, difficulty, card, due, reviews,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(problem_type) DO UPDATE SET"
        " module = excluded.module, subtopic = excluded.subtopic,"
        " difficulty = excluded.difficulty, card = excluded.card, due = excluded.due,"
        " reviews = excluded.reviews, updated_at = excluded.updated_at",
        (problem_type, module, subtopic, difficulty, card, due, reviews, updated_at),
    )


def due_cards(conn: sqlite3.Connection, now: float, limit: int = 50) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM review_cards WHERE due <= ? ORDER BY due LIMIT ?", (now, limit)
    ).fetchall()


def count_due(conn: sqlite3.Connection, now: float) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM review_cards WHERE due <= ?", (now,)).fetchone()[0])


def upcoming_cards(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM review_cards ORDER BY due LIMIT ?", (limit,)).fetchall()


def clear_review_cards(conn: sqlite3.Connection, problem_type: str | None = None) -> None:
    """Delete every review card, or only ``problem_type``'s."""
    if problem_type is None:
        conn.execute("DELETE FROM review_cards")
    else:
        conn.execute("DELETE FROM review_cards WHERE problem_type = ?", (problem_type,))


def review_inputs(conn: sqlite3.Connection, problem_type: str | None = None) -> list[sqlite3.Row]:
    """What a review card is rebuilt from, per attempt in order (all, or one problem type's)."""
    columns = "problem_type, module, subtopic, difficulty, solved, hints_used, created_at"
    if problem_type is None:
        return conn.execute(f"SELECT {columns} FROM attempts ORDER BY id").fetchall()
    return conn.execute(
        f"SELECT {columns} FROM attempts WHERE problem_type = ? ORDER BY id", (problem_type,)
    ).fetchall()


# -- reset and transfer ----------------------------------------------------------

def problem_types_of(conn: sqlite3.Connection, question_id: str) -> set[str]:
    """The problem types a question's attempts were recorded under."""
    return {
        r[0] for r in conn.execute(
            "SELECT DISTINCT problem_type FROM attempts WHERE question_id = ?", (question_id,)
        )
    }


def has_hint_progress(conn: sqlite3.Connection, question_id: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM hint_progress WHERE question_id = ?", (question_id,)
    ).fetchone() is not None


def module_has_attempts(conn: sqlite3.Connection, module: str) -> bool:
    return conn.execute("SELECT 1 FROM attempts WHERE module = ? LIMIT 1", (module,)).fetchone() is not None


def meta_delete(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM auto_meta WHERE key = ?", (key,))


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def insert_hint_rows(conn: sqlite3.Connection, rows: list[tuple[str, int, float, float | None]]) -> None:
    """Hint positions: (question id, level, updated at, revealed at)."""
    conn.executemany(
        "INSERT INTO hint_progress(question_id, level, updated_at, revealed_at) VALUES (?, ?, ?, ?)", rows
    )


def insert_queue_rows(conn: sqlite3.Connection, rows: list[tuple[int, str, str, str, str, float]]) -> None:
    """Auto mode's queue: (id, question id, module, subtopic, reason, created at)."""
    conn.executemany(
        "INSERT INTO auto_queue(id, question_id, module, subtopic, reason, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", rows,
    )


def insert_issued_rows(conn: sqlite3.Connection, rows: list[tuple[str, str, str, str, float, int, int]]) -> None:
    """Auto mode's issued questions: (question id, module, subtopic, reason, issued at, open, failed)."""
    conn.executemany(
        "INSERT INTO auto_issued(question_id, module, subtopic, reason, issued_at, open, failed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", rows,
    )


def delete_question_progress(conn: sqlite3.Connection, question_id: str) -> int:
    """Delete one question's attempts, hint position and auto-mode traces; return attempts removed."""
    removed = conn.execute("DELETE FROM attempts WHERE question_id = ?", (question_id,)).rowcount
    conn.execute("DELETE FROM hint_progress WHERE question_id = ?", (question_id,))
    conn.execute("DELETE FROM auto_issued WHERE question_id = ?", (question_id,))
    conn.execute("DELETE FROM auto_queue WHERE question_id = ?", (question_id,))
    conn.execute("DELETE FROM question_given WHERE question_id = ?", (question_id,))
    return int(removed)


def delete_module_progress(conn: sqlite3.Connection, module: str, question_ids: list[str]) -> int:
    """Delete a module's attempts and every auto/review/hint row that belongs to it."""
    ids = set(question_ids) | {
        r[0] for r in conn.execute("SELECT DISTINCT question_id FROM attempts WHERE module = ?", (module,))
    }
    removed = conn.execute("DELETE FROM attempts WHERE module = ?", (module,)).rowcount
    conn.executemany("DELETE FROM hint_progress WHERE question_id = ?", [(i,) for i in ids])
    for table in ("auto_issued", "auto_queue", "auto_subtopics", "review_cards", "question_given"):
        conn.execute(f"DELETE FROM {table} WHERE module = ?", (module,))
    return int(removed)


def delete_all_progress(conn: sqlite3.Connection) -> int:
    removed = int(conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0])
    for table in PROGRESS_TABLES:
        conn.execute(f"DELETE FROM {table}")
    conn.execute(
        "DELETE FROM sqlite_sequence WHERE name IN ('attempts', 'auto_queue', 'question_given')"
    )
    rebuild_aggregates(conn)
    return removed


def dump_table(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    """Every row of one of :data:`PROGRESS_TABLES` (or ``questions``) as a dict."""
    if table not in (*PROGRESS_TABLES, "questions"):
        raise ValueError(f"not a progress table: {table}")
    order = "id" if table in ("attempts", "auto_queue") else "rowid"
    if table == "auto_subtopics":
        order = "subtopic"
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
