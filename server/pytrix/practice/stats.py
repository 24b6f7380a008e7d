"""Stats: module -> subtopic -> problem type -> difficulty, totals, mastery, streaks.

Everything is read from the pre-aggregated tables the ``attempts_aggregate``
trigger keeps (a few hundred rows at most), so the cost does not grow with
the number of attempts.

Mastery, in percent:

* a difficulty cell: its success rate (solved / attempts);
* a problem type: the cells weighted beginner 1, intermediate 2, advanced 3
  (an untried difficulty counts 0), so 100% means every difficulty is solved
  reliably;
* a subtopic, a module, the whole curriculum: the mean of their children,
  untouched ones counting 0.
"""

from __future__ import annotations

import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Difficulty
from pytrix.curriculum.topics import Curriculum
from pytrix.store import progress as db
from pytrix.store.database import Store

WEIGHTS: dict[str, int] = {"beginner": 1, "intermediate": 2, "advanced": 3}
RECENT = 10
DAYS_SHOWN = 14


def _pct(value: float) -> float:
    return round(value * 100, 1)


class _Node:
    """Running totals for one node of the tree."""

    __slots__ = ("attempts", "duration_ms", "last", "solved")

    def __init__(self) -> None:
        self.attempts = 0
        self.solved = 0
        self.duration_ms = 0
        self.last = 0.0

    def add(self, attempts: int, solved: int, duration_ms: int, last: float) -> None:
        self.attempts += attempts
        self.solved += solved
        self.duration_ms += duration_ms
        self.last = max(self.last, last)

    def json(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "solved": self.solved,
            "success_percent": _pct(self.solved / self.attempts) if self.attempts else 0.0,
            "average_time_ms": round(self.duration_ms / self.attempts) if self.attempts else 0,
            "time_ms": self.duration_ms,
            "last_attempt_at": self.last or None,
        }


def _problem_mastery(cells: dict[str, _Node]) -> float:
    total = sum(WEIGHTS.values())
    score = sum(
        WEIGHTS.get(level, 0) * (node.solved / node.attempts)
        for level, node in cells.items() if node.attempts
    )
    return min(1.0, score / total)


def _mean(values: Iterable[float], count: int) -> float:
    return sum(values) / count if count else 0.0


