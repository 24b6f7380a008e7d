"""``pytrix data mutants``: do the tests catch plausible wrong solutions?

From each reference solution, AST mutations derive the mistakes a learner
plausibly makes, one mistake per mutant:

* ``constant``: an integer constant off by one (``n`` -> ``n - 1``, ``n + 1``);
* ``range``: a ``range()`` start or stop bound that is not a constant, ``± 1``;
* ``slice``: a slice bound that is not a constant, ``± 1``;
* ``compare``: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* ``boolean``: ``and`` <-> ``or``;
* ``minmax``: ``min`` <-> ``max``;
* ``edge-case``: a guard clause dropped, an ``if`` without ``else`` whose short
  body ends in ``return``, ``raise``, ``continue`` or ``break`` (``if not xs:
  return 0``).

Each mutant runs against every test (hidden ones included) in the subprocess
sandbox. It is *killed* when at least one test fails, errors or times out.
Per-test time limits are tightened for mutants (ten times the reference's own
time on that test, at least half a second, never above the test's limit) so
that mutants which loop forever cost little; a kill by timeout is counted
separately. Some mutants are equivalent to the reference (no test can tell
them apart); they show up as survivors and are reported, never treated as
errors. The report gives per question the mutants, the kills and the
survivors, and overall the kill rate (killed / mutants) and the share of
questions whose every mutant is killed.
"""

from __future__ import annotations

import ast
import asyncio
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.curriculum.verify import failures, tightened
from pytrix.runner.protocol import RunResult, RunStatus, TestStatus
from pytrix.runner.sandbox import SubprocessSandbox

DEFAULT_LIMIT = 10
"""Mutants run per question by default (0: all of them)."""
MIN_TEST_TIMEOUT = 0.5
"""Mutants' per-test limit: ten times the reference's time on the test, at least this."""
TIMEOUT_FACTOR = 10.0

_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_COMPARE_TEXT: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_GUARD_ENDS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
KINDS = ("constant", "range", "slice", "compare", "boolean", "minmax", "edge-case")


@dataclass(frozen=True)
class Mutant:
    """One plausible wrong solution: what was changed, where, and the code."""

    kind: str
    line: int
    description: str
    code: str

    def label(self) -> str:
        return f"line {self.line}: {self.description}"


@dataclass
class _Site:
    kind: str
    line: int
    description: str
    apply: Callable[[], None]


