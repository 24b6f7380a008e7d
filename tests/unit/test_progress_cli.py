"""The progress CLI in real processes: auto next, submit, stats, history, export/import, reset."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from progress_support import bank

import forked_pytrix


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    env.pop("GEMINI_API_KEY", None)

    def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*forked_pytrix.command(), *args], env=env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, timeout=120,
        )

    return pytrix


def write_solution(path: Path, solved: bool) -> None:
    question_id = path.read_text().splitlines()[0].split("=", 1)[1]
    question = bank().get(question_id)
    body = question.solution if solved else question.stub + "\nattempted = True\n"  # the bare stub is no attempt
    path.write_text(f"# pytrix: question={question_id}\n{body}")


def test_auto_mode_submit_stats_history(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    first = run("auto", "next", "--dir", str(ws))
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert path.is_file() and path.read_text().startswith("# pytrix: question=indexing-and-slicing.beginner")
    assert "Mini-curriculum 1/12" in first.stderr
    write_solution(path, solved=True)
    assert run("submit", str(path)).returncode == 0

    second = run("new", "--dir", str(ws))  # no question or module: auto mode
    assert second.returncode == 0, second.stderr
    path2 = Path(second.stdout.strip())
    assert "Mini-curriculum 2/12" in second.stderr
    write_solution(path2, solved=False)
    assert run("submit", str(path2)).returncode == 1

    stats = json.loads(run("stats", "--json").stdout)
    assert stats["attempts"] == 2 and stats["questionsSolved"] == 1
    assert stats["modules"][0]["subtopics"][0]["id"] == "basic-string-operations"
    human = run("stats")
    assert human.returncode == 0 and "String Manipulation" in human.stdout and "mastery" in human.stdout

    page = json.loads(run("history", "--json").stdout)
    assert page["total"] == 2
    assert [i["mode"] for i in page["items"]] == ["auto", "auto"]
    assert [i["solved"] for i in page["items"]] == [False, True]
    table = run("history")
    assert "indexing-and-slicing.beginner" in table.stdout
    shown = run("history", "--show", str(page["items"][1]["id"]))
    assert shown.stdout == path.read_text()
    reopened = run("reopen", str(page["items"][1]["id"]), "--dir", str(ws))
    assert Path(reopened.stdout.strip()).read_text() == path.read_text()

    status = json.loads(run("auto", "status", "--json").stdout)
    assert status["curriculum"]["position"] == 2
    assert len(status["queue"]) == 2  # the failure queued beginner practice
    slow = run("auto", "slow-down")
    assert slow.returncode == 0 and "Slowing down" in slow.stdout


def test_export_reset_import(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    path = Path(run("new", "--question", "string-reversal.beginner", "--dir", str(ws)).stdout.strip())
    write_solution(path, solved=True)
    assert run("submit", str(path)).returncode == 0
    backup = tmp_path / "progress.json"
    assert run("export", str(backup)).returncode == 0
    assert json.loads(backup.read_text())["format"] == "pytrix-progress"

    refused = run("reset", "--all")  # no terminal to confirm on: refuses
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert json.loads(run("stats", "--json").stdout)["attempts"] == 1
    assert run("reset", "--question", "string-reversal.beginner", "--yes").returncode == 0
    assert json.loads(run("stats", "--json").stdout)["attempts"] == 0
    bad_module = run("reset", "--module", "nope", "--yes")
    assert bad_module.returncode == 2 and "no module 'nope'" in bad_module.stderr
    assert run("reset", "--all", "--yes").returncode == 0
    assert run("reset").returncode == 2  # one of --question/--module/--all is required

    assert run("import", str(backup)).returncode == 0
    assert json.loads(run("stats", "--json").stdout)["questionsSolved"] == 1

    broken = tmp_path / "broken.json"
    data = json.loads(backup.read_text())
    data["attempts"][0]["total"] = "many"
    broken.write_text(json.dumps(data))
    failed = run("import", str(broken))
    assert failed.returncode == 2 and "attempts.0.total" in failed.stderr
    assert "Nothing was imported" in failed.stderr
    assert json.loads(run("stats", "--json").stdout)["attempts"] == 1
