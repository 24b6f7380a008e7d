"""The store's progress queries one by one, on a real SQLite file: what each returns on an empty
database, which rows it picks, in which order, and what a reset removes."""

from __future__ import annotations

from pathlib import Path

import pytest
from progress_support import DAY, T0, open_store, submit

from pytrix.store import progress as db
from pytrix.store.database import Store


def attempt(store: Store, question_id: str, passed: int, total: int, created_at: float = T0) -> int:
    with store.transaction() as conn:
        return db.insert_attempt(
            conn, question_id=question_id, module="m", subtopic="s", problem_type="p",
            difficulty="beginner", mode="manual", passed=passed, total=total, code="x = 1\n",
            results_json="{}", hints_used=0, duration_ms=5, created_at=created_at)


def test_an_attempt_is_solved_only_when_every_one_of_at_least_one_test_passed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ids = [attempt(store, "q.beginner", 1, 1), attempt(store, "q.beginner", 0, 0),
           attempt(store, "q.beginner", 2, 3)]
    assert ids == [1, 2, 3]
    with store.snapshot() as conn:
        assert [db.attempt_row(conn, i)["solved"] for i in ids] == [1, 0, 0]
        assert db.attempt_row(conn, 99) is None
        assert db.question_progress(conn) == {"q.beginner": (3, 1)}


def test_the_correct_streak_is_current_and_best(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with store.snapshot() as conn:
        assert db.correct_streak(conn) == (0, 0)
    for n, ok in enumerate([True, True, False, True]):
        submit(store, "string-reversal.beginner", ok, now=T0 + n)
    with store.snapshot() as conn:
        assert db.correct_streak(conn) == (1, 2)


def test_history_pages_filter_and_carry_the_code_unless_told_not_to(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", True, now=T0)
    submit(store, "caesar-cipher.beginner", False, now=T0 + 1)
    submit(store, "two-sum-hashing.beginner", True, now=T0 + 2)
    with store.snapshot() as conn:
        total, rows = db.history_rows(conn, limit=10, offset=0)
        assert total == 3 and [r["question_id"] for r in rows] == [
            "two-sum-hashing.beginner", "caesar-cipher.beginner", "string-reversal.beginner"]
        columns = rows[0].keys()  # a Row's `in` looks at values, so ask for the column names
        assert rows[0]["code"].startswith("# pytrix: question=") and "results" in columns
        total, rows = db.history_rows(conn, limit=10, offset=0, module="string-manipulation")
        assert total == 2 and {r["module"] for r in rows} == {"string-manipulation"}
        total, rows = db.history_rows(conn, limit=10, offset=0, module="string-manipulation",
                                      question_id="caesar-cipher.beginner")
        assert total == 1 and rows[0]["question_id"] == "caesar-cipher.beginner"
        total, rows = db.history_rows(conn, limit=1, offset=1, with_code=False)
        assert total == 3 and [r["question_id"] for r in rows] == ["caesar-cipher.beginner"]
        columns = rows[0].keys()
        assert "code" not in columns


def test_upcoming_and_due_cards_come_soonest_first(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "caesar-cipher.beginner", True, now=T0 + 5 * DAY)
    submit(store, "string-reversal.beginner", True, now=T0)
    with store.snapshot() as conn:
        assert [r["problem_type"] for r in db.upcoming_cards(conn, 5)] == ["string-reversal", "caesar-cipher"]
        assert [r["problem_type"] for r in db.upcoming_cards(conn, 1)] == ["string-reversal"]
        later = T0 + 400 * DAY
        assert [r["problem_type"] for r in db.due_cards(conn, later)] == ["string-reversal", "caesar-cipher"]
        assert [r["problem_type"] for r in db.due_cards(conn, later, limit=1)] == ["string-reversal"]
        assert db.due_cards(conn, T0) == [] and db.count_due(conn, later) == 2


def test_resetting_a_module_removes_hints_of_questions_never_attempted(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", True, now=T0)
    submit(store, "caesar-cipher.beginner", True, now=T0)
    store.set_hint_level("palindrome-check.beginner", 2)  # hinted, never submitted
    store.set_hint_level("two-sum-hashing.beginner", 1)   # another module
    with store.transaction() as conn:
        removed = db.delete_module_progress(conn, "string-manipulation", ["palindrome-check.beginner"])
    assert removed == 2
    assert store.hint_level("palindrome-check.beginner") == 0
    assert store.hint_level("two-sum-hashing.beginner") == 1
    with store.snapshot() as conn:
        assert db.review_card(conn, "string-reversal") is None


def test_dumps_are_in_a_stable_order_and_only_of_progress_tables(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with store.transaction() as conn:
        for subtopic in ("zeta", "alpha", "mid"):
            db.save_auto_subtopic(conn, subtopic=subtopic, module="m", difficulty="beginner", streak=1,
                                  attempts=1, updated_at=T0)
        for question in ("q3", "q1", "q2"):
            db.enqueue(conn, question, "m", "s", "remediation", T0)
        assert [r["subtopic"] for r in db.dump_table(conn, "auto_subtopics")] == ["alpha", "mid", "zeta"]
        assert [r["question_id"] for r in db.dump_table(conn, "auto_queue")] == ["q3", "q1", "q2"]
        with pytest.raises(ValueError) as caught:
            db.dump_table(conn, "sqlite_master")
    assert str(caught.value) == "not a progress table: sqlite_master"
