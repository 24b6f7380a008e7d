"""A whole AI session over stdio: a real ``pytrix serve``, pytest-lsp, and the fake Gemini.

The server finds the fake through the SDK's ``GOOGLE_GEMINI_BASE_URL`` and gets
the key only through ``pytrix/setApiKey``. At the end, the key must appear
nowhere: not in the database (and its WAL), not in the server log, not in any
message the server sent, not in its stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from conftest import GOOD_QUESTION, KEY
from fake_gemini import FakeGemini, Reply, error, ok
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

import forked_pytrix

WAIT = 60.0
BAD_KEY = "AIzaBAD-never-valid-key-9876543210"
SOLVED = (
    "def reverse_each_word(sentence: str) -> str:\n"
    '    return " ".join(word[::-1] for word in sentence.split(" "))\n'
)


def plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def gemini(request: Any) -> Reply:
    """The fake's answers, by task (the prompts say which task it is)."""
    if request.api_key == BAD_KEY:
        return error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
                     reason="API_KEY_INVALID")
    prompt = request.prompt
    if "Write one new Python practice question" in prompt:
        return ok(GOOD_QUESTION)
    if "Write hint" in prompt:
        return ok({"hint": "Take the words one at a time; each is a small string of its own."})
    if "Review this code" in prompt:
        return ok({"verdict": "incorrect", "correctness": "The function returns None.",
                   "style": "Fine so far.", "complexity": "O(1): it does nothing yet.",
                   "suggestions": [{"line": 8, "severity": "hint",
                                    "message": "Replace pass with the real work."}]})
    if "Write a better" in prompt:
        return ok({"solution": SOLVED, "time_complexity": "O(n)", "space_complexity": "O(n)",
                   "explanation": "One pass over the words."})
    if "asked to see a solution" in prompt:
        return ok({"solution": SOLVED, "explanation": "Split, reverse each word, join."})
    return ok("OK")


class Session:
    def __init__(self, client: LanguageClient, workspace: Path, home: Path, seen: list[str]) -> None:
        self.client = client
        self.workspace = workspace
        self.home = home
        self.seen = seen  # every message the server sent, as raw JSON
        self.version = 1

    async def request(self, method: str, params: Any) -> Any:
        return plain(await self.client.protocol.send_request_async(method, params))

    async def command(self, name: str, *arguments: Any) -> Any:
        return plain(await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))))

    async def diagnostics(self, uri: str, predicate: Callable[[list[types.Diagnostic]], bool]) -> list[types.Diagnostic]:
        async with asyncio.timeout(WAIT):
            while True:
                current = self.client.diagnostics.get(uri)
                if current is not None and predicate(current):
                    return current
                await self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


@pytest_asyncio.fixture(params=["visual-studio-code", "neovim"])
async def session(request: pytest.FixtureRequest, tmp_path: Path, fake: FakeGemini) -> AsyncIterator[Session]:
    home, workspace = tmp_path / "home", tmp_path / "workspace"
    workspace.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(PYTRIX_HOME=str(home), GOOGLE_GEMINI_BASE_URL=fake.url)
    config = ClientServerConfig(server_command=[*forked_pytrix.command(), "serve"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    seen: list[str] = []
    structure = client.protocol.structure_message

    def spy(data: dict[str, Any]) -> Any:
        if "jsonrpc" in data:  # a whole message (nested objects arrive first)
            seen.append(json.dumps(data))
        return structure(data)

    client.protocol.structure_message = spy  # type: ignore[method-assign]
    client.set_configuration({"pytrix": {
        "debounceMs": 50, "revealAfterFailures": 0, "aiModels": ["model-a", "model-b"],
        "aiTimeout": 10, "aiBackoff": 0.01, "aiMaxBackoff": 0.5,
    }})
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param), root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
    ))
    yield Session(client, workspace, home, seen)
    if not client.stopped:  # the leak test shuts down itself, to read what the server left
        await client.shutdown_session()
    await client.stop()


def ai_diagnostics(diags: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diags if d.source == "pytrix-ai"]


