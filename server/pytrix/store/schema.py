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
    # 2: progress. Aggregates kept by a trigger (stats stay fast at any size),
    # auto mode state, and the spaced-review schedule per problem type.
    """
    CREATE INDEX attempts_module ON attempts(module, id);
    CREATE INDEX attempts_problem_type ON attempts(problem_type, id);
    CREATE TABLE stat_cells (
        module TEXT NOT NULL,
        subtopic TEXT NOT NULL,
        problem_type TEXT NOT NULL,
        difficulty TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        solved INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        last_attempt_at REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (module, subtopic, problem_type, difficulty)
    ) WITHOUT ROWID;
    CREATE TABLE question_progress (
        question_id TEXT PRIMARY KEY,
        module TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        solved INTEGER NOT NULL DEFAULT 0,
        last_attempt_at REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE activity_days (
        day TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL DEFAULT 0,
        solved INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE progress_streak (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        current INTEGER NOT NULL,
        best INTEGER NOT NULL
    );
    INSERT INTO progress_streak(id, current, best) VALUES (1, 0, 0);
    CREATE TRIGGER attempts_aggregate AFTER INSERT ON attempts
    BEGIN
        INSERT INTO stat_cells(module, subtopic, problem_type, difficulty, attempts, solved,
                               duration_ms, last_attempt_at)
        VALUES (NEW.module, NEW.subtopic, NEW.problem_type, NEW.difficulty, 1, NEW.solved,
                NEW.duration_ms, NEW.created_at)
        ON CONFLICT (module, subtopic, problem_type, difficulty) DO UPDATE SET
            attempts = attempts + 1,
            solved = solved + excluded.solved,
            duration_ms = duration_ms + excluded.duration_ms,
            last_attempt_at = MAX(last_attempt_at, excluded.last_attempt_at);
        INSERT INTO question_progress(question_id, module, attempts, solved, last_attempt_at)
        VALUES (NEW.question_id, NEW.module, 1, NEW.solved, NEW.created_at)
        ON CONFLICT (question_id) DO UPDATE SET
            attempts = attempts + 1,
            solved = solved + excluded.solved,
            last_attempt_at = MAX(last_attempt_at, excluded.last_attempt_at);
        INSERT INTO activity_days(day, attempts, solved)
        VALUES (date(NEW.created_at, 'unixepoch', 'localtime'), 1, NEW.solved)
        ON CONFLICT (day) DO UPDATE SET
            attempts = attempts + 1,
            solved = solved + excluded.solved;
        UPDATE progress_streak SET
            current = CASE WHEN NEW.solved THEN current + 1 ELSE 0 END,
            best = MAX(best, CASE WHEN NEW.solved THEN current + 1 ELSE 0 END)
        WHERE id = 1;
    END;
    INSERT INTO stat_cells
        SELECT module, subtopic, problem_type, difficulty, COUNT(*), SUM(solved),
               SUM(duration_ms), MAX(created_at)
        FROM attempts GROUP BY module, subtopic, problem_type, difficulty;
    INSERT INTO question_progress
        SELECT question_id, MAX(module), COUNT(*), SUM(solved), MAX(created_at)
        FROM attempts GROUP BY question_id;
    INSERT INTO activity_days
        SELECT date(created_at, 'unixepoch', 'localtime'), COUNT(*), SUM(solved)
        FROM attempts GROUP BY 1;
    UPDATE progress_streak SET
        current = (SELECT COUNT(*) FROM attempts WHERE id >
                   (SELECT COALESCE(MAX(id), 0) FROM attempts WHERE solved = 0)),
        best = (SELECT COALESCE(MAX(run), 0) FROM
                (SELECT SUM(solved) AS run FROM
                 (SELECT solved, SUM(1 - solved) OVER (ORDER BY id) AS grp FROM attempts)
                 GROUP BY grp));
    CREATE TABLE auto_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE auto_subtopics (
        subtopic TEXT PRIMARY KEY,
        module TEXT NOT NULL,
        difficulty TEXT NOT NULL,
        streak INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    CREATE TABLE auto_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id TEXT NOT NULL,
        module TEXT NOT NULL,
        subtopic TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE auto_issued (
        question_id TEXT PRIMARY KEY,
        module TEXT NOT NULL,
        subtopic TEXT NOT NULL,
        reason TEXT NOT NULL,
        issued_at REAL NOT NULL,
        open INTEGER NOT NULL DEFAULT 1,
        failed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX auto_issued_time ON auto_issued(issued_at);
    CREATE TABLE review_cards (
        problem_type TEXT PRIMARY KEY,
        module TEXT NOT NULL,
        subtopic TEXT NOT NULL,
        difficulty TEXT NOT NULL,
        card TEXT NOT NULL,
        due REAL NOT NULL,
        reviews INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
    );
    CREATE INDEX review_cards_due ON review_cards(due);
    """,
    # 3: AI usage per local day, model and feature (calls, failed calls, tokens).
    """
    CREATE TABLE ai_usage (
        day TEXT NOT NULL,
        model TEXT NOT NULL,
        feature TEXT NOT NULL,
        calls INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL,
        PRIMARY KEY (day, model, feature)
    ) WITHOUT ROWID;
    """,
    # 4: every question given to the learner (practice file or auto-mode pick), newest
    # last, so selection can avoid recent questions and their near-duplicates.
    """
    CREATE TABLE question_given (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        template TEXT,
        module TEXT NOT NULL,
        given_at REAL NOT NULL
    );
    CREATE INDEX question_given_question ON question_given(question_id);
    """,
    # 5: when the reference solution of a question was revealed; a later submission
    # of it is recorded as practice (mode 'revealed'), not as a solve.
    """
    ALTER TABLE hint_progress ADD COLUMN revealed_at REAL;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
