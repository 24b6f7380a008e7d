"""Template instances over LSP: "~<n>" ids in headers and URIs, and fresh-first choice."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Session

WRONG = '''# pytrix: question=string-reversal.beginner~2


def backwards(word: str) -> str:
    return word
'''


async def test_new_question_offers_a_fresh_variant_each_time(lsp: Session) -> None:
    pick = {"problemType": "string-reversal", "difficulty": "beginner", "open": False}
    given = [(await lsp.request("pytrix/newQuestion", pick))["questionId"] for _ in range(3)]
    assert given == [
        "string-reversal.beginner", "string-reversal.beginner~2", "string-reversal.beginner~3",
    ]
    made = await lsp.request("pytrix/newQuestion", {"questionId": "string-reversal.beginner~3",
                                                    "open": False})
    assert Path(made["path"]).name.startswith("string_reversal_beginner_v3")
    assert made["questionUri"] == "pytrix:/question/string-reversal.beginner~3.md"


async def test_an_instance_practice_file_runs_and_its_document_opens(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "variant.py", WRONG)
    found = await lsp.diagnostics(uri, lambda d: any("desserts" in x.message for x in d))
    assert any(x.source == "pytrix" for x in found)
    for address in ("pytrix:/question/string-reversal.beginner~2.md",
                    "pytrix:/question/string-reversal.beginner%7E2.md"):
        doc = await lsp.request("pytrix/questionDocument", {"uri": address})
        assert doc["questionId"] == "string-reversal.beginner~2"
        assert "Spell a word backwards" in doc["markdown"]
