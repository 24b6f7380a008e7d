"""Spaced review with FSRS: ratings, scheduling per problem type, replay."""

from __future__ import annotations

from pathlib import Path

from fsrs import Rating
from progress_support import DAY, T0, open_store, submit

from pytrix.practice import review
from pytrix.settings import Settings
from pytrix.store import progress as db


def card(store, problem_type: str):  # type: ignore[no-untyped-def]
    with store.snapshot() as conn:
        return db.review_card(conn, problem_type)


def test_ratings() -> None:
    assert review.rating_for(False, 0) == Rating.Again
    assert review.rating_for(True, 2) == Rating.Hard
    assert review.rating_for(True, 0) == Rating.Good


def test_a_solve_schedules_days_ahead_and_a_failure_sooner(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    good = submit(store, "string-reversal.beginner", True, now=T0)
    assert good.review.rating == "good" and good.review.due >= T0 + DAY
    failed = submit(store, "palindrome-check.beginner", False, now=T0)
    assert failed.review.rating == "again" and failed.review.due < good.review.due
    second = submit(store, "string-reversal.beginner", True, now=good.review.due)
    assert second.review.reviews == 2
    assert second.review.due - good.review.due > good.review.due - T0  # intervals grow
    row = card(store, "string-reversal")
    assert row["difficulty"] == "beginner" and row["reviews"] == 2


def test_every_difficulty_of_a_problem_type_shares_one_card(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", True, now=T0)
    submit(store, "string-reversal.advanced", True, now=T0 + 10)
    row = card(store, "string-reversal")
    assert row["reviews"] == 2 and row["difficulty"] == "advanced"
    with store.snapshot() as conn:
        assert db.count_due(conn, T0 + 20) == 0
        assert db.count_due(conn, T0 + 1000 * DAY) == 1


def test_replay_rebuilds_the_same_schedule(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n, ok in enumerate([True, False, True, True]):
        submit(store, "caesar-cipher.beginner", ok, now=T0 + n * 3 * DAY, hints=n % 2)
    before = dict(card(store, "caesar-cipher"))
    with store.transaction() as conn:
        review.replay(conn, Settings())
    after = dict(card(store, "caesar-cipher"))
    assert after["due"] == before["due"] and after["reviews"] == before["reviews"] == 4


def test_summary_reports_retrievability(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", True, now=T0)
    summary = review.card_summary(card(store, "string-reversal"), T0 + DAY)
    assert summary["problem_type"] == "string-reversal"
    assert 0 < summary["retrievability"] < 1
    assert summary["due_in_days"] > 0
