"""The dashboard: one markdown document (``pytrix:/dashboard.md``) every editor can show.

Mastery per module, streaks, auto mode, reviews due, recent activity and, when
the AI package records it, API usage. :func:`api_usage` is the hook that
fetches usage; it returns None when no usage source exists.
"""

from __future__ import annotations

import importlib
import sqlite3
import time
from datetime import datetime
from typing import Any

from pytrix.store import progress as db
from pytrix.store.database import Store

DASHBOARD_URI = "pytrix:/dashboard.md"
BAR_WIDTH = 12
SPARKS = " ▁▂▃▄▅▆▇█"


def api_usage(store: Store, days: int = 30) -> dict[str, Any] | None:
    """Hook for the API usage section: ``{days, rows, totals}``, or None without a source.

    Reads ``pytrix.ai.usage.UsageLog`` when that module exists and its table
    has been created; anything else means "no usage to show".
    """
    try:
        module = importlib.import_module("pytrix.ai.usage")
        log = module.UsageLog(store)
        rows: list[dict[str, Any]] = log.rows(days)
        totals: dict[str, int] = log.totals(rows)
    except (ImportError, AttributeError, TypeError, sqlite3.Error):
        return None
    return {"days": days, "rows": rows, "totals": totals}


def bar(percent: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(100.0, percent)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(SPARKS[min(8, round(v / top * 8))] if v else "·" for v in values)


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "never"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _duration(ms: int) -> str:
    seconds = ms // 1000
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(stats: dict[str, Any], auto: dict[str, Any], reviews: list[dict[str, Any]],
           usage: dict[str, Any] | None, now: float | None = None) -> str:
    """The dashboard markdown from already computed parts."""
    now = time.time() if now is None else now
    lines: list[str] = ["# Pytrix dashboard", "", f"_Updated {_when(now)}_", ""]
    attempts = stats["attempts"]
    lines.append(
        f"**{attempts} attempt{'s' if attempts != 1 else ''}** · {stats['solved']} solved "
        f"({stats['success_percent']:.0f}%) · {stats['questions_solved']} of "
        f"{stats['bank_questions']} bank questions solved · curriculum mastery "
        f"{stats['mastery_percent']:.1f}% · {_duration(stats['time_ms'])} practising"
    )
    lines.append("")
    if not attempts:
        lines += [
            "No attempts yet. Start with **Pytrix: new practice question (auto mode)** "
            "(a code action in any Python file) or `pytrix practice` in a terminal.", "",
        ]
    streaks = stats["streaks"]
    lines += [
        "## Streak", "",
        f"- {streaks['days']} day{'s' if streaks['days'] != 1 else ''} in a row "
        f"(longest {streaks['longest_days']}); practised today: "
        f"{'yes' if streaks['practised_today'] else 'not yet'}",
        f"- {streaks['correct']} correct submission{'s' if streaks['correct'] != 1 else ''} in a row "
        f"(best {streaks['best_correct']})", "",
    ]
    curriculum = auto["curriculum"]
    lines += ["## Auto mode", ""]
    if curriculum["length"] and not curriculum["done"]:
        lines.append(f"Mini-curriculum: {curriculum['position']}/{curriculum['length']} "
                     f"({curriculum['module']}).")
    else:
        lines.append("Topics are chosen by weakness; due reviews are mixed in.")
    lines.append(f"A subtopic moves up after {auto['promote_after']} correct in a row"
                 f"{' (fast setting)' if auto['fast'] else ''}.")
    if auto["queue"]:
        lines.append(f"Queued practice: {', '.join(q['question_id'] for q in auto['queue'])}.")
    lines.append("")
    if auto["subtopics"]:
        lines += ["| Subtopic | Difficulty | Streak |", "| --- | --- | ---: |"]
        for s in auto["subtopics"]:
            lines.append(f"| {_cell(s['subtopic'])} | {s['difficulty']} | {s['streak']} |")
        lines.append("")
    lines += ["## Reviews due", ""]
    due = [r for r in reviews if r["due"] <= now]
    if due:
        lines.append(f"{len(due)} problem type{'s' if len(due) != 1 else ''} due for review:")
        for r in due[:10]:
            overdue = -r["due_in_days"]
            lines.append(f"- {r['problem_type']} ({r['difficulty']}, "
                         f"{'due now' if overdue < 1 else f'{overdue:.0f} days overdue'})")
    else:
        upcoming = [r for r in reviews if r["due"] > now]
        if upcoming:
            nxt = upcoming[0]
            lines.append(f"Nothing due. Next: {nxt['problem_type']} in {nxt['due_in_days']:.1f} days.")
        else:
            lines.append("Nothing scheduled yet: reviews start once you submit answers.")
    lines.append("")
    lines += ["## Mastery per module", "",
              "| Module | Mastery | | Attempts | Questions solved |",
              "| --- | --- | ---: | ---: | ---: |"]
    for m in stats["modules"]:
        lines.append(
            f"| {_cell(m['name'])} | `{bar(m['mastery_percent'])}` | {m['mastery_percent']:.0f}% "
            f"| {m['attempts']} | {m['questions_solved']}/{m['bank_questions']} |"
        )
    lines.append("")
    lines += ["## Recent activity", ""]
    activity = stats["activity"]
    lines.append(f"Last {len(activity)} days: `{sparkline([d['attempts'] for d in activity])}` "
                 f"({sum(d['attempts'] for d in activity)} attempts)")
    lines.append("")
    if stats["recent"]:
        lines += ["| When | Question | Result | Time | Mode |", "| --- | --- | --- | ---: | --- |"]
        for a in stats["recent"]:
            result = "solved" if a["solved"] else f"{a['passed']}/{a['total']}"
            lines.append(f"| {_when(a['created_at'])} | {_cell(a['question_id'])} | {result} "
                         f"| {_duration(a['duration_ms'])} | {a['mode']} |")
        lines.append("")
    if usage is not None:
        totals = usage["totals"]
        lines += [
            "## API usage", "",
            f"Last {usage['days']} days: {totals.get('calls', 0)} calls, "
            f"{totals.get('errors', 0)} failed, {totals.get('inputTokens', 0)} input and "
            f"{totals.get('outputTokens', 0)} output tokens.", "",
        ]
        if usage["rows"]:
            lines += ["| Day | Model | Feature | Calls | Tokens in | Tokens out |",
                      "| --- | --- | --- | ---: | ---: | ---: |"]
            for r in usage["rows"][:15]:
                lines.append(f"| {r['day']} | {_cell(r['model'])} | {r['feature']} | {r['calls']} "
                             f"| {r['inputTokens']} | {r['outputTokens']} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def upcoming_reviews(store: Store, now: float, limit: int = 20) -> list[dict[str, Any]]:
    from pytrix.practice.review import card_summary

    with store.snapshot() as conn:
        rows = db.upcoming_cards(conn, limit)
    return [card_summary(r, now) for r in rows]
