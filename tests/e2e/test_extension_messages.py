"""One message per outcome: the VS Code extension shows AI outcomes itself, other clients get them from the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Session


@pytest.mark.lsp_options(init={"runtimes": []})
async def test_the_extension_gets_the_outcome_without_a_second_toast(lsp: Session) -> None:
    outcome = await lsp.command("pytrix.testConnection")
    assert outcome["ok"] is False and outcome["kind"] == "api_key_required"
    # The server's notifications precede its answer on the wire: none was sent.
    assert [m.message for m in lsp.client.messages if "Gemini" in m.message] == []


async def test_a_plain_client_gets_the_outcome_as_a_message(lsp: Session) -> None:
    outcome = await lsp.command("pytrix.testConnection")
    assert outcome["ok"] is False and outcome["kind"] == "api_key_required"
    shown = await lsp.message(lambda text: "No Gemini API key is set" in text)
    assert "GEMINI_API_KEY" in shown