async def test_a_full_ai_session_never_leaks_the_key(
    session: Session, fake: FakeGemini, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = gemini
    s = session

    before = await s.request("pytrix/usage", {})
    assert before["key"]["hasKey"] is False and before["rows"] == []
    offline = await s.command("pytrix.testConnection")
    assert offline["ok"] is False and offline["kind"] == "api_key_required"

    # a bad key: a clear "invalid API key", no fallback to the second model
    assert (await s.request("pytrix/setApiKey", {"apiKey": BAD_KEY}))["hasKey"] is True
    refused = await s.command("pytrix.testConnection")
    assert refused["ok"] is False and refused["kind"] == "invalid_key"
    assert fake.models_called() == ["model-a"]

    state = await s.request("pytrix/setApiKey", {"apiKey": KEY})
    assert state == {"hasKey": True, "source": "client", "enabled": True}
    works = await s.command("pytrix.testConnection")
    assert works["ok"] is True and works["model"] == "model-a"

    # a generated question, verified before the learner sees it
    created = await s.request("pytrix/newQuestion", {
        "problemType": "string-reversal", "difficulty": "beginner", "source": "ai", "open": False})
    assert created["source"] == "ai" and ".ai-" in created["questionId"]
    path = Path(created["path"])
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    s.client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await s.diagnostics(uri, lambda d: any(x.severity == types.DiagnosticSeverity.Error for x in d))

    hint = await s.command("pytrix.hint", uri)
    assert hint["source"] == "ai" and hint["level"] == 1 and "one at a time" in hint["text"]

    review = await s.command("pytrix.evaluate", uri)
    assert review["source"] == "ai" and review["verdict"] == "incorrect"
    diags = await s.diagnostics(uri, lambda d: bool(ai_diagnostics(d)))
    note = ai_diagnostics(diags)[0]
    assert note.severity == types.DiagnosticSeverity.Hint and note.range.start.line == 7
    assert note.message == "Replace pass with the real work."
    assert any(d.source == "pytrix" for d in diags)  # alongside the run's own diagnostics

    # fixing the code: the new run replaces the review of the old text
    s.version += 1
    s.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=s.version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text=text.replace("def reverse_each_word(sentence: str) -> str:\n    pass\n", SOLVED))]))
    diags = await s.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    assert not ai_diagnostics(diags)

    optimised = await s.command("pytrix.optimize", uri)
    assert optimised["allowed"] is True and optimised["source"] == "ai"
    assert optimised["complexity"] == "O(n) time, O(n) space"
    assert optimised["growth"] is not None
    revealed = await s.command("pytrix.reveal", uri)
    assert revealed["allowed"] is True and revealed["source"] == "ai"
    assert Path(revealed["uri"].removeprefix("file://")).read_text(encoding="utf-8").endswith(SOLVED)

    usage = await s.request("pytrix/usage", {})
    features = {(r["model"], r["feature"]): r for r in usage["rows"]}
    assert features[("model-a", "question")]["calls"] == 1
    assert features[("model-a", "hint")]["inputTokens"] == 12
    assert features[("model-a", "test")]["errors"] == 1  # the refused bad key
    assert usage["caps"]["session"]["used"] == 5  # question, hint, evaluate, optimize, reveal

    cleared = await s.request("pytrix/setApiKey", {"apiKey": None})
    assert cleared["hasKey"] is False

    # the key was used (the fake saw it in the header) ...
    assert KEY in {r.api_key for r in fake.requests}
    await s.client.shutdown_session()
    # ... and it is nowhere else: database (with WAL), log, messages, stderr, workspace
    files = [p for p in [*s.home.rglob("*"), *s.workspace.rglob("*")] if p.is_file()]
    assert any(p.name == "server.log" for p in files) and any(p.name == "pytrix.db" for p in files)
    for secret in (KEY, BAD_KEY):
        for file in files:
            assert secret.encode() not in file.read_bytes(), f"the key leaked into {file}"
        for message in s.seen:
            assert secret not in message
    assert len(s.seen) > 20
    err = capsys.readouterr().err
    assert KEY not in err and BAD_KEY not in err


async def test_set_api_key_rejects_bad_params(session: Session) -> None:
    with pytest.raises(Exception, match="apiKey"):
        await session.request("pytrix/setApiKey", {"key": "x"})
    with pytest.raises(Exception, match="string or null"):
        await session.request("pytrix/setApiKey", {"apiKey": 42})
    with pytest.raises(Exception, match="days"):
        await session.request("pytrix/usage", {"days": 0})
