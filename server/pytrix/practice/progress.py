"""Recording a submission: the attempt, its review, and the auto-mode state, in one transaction.

The attempt id is returned only after the transaction commits, so an id a
caller has seen is on disk (WAL) even if the process is killed right after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Question
from pytrix.practice import auto, review
from pytrix.runner.protocol import RunResult
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store

# What one attempt stores at most. Export and import use the same limits, so every
# attempt the app records can be exported and imported again.
MAX_CODE_CHARS = 1_000_000
MAX_RESULTS_CHARS = 512_000


@dataclass(frozen=True)
class Recorded:
    """What recording one submission did."""

    attempt_id: int
    mode: str
    solved: bool
    review: review.ReviewState
    auto: auto.AutoOutcome | None


def record(
    store: Store,
    bank: Bank,
    settings: Settings,
    question: Question,
    *,
    passed: int,
    total: int,
    results_json: str,
    code: str,
    hints_used: int,
    duration_ms: int,
    mode: str | None = None,
    now: float | None = None,
) -> Recorded:
    """Record one submission. ``mode=None`` means "auto" if auto mode gave the question."""
    now = time.time() if now is None else now
    with store.transaction() as conn:
        if mode is None:
            mode = "auto" if auto.is_auto_question(conn, question.id) else "manual"
        # After a reveal the attempt is practice: no solve, no streak, no promotion.
        solved = total > 0 and passed == total and mode != db.REVEALED
        attempt_id = db.insert_attempt(
            conn, question_id=question.id, module=question.module, subtopic=question.subtopic,
            problem_type=question.problem_type, difficulty=question.difficulty.value, mode=mode,
            passed=passed, total=total, code=code, results_json=results_json,
            hints_used=hints_used, duration_ms=max(0, duration_ms), created_at=now,
        )
        state = review.review_attempt(
            conn, settings, problem_type=question.problem_type, module=question.module,
            subtopic=question.subtopic, difficulty=question.difficulty.value, solved=solved,
            hints_used=hints_used, at=now,
        )
        outcome = auto.on_attempt(conn, bank, settings, question, solved, now) if mode == "auto" else None
    return Recorded(attempt_id, mode, solved, state, outcome)


def record_result(
    store: Store,
    bank: Bank,
    settings: Settings,
    question: Question,
    result: RunResult,
    *,
    code: str,
    hints_used: int,
    duration_ms: int,
    mode: str | None = None,
    now: float | None = None,
) -> Recorded:
    """:func:`record` for a sandbox (or client) run result."""
    return record(
        store, bank, settings, question, passed=result.passed, total=result.total,
        results_json=stored_results(result), code=code, hints_used=hints_used,
        duration_ms=duration_ms, mode=mode, now=now,
    )


def stored_results(result: RunResult) -> str:
    """The run result as stored with an attempt: full when small, else without the bulk.

    The full reprs go first, then the output each test printed; the statuses, the
    abbreviated values and the messages are always kept.
    """
    text = result.model_dump_json()
    if len(text) <= MAX_RESULTS_CHARS:
        return text
    slim = result.model_copy(deep=True)
    for test in slim.tests:
        test.expected_full = test.actual_full = None
    text = slim.model_dump_json()
    if len(text) <= MAX_RESULTS_CHARS:
        return text
    slim.module_stdout = slim.module_stdout[:2000]
    for test in slim.tests:
        test.stdout = test.stdout[:200]
        test.stdout_truncated = True
        if test.error is not None:
            test.error.message = test.error.message[:500]
        test.message = test.message[:500]
    return slim.model_dump_json()
