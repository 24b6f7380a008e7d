"""Auto mode meets prefetch: look ahead at auto mode's next picks, adopt prefetched questions.

:func:`upcoming_slots` asks auto mode what it would choose next, assuming the
learner moves on, inside a transaction that is rolled back: nothing is kept.
:func:`adopt` records a prefetched AI question as issued by auto mode in place
of the bank question it picked, so its submissions count as auto mode's.
"""

from __future__ import annotations

import time

from pytrix.ai.prefetch import Slot
from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Question
from pytrix.practice import auto
from pytrix.practice.auto import AutoPick
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store


class _LookAhead(Exception):
    """Raised to roll the look-ahead transaction back."""


def upcoming_slots(store: Store, bank: Bank, settings: Settings, count: int,
                   now: float | None = None) -> list[Slot]:
    """The (problem type, difficulty) of auto mode's next ``count`` picks, as things stand."""
    now = time.time() if now is None else now
    slots: list[Slot] = []
    try:
        with store.transaction() as conn:
            for _ in range(count):
                pick = auto.choose(conn, bank, settings, now)
                question = pick.question
                db.issue(conn, question.id, question.module, question.subtopic, pick.reason, now)
                db.meta_set(conn, "last_question", question.id)
                db.meta_set(conn, "last_subtopic", question.subtopic)
                slots.append((question.problem_type, question.difficulty))
            raise _LookAhead
    except _LookAhead:
        pass
    return slots


def adopt(store: Store, pick: AutoPick, question: Question, now: float | None = None) -> None:
    """Serve ``question`` for ``pick``: issue it in auto mode, and close the bank pick."""
    now = time.time() if now is None else now
    with store.transaction() as conn:
        db.issue(conn, question.id, question.module, question.subtopic, pick.reason, now)
        db.mark_issued(conn, pick.question.id, open_=False, failed=False)
        db.meta_set(conn, "last_question", question.id)
