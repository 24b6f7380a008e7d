"""The progress commands of the ``pytrix`` CLI: stats, history, reopen, auto, export, import, reset.

``app.py`` registers them with :func:`add_commands`. Human output uses rich
tables (a progress bar per module); ``--json`` prints the same data the
language server returns.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from pytrix.cli.output import console, print_json
from pytrix.cli.service import choose_question, open_service

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _when(timestamp: float | None, now: float | None = None) -> str:
    """A short local time: ``today 08:36``, ``12-05 08:36`` this year, else ``2025-12-05``."""
    if not timestamp:
        return "-"
    moment, today = time.localtime(timestamp), time.localtime(now)
    if moment[:3] == today[:3]:
        return time.strftime("today %H:%M", moment)
    if moment.tm_year == today.tm_year:
        return time.strftime("%m-%d %H:%M", moment)
    return time.strftime("%Y-%m-%d", moment)


def _table(*headers: str, wrap: tuple[str, ...] = ("when",), title: str | None = None) -> Table:
    """A table whose cells never break inside a word: ids, numbers and short words stay
    whole (an id can be copied into the next command); only the ``wrap`` columns wrap, at
    spaces. Print it with :func:`_print_table`."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title)
    for header in headers:
        table.add_column(header, no_wrap=header not in wrap)
    return table


def _print_table(out: Console, table: Table) -> None:
    """Print ``table`` no narrower than its whole cells need: a row that cannot fit the
    terminal (or a pipe's 80 columns) is longer rather than broken inside a word."""
    from rich.measure import Measurement

    width = out.width
    need = Measurement.get(out, out.options.update(width=10_000), table)
    out.width = width if need.minimum <= width else need.maximum  # too narrow: each row on one line
    try:
        out.print(table)
    finally:
        out.width = width


def _percent(value: float) -> str:
    """``<1%`` for a start, so a little progress never reads as none."""
    return " <1%" if 0 < value < 1 else f"{value:3.0f}%"


def mastery_bar(percent: float, width: int = 10) -> str:
    """A text bar; any progress above 0 shows at least one block, and only 100 % fills it."""
    filled = round(percent / 100 * width)
    if percent > 0:
        filled = max(1, filled)
    if percent < 100:
        filled = min(width - 1, filled)
    return "█" * filled + "░" * (width - filled)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 attempt``, ``2 attempts`` (``many`` for irregular plurals)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.0f} s" if ms < 60_000 else f"{ms / 60_000:.1f} min"


# -- stats ------------------------------------------------------------------------

