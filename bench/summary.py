"""The last step of ``make bench``: one table of every figure the benches reported.

Each bench prints its figures as it goes (``bench/figures.py``'s ``report()``,
``bench/figures.mjs`` for the Node ones) and appends each one as a JSON line to
the file named by ``BENCH_REPORT``. ``make bench`` points that variable at a
temporary file, runs every bench, and appends ``{"bench": NAME, "failed": CODE}``
for a bench that exited non-zero. This script reads the file and prints one
table (bench, figure, value, goal, verdict), then how many figures meet their
goal, how many miss it and which benches failed.

Usage: ``python bench/summary.py [FILE]`` (default: ``$BENCH_REPORT``). Exits 1
when a bench failed or the file holds no figure, 2 when it cannot be read; a
missed goal is a finding to read, not a failure of the run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import format_number

COLUMNS = ("bench", "figure", "value", "goal", "verdict")


def read(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The figures and the failed benches recorded in ``path``, in order."""
    figures: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if "failed" in record:
                failed.append({"bench": str(record["bench"]), "failed": record["failed"]})
                continue
            figures.append({
                "bench": str(record["bench"]), "figure": str(record["figure"]),
                "value": float(record["value"]), "goal": float(record["goal"]),
                "unit": str(record.get("unit", "")), "at_most": bool(record.get("at_most", True)),
                "verdict": str(record["verdict"]), "detail": str(record.get("detail", "")),
            })
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, line {number}: not a figure record ({exc}): {line[:120]}") from exc
    return figures, failed


def table(figures: list[dict[str, Any]]) -> list[str]:
    """The rows of the summary table, header first, columns aligned."""
    rows = [COLUMNS]
    for f in figures:
        sign = "<=" if f["at_most"] else ">="
        rows.append((f["bench"], f["figure"], format_number(f["value"]).strip() + f["unit"],
                     f"{sign} {format_number(f['goal']).strip()}{f['unit']}", f["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    right = {2, 3}  # numbers line up on the right
    lines = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else os.environ.get("BENCH_REPORT", "")
    if not target:
        print("bench/summary.py: name the report file, or set BENCH_REPORT", file=sys.stderr)
        return 2
    try:
        figures, failed = read(Path(target))
    except (OSError, ValueError) as exc:
        print(f"bench/summary.py: cannot read the bench report: {exc}", file=sys.stderr)
        return 2
    print(f"== every figure ({len(figures)})")
    for line in table(figures):
        print(line)
    meets = sum(f["verdict"] == "meets" for f in figures)
    print(f"{meets} meet their goal, {len(figures) - meets} miss it", end="")
    if failed:
        names = ", ".join(f"{f['bench']} (exit {f['failed']})" for f in failed)
        print(f"; failed before reporting everything: {names}")
    else:
        print()
    return 1 if failed or not figures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
