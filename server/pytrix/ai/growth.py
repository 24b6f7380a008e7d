"""Measure how run time grows with input size, in the sandbox (never in this process).

From a function question's tests we take the call with the largest sequence
arguments (strings, lists, tuples) or, when there are none, the integer
arguments, and scale them to growing sizes. Each size runs three times in a
sandboxed process; the fastest run counts. The slope of log(time) against
log(size) estimates the exponent: about 1 for linear code, 2 for quadratic.
A run that times out stops the series and says so.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

from pytrix.curriculum.question import Kind, Question, TestCase
from pytrix.runner.protocol import Limits, TestStatus
from pytrix.runner.sandbox import SubprocessSandbox

SIZES = (250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000)
MAX_POINTS = 6
NODE_BUDGET = 12_000  # literal nodes per call: the server parses every call before a run
REPEATS = 3
_MEASURABLE_MS = 0.02  # below this, timings are noise


@dataclass
class Series:
    """Timings of one solution: ms per size (None once it stopped or failed)."""

    label: str
    times_ms: list[float | None] = field(default_factory=list)
    stopped: str = ""

    def exponent(self, sizes: list[int]) -> float | None:
        pairs = [(math.log(n), math.log(t)) for n, t in zip(sizes, self.times_ms, strict=False)
                 if t is not None and t >= _MEASURABLE_MS]
        if len(pairs) < 3:
            return None
        pairs = pairs[-4:]  # the largest sizes show the asymptote best
        mean_x = sum(x for x, _ in pairs) / len(pairs)
        mean_y = sum(y for _, y in pairs) / len(pairs)
        spread = sum((x - mean_x) ** 2 for x, _ in pairs)
        if spread == 0:
            return None
        return sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread


def describe_exponent(k: float | None) -> str:
    if k is None:
        return "too fast or too few points to tell"
    if k < 0.5:
        shape = "about constant or logarithmic"
    elif k < 1.35:
        shape = "about linear (n or n log n)"
    elif k < 2.4:
        shape = "about quadratic"
    else:
        shape = "cubic or worse"
    return f"grows like n^{k:.2f}, {shape}"


@dataclass
class GrowthReport:
    """The measured comparison of two solutions on growing inputs."""

    scaled: str
    sizes: list[int]
    series: list[Series]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "scaled": self.scaled,
            "sizes": self.sizes,
            "series": [
                {"label": s.label, "timesMs": s.times_ms, "stopped": s.stopped,
                 "exponent": s.exponent(self.sizes),
                 "growth": describe_exponent(s.exponent(self.sizes))}
                for s in self.series
            ],
            "note": self.note,
        }

    def markdown(self) -> str:
        lines = [f"**Measured growth** (scaling {self.scaled}; fastest of {REPEATS} runs per size, "
                 "in the sandbox):", "",
                 "| n | " + " | ".join(s.label for s in self.series) + " |",
                 "|---:|" + "---:|" * len(self.series)]
        for index, size in enumerate(self.sizes):
            cells = []
            for s in self.series:
                value = s.times_ms[index] if index < len(s.times_ms) else None
                cells.append(f"{value:.2f} ms" if value is not None else "—")
            lines.append(f"| {size} | " + " | ".join(cells) + " |")
        lines.append("")
        for s in self.series:
            stop = f" ({s.stopped})" if s.stopped else ""
            lines.append(f"- {s.label}: {describe_exponent(s.exponent(self.sizes))}{stop}")
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _parse_args(call: str) -> tuple[str, list[Any], list[tuple[str, Any]]] | None:
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return None
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = [(k.arg, ast.literal_eval(k.value)) for k in node.keywords if k.arg]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return node.func.id, args, kwargs


def _scalable(value: Any) -> bool:
    return isinstance(value, str | list | tuple) and len(value) > 0


def _scale(value: Any, size: int, mode: str) -> Any:
    if mode == "sequence" and _scalable(value):
        copies = -(-size // len(value))
        grown = (value * copies)[:size]
        return grown
    if mode == "int" and isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return size
    return value


def _cost(value: Any) -> int:
    """Roughly how many syntax nodes a literal costs to parse (strings are cheap)."""
    if isinstance(value, str):
        return 1 + len(value) // 4000
    if isinstance(value, list | tuple | set | frozenset):
        return 1 + sum(_cost(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(_cost(k) + _cost(v) for k, v in value.items())
    return 1


def _pick_base(question: Question) -> tuple[TestCase, str, str] | None:
    """The test to scale, the mode ("sequence" or "int") and a description."""
    best: tuple[int, TestCase, str, str] | None = None
    for test in question.tests:
        parsed = _parse_args(test.call)
        if parsed is None:
            continue
        _, args, kwargs = parsed
        values = [*args, *(v for _, v in kwargs)]
        seq = sum(len(v) for v in values if _scalable(v))
        if seq and (best is None or best[2] != "sequence" or seq > best[0]):
            kinds = sorted({type(v).__name__ for v in values if _scalable(v)})
            best = (seq, test, "sequence", f"the {'/'.join(kinds)} arguments to n items")
        elif not seq and best is None and any(
            isinstance(v, int) and not isinstance(v, bool) and v > 1 for v in values
        ):
            best = (0, test, "int", "the integer argument to n")
    if best is None:
        return None
    return best[1], best[2], best[3]


def scaled_question(
    question: Question, sizes: list[int]
) -> tuple[Question, list[int], str] | None:
    """A copy of ``question`` whose tests are the base call at each size, repeated.

    Sizes whose call would be too costly to parse are dropped; at most
    :data:`MAX_POINTS` of the largest remaining sizes are kept.
    """
    if question.kind is not Kind.FUNCTION:
        return None
    picked = _pick_base(question)
    if picked is None:
        return None
    base, mode, scaled = picked
    parsed = _parse_args(base.call)
    assert parsed is not None
    name, args, kwargs = parsed
    calls: list[tuple[int, str]] = []
    for size in sizes:
        grown = [_scale(a, size, mode) for a in args]
        grown_kw = [(k, _scale(v, size, mode)) for k, v in kwargs]
        if sum(_cost(v) for v in [*grown, *(v for _, v in grown_kw)]) > NODE_BUDGET:
            break
        parts = [repr(v) for v in grown] + [f"{k}={v!r}" for k, v in grown_kw]
        calls.append((size, f"{name}({', '.join(parts)})"))
    calls = calls[-MAX_POINTS:]
    if len(calls) < 3:
        return None
    tests = [TestCase(call=call, expected="None") for _, call in calls for _ in range(REPEATS)]
    return question.model_copy(update={"tests": tests}), [n for n, _ in calls], scaled


async def _series(
    label: str, question: Question, code: str, sizes: list[int], sandbox: SubprocessSandbox,
    limits: Limits,
) -> Series:
    result = await sandbox.run(question, code, f"{question.entry}.py", limits=limits, reveal_hidden=True)
    series = Series(label)
    if result.compile_error is not None or result.module_error is not None:
        series.stopped = "the code does not load"
        series.times_ms = [None] * len(sizes)
        return series
    by_index = {t.index: t for t in result.tests}
    for number, size in enumerate(sizes):
        runs = [by_index.get(number * REPEATS + r) for r in range(REPEATS)]
        timings = [t.duration_ms for t in runs
                   if t is not None and t.status in (TestStatus.PASSED, TestStatus.FAILED)]
        if any(t is not None and t.status is TestStatus.TIMEOUT for t in runs):
            series.stopped = series.stopped or f"over {limits.test_timeout:g} s at n={size}"
        elif any(t is not None and t.status is TestStatus.ERROR for t in runs) and not timings:
            series.stopped = series.stopped or f"raised an error at n={size}"
        series.times_ms.append(min(timings) if timings and not series.stopped else None)
    return series


async def measure_growth(
    question: Question, solutions: list[tuple[str, str]], sandbox: SubprocessSandbox, *,
    sizes: tuple[int, ...] = SIZES, test_timeout: float = 1.0, run_timeout: float = 30.0,
) -> GrowthReport | None:
    """Time each ``(label, code)`` on growing inputs; None when no input can be scaled."""
    built = scaled_question(question, list(sizes))
    if built is None:
        return None
    scaled, size_list, description = built
    limits = sandbox.limits.model_copy(update={"test_timeout": test_timeout, "run_timeout": run_timeout})
    series = []
    for label, code in solutions:  # one after the other: parallel runs would skew the timings
        series.append(await _series(label, scaled, code, size_list, sandbox, limits))
    return GrowthReport(description, size_list, series)
