"""Spaced review: one FSRS card per problem type, scheduled from the learner's results.

Each recorded attempt is a review of its problem type: a failed submission is
rated Again, a solve that needed hints Hard, a clean solve Good. Cards skip
FSRS's minute-scale learning steps (a problem type is not a flash card), so the
first solve schedules the next review days ahead. Auto mode mixes in problem
types whose review has fallen due.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler

from pytrix.settings import Settings
from pytrix.store import progress as db


@dataclass(frozen=True)
class ReviewState:
    """Where a problem type's schedule stands after an attempt."""

    problem_type: str
    rating: str
    due: float
    reviews: int


def scheduler(settings: Settings) -> Scheduler:
    return Scheduler(
        desired_retention=settings.review_desired_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=settings.review_maximum_interval_days,
        enable_fuzzing=False,
    )


def rating_for(solved: bool, hints_used: int) -> Rating:
    """Again for a failure, Hard for a solve with hints, Good otherwise."""
    if not solved:
        return Rating.Again
    return Rating.Hard if hints_used > 0 else Rating.Good


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def new_card(problem_type: str) -> Card:
    return Card(card_id=zlib.crc32(problem_type.encode("utf-8")) or 1)


def card_from_json(text: str) -> Card:
    """Parse a stored card; raise ValueError when it is not a valid FSRS card."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a card must be a JSON object")
        return Card.from_dict(data)  # type: ignore[arg-type]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not an FSRS card: {exc}") from exc


def review_attempt(
    conn: sqlite3.Connection,
    settings: Settings,
    *,
    problem_type: str,
    module: str,
    subtopic: str,
    difficulty: str,
    solved: bool,
    hints_used: int,
    at: float,
) -> ReviewState:
    """Apply one attempt to its problem type's card (inside the caller's transaction)."""
    row = db.review_card(conn, problem_type)
    card = card_from_json(row["card"]) if row is not None else new_card(problem_type)
    reviews = int(row["reviews"]) if row is not None else 0
    rating = rating_for(solved, hints_used)
    when = _when(at)
    if card.last_review is not None and card.last_review > when:
        when = card.last_review  # clocks differ between machines: never go back in time
    card, _ = scheduler(settings).review_card(card, rating, review_datetime=when)
    due = card.due.timestamp()
    db.save_review_card(
        conn, problem_type=problem_type, module=module, subtopic=subtopic, difficulty=difficulty,
        card=json.dumps(card.to_dict()), due=due, reviews=reviews + 1, updated_at=at,
    )
    return ReviewState(problem_type, rating.name.lower(), due, reviews + 1)


def replay(conn: sqlite3.Connection, settings: Settings, problem_types: set[str] | None = None) -> None:
    """Rebuild cards from the attempts table (all, or only ``problem_types``)."""
    if problem_types is None:
        db.clear_review_cards(conn)
        rows = db.review_inputs(conn)
    else:
        rows = []
        for problem_type in sorted(problem_types):
            db.clear_review_cards(conn, problem_type)
            rows.extend(db.review_inputs(conn, problem_type))
    for row in rows:
        review_attempt(
            conn, settings, problem_type=row["problem_type"], module=row["module"],
            subtopic=row["subtopic"], difficulty=row["difficulty"], solved=bool(row["solved"]),
            hints_used=int(row["hints_used"]), at=float(row["created_at"]),
        )


def card_summary(row: sqlite3.Row, now: float) -> dict[str, Any]:
    """A review card as JSON for stats and the dashboard."""
    card = card_from_json(row["card"])
    retrievability: float | None = None
    if card.last_review is not None:
        sched = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
        retrievability = round(float(sched.get_card_retrievability(card, _when(now))), 3)
    return {
        "problem_type": row["problem_type"],
        "module": row["module"],
        "subtopic": row["subtopic"],
        "difficulty": row["difficulty"],
        "due": float(row["due"]),
        "due_in_days": round((float(row["due"]) - now) / timedelta(days=1).total_seconds(), 2),
        "reviews": int(row["reviews"]),
        "stability": card.stability,
        "retrievability": retrievability,
    }
