"""The database schema as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied. A migration is
never edited once released: add a new one to the end of :data:`MIGRATIONS`.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: questions seen or generated, attempts, and the hint ladder position.
    """
    CREATE TABLE questions (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id TEXT NOT NULL,
        module TEXT NOT NULL,
        subtopic TEXT NOT NULL,
        problem_type TEXT NOT NULL,
        difficulty TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT 'manual',
        passed INTEGER NOT NULL,
        total INTEGER NOT NULL,
        solved INTEGER NOT NULL,
        code TEXT NOT NULL,
        results TEXT NOT NULL,
        hints_used INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX attempts_question ON attempts(question_id, created_at);
    CREATE INDEX attempts_created ON attempts(created_at);
    CREATE TABLE hint_progress (
        question_id TEXT PRIMARY KEY,
        level INTEGER NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
