"""The language server starts from the learner's settings file; the editor's own settings win."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from lsprotocol import types

if TYPE_CHECKING:
    from conftest import Session

WRONG = "# pytrix: question=string-reversal.beginner\ndef reverse_string(s: str) -> str:\n    return s\n"


async def _reveal_after_the_file_says_zero(lsp: Session, editor_sets_reveal: bool) -> dict[str, object]:
    (lsp.home / "settings.json").write_text(json.dumps({"revealAfterFailures": 0}), encoding="utf-8")
    # Settings in the notification itself are applied before the next message is handled.
    editor = {"revealAfterFailures": 5} if editor_sets_reveal else {}
    lsp.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"pytrix": editor}))
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    result: dict[str, object] = await lsp.command("pytrix.reveal", uri)
    return result


async def test_the_settings_file_applies_where_the_editor_says_nothing(lsp: Session) -> None:
    outcome = await _reveal_after_the_file_says_zero(lsp, editor_sets_reveal=False)
    assert outcome.get("allowed") is not False, outcome


@pytest.mark.lsp_options(settings={"revealAfterFailures": 5})
async def test_the_editor_setting_wins_over_the_file(lsp: Session) -> None:
    outcome = await _reveal_after_the_file_says_zero(lsp, editor_sets_reveal=True)
    assert outcome["allowed"] is False and "5 failed submissions" in str(outcome["message"])
