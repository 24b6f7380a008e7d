"""``pytrix data check``: validate every bank file and prove every question by running it.

Prints a progress bar on a terminal, then each problem with its file and
question id; ``--json`` prints a machine-readable report. Exits 1 on any problem.

Each run's process is forked from a fork server (:mod:`pytrix.runner.zygote`)
that imported the harness once, so a run skips interpreter start-up; ``--cold``
starts every run's process from scratch instead, and so does the check when
the fork server cannot start or dies. The report says which path ran.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.verify import Verdict, verify_many
from pytrix.runner.sandbox import SubprocessSandbox

T = TypeVar("T")


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """Sandbox runs at once for batch checks: three per usable core.

    Batch checks fork each run's process from the fork server (or start it
    cold) rather than draw on a warm pool: a pool process pays interpreter
    start-up all the same, and a batch is bound by CPU. Three runs per core keep
    the cores busy while a run waits on its per-test clock.
    """
    return 3 * usable_cores()


def batch_sandbox(*, cold: bool = False) -> SubprocessSandbox:
    """The sandbox of a batch check: runs forked from a fork server, or cold processes."""
    return SubprocessSandbox(fork_server=not cold)


def process_path(sandbox: SubprocessSandbox) -> dict[str, Any]:
    """Which path a batch's processes took: ``path``, counts per kind, why it fell back."""
    counts = dict(sandbox.processes)
    if not sandbox.fork_server:
        path = "cold"
    elif counts["cold"] == 0:
        path = "fork server"
    else:
        path = "fork server, then cold" if counts["forked"] else "cold (fork server unavailable)"
    return {"path": path, "processes": counts, "fallback": sandbox.fallback}


def describe_path(info: dict[str, Any]) -> str:
    """One line naming the process path a batch took (and why it fell back)."""
    counts = info["processes"]
    text = f"processes: {info['path']} ({counts['forked']} forked, {counts['cold']} cold)"
    return text + (f"; the fork server was lost: {info['fallback']}" if info["fallback"] else "")


def sample_of(questions: Sequence[T], size: int) -> list[T]:
    """``size`` questions spread evenly over ``questions`` (in bank order), the same every time."""
    if size >= len(questions):
        return list(questions)
    return [questions[i * len(questions) // size] for i in range(size)]


def check_bank(as_json: bool = False, concurrency: int | None = None, *, cold: bool = False,
               sample: int | None = None) -> int:
    """Run the whole check; return the process exit code.

    ``sample`` proves only that many questions by execution, spread over the
    bank (:func:`sample_of`); every file is still loaded and validated, and the
    coverage and rule audits still read the whole bank.
    """
    if sample is not None and sample < 1:
        print(f"pytrix data check: --sample takes a number of questions, 1 or more (not {sample})",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    concurrency = concurrency or default_jobs()
    bank = load_bank()
    questions = bank.ordered()
    proved = sample_of(questions, sample) if sample else questions
    console = Console(stderr=True)
    verdicts: list[Verdict]
    sandbox = batch_sandbox(cold=cold)

    async def verify(on_done: Callable[[Verdict], None] | None) -> list[Verdict]:
        try:
            return await verify_many(proved, sandbox, concurrency, on_done)
        finally:
            await sandbox.close()

    show_bar = not as_json and console.is_terminal
    if show_bar:
        with Progress(
            TextColumn("checking the bank"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("check", total=len(proved))
            verdicts = asyncio.run(verify(lambda _: progress.advance(task)))
    else:
        verdicts = asyncio.run(verify(None))
    elapsed = time.monotonic() - started
    problems: list[dict[str, Any]] = [
        {"file": str(e.path), "question": None, "problem": f"{e.location}: {e.problem}" if e.location else e.problem}
        for e in bank.errors
    ]
    for verdict in verdicts:
        for problem in verdict.problems:
            problems.append(
                {"file": str(bank.files[verdict.question.id]), "question": verdict.question.id,
                 "problem": problem}
            )
    missing = _coverage_gaps(bank)
    for gap in missing:
        problems.append({"file": None, "question": None, "problem": gap})
    rules = _rule_audit(questions)
    for question, kind in rules.pop("unenforced"):
        problems.append({"file": str(bank.files[question]), "question": question,
                         "problem": f"the prompt states a {kind} rule that no test enforces"})
    report = {
        "questions": len(questions),
        "proved": len(proved),
        "files": len(set(bank.files.values())) + len(bank.errors),
        "problems": problems,
        "missing": len(missing),
        "runs": sum(v.runs for v in verdicts),
        "jobs": concurrency,
        **process_path(sandbox),
        "seconds": round(elapsed, 2),
        "rules": rules,
        "fix_questions": sum(q.style.value == "fix" for q in questions),
        "wrong_answers": {
            "total": sum(len(v.wrong) for v in verdicts),
            "rejected": sum(r is not None for v in verdicts for r in v.wrong),
            "rejected_by": {v.question.id: v.wrong for v in verdicts if v.wrong},
        },
        "ok": not problems,
    }
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for item in problems:
            where = ":".join(x for x in (item["file"], item["question"]) if x)
            print(f"{where + ': ' if where else ''}{item['problem']}")
        print("stated rules enforced by tests, per module:")
        for module, kinds in rules["modules"].items():
            counts = ", ".join(f"{kind} {done}/{stated}" for kind, (done, stated) in sorted(kinds.items()))
            print(f"  {module}: {counts}")
        print(f"find-the-bug questions (style = 'fix'): {report['fix_questions']}")
        rejected = sum(r is not None for v in verdicts for r in v.wrong)
        print(f"recorded wrong answers rejected: {rejected}/{sum(len(v.wrong) for v in verdicts)}")
        status = "OK" if not problems else f"{len(problems)} problem(s)"
        templates = f" ({len(bank.templates)} templates)" if bank.templates else ""
        print(
            f"{status}: {len(questions)} questions{templates}"
            f"{'' if proved is questions else f' ({len(proved)} proved by execution: a sample)'}"
            f" checked in {elapsed:.1f} s"
            f" ({report['runs']} sandbox runs, {concurrency} at a time)",
            file=sys.stdout,
        )
        print(describe_path(report), file=sys.stdout)
    return 0 if not problems else 1


def _rule_audit(questions: list[Any]) -> dict[str, Any]:
    """Per module and kind, ``[enforced, stated]`` rule counts; strict kinds left unenforced."""
    from pytrix.curriculum.audit import stated_rules

    modules: dict[str, dict[str, list[int]]] = {}
    unenforced: list[tuple[str, str]] = []
    for question in questions:
        for rule in stated_rules(question):
            counts = modules.setdefault(question.module, {}).setdefault(rule.kind, [0, 0])
            counts[0] += rule.enforced
            counts[1] += 1
            if rule.strict and not rule.enforced:
                unenforced.append((question.id, rule.kind))
    return {"modules": modules, "unenforced": unenforced}


def _coverage_gaps(bank: Any) -> list[str]:
    """Problem types that have bank files but miss a difficulty."""
    from pytrix.curriculum.question import Difficulty

    gaps = []
    covered = {q.problem_type for q in bank.questions.values()}
    for problem_type in sorted(covered):
        for difficulty in Difficulty:
            if not bank.for_problem_type(problem_type, difficulty):
                gaps.append(f"{problem_type} has no {difficulty.value} question")
    return gaps
