"""Shared helpers for the sandbox tests (imported by the test modules and conftest)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.runner.protocol import Limits, RunResult, RunStatus
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox

# Short limits keep the whole battery fast; a few cases lower them further.
FAST = Limits(test_timeout=0.5, run_timeout=4.0, memory_mb=256, cpu_seconds=10)

ADD_SOLUTION = "def add(a, b):\n    return a + b\n"


def make_question(
    tests: list[dict[str, Any]] | None = None, *, kind: str = "function", entry: str = "add",
    qid: str = "sandbox.add",
) -> Question:
    """A small question; by default ``add`` with three visible tests."""
    if tests is None:
        tests = [
            {"call": "add(1, 2)", "expected": "3"},
            {"call": "add(-1, 1)", "expected": "0"},
            {"call": "add(10, 5)", "expected": "15"},
        ]
    return Question(
        id=qid, module="sandbox", subtopic="battery", problem_type="adversarial",
        difficulty="beginner", title="Sandbox battery", prompt="Adversarial cases.", kind=kind,
        entry=entry, stub="def add(a, b):\n    pass\n", solution=ADD_SOLUTION, hints=["none"],
        tests=tests,
    )


ADD = make_question()

BACKENDS = ("cold", "zygote")
"""The two process paths: fresh ``python -I`` processes, or children of the fork server."""


def make_sandbox(backend: str, limits: Limits = FAST, **options: Any) -> SubprocessSandbox:
    """A sandbox on one path: cold processes from a warm pool, or forked from the zygote."""
    if backend == "zygote":
        return SubprocessSandbox(limits, fork_server=True, **options)
    return SubprocessSandbox(limits, pool_size=options.pop("pool_size", 2), **options)


class OneShotSandbox:
    """``pytrix check``'s lean path behind the sandbox's interface: each run starts its
    process first (as the command does), then runs synchronously (:mod:`pytrix.runner.oneshot`)
    in a thread; every run used that process (:attr:`early_unused` counts the ones that did not)."""

    fork_server = False

    def __init__(self, limits: Limits = FAST) -> None:
        self.limits = limits
        self.early_unused = 0

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def run(self, question: Question, code: str, filename: str, *, limits: Limits | None = None,
                  reveal_hidden: bool = False) -> RunResult:
        import asyncio

        from pytrix.runner.oneshot import run_once
        from pytrix.runner.processes import Process

        def work() -> RunResult:
            first = Process.spawn(warm=False)
            data = run_once(question, code, filename, limits or self.limits, first=first,
                            reveal_hidden=reveal_hidden)
            self.early_unused += not first.sent
            return RunResult.from_data(data)

        return await asyncio.to_thread(work)


def assert_only_forked(box: SubprocessSandbox) -> None:
    """Every process of a fork-server sandbox was forked: the cold fall-back never ran."""
    assert box.fallback is None, box.fallback
    assert box.processes["cold"] == 0, box.processes
    assert box.processes["forked"] > 0, box.processes
    if box.zygote is not None:  # still open: the same zygote serves on
        assert box.zygote.alive, box.zygote.lost


async def assert_still_works(sandbox: SubprocessSandbox) -> None:
    """The runner is still up and a normal run after the attack passes."""
    result = await sandbox.run(ADD, ADD_SOLUTION, "solution.py", limits=FAST)
    assert result.status is RunStatus.PASSED, result.message
    assert [t.status for t in result.tests] == [Status.PASSED] * 3


def describe(result: RunResult) -> str:
    """Everything useful when an assertion fails."""
    lines = [f"{result.status.value}: {result.message}"]
    if result.module_error:
        lines.append(f"module error: {result.module_error}")
    lines += [f"  test {t.index}: {t.status.value} {t.message!r} stdout={t.stdout[:80]!r}"
              for t in result.tests]
    return "\n".join(lines)


def processes() -> Iterator[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, from ``/proc``."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(entry), fields[0], int(fields[1]), int(fields[2])


def group_alive(pid: int) -> bool:
    """Whether any process of the group led by ``pid`` still exists (zombies excepted)."""
    return any(pgid == pid and state != "Z" for _, state, _, pgid in processes())