def _index(rows: Iterable[sqlite3.Row]) -> dict[str, dict[str, dict[str, dict[str, _Node]]]]:
    tree: dict[str, dict[str, dict[str, dict[str, _Node]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    for r in rows:
        node = _Node()
        node.add(int(r["attempts"]), int(r["solved"]), int(r["duration_ms"]), float(r["last_attempt_at"]))
        tree[r["module"]][r["subtopic"]][r["problem_type"]][r["difficulty"]] = node
    return tree


def subtopic_mastery(rows: Iterable[sqlite3.Row], curriculum: Curriculum) -> dict[str, float]:
    """subtopic id -> mastery percent, for every subtopic with attempts."""
    tree = _index(rows)
    out: dict[str, float] = {}
    for module in curriculum.ordered_modules:
        for subtopic in module.subtopics:
            types = tree.get(module.id, {}).get(subtopic.id)
            if not types:
                continue
            out[subtopic.id] = _pct(_mean(
                (_problem_mastery(types.get(p.id, {})) for p in subtopic.problem_types),
                len(subtopic.problem_types),
            ))
    return out


def day_streaks(days: Iterable[str], today: date) -> tuple[int, int]:
    """(current, longest) run of consecutive practice days; today may still be empty."""
    practised = sorted({date.fromisoformat(d) for d in days})
    if not practised:
        return 0, 0
    longest = run = 1
    for before, after in pairwise(practised):
        run = run + 1 if after - before == timedelta(days=1) else 1
        longest = max(longest, run)
    seen = set(practised)
    start = today if today in seen else today - timedelta(days=1)
    current = 0
    while start in seen:
        current += 1
        start -= timedelta(days=1)
    return current, longest


def attempt_json(row: sqlite3.Row) -> dict[str, Any]:
    """An attempt's metadata (no code, no results)."""
    return {
        "id": int(row["id"]),
        "question_id": row["question_id"],
        "module": row["module"],
        "subtopic": row["subtopic"],
        "problem_type": row["problem_type"],
        "difficulty": row["difficulty"],
        "mode": row["mode"],
        "passed": int(row["passed"]),
        "total": int(row["total"]),
        "solved": bool(row["solved"]),
        "hints_used": int(row["hints_used"]),
        "duration_ms": int(row["duration_ms"]),
        "created_at": float(row["created_at"]),
    }


def compute_stats(store: Store, bank: Bank, now: float | None = None) -> dict[str, Any]:
    """The full stats document (see docs/PROTOCOL.md, ``pytrix/stats``)."""
    now = time.time() if now is None else now
    with store.snapshot() as conn:
        cells = db.stat_cells(conn)
        counts = {r["module"]: (int(r["attempted"]), int(r["solved"] or 0)) for r in db.question_counts(conn)}
        days = db.activity_days(conn)
        correct, best_correct = db.correct_streak(conn)
        recent = db.recent_attempts(conn, RECENT)
        due = db.count_due(conn, now)
    return build_stats(cells, counts, days, (correct, best_correct), recent, due, bank, now)


def build_stats(
    cells: list[sqlite3.Row],
    question_counts: dict[str, tuple[int, int]],
    days: list[sqlite3.Row],
    correct: tuple[int, int],
    recent: list[sqlite3.Row],
    reviews_due: int,
    bank: Bank,
    now: float,
) -> dict[str, Any]:
    curriculum = bank.curriculum
    tree = _index(cells)
    total = _Node()
    modules_out: list[dict[str, Any]] = []
    module_masteries: list[float] = []
    known_modules = [m.id for m in curriculum.ordered_modules]
    extra_modules = sorted(set(tree) - set(known_modules))
    subtopics_touched = 0
    problem_types_touched = 0
    for module_id in known_modules + extra_modules:
        module = curriculum.module(module_id)
        m_node = _Node()
        subtopics_out: list[dict[str, Any]] = []
        sub_tree = tree.get(module_id, {})
        known_subtopics = [s.id for s in module.subtopics] if module else []
        sub_masteries: list[float] = []
        for subtopic_id in known_subtopics + sorted(set(sub_tree) - set(known_subtopics)):
            subtopic = next((s for s in module.subtopics if s.id == subtopic_id), None) if module else None
            type_tree = sub_tree.get(subtopic_id, {})
            known_types = [p.id for p in subtopic.problem_types] if subtopic else []
            all_types = known_types + sorted(set(type_tree) - set(known_types))
            s_node = _Node()
            types_out: list[dict[str, Any]] = []
            type_masteries: list[float] = []
            for type_id in all_types:
                levels = type_tree.get(type_id, {})
                mastery = _problem_mastery(levels)
                type_masteries.append(mastery)
                if not levels:
                    continue
                p_node = _Node()
                difficulties: dict[str, Any] = {}
                for level in [d.value for d in Difficulty] + sorted(set(levels) - set(WEIGHTS)):
                    node = levels.get(level, _Node())
                    p_node.add(node.attempts, node.solved, node.duration_ms, node.last)
                    cell = node.json()
                    cell["mastery_percent"] = cell["success_percent"]
                    difficulties[level] = cell
                s_node.add(p_node.attempts, p_node.solved, p_node.duration_ms, p_node.last)
                located = curriculum.locate(type_id)
                types_out.append({
                    "id": type_id, "name": located[2].name if located else type_id,
                    **p_node.json(), "mastery_percent": _pct(mastery), "difficulties": difficulties,
                })
            sub_mastery = _mean(type_masteries, len(all_types))
            sub_masteries.append(sub_mastery)
            if types_out:
                subtopics_touched += 1
                problem_types_touched += len(types_out)
                m_node.add(s_node.attempts, s_node.solved, s_node.duration_ms, s_node.last)
                subtopics_out.append({
                    "id": subtopic_id, "name": subtopic.name if subtopic else subtopic_id,
                    **s_node.json(), "mastery_percent": _pct(sub_mastery), "problem_types": types_out,
                })
        module_mastery = _mean(sub_masteries, len(sub_masteries))
        if module is not None:
            module_masteries.append(module_mastery)
        total.add(m_node.attempts, m_node.solved, m_node.duration_ms, m_node.last)
        attempted, solved_questions = question_counts.get(module_id, (0, 0))
        modules_out.append({
            "id": module_id, "name": module.name if module else module_id,
            **m_node.json(), "mastery_percent": _pct(module_mastery),
            "questions_attempted": attempted, "questions_solved": solved_questions,
            "bank_questions": len(bank.for_module(module_id)),
            "subtopics": subtopics_out,
        })
    today = datetime.fromtimestamp(now).date()
    day_names = [r["day"] for r in days]
    current_days, longest_days = day_streaks(day_names, today)
    by_day = {r["day"]: (int(r["attempts"]), int(r["solved"])) for r in days}
    activity = []
    for back in range(DAYS_SHOWN - 1, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        attempts, solved = by_day.get(day, (0, 0))
        activity.append({"day": day, "attempts": attempts, "solved": solved})
    totals = total.json()
    return {
        "version": 2,
        "generated_at": now,
        "attempts": total.attempts,
        "solved": total.solved,
        "success_percent": totals["success_percent"],
        "time_ms": total.duration_ms,
        "average_time_ms": totals["average_time_ms"],
        "last_attempt_at": totals["last_attempt_at"],
        "questions_attempted": sum(a for a, _ in question_counts.values()),
        "questions_solved": sum(s for _, s in question_counts.values()),
        "bank_questions": len(bank.questions),
        "mastery_percent": _pct(_mean(module_masteries, len(module_masteries))),
        "modules_touched": sum(1 for m in modules_out if m["attempts"]),
        "subtopics_touched": subtopics_touched,
        "problem_types_touched": problem_types_touched,
        "streaks": {
            "days": current_days,
            "longest_days": longest_days,
            "practised_today": today.isoformat() in by_day,
            "correct": correct[0],
            "best_correct": correct[1],
        },
        "reviews_due": reviews_due,
        "recent": [attempt_json(r) for r in recent],
        "activity": activity,
        "modules": modules_out,
    }
