"""Stats from the aggregate tables: hierarchy, mastery, totals, streaks, migration backfill."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from progress_support import DAY, T0, bank, open_store, submit

from pytrix.practice.stats import compute_stats, day_streaks
from pytrix.store import progress as db
from pytrix.store.database import Store
from pytrix.store.schema import MIGRATIONS


def module_of(stats: dict, module_id: str) -> dict:
    return next(m for m in stats["modules"] if m["id"] == module_id)


def test_empty_database_gives_zeros_and_every_module(tmp_path: Path) -> None:
    stats = compute_stats(open_store(tmp_path), bank(), now=T0)
    assert stats["attempts"] == 0 and stats["questions_solved"] == 0
    assert stats["bank_questions"] == len(bank().questions)
    assert [m["id"] for m in stats["modules"]] == [m.id for m in bank().curriculum.ordered_modules]
    assert stats["mastery_percent"] == 0.0
    assert stats["streaks"] == {
        "days": 0, "longest_days": 0, "practised_today": False, "correct": 0, "best_correct": 0
    }
    assert stats["modules_touched"] == 0 and stats["recent"] == []


def test_hierarchy_cells_totals_and_mastery(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", False, now=T0, duration_ms=4000)
    submit(store, "string-reversal.beginner", True, now=T0 + 10, duration_ms=2000)
    submit(store, "string-reversal.intermediate", True, now=T0 + 20, duration_ms=6000)
    submit(store, "palindrome-check.beginner", True, now=T0 + 30, duration_ms=1000)
    stats = compute_stats(store, bank(), now=T0 + 40)

    assert stats["attempts"] == 4 and stats["solved"] == 3
    assert stats["questions_attempted"] == 3 and stats["questions_solved"] == 3
    assert stats["time_ms"] == 13000 and stats["average_time_ms"] == 3250
    assert stats["modules_touched"] == 1 and stats["subtopics_touched"] == 2
    assert stats["problem_types_touched"] == 2
    assert stats["last_attempt_at"] == T0 + 30

    module = module_of(stats, "string-manipulation")
    basic = next(s for s in module["subtopics"] if s["id"] == "basic-string-operations")
    reversal = next(p for p in basic["problem_types"] if p["id"] == "string-reversal")
    beginner = reversal["difficulties"]["beginner"]
    assert beginner == {
        "attempts": 2, "solved": 1, "success_percent": 50.0, "average_time_ms": 3000,
        "time_ms": 6000, "last_attempt_at": T0 + 10, "mastery_percent": 50.0,
    }
    assert reversal["difficulties"]["advanced"]["attempts"] == 0
    # weights 1/2/3: beginner at 50% and intermediate at 100% -> (0.5 + 2) / 6
    assert reversal["mastery_percent"] == round((0.5 + 2) / 6 * 100, 1)
    # the subtopic averages its 4 problem types, untouched ones counting 0
    assert basic["mastery_percent"] == round((0.5 + 2) / 6 / 4 * 100, 1)
    searching = next(s for s in module["subtopics"] if s["id"] == "string-searching")
    expected_module = ((0.5 + 2) / 6 / 4 + (1 / 6) / 3) / len(bank().curriculum.module("string-manipulation").subtopics)
    assert module["mastery_percent"] == round(expected_module * 100, 1)
    assert searching["attempts"] == 1
    assert stats["mastery_percent"] == round(expected_module / len(stats["modules"]) * 100, 1)
    assert [a["question_id"] for a in stats["recent"]][:2] == [
        "palindrome-check.beginner", "string-reversal.intermediate"
    ]


def test_correct_and_day_streaks(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for day, solved in [(0, True), (1, True), (1, False), (2, True), (3, True), (5, True)]:
        submit(store, "string-reversal.beginner", solved, now=T0 + day * DAY)
    stats = compute_stats(store, bank(), now=T0 + 5 * DAY + 60)
    assert stats["streaks"]["correct"] == 3 and stats["streaks"]["best_correct"] == 3
    assert stats["streaks"]["days"] == 1 and stats["streaks"]["longest_days"] == 4
    assert stats["streaks"]["practised_today"] is True
    assert stats["activity"][-1]["attempts"] == 1 and len(stats["activity"]) == 14


def test_day_streak_survives_until_the_end_of_the_next_day() -> None:
    days = ["2030-01-01", "2030-01-02", "2030-01-03"]
    assert day_streaks(days, date(2030, 1, 3)) == (3, 3)
    assert day_streaks(days, date(2030, 1, 4)) == (3, 3)  # not practised today yet
    assert day_streaks(days, date(2030, 1, 5)) == (0, 3)
    assert day_streaks([], date(2030, 1, 5)) == (0, 0)


def test_aggregates_match_a_full_recount(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ids = ["string-reversal.beginner", "caesar-cipher.advanced", "anagram-check.intermediate"]
    for n in range(60):
        submit(store, ids[n % 3], n % 4 != 0, now=T0 + n * 3600)
    with store.snapshot() as conn:
        kept = sorted(tuple(r) for r in db.stat_cells(conn))
        kept_days = [tuple(r) for r in db.activity_days(conn)]
        kept_streak = db.correct_streak(conn)
    with store.transaction() as conn:
        db.rebuild_aggregates(conn)
    with store.snapshot() as conn:
        assert sorted(tuple(r) for r in db.stat_cells(conn)) == kept
        assert [tuple(r) for r in db.activity_days(conn)] == kept_days
        assert db.correct_streak(conn) == kept_streak


def test_migration_backfills_aggregates_from_existing_attempts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    rows = [(1, 1), (0, 1), (1, 1), (1, 1)]
    for n, (solved, _) in enumerate(rows):
        conn.execute(
            "INSERT INTO attempts(question_id, module, subtopic, problem_type, difficulty, mode,"
            " passed, total, solved, code, results, hints_used, duration_ms, created_at)"
            " VALUES ('string-reversal.beginner', 'string-manipulation', 'basic-string-operations',"
            " 'string-reversal', 'beginner', 'manual', ?, 1, ?, '', '{}', 0, 100, ?)",
            (solved, solved, T0 + n),
        )
    conn.commit()
    conn.close()
    store = Store(path)
    stats = compute_stats(store, bank(), now=T0 + 10)
    assert stats["attempts"] == 4 and stats["solved"] == 3
    assert stats["streaks"]["correct"] == 2 and stats["streaks"]["best_correct"] == 2
    assert stats["questions_solved"] == 1


def test_service_stats_keeps_the_first_version_keys(tmp_path: Path) -> None:
    from pytrix.service import PytrixService

    service = PytrixService(bank(), open_store(tmp_path))
    submit(service.store, "string-reversal.beginner", True, now=T0)
    stats = service.stats().wire()  # as the front ends send it: camelCase
    assert stats["attempts"] == 1 and stats["questionsSolved"] == 1
    assert stats["bankQuestions"] == len(bank().questions)
