"""Benchmark of a practice file over the size limit: the memory and time of ``pytrix check``.

Run with ``.venv/bin/python bench/big_file.py [--lines N]``. Writes a practice
file of N lines of ``x = 1`` (default 1,000,000: 6 MB, as in the learner trial
where ``pytrix check`` reached 2.5 GB), runs ``pytrix check`` on it in a child
process, and reports the child's peak resident memory and wall time with
``bench/figures.py``'s ``report()``, next to a check of a normal practice file
for comparison. The file is refused before anything parses it
(``pytrix.practice.file_size``), so both should be close.

Goals: a refused big file uses at most 1.5 times the memory of a normal check
(the text itself is read once), and takes at most 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import report

HEADER = "# pytrix: question=string-reversal.beginner\n"
RIGHT = "def reverse_string(s: str) -> str:\n    return s[::-1]\n"


def _check(path: Path, home: Path) -> tuple[float, float, int]:
    """Peak RSS (MB) and wall time (s) of one ``pytrix check`` child, and its exit code."""
    script = ("import resource, subprocess, sys, time\n"
              "start = time.perf_counter()\n"
              "code = subprocess.run([sys.executable, '-m', 'pytrix', 'check', sys.argv[1]],"
              " capture_output=True).returncode\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - start, code)\n")
    env = {**os.environ, "PYTRIX_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]) / 1024, float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        normal, big = root / "normal.py", root / "big.py"
        normal.write_text(HEADER + RIGHT, encoding="utf-8")
        big.write_text(HEADER + "x = 1\n" * args.lines + RIGHT, encoding="utf-8")
        size_mb = big.stat().st_size / 1e6
        started = time.perf_counter()
        normal_mb, normal_s, _ = _check(normal, root / "home")
        big_mb, big_s, code = _check(big, root / "home")
        print(f"a {size_mb:.1f} MB file ({args.lines:,} lines): exit {code}; "
              f"normal check {normal_mb:.0f} MB, {normal_s:.2f} s; measured in {time.perf_counter() - started:.1f} s")
        report("big_file", "peak RSS of check, big / normal file", big_mb / normal_mb, 1.5, "x",
               detail=f"{big_mb:.0f} MB against {normal_mb:.0f} MB")
        report("big_file", "wall time of check on the big file", big_s, 2.0, " s")


if __name__ == "__main__":
    main()
