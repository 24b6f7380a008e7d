"""One learner session through the CLI and through the LSP: the same results and the same stored attempts.

Both front ends call the same application layer (`PytrixService`); this test
catches one of them deciding something on its own (recording, grading, hints).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Session

QUESTION = "string-reversal.beginner"
HEADER = f"# pytrix: question={QUESTION}\n"
WRONG = HEADER + "def reverse_string(s: str) -> str:\n    return s\n"
RIGHT = HEADER + "def reverse_string(s: str) -> str:\n    return s[::-1]\n"


def _core(result: dict[str, Any]) -> dict[str, Any]:
    """What must agree: the verdict and each test's outcome and values (not timings or wording)."""
    return {
        "status": result["status"], "passed": result["passed"], "total": result["total"],
        "tests": [(t["index"], t["status"], t.get("actual"), t.get("expected")) for t in result["tests"]],
    }


def _attempts(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT question_id, passed, total, solved, mode, hints_used FROM attempts ORDER BY id"
        ).fetchall()


def _cli_session(home: Path, practice: Path) -> tuple[list[dict[str, Any]], list[int]]:
    env = {**os.environ, "PYTRIX_HOME": str(home)}

    def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytrix", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    results, hints = [], []
    practice.write_text(WRONG, encoding="utf-8")
    results.append(json.loads(pytrix("submit", str(practice), "--json").stdout))
    hint = pytrix("hint", str(practice)).stdout
    hints.append(int(hint.split("/")[0].split()[-1]))
    practice.write_text(RIGHT, encoding="utf-8")
    results.append(json.loads(pytrix("submit", str(practice), "--json").stdout))
    return results, hints


async def test_the_cli_and_the_lsp_record_the_same_session(lsp: Session, tmp_path: Path) -> None:
    cli_results, cli_hints = _cli_session(tmp_path / "cli-home", tmp_path / "rev.py")

    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    lsp_results = [await lsp.command("pytrix.submit", uri)]
    hint = await lsp.command("pytrix.hint", uri)
    lsp.replace(uri, RIGHT)
    lsp_results.append(await lsp.command("pytrix.submit", uri))

    assert [_core(r) for r in cli_results] == [_core(r) for r in lsp_results]
    assert cli_hints == [hint["level"]] == [1]
    assert _attempts(tmp_path / "cli-home" / "pytrix.db") == _attempts(lsp.home / "pytrix.db")
    assert [a[3] for a in _attempts(lsp.home / "pytrix.db")] == [0, 1]