def _plus(node: ast.expr, amount: int) -> ast.expr:
    op: ast.operator = ast.Add() if amount > 0 else ast.Sub()
    return ast.BinOp(left=node, op=op, right=ast.Constant(abs(amount)))


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Nodes not to mutate: type annotations and ``setrecursionlimit`` arguments."""
    skip: set[int] = set()

    def add(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            add(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            add(node.returns)
        elif isinstance(node, ast.AnnAssign):
            add(node.annotation)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "setrecursionlimit"):
            add(node)
    return skip


def _is_int(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _is_guard(node: ast.stmt) -> bool:
    return (isinstance(node, ast.If) and not node.orelse and len(node.body) <= 2
            and isinstance(node.body[-1], _GUARD_ENDS))


def _sites(tree: ast.AST) -> list[_Site]:
    """Every mutation site of ``tree``, in a deterministic order (breadth first)."""
    skip = _skipped_nodes(tree)
    sites: list[_Site] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_int(node.operand):
            # -n is one constant: -1 -> -2 and -1 -> 0, not "1 -> 0" under the minus
            operand = node.operand
            assert isinstance(operand, ast.Constant) and isinstance(operand.value, int)
            skip.add(id(operand))
            value: int = operand.value
            for delta in (-1, 1):
                def set_negative(operand: ast.Constant = operand, new: int = value - delta) -> None:
                    operand.value = new
                sites.append(_Site("constant", line, f"-{value} -> {-(value - delta)}", set_negative))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            for delta in (-1, 1):
                def set_value(node: ast.Constant = node, new: int = node.value + delta) -> None:
                    node.value = new
                sites.append(_Site("constant", line, f"{node.value} -> {node.value + delta}", set_value))
        elif isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                swap = _COMPARE_SWAPS.get(type(op))
                if swap is None:
                    continue

                def set_op(node: ast.Compare = node, index: int = index,
                           swap: type[ast.cmpop] = swap) -> None:
                    node.ops[index] = swap()
                sites.append(_Site("compare", line,
                                   f"{_COMPARE_TEXT[type(op)]} -> {_COMPARE_TEXT[swap]}", set_op))
        elif isinstance(node, ast.BoolOp):
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")

            def flip(node: ast.BoolOp = node) -> None:
                node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            sites.append(_Site("boolean", line, f"{old} -> {new}", flip))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in ("min", "max"):
                other = "max" if name == "min" else "min"

                def swap_name(func: ast.Name = node.func, other: str = other) -> None:
                    func.id = other
                sites.append(_Site("minmax", line, f"{name} -> {other}", swap_name))
            elif name == "range" and 1 <= len(node.args) <= 3 and not node.keywords:
                positions = [0] if len(node.args) == 1 else [0, 1]
                for position in positions:
                    arg = node.args[position]
                    if _is_int(arg) or isinstance(arg, ast.Starred):
                        continue
                    bound = "stop" if position == len(positions) - 1 else "start"
                    for delta in (-1, 1):
                        def shift(call: ast.Call = node, position: int = position,
                                  delta: int = delta) -> None:
                            call.args[position] = _plus(call.args[position], delta)
                        sites.append(_Site("range", line, f"range {bound} {delta:+d}", shift))
        elif isinstance(node, ast.Slice):
            for attr in ("lower", "upper"):
                bound_node = getattr(node, attr)
                if bound_node is None or _is_int(bound_node) or (
                    isinstance(bound_node, ast.UnaryOp) and _is_int(bound_node.operand)
                ):
                    continue
                for delta in (-1, 1):
                    def shift_slice(node: ast.Slice = node, attr: str = attr,
                                    delta: int = delta) -> None:
                        setattr(node, attr, _plus(getattr(node, attr), delta))
                    sites.append(_Site("slice", getattr(node, "lineno", line) or line,
                                       f"slice {attr} bound {delta:+d}", shift_slice))
        for _, value in ast.iter_fields(node):
            if not isinstance(value, list):
                continue
            for statement in value:
                if isinstance(statement, ast.stmt) and _is_guard(statement):
                    assert isinstance(statement, ast.If)

                    def drop(body: list[Any] = value, statement: ast.stmt = statement) -> None:
                        position = body.index(statement)
                        body[position] = ast.Pass()

                    test = ast.unparse(statement.test)
                    shown = test if len(test) <= 40 else test[:37] + "..."
                    sites.append(_Site("edge-case", statement.lineno,
                                       f"dropped `if {shown}: ...`", drop))
    return sites


def mutants(code: str) -> list[Mutant]:
    """Every distinct mutant of ``code`` (none when it does not parse)."""
    try:
        original = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    baseline = ast.unparse(original)
    count = len(_sites(original))
    seen = {baseline}
    found: list[Mutant] = []
    for index in range(count):
        tree = ast.parse(code)
        site = _sites(tree)[index]
        site.apply()
        ast.fix_missing_locations(tree)
        try:
            mutated = ast.unparse(tree)
            compile(mutated, "<mutant>", "exec")
        except (SyntaxError, ValueError, RecursionError):
            continue
        if mutated in seen:
            continue
        seen.add(mutated)
        found.append(Mutant(site.kind, site.line, site.description, mutated + "\n"))
    return found


def sample(found: list[Mutant], limit: int) -> list[Mutant]:
    """At most ``limit`` mutants (0: all), taken in turn from each kind of mutation."""
    if limit <= 0 or len(found) <= limit:
        return list(found)
    by_kind: dict[str, list[Mutant]] = {}
    for mutant in found:
        by_kind.setdefault(mutant.kind, []).append(mutant)
    queues = [by_kind[k] for k in KINDS if k in by_kind]
    chosen: list[Mutant] = []
    depth = 0
    while len(chosen) < limit:
        for queue in queues:
            if depth < len(queue) and len(chosen) < limit:
                chosen.append(queue[depth])
        depth += 1
    return chosen


# -- running ----------------------------------------------------------------------------


@dataclass
class MutantOutcome:
    """What the tests made of one mutant."""

    mutant: Mutant
    killed: bool
    by: str  # "failed", "error", "timeout", "compile", "module", "survived", "internal"
    test: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.mutant.kind, "line": self.mutant.line,
            "description": self.mutant.description, "killed": self.killed, "by": self.by,
            "test": self.test,
        }


@dataclass
class QuestionReport:
    """The mutation check of one question."""

    question: Question
    candidates: int = 0
    outcomes: list[MutantOutcome] = field(default_factory=list)
    skipped: str | None = None

    @property
    def judged(self) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.by != "internal"]

    @property
    def killed(self) -> int:
        return sum(o.killed for o in self.judged)

    @property
    def survivors(self) -> list[MutantOutcome]:
        return [o for o in self.judged if not o.killed]

    @property
    def all_killed(self) -> bool:
        return self.skipped is None and bool(self.judged) and not self.survivors

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question.id, "candidates": self.candidates,
            "mutants": len(self.judged), "killed": self.killed,
            "all_killed": self.all_killed, "skipped": self.skipped,
            "survivors": [o.mutant.label() for o in self.survivors],
            "outcomes": [o.to_json() for o in self.outcomes],
        }


def _verdict(result: RunResult) -> tuple[bool, str, str | None]:
    if result.status is RunStatus.PASSED:
        return False, "survived", None
    if result.status in (RunStatus.INTERNAL_ERROR, RunStatus.CANCELLED):
        return False, "internal", None
    if result.status is RunStatus.COMPILE_ERROR:
        return True, "compile", None
    if result.status is RunStatus.MODULE_ERROR:
        return True, "module", None
    for test in result.tests:
        if test.status is TestStatus.TIMEOUT:
            return True, "timeout", test.call
        if test.status in (TestStatus.FAILED, TestStatus.ERROR):
            return True, test.status.value, test.call
    return True, "failed", None


@dataclass(frozen=True)
class Plan:
    """The mutants chosen for one question (worked out before any run starts)."""

    question: Question
    candidates: int
    chosen: list[Mutant]


def plan(question: Question, limit: int = DEFAULT_LIMIT) -> Plan:
    found = mutants(question.solution)
    return Plan(question, len(found), sample(found, limit))


async def check_question(
    plan: Plan, sandbox: SubprocessSandbox, gate: asyncio.Semaphore,
    on_run: Callable[[], None] | None = None,
) -> QuestionReport:
    """Run the reference, then each chosen mutant; ``on_run`` is called after every run."""
    question = plan.question
    report = QuestionReport(question, candidates=plan.candidates)
    filename = f"{question.entry}.py"

    async def run(code: str, target: Question) -> RunResult:
        async with gate:
            result = await sandbox.run(target, code, filename, reveal_hidden=True)
        if on_run:
            on_run()
        return result

    baseline = await run(question.solution, question)
    if not baseline.all_passed:
        report.skipped = (
            f"the reference solution does not pass its tests ({failures(baseline)}); "
            "see `pytrix data check`"
        )
        for _ in plan.chosen:
            if on_run:
                on_run()
        return report
    if not plan.chosen:
        report.skipped = "no mutation site in the reference solution"
        return report
    target = tightened(question, baseline, sandbox.limits, TIMEOUT_FACTOR, MIN_TEST_TIMEOUT)
    results = await asyncio.gather(*(run(m.code, target) for m in plan.chosen))
    for mutant, result in zip(plan.chosen, results, strict=True):
        killed, by, test = _verdict(result)
        report.outcomes.append(MutantOutcome(mutant, killed, by, test))
    return report


async def check_plans(
    plans: list[Plan], sandbox: SubprocessSandbox, *, concurrency: int = 3,
    on_run: Callable[[], None] | None = None,
) -> list[QuestionReport]:
    """Carry out mutation plans, ``concurrency`` sandbox runs at a time."""
    gate = asyncio.Semaphore(max(1, concurrency))
    return list(await asyncio.gather(*(check_question(p, sandbox, gate, on_run) for p in plans)))


async def check_many(
    questions: Iterable[Question], sandbox: SubprocessSandbox, *, limit: int = DEFAULT_LIMIT,
    concurrency: int = 3, on_run: Callable[[], None] | None = None,
) -> list[QuestionReport]:
    """The mutation check of many questions.

    Every mutant is generated first: generating is CPU work that would otherwise
    hold up the event loop while runs are timed.
    """
    plans = [plan(q, limit) for q in questions]
    return await check_plans(plans, sandbox, concurrency=concurrency, on_run=on_run)


def summary(reports: list[QuestionReport]) -> dict[str, Any]:
    """Overall figures: kill rate, and the share of questions with every mutant killed."""
    judged = [r for r in reports if r.skipped is None and r.judged]
    total = sum(len(r.judged) for r in judged)
    killed = sum(r.killed for r in judged)
    timeouts = sum(o.by == "timeout" for r in judged for o in r.judged)
    all_killed = sum(r.all_killed for r in judged)
    by_kind: dict[str, dict[str, int]] = {}
    for r in judged:
        for o in r.judged:
            entry = by_kind.setdefault(o.mutant.kind, {"mutants": 0, "killed": 0})
            entry["mutants"] += 1
            entry["killed"] += int(o.killed)
    return {
        "questions": len(reports),
        "questions_mutated": len(judged),
        "questions_skipped": len(reports) - len(judged),
        "mutants": total,
        "killed": killed,
        "killed_by_timeout": timeouts,
        "survived": total - killed,
        "kill_rate": round(killed / total, 4) if total else None,
        "questions_all_killed": all_killed,
        "share_all_killed": round(all_killed / len(judged), 4) if judged else None,
        "by_kind": by_kind,
    }


def select_questions(all_questions: list[Question], modules: list[str] | None = None,
                     ids: list[str] | None = None, first: int = 0) -> list[Question]:
    chosen = [
        q for q in all_questions
        if (not modules or q.module in modules) and (not ids or q.id in ids)
    ]
    return chosen[:first] if first > 0 else chosen


def mutants_command(
    *, as_json: bool = False, limit: int = DEFAULT_LIMIT, modules: list[str] | None = None,
    ids: list[str] | None = None, first: int = 0, jobs: int | None = None,
    fail_under: float | None = None, cold: bool = False,
) -> int:
    """``pytrix data mutants``: run the check, print the report, return the exit code.

    Runs are forked from the fork server like ``pytrix data check``'s; ``cold``
    starts each from scratch.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pytrix.curriculum.bank import load_bank
    from pytrix.curriculum.check import batch_sandbox, default_jobs, describe_path, process_path
    from pytrix.errors import PytrixError

    started = time.monotonic()
    bank = load_bank()
    questions = select_questions(bank.ordered(), modules, ids, first)
    if not questions:
        raise PytrixError("No bank question matches that choice: check --module and --question.")
    jobs = jobs or default_jobs()
    plans = [plan(q, limit) for q in questions]
    runs = sum(1 + len(p.chosen) for p in plans)
    console = Console(stderr=True)
    sandbox = batch_sandbox(cold=cold)

    async def go(on_run: Callable[[], None] | None) -> list[QuestionReport]:
        try:
            return await check_plans(plans, sandbox, concurrency=jobs, on_run=on_run)
        finally:
            await sandbox.close()

    if not as_json and console.is_terminal:
        with Progress(TextColumn("running mutants"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("mutants", total=runs)
            reports = asyncio.run(go(lambda: progress.advance(task)))
    else:
        reports = asyncio.run(go(None))
    elapsed = time.monotonic() - started
    overall = {**summary(reports), "runs": runs, "limit": limit, "seconds": round(elapsed, 2),
               **process_path(sandbox)}
    if as_json:
        print(json.dumps({**overall, "reports": [r.to_json() for r in reports]}, indent=2))
    else:
        for report in reports:
            where = f"{bank.files[report.question.id]}:{report.question.id}"
            if report.skipped:
                print(f"{where}: skipped, {report.skipped}")
            for outcome in report.survivors:
                print(f"{where}: mutant survived every test: {outcome.mutant.label()}")
        rate = overall["kill_rate"]
        share = overall["share_all_killed"]
        print(
            f"{overall['killed']}/{overall['mutants']} mutants killed"
            f" ({'-' if rate is None else f'{rate:.1%}'}; {overall['killed_by_timeout']} by timeout);"
            f" {overall['questions_all_killed']}/{overall['questions_mutated']} questions"
            f" ({'-' if share is None else f'{share:.1%}'}) kill every mutant;"
            f" {overall['questions_skipped']} skipped; {elapsed:.1f} s",
            file=sys.stdout,
        )
        print(describe_path(overall), file=sys.stdout)
    if fail_under is not None and (overall["kill_rate"] or 0.0) < fail_under:
        return 1
    return 0