def print_stats(stats: dict[str, Any], auto: dict[str, Any], out: Console) -> None:
    streaks = stats["streaks"]
    out.print(
        f"[bold]Pytrix[/] · {plural(stats['attempts'], 'attempt')} · "
        f"{plural(stats['questions_solved'], 'question')} solved "
        f"of {stats['bank_questions']} in the bank · mastery {stats['mastery_percent']:.1f}%"
    )
    out.print(
        f"Streak: {plural(streaks['days'], 'day')} (longest {streaks['longest_days']}) · "
        f"{streaks['correct']} correct in a row (best {streaks['best_correct']}) · "
        f"{plural(stats['reviews_due'], 'review')} due"
    )
    # Fits 80 columns: numbers never wrap or shorten; long module names wrap.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("module", ratio=1, overflow="fold")
    table.add_column("mastery", no_wrap=True)
    table.add_column("solved", justify="right", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("avg", justify="right", no_wrap=True)
    table.add_column("last", no_wrap=True)
    for module in stats["modules"]:
        if not module["attempts"] and not module["bank_questions"]:
            continue
        table.add_row(
            module["name"],
            f"{mastery_bar(module['mastery_percent'])} {_percent(module['mastery_percent'])}",
            f"{module['questions_solved']}/{module['bank_questions']}",
            str(module["attempts"]),
            _seconds(module["average_time_ms"]) if module["attempts"] else "-",
            _when(module["last_attempt_at"]),
        )
    out.print(table)
    touched = [s for m in stats["modules"] for s in m["subtopics"]]
    if touched:
        detail = _table("subtopic", "attempts", "solved", "mastery", "auto difficulty", "streak",
                        wrap=("subtopic",))  # its names
        levels = {s["subtopic"]: s for s in auto["subtopics"]}
        for sub in touched:
            state = levels.get(sub["id"], {})
            detail.add_row(
                sub["name"], str(sub["attempts"]), str(sub["solved"]), f"{sub['mastery_percent']:.0f}%",
                str(state.get("difficulty", "-")), str(state.get("streak", "-")),
            )
        _print_table(out, detail)
    else:
        out.print("No attempts yet: run `pytrix practice` to start.")
    curriculum = auto["curriculum"]
    if curriculum["length"] and not curriculum["done"]:
        out.print(f"Auto mode: mini-curriculum {curriculum['position']}/{curriculum['length']}.")
    if stats["recent"]:
        recent = _table("when", "question", "result", "time", "mode", title="recent activity")
        for a in stats["recent"]:
            recent.add_row(
                _when(a["created_at"]), a["question_id"],
                "solved" if a["solved"] else f"{a['passed']}/{a['total']}",
                _seconds(a["duration_ms"]), a["mode"],
            )
        _print_table(out, recent)


def cmd_stats(args: argparse.Namespace) -> int:
    from pytrix.practice.dashboard import api_usage

    with open_service() as service:
        stats = service.stats()
        auto = service.auto_status()
        usage = api_usage(service.store)
    if args.json:
        print_json(stats)
        return EXIT_OK
    out = console()
    print_stats(stats.model_dump(), auto.model_dump(), out)
    if usage is not None:
        totals = usage["totals"]
        out.print(
            f"API usage (last {usage['days']} days): {totals.get('calls', 0)} calls, "
            f"{totals.get('inputTokens', 0)} input / {totals.get('outputTokens', 0)} output tokens."
        )
    return EXIT_OK


# -- history ---------------------------------------------------------------------

def cmd_history(args: argparse.Namespace) -> int:
    with open_service() as service:
        report = service.history(limit=args.limit, offset=args.offset, question_id=args.question,
                                 module=args.module, with_code=args.json or args.show is not None)
        page = report.model_dump()
        shown = None
        if args.show is not None:
            from pytrix.practice.history import attempt

            shown = attempt(service.store, args.show)
    if shown is not None:
        print(shown.code, end="" if shown.code.endswith("\n") else "\n")
        return EXIT_OK
    if args.json:
        print_json(report)
        return EXIT_OK
    out = console()
    if not page["items"]:
        out.print("No attempts yet." if not page["total"] else "No attempts on this page.")
        return EXIT_OK
    table = _table("id", "when", "question", "result", "hints", "time", "mode")
    for a in page["items"]:
        table.add_row(
            str(a["id"]), _when(a["created_at"]), a["question_id"],
            "solved" if a["solved"] else f"{a['passed']}/{a['total']}", str(a["hints_used"]),
            _seconds(a["duration_ms"]), a["mode"],
        )
    _print_table(out, table)
    end = page["offset"] + len(page["items"])
    out.print(f"{page['offset'] + 1}-{end} of {page['total']}. "
              "`pytrix history --show ID` prints an attempt's code;")
    out.print("`pytrix reopen ID --dir DIR` reopens it.")
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    with open_service() as service:
        _, path = service.reopen(args.attempt, Path(args.dir))
    print(path)
    return EXIT_OK


# -- auto mode --------------------------------------------------------------------

def cmd_auto_next(args: argparse.Namespace) -> int:
    with open_service() as service:
        folder = service.practice_folder(args.dir)  # usable before auto mode moves on
        chosen = choose_question(service, None, None, None)  # no choice: auto mode
        created = service.new_question(chosen, folder)
    if args.json:
        print_json(created, compact=True)
    else:
        print(created.path)
    return EXIT_OK


def cmd_auto_status(args: argparse.Namespace) -> int:
    with open_service() as service:
        report = service.auto_status()
    if args.json:
        print_json(report)
        return EXIT_OK
    status = report.model_dump()
    out = console()
    curriculum = status["curriculum"]
    out.print(f"Mini-curriculum ({curriculum['module']}): {curriculum['position']}/{curriculum['length']}"
              f"{' - done' if curriculum['done'] else ''}")
    out.print(f"Promotion after {status['promote_after']} correct in a row · reviews due: "
              f"{status['reviews_due']} · queued: {len(status['queue'])}")
    if status["subtopics"]:
        table = _table("subtopic", "module", "difficulty", "streak", "attempts")
        for s in status["subtopics"]:
            table.add_row(s["subtopic"], s["module"], s["difficulty"], str(s["streak"]), str(s["attempts"]))
        _print_table(out, table)
    return EXIT_OK


def cmd_auto_slow_down(args: argparse.Namespace) -> int:
    with open_service() as service:
        outcome = service.slow_down(args.subtopic)
    console().print(outcome.message, markup=False)
    return EXIT_OK


# -- export, import, reset --------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    from pytrix.practice.transfer import write_export

    with open_service() as service:
        counts = write_export(service.store, Path(args.file))
    console().print(f"Exported {plural(counts['attempts'], 'attempt')} and {counts['reviews']} review "
                     f"schedules to {args.file}.", markup=False)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from pytrix.paths import home_dir
    from pytrix.practice.transfer import import_progress, read_progress_file, write_export

    data = read_progress_file(Path(args.file))
    with open_service() as service:
        backup = None
        if service.stats().attempts:
            backup = home_dir() / "backups" / f"before-import-{time.strftime('%Y%m%d-%H%M%S')}.json"
            write_export(service.store, backup)
        counts = import_progress(service.store, service.settings, data)
    out = console()
    out.print(f"Imported {plural(counts['attempts'], 'attempt')}, {counts['reviews']} review schedules and "
              f"{counts['hints']} hint positions from {args.file}.", markup=False)
    if backup is not None:
        out.print(f"Your previous progress was saved to {backup}.", markup=False)
    return EXIT_OK


def _confirmed(what: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        answer = input(f"This forgets {what}. Type 'yes' to confirm: ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_reset(args: argparse.Namespace) -> int:
    if args.all:
        scope, target, what = "all", None, "ALL your progress"
    elif args.module:
        scope, target, what = "module", args.module, f"your progress in module {args.module}"
    else:
        scope, target, what = "question", args.question, f"your progress on question {args.question}"
    if not args.yes and not _confirmed(what):
        console(stderr=True).print(
            f"Not reset: this forgets {what}. Run again and answer 'yes', or add --yes.",
            markup=False,
        )
        return EXIT_FAIL
    with open_service() as service:
        result = service.reset(scope, target)
    console().print(f"Reset {what}: {plural(result.attempts_removed, 'attempt')} removed.", markup=False)
    return EXIT_OK


def add_commands(sub: Any) -> None:
    """Register the progress commands on the CLI's subparsers."""
    p = sub.add_parser("stats", help="your progress: mastery per module, streaks, reviews due")
    p.add_argument("--json", action="store_true", help="print the full stats as JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("history", help="your past attempts, newest first")
    p.add_argument("--json", action="store_true", help="print the page as JSON (code and results included)")
    p.add_argument("--limit", type=int, default=20, help="attempts per page (max 500)")
    p.add_argument("--offset", type=int, default=0, help="attempts to skip")
    p.add_argument("--question", help="only this question id")
    p.add_argument("--module", help="only this module id")
    p.add_argument("--show", type=int, metavar="ID", help="print the code of one attempt")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("reopen", help="write a practice file with a past attempt's code")
    p.add_argument("attempt", type=int, help="attempt id (see `pytrix history`)")
    p.add_argument("--dir", required=True, help="folder for the practice file")
    p.set_defaults(func=cmd_reopen)

    auto = sub.add_parser("auto", help="auto mode: the adaptive next question").add_subparsers(
        dest="auto_command", required=True
    )
    p = auto.add_parser("next", help="create the next auto-mode practice file and print its path")
    p.add_argument("--dir", required=True, help="folder for the practice file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_auto_next)
    p = auto.add_parser("status", help="auto-mode state: curriculum, difficulties, queue")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_auto_status)
    p = auto.add_parser("slow-down", help="step back: easier questions in the current subtopic")
    p.add_argument("--subtopic", help="subtopic id (default: the current one)")
    p.set_defaults(func=cmd_auto_slow_down)

    p = sub.add_parser("export", help="export all progress to a JSON file")
    p.add_argument("file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="replace all progress with an exported JSON file")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reset", help="forget the progress of a question, a module, or everything")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--question", metavar="ID")
    which.add_argument("--module", metavar="M")
    which.add_argument("--all", action="store_true")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_reset)
