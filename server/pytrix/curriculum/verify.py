"""Prove bank questions by execution: references pass every test, stubs fail every one.

Used by ``pytrix data check`` and by AI generation (no unverified question is
ever shown). Runs happen in the sandbox, many at once.

A stub is first run with per-test time limits fitted to the reference's own
times (:func:`tightened`). A failed or erroring test there is proof enough
(it does not depend on time), and a stub that passes every test under tighter
limits passes under the real ones too. Only when the stub's sole problems are
timeouts is it run again under the real limits, so a deliberately slow stub
(brute force where the tests demand better) costs its full timeout only when
it fails nothing else first.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pytrix.curriculum.question import Question, Source, Style
from pytrix.curriculum.stubs import stub_problems
from pytrix.runner.protocol import Limits, RunResult, RunStatus, TestStatus
from pytrix.runner.sandbox import SubprocessSandbox

MIN_FITTED_TIMEOUT = 0.25
"""The shortest fitted per-test limit, in seconds."""
BUDGET_WALL_FACTOR = 3.0
"""A budgeted test's fitted time limit is at least this many times its CPU budget."""
BUDGET_MARGIN = 3.0
"""A test's CPU budget must be at least this many times what the reference solution uses."""
FITTED_FACTOR = 20.0
"""A fitted limit is this many times the reference's time on the test."""


