"""Progress over LSP: auto mode, stats, history, dashboard, reopen, reset, export/import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from pytrix.curriculum.bank import load_bank

if TYPE_CHECKING:
    from conftest import Session

BANK = load_bank()


def solution_source(question_id: str) -> str:
    return f"# pytrix: question={question_id}\n" + BANK.get(question_id).solution


def stub_source(question_id: str) -> str:
    """A failing attempt: the stub with a line added (the untouched stub is refused, no attempt)."""
    return f"# pytrix: question={question_id}\n" + BANK.get(question_id).stub + "\nattempted = True\n"


async def auto_next(lsp: Session) -> dict[str, Any]:
    result: dict[str, Any] = await lsp.command("pytrix.next")
    return result


async def submit(lsp: Session, path: Path, text: str) -> dict[str, Any]:
    path.write_text(text, encoding="utf-8")
    uri = lsp.open(path, text)
    result: dict[str, Any] = await lsp.command("pytrix.submit", uri)
    return result


async def test_next_without_arguments_is_auto_mode_and_submissions_update_it(lsp: Session) -> None:
    first = await auto_next(lsp)
    assert first["auto"]["reason"] == "curriculum"
    assert first["auto"]["detail"] == "Mini-curriculum 1/12"
    question = BANK.get(first["questionId"])
    assert question.module == "string-manipulation" and question.difficulty.value == "beginner"
    assert Path(first["path"]).read_text(encoding="utf-8").startswith(f"# pytrix: question={question.id}")
    if lsp.flavour == "visual-studio-code":
        assert first["uri"] in [d.uri for d in lsp.client.shown_documents]
    result = await submit(lsp, Path(first["path"]), solution_source(question.id))
    assert result["status"] == "passed"
    assert result["mode"] == "auto"
    assert result["auto"]["event"] == "streak" and result["auto"]["streak"] == 1
    second = await auto_next(lsp)
    assert second["auto"]["detail"] == "Mini-curriculum 2/12"
    assert second["questionId"] != first["questionId"]
    status = await lsp.request("pytrix/autoStatus", None)
    assert status["curriculum"]["position"] == 2
    assert status["subtopics"][0]["streak"] == 1


async def test_a_failed_auto_question_queues_beginner_practice(lsp: Session) -> None:
    first = await auto_next(lsp)
    result = await submit(lsp, Path(first["path"]), stub_source(first["questionId"]))
    assert result["status"] != "passed" and result["mode"] == "auto"
    assert len(result["auto"]["injected"]) == 2
    following = [await auto_next(lsp), await auto_next(lsp)]
    assert [f["auto"]["reason"] for f in following] == ["remediation", "remediation"]
    assert [f["questionId"] for f in following] == result["auto"]["injected"]


async def test_slow_down_steps_back_in_the_current_subtopic(lsp: Session) -> None:
    with pytest.raises(JsonRpcInvalidParams, match="nothing to slow down"):
        await lsp.command("pytrix.slowDown")
    await auto_next(lsp)
    outcome = await lsp.command("pytrix.slowDown")
    assert outcome["subtopic"] == "basic-string-operations"
    assert len(outcome["injected"]) == 2
    nxt = await auto_next(lsp)
    assert nxt["auto"]["reason"] == "remediation"


async def test_stats_history_and_dashboard(lsp: Session) -> None:
    question_id = "string-reversal.beginner"
    path = lsp.workspace / "rev.py"
    await submit(lsp, path, stub_source(question_id))
    solved = await submit(lsp, path, solution_source(question_id))
    assert solved["mode"] == "manual" and solved["auto"] is None
    stats = await lsp.request("pytrix/stats", None)
    assert stats["attempts"] == 2 and stats["questionsSolved"] == 1 and stats["bankQuestions"] >= 39
    module = stats["modules"][0]
    assert module["id"] == "string-manipulation" and module["attempts"] == 2
    cell = module["subtopics"][0]["problemTypes"][0]["difficulties"]["beginner"]
    assert cell["attempts"] == 2 and cell["solved"] == 1 and cell["masteryPercent"] == 50.0
    assert stats["streaks"]["correct"] == 1 and stats["streaks"]["days"] == 1

    page = await lsp.request("pytrix/history", {"limit": 1})
    assert page["total"] == 2 and len(page["items"]) == 1
    newest = page["items"][0]
    assert newest["id"] == solved["attemptId"] and newest["solved"] is True
    assert newest["code"] == solution_source(question_id)
    assert newest["results"]["passed"] == newest["results"]["total"]
    older = await lsp.request("pytrix/history", {"offset": 1, "questionId": question_id})
    assert [i["solved"] for i in older["items"]] == [False]
    assert (await lsp.request("pytrix/history", {"module": "recursion"}))["total"] == 0
    with pytest.raises(JsonRpcInvalidParams, match="limit"):
        await lsp.request("pytrix/history", {"limit": -1})

    board = await lsp.request("pytrix/dashboard", None)
    assert board["uri"] == "pytrix:/dashboard.md"
    assert board["markdown"].startswith("# Pytrix dashboard")
    for section in ("## Streak", "## Auto mode", "## Reviews due", "## Mastery per module", "## Recent activity"):
        assert section in board["markdown"]
    assert question_id in board["markdown"]
    doc = await lsp.request("pytrix/questionDocument", {"uri": "pytrix:/dashboard.md"})
    assert doc["uri"] == "pytrix:/dashboard.md" and doc["markdown"].startswith("# Pytrix dashboard")
    opened = await lsp.command("pytrix.dashboard")
    assert Path(opened["path"]).read_text(encoding="utf-8") == opened["markdown"]


async def test_reopen_writes_the_attempt_code_and_shows_it(lsp: Session) -> None:
    question_id = "string-reversal.beginner"
    text = solution_source(question_id) + "\n# my first try\n"
    attempt = await submit(lsp, lsp.workspace / "rev.py", text)
    reopened = await lsp.command("pytrix.reopen", {"attemptId": attempt["attemptId"]})
    path = Path(reopened["path"])
    assert path.read_text(encoding="utf-8") == text
    assert path.is_relative_to(lsp.workspace)
    if lsp.flavour == "visual-studio-code":
        assert reopened["shown"] is True
        assert lsp.client.shown_documents[-1].uri == reopened["uri"]
    with pytest.raises(JsonRpcInvalidParams, match="no attempt 999"):
        await lsp.command("pytrix.reopen", {"attemptId": 999})


async def test_reset_needs_confirmation(lsp: Session) -> None:
    await submit(lsp, lsp.workspace / "rev.py", solution_source("string-reversal.beginner"))
    with pytest.raises(JsonRpcInvalidParams, match="confirm"):
        await lsp.command("pytrix.reset", {"scope": "all"})
    assert (await lsp.request("pytrix/stats", None))["attempts"] == 1
    with pytest.raises(JsonRpcInvalidParams, match="needs 'id'"):
        await lsp.command("pytrix.reset", {"scope": "question", "confirm": True})
    done = await lsp.command(
        "pytrix.reset", {"scope": "question", "id": "string-reversal.beginner", "confirm": True}
    )
    assert done["attemptsRemoved"] == 1
    stats = await lsp.request("pytrix/stats", None)
    assert stats["attempts"] == 0 and stats["questionsSolved"] == 0


async def test_export_then_import_restores_progress(lsp: Session) -> None:
    await submit(lsp, lsp.workspace / "rev.py", solution_source("string-reversal.beginner"))
    exported = await lsp.request("pytrix/exportProgress", None)
    assert exported["format"] == "pytrix-progress" and len(exported["attempts"]) == 1
    await lsp.command("pytrix.reset", {"scope": "all", "confirm": True})
    assert (await lsp.request("pytrix/stats", None))["attempts"] == 0
    with pytest.raises(JsonRpcInvalidParams, match="confirm"):
        await lsp.request("pytrix/importProgress", {"data": exported})
    broken = {**exported, "attempts": [{**exported["attempts"][0], "passed": -1}]}
    with pytest.raises(JsonRpcInvalidParams, match=r"attempts\.0\.passed"):
        await lsp.request("pytrix/importProgress", {"data": broken, "confirm": True})
    counts = await lsp.request("pytrix/importProgress", {"data": exported, "confirm": True})
    assert counts["attempts"] == 1
    assert (await lsp.request("pytrix/stats", None))["questionsSolved"] == 1


async def test_the_new_question_action_is_auto_mode(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "scratch.py", "x = 1\n")
    actions = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title for a in actions or []]  # the test client may parse actions as Commands
    assert "Pytrix: new practice question (auto mode)" in titles
    assert not any("next in order" in t for t in titles)
