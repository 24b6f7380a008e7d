"""A damaged ``pytrix.db``: the real server starts on an in-memory store, says so, and works.

PYTRIX_HOME holds a file that is not SQLite before ``pytrix serve`` starts. The
learner is told that progress is kept in memory for this session; a submit is
graded and recorded (in memory), and the damaged file, which may hold the
learner's only copy of their progress, is left byte for byte as it was, with
no journal or WAL file opened beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Session

GARBAGE = b"this is not a database\x00\xff" * 200

RIGHT = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s[::-1]
'''


@pytest.mark.lsp_options(home_files={"pytrix.db": GARBAGE})
async def test_the_server_starts_on_a_damaged_database_and_a_submit_works(lsp: Session) -> None:
    damaged = lsp.home / "pytrix.db"
    note = await lsp.message(lambda text: "Cannot open the Pytrix database" in text)
    assert str(damaged) in note
    assert "kept in memory for this session only" in note
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.diagnostics(uri, lambda d: len(d) == 1 and d[0].code == "all-passed")
    result = await lsp.command("pytrix.submit", uri)
    assert result["status"] == "passed"
    assert result["attemptId"] >= 1
    stats = await lsp.request("pytrix/stats", None)
    assert stats["attempts"] == 1 and stats["questionsSolved"] == 1
    assert damaged.read_bytes() == GARBAGE
    assert sorted(p.name for p in lsp.home.glob("pytrix.db*")) == ["pytrix.db"]
    memory_notes = [m.message for m in lsp.client.messages if "kept in memory" in m.message]
    assert len(memory_notes) == 1
