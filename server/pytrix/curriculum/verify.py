"""Prove bank questions by execution: references pass every test, stubs fail one.

Used by ``pytrix data check`` and by AI generation (no unverified question is
ever shown). Runs happen in the sandbox, many at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pytrix.curriculum.question import Question
from pytrix.runner.protocol import RunResult
from pytrix.runner.sandbox import SubprocessSandbox


@dataclass
class Verdict:
    """What verifying one question found; ``problems`` is empty when it is sound."""

    question: Question
    problems: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _failures(result: RunResult) -> str:
    bad = [t for t in result.tests if t.status.value != "passed"]
    if result.message and not bad:
        return result.message
    parts = [f"{t.call} -> {t.status.value}: {t.message}" for t in bad[:3]]
    more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
    return (result.message + " " if result.status.value not in ("failed",) else "") + "; ".join(parts) + more


async def verify_question(question: Question, sandbox: SubprocessSandbox) -> Verdict:
    """Run the reference (and optimal) solution and the stub against the tests."""
    verdict = Verdict(question)
    filename = f"{question.entry}.py"
    solution = await sandbox.run(question, question.solution, filename, reveal_hidden=True)
    verdict.duration_ms += solution.duration_ms
    if not solution.all_passed:
        verdict.problems.append(f"reference solution fails: {_failures(solution)}")
    if question.optimal:
        optimal = await sandbox.run(question, question.optimal, filename, reveal_hidden=True)
        verdict.duration_ms += optimal.duration_ms
        if not optimal.all_passed:
            verdict.problems.append(f"optimal solution fails: {_failures(optimal)}")
    stub = await sandbox.run(question, question.stub, filename, reveal_hidden=True)
    verdict.duration_ms += stub.duration_ms
    if stub.all_passed:
        verdict.problems.append("the stub passes every test: the tests do not discriminate")
    return verdict


async def verify_many(
    questions: Iterable[Question],
    sandbox: SubprocessSandbox,
    concurrency: int = 4,
    on_done: Callable[[Verdict], None] | None = None,
) -> list[Verdict]:
    """Verify questions concurrently; ``on_done`` is called as each finishes."""
    gate = asyncio.Semaphore(concurrency)

    async def one(question: Question) -> Verdict:
        async with gate:
            verdict = await verify_question(question, sandbox)
        if on_done:
            on_done(verdict)
        return verdict

    return list(await asyncio.gather(*(one(q) for q in questions)))
