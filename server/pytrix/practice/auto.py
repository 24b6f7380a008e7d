"""Auto mode: the adaptive "next question", persisted in SQLite across restarts.

The order of choice for each "next":

1. remediation questions injected after a failure (or a "slow down");
2. a spaced review that has fallen due (at most one in every
   ``autoReviewEvery`` questions);
3. the mini-curriculum: ``autoCurriculumLength`` questions walking the problem
   types of ``autoCurriculumModule`` in order;
4. afterwards, the weakest subtopic (success rate under
   ``autoWeakBelowPercent``), else the next untouched subtopic, else the one
   with the lowest mastery.

Each subtopic keeps its own difficulty and streak. The first solve of an
auto-mode question adds one to the streak; ``autoPromoteAfter`` in a row (or
``autoFastPromoteAfter`` with ``autoFast``) raise the difficulty. The first
failed submission of an auto-mode question resets the streak, lowers the
difficulty one step and queues ``autoRemediationCount`` beginner questions of
the subtopic. A streak idle for ``autoDecayHours`` halves (once per period).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Difficulty, Question
from pytrix.curriculum.topics import Module, Subtopic
from pytrix.errors import PytrixError
from pytrix.practice import variety
from pytrix.practice.variety import Recent
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store

LEVELS: tuple[Difficulty, ...] = tuple(Difficulty)
REASONS = ("remediation", "review", "curriculum", "weakness", "explore")


@dataclass(frozen=True)
class AutoPick:
    """The question auto mode chose and why."""

    question: Question
    reason: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"questionId": self.question.id, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class AutoOutcome:
    """What one auto-mode result (or a "slow down") did to a subtopic."""

    subtopic: str
    event: str  # "streak", "promoted", "demoted", "reset", "unchanged"
    difficulty: str
    previous_difficulty: str
    streak: int
    injected: list[str] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "subtopic": self.subtopic, "event": self.event, "difficulty": self.difficulty,
            "previousDifficulty": self.previous_difficulty, "streak": self.streak,
            "injected": list(self.injected), "message": self.message,
        }


@dataclass
class SubtopicState:
    subtopic: str
    module: str
    difficulty: Difficulty
    streak: int
    attempts: int


def promote_after(settings: Settings) -> int:
    return settings.auto_fast_promote_after if settings.auto_fast else settings.auto_promote_after


def decayed_streak(streak: int, updated_at: float, now: float, settings: Settings) -> int:
    """The streak after halving once per full idle period of ``autoDecayHours``."""
    if settings.auto_decay_hours <= 0 or streak <= 0:
        return streak
    periods = int(max(0.0, now - updated_at) // (settings.auto_decay_hours * 3600))
    return streak >> min(periods, 62)


def _state(conn: sqlite3.Connection, subtopic: str, module: str, now: float,
           settings: Settings) -> SubtopicState:
    row = db.auto_subtopic(conn, subtopic)
    if row is None:
        return SubtopicState(subtopic, module, Difficulty.BEGINNER, 0, 0)
    try:
        level = Difficulty(row["difficulty"])
    except ValueError:
        level = Difficulty.BEGINNER
    streak = decayed_streak(int(row["streak"]), float(row["updated_at"]), now, settings)
    return SubtopicState(subtopic, module, level, streak, int(row["attempts"]))


def _save(conn: sqlite3.Connection, state: SubtopicState, now: float) -> None:
    db.save_auto_subtopic(
        conn, subtopic=state.subtopic, module=state.module, difficulty=state.difficulty.value,
        streak=state.streak, attempts=state.attempts, updated_at=now,
    )


def _subtopic(bank: Bank, subtopic_id: str) -> tuple[Module, Subtopic] | None:
    for module in bank.curriculum.ordered_modules:
        for subtopic in module.subtopics:
            if subtopic.id == subtopic_id:
                return module, subtopic
    return None


def _nearest_levels(level: Difficulty) -> list[Difficulty]:
    """``level`` first, then easier ones, then harder ones."""
    index = LEVELS.index(level)
    return [LEVELS[index], *reversed(LEVELS[:index]), *LEVELS[index + 1:]]


def _rank(question: Question, order: int, progress: dict[str, tuple[int, int]],
          avoid: set[str], bank: Bank | None = None,
          recent: Recent | None = None) -> tuple[int, int, int, int, int]:
    attempts, solved = progress.get(question.id, (0, 0))
    fresh = recent.freshness(question, bank) if recent and bank is not None else 0
    return (int(question.id in avoid), int(solved > 0), int(fresh), attempts, order)


def question_in_subtopic(
    bank: Bank, subtopic: Subtopic, level: Difficulty, progress: dict[str, tuple[int, int]],
    avoid: set[str], problem_type: str | None = None, recent: Recent | None = None,
) -> Question | None:
    """The best question of a subtopic at (or nearest to) ``level``.

    Prefers questions not just given, then not solved yet (solved in auto mode or
    not: ``progress`` counts every attempt), then fresh ones over near-duplicates of
    recently given ones over recently given ones (see :mod:`pytrix.practice.variety`),
    with fewer attempts, in curriculum order. When every question at ``level`` is
    solved, an unsolved one at the nearest other level comes first; only when there is
    none anywhere does a solved one come round again. (A spaced review passes no
    progress: solving is what it reviews.)
    """
    types = [p.id for p in subtopic.problem_types if problem_type in (None, p.id)]
    first: Question | None = None
    for candidate_level in _nearest_levels(level):
        found = [q for pt in types for q in bank.for_problem_type(pt, candidate_level)]
        if found:
            best = min(enumerate(found), key=lambda item: _rank(item[1], item[0], progress, avoid, bank, recent))[1]
            if progress.get(best.id, (0, 0))[1] == 0:
                return best
            first = first if first is not None else best
    return first


def curriculum_plan(bank: Bank, settings: Settings) -> list[str]:
    """Problem type ids of the mini-curriculum, in order (cycling when the module is short)."""
    module = bank.curriculum.module(settings.auto_curriculum_module)
    if module is None or settings.auto_curriculum_length <= 0:
        return []
    types = [
        p.id for s in module.subtopics for p in s.problem_types
        if any(bank.for_problem_type(p.id, d) for d in LEVELS)
    ]
    if not types:
        return []
    return [types[i % len(types)] for i in range(settings.auto_curriculum_length)]


def _int_meta(conn: sqlite3.Connection, key: str, default: int) -> int:
    value = db.meta_get(conn, key)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# -- choosing -------------------------------------------------------------------

def _from_queue(conn: sqlite3.Connection, bank: Bank) -> AutoPick | None:
    for item in db.queue(conn):
        db.dequeue(conn, int(item["id"]))
        question = bank.questions.get(item["question_id"])
        if question is not None:
            left = len(db.queue(conn))
            return AutoPick(question, "remediation",
                            f"Practice round after a setback ({left} more queued)")
    return None


def _review(conn: sqlite3.Connection, bank: Bank, settings: Settings, now: float,
            progress: dict[str, tuple[int, int]], last: str | None,
            recent: Recent | None = None) -> AutoPick | None:
    if settings.auto_review_every <= 0:
        return None
    since = _int_meta(conn, "since_review", settings.auto_review_every)
    if since + 1 < settings.auto_review_every:
        return None
    for card in db.due_cards(conn, now):
        located = _subtopic(bank, card["subtopic"])
        if located is None:
            continue
        try:
            level = Difficulty(card["difficulty"])
        except ValueError:
            level = Difficulty.BEGINNER
        question = question_in_subtopic(
            bank, located[1], level, {}, {last} if last else set(), card["problem_type"], recent
        )
        if question is not None and question.id != last:
            days = max(0, int((now - float(card["due"])) // 86400))
            overdue = f", {days} day{'s' if days != 1 else ''} overdue" if days else ""
            return AutoPick(question, "review", f"Spaced review of {card['problem_type']}{overdue}")
    return None


def _curriculum(conn: sqlite3.Connection, bank: Bank, settings: Settings, now: float,
                progress: dict[str, tuple[int, int]], last: str | None,
                recent: Recent | None = None) -> AutoPick | None:
    plan = curriculum_plan(bank, settings)
    position = _int_meta(conn, "curriculum_pos", 0)
    while position < len(plan):
        problem_type = plan[position]
        position += 1
        db.meta_set(conn, "curriculum_pos", str(position))
        located = bank.curriculum.locate(problem_type)
        if located is None:
            continue
        module, subtopic, _ = located
        state = _state(conn, subtopic.id, module.id, now, settings)
        question = question_in_subtopic(
            bank, subtopic, state.difficulty, progress, {last} if last else set(), problem_type,
            recent,
        )
        if question is not None:
            return AutoPick(question, "curriculum", f"Mini-curriculum {position}/{len(plan)}")
    return None


def _by_weakness(conn: sqlite3.Connection, bank: Bank, settings: Settings, now: float,
                 progress: dict[str, tuple[int, int]], last: str | None,
                 recent: Recent | None = None) -> AutoPick | None:
    from pytrix.practice.stats import subtopic_mastery

    totals = db.subtopic_totals(conn)
    candidates: list[tuple[Module, Subtopic]] = [
        (m, s) for m in bank.curriculum.ordered_modules for s in m.subtopics
        if any(bank.for_problem_type(p.id, d) for p in s.problem_types for d in LEVELS)
    ]
    if not candidates:
        return None
    weak: list[tuple[float, int, int]] = []
    for index, (_, subtopic) in enumerate(candidates):
        attempts, solved = totals.get(subtopic.id, (0, 0))
        if attempts and solved * 100 < settings.auto_weak_below_percent * attempts:
            weak.append((solved / attempts, -attempts, index))
    reason, detail = "weakness", ""
    if weak:
        rate, _, index = min(weak)
        detail = f"Weakest subtopic: {round(rate * 100)}% of attempts solved"
    else:
        untouched = [i for i, (_, s) in enumerate(candidates) if s.id not in totals]
        if untouched:
            index = untouched[0]
            reason, detail = "explore", "A new subtopic"
        else:
            mastery = subtopic_mastery(db.stat_cells(conn), bank.curriculum)
            index = min(range(len(candidates)),
                        key=lambda i: (mastery.get(candidates[i][1].id, 0.0), i))
            detail = f"Lowest mastery: {mastery.get(candidates[index][1].id, 0.0):.0f}%"
    module, subtopic = candidates[index]
    state = _state(conn, subtopic.id, module.id, now, settings)
    question = question_in_subtopic(bank, subtopic, state.difficulty, progress,
                                    {last} if last else set(), recent=recent)
    if question is None:
        return None
    return AutoPick(question, reason, f"{detail} ({subtopic.name}, {state.difficulty.value})")


def choose(conn: sqlite3.Connection, bank: Bank, settings: Settings, now: float) -> AutoPick:
    """Pick the next auto-mode question (inside the caller's write transaction)."""
    progress = db.question_progress(conn)
    last = db.meta_get(conn, "last_question")
    recent = variety.recent(conn, bank)
    pick = (
        _from_queue(conn, bank)
        or _review(conn, bank, settings, now, progress, last, recent)
        or _curriculum(conn, bank, settings, now, progress, last, recent)
        or _by_weakness(conn, bank, settings, now, progress, last, recent)
    )
    if pick is None:
        raise PytrixError(
            "Auto mode has no question to give: the question bank is empty. "
            "Check the data folder with `pytrix data check`."
        )
    return pick


def next_question(store: Store, bank: Bank, settings: Settings, now: float | None = None) -> AutoPick:
    """Choose, record as issued, and return the next auto-mode question."""
    now = time.time() if now is None else now
    with store.transaction() as conn:
        pick = choose(conn, bank, settings, now)
        question = pick.question
        db.issue(conn, question.id, question.module, question.subtopic, pick.reason, now)
        db.meta_set(conn, "last_question", question.id)
        db.meta_set(conn, "last_subtopic", question.subtopic)
        since = _int_meta(conn, "since_review", settings.auto_review_every)
        db.meta_set(conn, "since_review", "0" if pick.reason == "review" else str(since + 1))
    return pick


# -- results --------------------------------------------------------------------

def current(store: Store) -> str | None:
    """The last auto-mode question if it is still open (not solved yet), else None."""
    with store.snapshot() as conn:
        last = db.meta_get(conn, "last_question")
        row = db.issued(conn, last) if last else None
    return last if row is not None and row["open"] else None


def is_auto_question(conn: sqlite3.Connection, question_id: str) -> bool:
    return db.issued(conn, question_id) is not None


def _inject(conn: sqlite3.Connection, bank: Bank, settings: Settings, subtopic: Subtopic,
            module: Module, failed_id: str | None, now: float) -> list[str]:
    count = settings.auto_remediation_count
    queued = [r for r in db.queue(conn) if r["subtopic"] == subtopic.id]
    if count <= 0 or len(queued) >= count:
        return []
    progress = db.question_progress(conn)
    taken = {r["question_id"] for r in queued}
    beginners = [
        q for p in subtopic.problem_types for q in bank.for_problem_type(p.id, Difficulty.BEGINNER)
    ]
    recent = variety.recent(conn, bank)
    ranked = sorted(
        enumerate(beginners),
        key=lambda item: _rank(item[1], item[0], progress, {failed_id} if failed_id else set(),
                               bank, recent),
    )
    injected: list[str] = []
    for _, question in ranked:
        if len(injected) + len(queued) >= count:
            break
        if question.id in taken:
            continue
        db.enqueue(conn, question.id, module.id, subtopic.id, "remediation", now)
        injected.append(question.id)
    return injected


def _setback(conn: sqlite3.Connection, bank: Bank, settings: Settings, state: SubtopicState,
             failed_id: str | None, now: float, why: str) -> AutoOutcome:
    previous = state.difficulty
    index = LEVELS.index(previous)
    state.difficulty = LEVELS[max(0, index - 1)]
    state.streak = 0
    _save(conn, state, now)
    located = _subtopic(bank, state.subtopic)
    injected = _inject(conn, bank, settings, located[1], located[0], failed_id, now) if located else []
    event = "demoted" if state.difficulty != previous else "reset"
    change = (f"down to {state.difficulty.value}" if event == "demoted"
              else f"staying at {state.difficulty.value}")
    extra = f"; {len(injected)} beginner question{'s' if len(injected) != 1 else ''} queued" if injected else ""
    return AutoOutcome(state.subtopic, event, state.difficulty.value, previous.value, 0, injected,
                       f"{why}: {state.subtopic} {change}, streak reset{extra}.")


def on_attempt(conn: sqlite3.Connection, bank: Bank, settings: Settings, question: Question,
               solved: bool, now: float) -> AutoOutcome | None:
    """Update the auto state for a submission on an auto-mode question.

    Only the first solve and the first failure of each issued question count,
    so resubmitting a solved file does not build a streak.
    """
    issued = db.issued(conn, question.id)
    if issued is None or not issued["open"]:
        return None
    state = _state(conn, question.subtopic, question.module, now, settings)
    state.attempts += 1
    if not solved:
        if issued["failed"]:
            _save(conn, state, now)
            return AutoOutcome(state.subtopic, "unchanged", state.difficulty.value,
                               state.difficulty.value, state.streak, [],
                               "Auto mode already counted this question's failure.")
        db.mark_issued(conn, question.id, open_=True, failed=True)
        return _setback(conn, bank, settings, state, question.id, now, "Not solved")
    db.mark_issued(conn, question.id, open_=False, failed=bool(issued["failed"]))
    previous = state.difficulty
    state.streak += 1
    needed = promote_after(settings)
    event, message = "streak", f"{state.subtopic}: {state.streak} in a row"
    if state.streak >= needed and previous != LEVELS[-1]:
        state.difficulty = LEVELS[LEVELS.index(previous) + 1]
        state.streak = 0
        event = "promoted"
        message = f"{needed} in a row: {state.subtopic} moves up to {state.difficulty.value}"
    elif previous != LEVELS[-1]:
        message += f" ({needed - state.streak} more to reach the next difficulty)"
    _save(conn, state, now)
    return AutoOutcome(state.subtopic, event, state.difficulty.value, previous.value, state.streak,
                       [], message + ".")


def slow_down(store: Store, bank: Bank, settings: Settings, subtopic_id: str | None = None,
              now: float | None = None) -> AutoOutcome:
    """Step back on demand: like a failure in ``subtopic_id`` (default: the current one)."""
    now = time.time() if now is None else now
    with store.transaction() as conn:
        subtopic_id = subtopic_id or db.meta_get(conn, "last_subtopic")
        if subtopic_id is None:
            raise PytrixError(
                "Auto mode has not given you a question yet, so there is nothing to slow down. "
                "Start with 'Pytrix: new practice question (auto mode)' or "
                "`pytrix auto next --dir DIR`."
            )
        located = _subtopic(bank, subtopic_id)
        if located is None:
            raise PytrixError(f"There is no subtopic {subtopic_id!r}; see `pytrix auto status`.")
        state = _state(conn, subtopic_id, located[0].id, now, settings)
        return _setback(conn, bank, settings, state, db.meta_get(conn, "last_question"), now,
                        "Slowing down")


def status(store: Store, bank: Bank, settings: Settings, now: float | None = None) -> dict[str, Any]:
    """The auto-mode state as JSON: curriculum position, subtopics, queue, reviews due."""
    now = time.time() if now is None else now
    plan = curriculum_plan(bank, settings)
    with store.snapshot() as conn:
        position = min(_int_meta(conn, "curriculum_pos", 0), len(plan))
        subtopics = [
            {
                "subtopic": r["subtopic"], "module": r["module"], "difficulty": r["difficulty"],
                "streak": decayed_streak(int(r["streak"]), float(r["updated_at"]), now, settings),
                "attempts": int(r["attempts"]), "updated_at": float(r["updated_at"]),
            }
            for r in db.auto_subtopics(conn)
        ]
        pending = [
            {"question_id": r["question_id"], "subtopic": r["subtopic"], "reason": r["reason"]}
            for r in db.queue(conn)
        ]
        due = db.count_due(conn, now)
        last = db.meta_get(conn, "last_question")
        last_subtopic = db.meta_get(conn, "last_subtopic")
    return {
        "curriculum": {
            "module": settings.auto_curriculum_module, "position": position, "length": len(plan),
            "done": position >= len(plan),
        },
        "promote_after": promote_after(settings),
        "fast": settings.auto_fast,
        "subtopics": subtopics,
        "queue": pending,
        "reviews_due": due,
        "last_question": last,
        "current_subtopic": last_subtopic,
    }