@dataclass
class Verdict:
    """What verifying one question found; ``problems`` is empty when it is sound."""

    question: Question
    problems: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    runs: int = 0
    wrong: list[str | None] = field(default_factory=list)
    """For each recorded wrong answer, the first check that rejects it (None: nothing does)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def failures(result: RunResult) -> str:
    """The first few failing tests of a run, in one line."""
    bad = [t for t in result.tests if t.status.value != "passed"]
    if result.message and not bad:
        return result.message
    parts = [f"{t.call} -> {t.status.value}: {t.message}" for t in bad[:3]]
    more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
    return (result.message + " " if result.status.value not in ("failed",) else "") + "; ".join(parts) + more


def tightened(question: Question, reference: RunResult, limits: Limits,
              factor: float = FITTED_FACTOR, floor: float = MIN_FITTED_TIMEOUT) -> Question:
    """``question`` with each test's time limit fitted to the reference's time on it.

    A fitted limit is ``factor`` times the reference's time, at least ``floor``
    seconds and never more than the test's real limit.
    """
    durations = {t.index: t.duration_ms / 1000 for t in reference.tests}
    tests = []
    for index, test in enumerate(question.tests):
        ceiling = test.timeout or limits.test_timeout
        fitted = max(floor, factor * durations.get(index, ceiling))
        if test.budget is not None:  # room for the harness's CPU stop to settle a too-slow answer
            fitted = max(fitted, BUDGET_WALL_FACTOR * test.budget)
        tests.append(test.model_copy(update={"timeout": min(ceiling, fitted)}))
    return question.model_copy(update={"tests": tests})


def fails_regardless_of_time(result: RunResult) -> bool:
    """Whether a run failed for a reason no time limit changes (a wrong answer, an error)."""
    if result.status in (RunStatus.COMPILE_ERROR, RunStatus.MODULE_ERROR):
        return True
    return any(t.status in (TestStatus.FAILED, TestStatus.ERROR) for t in result.tests)


def same_code(a: str, b: str) -> bool:
    """Whether two sources are the same program (equal ASTs: comments and layout aside)."""
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except (SyntaxError, ValueError, RecursionError):
        return a == b


async def verify_question(
    question: Question, sandbox: SubprocessSandbox, gate: asyncio.Semaphore | None = None,
) -> Verdict:
    """Run the reference (and optimal) solution and the stub against the tests.

    Runs hold ``gate`` (when given) while they run. An optimal solution that is
    the same program as the reference is not run twice.
    """
    verdict = Verdict(question)
    filename = f"{question.entry}.py"

    async def run(code: str, target: Question = question) -> RunResult:
        verdict.runs += 1
        if gate is None:
            result = await sandbox.run(target, code, filename, reveal_hidden=True)
        else:
            async with gate:
                result = await sandbox.run(target, code, filename, reveal_hidden=True)
        verdict.duration_ms += result.duration_ms
        return result

    async def check_stub(reference: RunResult, code: str = question.stub) -> RunResult:
        if reference.all_passed:
            fitted = await run(code, tightened(question, reference, sandbox.limits))
            if fits_either_way(fitted):
                return fitted
        return await run(code)

    async def check_optimal() -> RunResult | None:
        optimal = question.optimal
        if optimal is None or same_code(optimal, question.solution):
            return None
        return await run(optimal)

    async def reference_then_stub() -> tuple[RunResult, RunResult]:
        reference = await run(question.solution)
        wrongs = await asyncio.gather(*(check_stub(reference, w.code) for w in question.wrong))
        verdict.wrong = [_rejection(result) for result in wrongs]
        return reference, await check_stub(reference)

    (solution, stub), optimal = await asyncio.gather(reference_then_stub(), check_optimal())
    for number, (answer, rejected_by) in enumerate(zip(question.wrong, verdict.wrong, strict=True), start=1):
        if rejected_by is None:
            verdict.problems.append(f"wrong answer {number} ({answer.why}) passes every test")
    if not solution.all_passed:
        verdict.problems.append(f"reference solution fails: {failures(solution)}")
    for label, run_result in (("reference", solution), ("optimal", optimal)):
        for test in run_result.tests if run_result is not None else []:
            if test.cpu_ms is not None and test.cpu_budget_ms and test.cpu_ms * BUDGET_MARGIN > test.cpu_budget_ms:
                verdict.problems.append(
                    f"the {label} solution uses {test.cpu_ms:.0f} ms of test {test.index + 1}'s "
                    f"{test.cpu_budget_ms:.0f} ms CPU budget: leave it {BUDGET_MARGIN:g} times that"
                )
    if optimal is not None and not optimal.all_passed:
        verdict.problems.append(f"optimal solution fails: {failures(optimal)}")
    if stub.all_passed:
        verdict.problems.append("the stub passes every test: the tests do not discriminate")
    elif question.source is Source.BANK and question.style is Style.WRITE and not question.given:
        # a skeleton fails every test (with given helpers, an edge case may never reach the learner's code)
        passing = [t for t in stub.tests if t.status is TestStatus.PASSED and t.index < len(question.tests)]
        if passing:
            verdict.problems.append(
                f"the stub passes test {passing[0].index + 1} ({passing[0].call}): a stub must fail every test"
            )
    if question.style is Style.FIX and not re.search(r"\bbug|\bfix", question.prompt, re.IGNORECASE):
        verdict.problems.append("a find-the-bug question's prompt must say that the starter code has a bug")
    if question.source is Source.BANK and question.style is Style.WRITE:  # a "fix" stub is buggy code
        verdict.problems.extend(f"stub: {problem}" for problem in stub_problems(question.stub, question.given))
    return verdict


def _rejection(result: RunResult) -> str | None:
    """The first check a wrong answer fails, as ``call (status)``; None when it passes everything."""
    if result.all_passed:
        return None
    for test in result.tests:
        if test.status is not TestStatus.PASSED:
            return f"{test.call} ({test.status.value})"
    return result.message or result.status.value


def fits_either_way(result: RunResult) -> bool:
    """Whether a stub's run under fitted limits settles it: it passed, or failed regardless of time."""
    return result.all_passed or fails_regardless_of_time(result)


async def verify_many(
    questions: Iterable[Question],
    sandbox: SubprocessSandbox,
    concurrency: int = 4,
    on_done: Callable[[Verdict], None] | None = None,
) -> list[Verdict]:
    """Verify questions with at most ``concurrency`` sandbox runs at a time.

    ``on_done`` is called as each question finishes.
    """
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(question: Question) -> Verdict:
        verdict = await verify_question(question, sandbox, gate)
        if on_done:
            on_done(verdict)
        return verdict

    return list(await asyncio.gather(*(one(q) for q in questions)))
