"""``make bench``'s last step: bench/summary.py prints every recorded figure in one table.

The figures are recorded by the real printers (``bench/figures.py``'s ``report()``
in a subprocess, ``bench/figures.mjs`` under Node when it is installed) into a
``BENCH_REPORT`` file, and the summary runs as ``make bench`` runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _record(report: Path, code: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(BENCH)!r})\n{code}"],
                          env={**os.environ, "BENCH_REPORT": str(report)}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def _summary(report: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / "summary.py"), str(report)],
                          capture_output=True, text=True, timeout=60)


def test_every_figure_is_a_row_with_its_goal_and_verdict(tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    _record(report, "from figures import report\n"
                    "report('runner', 'warm-pool run, p50', 6.5, 25.0, ' ms')\n"
                    "report('runner', 'pytest / warm', 3.0, 8.0, 'x', at_most=False)\n")
    if shutil.which("node"):
        script = f"import {{ report }} from {json.dumps((BENCH / 'figures.mjs').as_uri())};\n" \
                 "report('pyodide', 'cold start', 2500, 2000, ' ms');\n"
        done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                              env={**os.environ, "BENCH_REPORT": str(report)}, timeout=60)
        assert done.returncode == 0, done.stderr
    done = _summary(report)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["bench", "figure", "value", "goal", "verdict"]
    assert any(re.fullmatch(r"runner\s+warm-pool run, p50\s+6\.50 ms\s+<= 25\.0 ms\s+meets", line) for line in lines)
    assert any(re.fullmatch(r"runner\s+pytest / warm\s+3\.00x\s+>= 8\.00x\s+misses", line) for line in lines)
    if shutil.which("node"):
        assert any(re.fullmatch(r"pyodide\s+cold start\s+2500 ms\s+<= 2000 ms\s+misses", line) for line in lines)
        assert lines[-1] == "1 meet their goal, 2 miss it"
    else:
        assert lines[-1] == "1 meet their goal, 1 miss it"


def test_a_failed_bench_is_named_and_fails_the_run(tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    _record(report, "from figures import report\nreport('stats', 'stats document', 3.9, 50.0, ' ms')\n")
    with report.open("a", encoding="utf-8") as out:
        out.write('{"bench": "bench/startup.py", "failed": 3}\n')
    done = _summary(report)
    assert done.returncode == 1
    assert "failed before reporting everything: bench/startup.py (exit 3)" in done.stdout
    assert "stats document" in done.stdout


@pytest.mark.parametrize("content", ["not json\n", '{"bench": "x"}\n', ""])
def test_a_damaged_or_empty_report_is_a_clear_message(tmp_path: Path, content: str) -> None:
    report = tmp_path / "report.jsonl"
    report.write_text(content, encoding="utf-8")
    done = _summary(report)
    if content:
        assert done.returncode == 2
        assert done.stderr.startswith("bench/summary.py: cannot read the bench report:")
        assert "line 1" in done.stderr and "Traceback" not in done.stderr
    else:
        assert done.returncode == 1  # no figure at all: a bench run that measured nothing
        assert "0 meet their goal, 0 miss it" in done.stdout
