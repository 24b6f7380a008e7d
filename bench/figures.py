"""How every bench prints a figure: its value, its goal, and whether it meets it.

Each bench calls :func:`report` once per figure. The line it prints reads the
same in every bench, and when ``BENCH_REPORT`` names a file (``make bench``
sets it) the figure is appended there as one JSON line, so ``bench/summary.py``
can print every figure of the run in one table at the end.

Figures are ratios against a baseline measured in the same process where the
goal is a ratio; absolute goals (ms, MB, s) are printed as they are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def verdict(value: float, goal: float, *, at_most: bool = True) -> str:
    """``meets`` when ``value`` is on the right side of ``goal``, else ``misses``."""
    ok = value <= goal if at_most else value >= goal
    return "meets" if ok else "misses"


def report(bench: str, figure: str, value: float, goal: float, unit: str = "", *,
           at_most: bool = True, detail: str = "") -> bool:
    """Print one figure with its goal and verdict; record it for the summary.

    ``unit`` is printed after both numbers ("x" for ratios, " ms", " MB", " s").
    ``at_most`` says which side of the goal is good. Returns whether it meets.
    """
    said = verdict(value, goal, at_most=at_most)
    sign = "<=" if at_most else ">="
    line = f"  {figure:<46} {format_number(value)}{unit:<4} goal {sign} {format_number(goal)}{unit:<4} {said}"
    print(line + (f"  ({detail})" if detail else ""), flush=True)
    target = os.environ.get("BENCH_REPORT")
    if target:
        record = {"bench": bench, "figure": figure, "value": value, "goal": goal, "unit": unit,
                  "at_most": at_most, "verdict": said, "detail": detail}
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
    return said == "meets"


def format_number(value: float) -> str:
    """A figure as printed: no decimals from 100, one from 10, two below."""
    if value >= 100:
        return f"{value:8.0f}"
    if value >= 10:
        return f"{value:8.1f}"
    return f"{value:8.2f}"
