"""One learner session through the CLI and through the LSP: the same models and the same stored attempts.

Both front ends call the same application layer (`PytrixService`) and send its
models (`pytrix.responses`): the CLI's `--json` and the LSP's answers must read
back as the same model, equal but for timings and clock times. This catches one
front end deciding something on its own (recording, grading, hints, the reveal
gate) or shaping an answer its own way.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import forked_pytrix
from pytrix.responses import HintReport, HistoryPage, RevealReport, StatsReport, Submission, Wire

if TYPE_CHECKING:
    from conftest import Session

QUESTION = "string-reversal.beginner"
HEADER = f"# pytrix: question={QUESTION}\n"
WRONG = HEADER + "def reverse_string(s: str) -> str:\n    return s\n"
RIGHT = HEADER + "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
# What differs between two sessions of the same learner: how long things took, and when.
VOLATILE = frozenset({"durationMs", "createdAt", "generatedAt", "lastAttemptAt", "timeMs", "averageTimeMs",
                      "cpuMs", "cpuBudgetMs"})
STEPS: list[tuple[str, type[Wire]]] = [
    ("submit wrong", Submission), ("hint", HintReport), ("reveal", RevealReport),
    ("submit right", Submission), ("stats", StatsReport), ("history", HistoryPage),
]


def _steady(value: Any) -> Any:
    """``value`` with the timings and clock times left out."""
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return value


def _as_model(model: type[Wire], answer: dict[str, Any]) -> dict[str, Any]:
    """The answer read as ``model`` (strictly: every field it sends is the model's) and dumped again."""
    parsed = model.model_validate(answer)
    dumped = parsed.wire()
    assert set(answer) == set(dumped), f"{model.__name__}: {set(answer) ^ set(dumped)}"
    return _steady(dumped)


def _attempts(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT question_id, passed, total, solved, mode, hints_used FROM attempts ORDER BY id"
        ).fetchall()


def _cli_session(home: Path, practice: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTRIX_HOME": str(home)}

    def pytrix(*args: str) -> dict[str, Any]:
        done = subprocess.run([*forked_pytrix.command(), *args], env=env, capture_output=True,
                              text=True, timeout=120)
        assert not done.stderr, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    practice.write_text(WRONG, encoding="utf-8")
    answers = [pytrix("submit", str(practice), "--json"), pytrix("hint", str(practice), "--json"),
               pytrix("reveal", str(practice), "--json")]
    practice.write_text(RIGHT, encoding="utf-8")
    answers.append(pytrix("submit", str(practice), "--json"))
    answers += [pytrix("stats", "--json"), pytrix("history", "--json")]
    return answers


async def test_the_cli_and_the_lsp_give_the_same_models_and_record_the_same_session(
    lsp: Session, tmp_path: Path,
) -> None:
    cli = _cli_session(tmp_path / "cli-home", tmp_path / "rev.py")

    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    editor = [await lsp.command("pytrix.submit", uri), await lsp.command("pytrix.hint", uri),
              await lsp.command("pytrix.reveal", uri)]
    lsp.replace(uri, RIGHT)
    editor.append(await lsp.command("pytrix.submit", uri))
    editor += [await lsp.request("pytrix/stats", None), await lsp.request("pytrix/history", None)]

    for (step, model), from_cli, from_editor in zip(STEPS, cli, editor, strict=True):
        assert _as_model(model, from_cli) == _as_model(model, from_editor), step
    wrong, hint, reveal, right = cli[:4]
    assert (wrong["status"], wrong["total"], wrong["attemptNumber"]) == ("failed", 7, 1) and wrong["passed"] < 7
    assert (right["status"], right["passed"], right["total"], right["attemptNumber"]) == ("passed", 7, 7, 2)
    assert hint["level"] == 1 and reveal["allowed"] is False
    assert _attempts(tmp_path / "cli-home" / "pytrix.db") == _attempts(lsp.home / "pytrix.db")
    assert [a[3] for a in _attempts(lsp.home / "pytrix.db")] == [0, 1]
