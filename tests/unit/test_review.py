"""Spaced review with FSRS: ratings, scheduling per problem type, replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_one_hint_makes_a_solve_hard() -> None:
    assert review.rating_for(True, 1) == Rating.Hard


def test_a_new_card_is_named_by_its_problem_type() -> None:
    import zlib

    assert review.new_card("string-reversal").card_id == zlib.crc32(b"string-reversal")
    assert review.new_card("caesar-cipher").card_id != review.new_card("string-reversal").card_id


@pytest.mark.parametrize(("text", "message"), [
    ("[]", "a card must be a JSON object"),
    ("{}", "not an FSRS card: 'card_id'"),
    ("nope", "not an FSRS card: Expecting value: line 1 column 1 (char 0)"),
])
def test_a_stored_card_that_is_not_a_card_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        review.card_from_json(text)
    assert str(caught.value) == message


def test_the_summary_of_a_card_field_by_field(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    solved = submit(store, "string-reversal.beginner", True, now=T0)
    row = card(store, "string-reversal")
    stored = review.card_from_json(row["card"])
    later = T0 + DAY / 3
    summary = review.card_summary(row, later)
    assert summary == {
        "problem_type": "string-reversal", "module": "string-manipulation",
        "subtopic": "basic-string-operations", "difficulty": "beginner",
        "due": solved.review.due, "due_in_days": round((solved.review.due - later) / DAY, 2),
        "reviews": 1, "stability": stored.stability, "retrievability": summary["retrievability"],
    }
    assert summary["due_in_days"] != round(summary["due_in_days"])  # kept to two decimals
    assert review.card_summary(row, T0)["retrievability"] == 1.0  # just reviewed: fully recalled
    overdue = review.card_summary(row, solved.review.due + 3 * DAY)
    assert overdue["due_in_days"] == -3.0
    recall = overdue["retrievability"]
    assert 0.5 < recall < 0.95 and recall == round(recall, 3) and recall != round(recall, 2)


def test_a_card_never_reviewed_has_no_retrievability(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    submit(store, "string-reversal.beginner", True, now=T0)
    row = dict(card(store, "string-reversal"))
    row["card"] = json.dumps(review.new_card("string-reversal").to_dict())
    assert review.card_summary(row, T0)["retrievability"] is None  # type: ignore[arg-type]


def test_replaying_some_problem_types_leaves_the_others_alone(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for n, ok in enumerate([True, False, True]):
        submit(store, "caesar-cipher.beginner", ok, now=T0 + n * 2 * DAY, hints=n % 2)
        submit(store, "string-reversal.beginner", ok, now=T0 + n * 2 * DAY + 60)
    caesar, reversal = dict(card(store, "caesar-cipher")), dict(card(store, "string-reversal"))
    with store.transaction() as conn:
        conn.execute("UPDATE review_cards SET due = 0, reviews = 99")  # both damaged
        review.replay(conn, Settings(), {"caesar-cipher", "no-such-type"})
    assert dict(card(store, "caesar-cipher")) == {**caesar, "updated_at": caesar["updated_at"]}
    assert card(store, "string-reversal")["reviews"] == 99 and card(store, "string-reversal")["due"] == 0
    assert card(store, "no-such-type") is None
    with store.transaction() as conn:
        review.replay(conn, Settings())
    assert dict(card(store, "string-reversal")) == reversal


def test_an_attempt_dated_before_the_last_review_is_counted_at_the_last_review(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = submit(store, "string-reversal.beginner", True, now=T0 + 10 * DAY)
    earlier = submit(store, "string-reversal.beginner", True, now=T0)  # another machine's clock
    assert earlier.review.problem_type == "string-reversal"
    assert earlier.review.reviews == 2
    assert earlier.review.due == first.review.due  # reviewed again at the same moment, not days before
    last = review.card_from_json(card(store, "string-reversal")["card"]).last_review
    assert last is not None and last.timestamp() == T0 + 10 * DAY


def test_the_settings_shape_the_schedule(tmp_path: Path) -> None:
    short = Settings(review_maximum_interval_days=2)
    eager = Settings(review_desired_retention=0.99)
    dates = {}
    for name, settings in (("default", Settings()), ("short", short), ("eager", eager)):
        store = open_store(tmp_path, f"{name}.db")
        for n in range(4):
            dates[name] = submit(store, "string-reversal.beginner", True, now=T0 + n * 30 * DAY,
                                 settings=settings).review.due - (T0 + 90 * DAY)
    assert dates["short"] <= 2 * DAY < dates["default"]
    assert dates["eager"] < dates["default"]
    again = Settings()
    store = open_store(tmp_path, "again.db")
    submit(store, "string-reversal.beginner", True, now=T0, settings=again)
    failed = submit(store, "string-reversal.beginner", False, now=T0 + 5 * DAY, settings=again)
    assert failed.review.due >= T0 + 5 * DAY + DAY  # no relearning steps: a day or more, not minutes
