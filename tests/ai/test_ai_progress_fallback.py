"""Without work-done progress (eglot 1.9), slow work is announced in a message instead.

A real ``pytrix serve`` under eglot's capabilities asks the fake Gemini for a
hint; the fake holds its answer, so the hint takes longer than the notice
delay, and the learner must see that Pytrix is working, not a silent editor.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from fake_gemini import FakeGemini, Reply
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient

import forked_pytrix

EGLOT = Path(__file__).resolve().parents[1] / "e2e" / "clients" / "eglot_1.9.json"
# It fails without an explained cause, so the hint asks the model (an explained failure is hinted at offline).
WRONG = "# pytrix: question=string-reversal.beginner\n\n\ndef reverse_string(s: str) -> str:\n    raise NotImplementedError\n"


async def test_a_slow_hint_is_announced_to_a_client_without_progress(tmp_path: Path, fake: FakeGemini) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(PYTRIX_HOME=str(tmp_path / "home"), GOOGLE_GEMINI_BASE_URL=fake.url)
    client = await ClientServerConfig(
        server_command=[*forked_pytrix.command(), "serve"], server_env=env
    ).start()
    assert isinstance(client, LanguageClient)
    client.set_configuration({"pytrix": {"aiModels": ["model-a"], "aiTimeout": 5, "debounceMs": 50}})
    caps = default_converter().structure(json.loads(EGLOT.read_text())["capabilities"], types.ClientCapabilities)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    await client.initialize_session(types.InitializeParams(capabilities=caps, root_uri=workspace.as_uri()))
    try:
        await client.protocol.send_request_async("pytrix/setApiKey", {"apiKey": "test-key-progress"})
        fake.script("*", Reply(hang=True))
        uri = (workspace / "rev.py").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=WRONG)
        ))
        hint = asyncio.ensure_future(client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="pytrix.hint", arguments=[uri])
        ))
        async with asyncio.timeout(15):
            while not any(m.message == "Pytrix: thinking of a hint…" for m in client.messages):
                await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
        assert not hint.done()  # announced while the work was still going
        fake.release()
        async with asyncio.timeout(30):
            await hint
    finally:
        fake.release()
        await client.shutdown_session()
        await client.stop()
