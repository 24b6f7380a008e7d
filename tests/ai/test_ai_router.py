"""The model router against a fake Gemini: success, fallback, backoff, stops and timeouts."""

from __future__ import annotations

import pytest
from conftest import KEY, Sleeps
from fake_gemini import FakeGemini, Reply, error, ok

from pytrix.ai.client import GeminiClient, parse_retry_after
from pytrix.ai.errors import AIError
from pytrix.ai.router import ModelRouter, RouterConfig
from pytrix.ai.schemas import HintReply
from pytrix.ai.tutor import AITutor
from pytrix.ai.usage import UsageLog
from pytrix.service import PytrixService

QUOTA = "Resource has been exhausted (e.g. check quota)."


def usage_rows(tutor: AITutor) -> dict[tuple[str, str], dict[str, int]]:
    return {(r["model"], r["feature"]): r for r in tutor.usage.rows()}


async def test_success_returns_the_text_and_records_tokens(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", ok({"hint": "Think about slices."}, input_tokens=7, output_tokens=5))
    answer, reply = await tutor.ask("hint", "a prompt", HintReply)
    assert answer.hint == "Think about slices."
    assert reply.model == "model-a"
    request = fake.requests[0]
    assert request.version == "v1beta"
    assert request.api_key == KEY  # the key travels in the header, to the API only
    assert request.prompt == "a prompt"
    assert "Pytrix" in request.system
    config = request.body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert "hint" in config["responseSchema"]["properties"]
    row = usage_rows(tutor)[("model-a", "hint")]
    assert (row["calls"], row["errors"], row["inputTokens"], row["outputTokens"]) == (1, 0, 7, 5)


async def test_429_moves_to_the_next_model_and_the_limited_one_cools_down(
    tutor: AITutor, fake: FakeGemini, sleeps: Sleeps
) -> None:
    fake.script("model-a", error(429, QUOTA, "RESOURCE_EXHAUSTED", retry_after="30"))
    fake.script("model-b", ok({"hint": "first"}), ok({"hint": "second"}))
    first, reply = await tutor.ask("hint", "p", HintReply)
    assert (first.hint, reply.model) == ("first", "model-b")
    assert fake.models_called() == ["model-a", "model-b"]
    assert sleeps.delays == [pytest.approx(0.01)]  # the backoff before the next model
    # model-a asked for 30 s: the next call goes straight to model-b.
    second, reply = await tutor.ask("hint", "p", HintReply)
    assert (second.hint, reply.model) == ("second", "model-b")
    assert fake.models_called() == ["model-a", "model-b", "model-b"]
    rows = usage_rows(tutor)
    assert rows[("model-a", "hint")]["errors"] == 1
    assert rows[("model-b", "hint")]["calls"] == 2


async def test_retry_after_is_honoured_when_every_model_is_limited(
    tutor: AITutor, fake: FakeGemini, sleeps: Sleeps
) -> None:
    fake.script("model-a", error(429, QUOTA, "RESOURCE_EXHAUSTED", retry_delay="0.3s"),
                ok({"hint": "after waiting"}))
    fake.script("model-b", error(503, "The model is overloaded.", "UNAVAILABLE", retry_after="5"))
    answer, reply = await tutor.ask("hint", "p", HintReply)
    assert (answer.hint, reply.model) == ("after waiting", "model-a")
    assert fake.models_called() == ["model-a", "model-b", "model-a"]
    # backoff before model-b, then the wait model-a asked for (RetryInfo 0.3 s) less the time its
    # cool-down has already run on the real clock (model-b's call: 0.11 s once in a loaded CI run),
    # so more than the backoff and never more than asked (model-b's 5 s would not fit).
    assert sleeps.delays[0] == pytest.approx(0.01)
    assert 0.01 < sleeps.delays[1] <= 0.3


async def test_all_models_rate_limited_is_a_clear_rate_limited_error(
    tutor: AITutor, fake: FakeGemini
) -> None:
    fake.script("model-a", error(429, QUOTA, "RESOURCE_EXHAUSTED", retry_after="60"))
    fake.script("model-b", error(429, QUOTA, "RESOURCE_EXHAUSTED", retry_after="45"))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert caught.value.kind == "rate_limited"
    assert "rate limited" in str(caught.value) and "Try again in about 45 s" in str(caught.value)
    assert caught.value.retry_after is not None and 40 < caught.value.retry_after <= 45


@pytest.mark.parametrize(
    ("status", "message", "name"),
    [
        (401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"),
        (403, "Permission denied.", "PERMISSION_DENIED"),
        (400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"),
    ],
)
async def test_an_invalid_key_stops_without_fallback(
    tutor: AITutor, fake: FakeGemini, status: int, message: str, name: str
) -> None:
    fake.script("model-a", error(status, message, name))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert caught.value.kind == "invalid_key"
    assert str(caught.value).startswith("Invalid API key")
    assert fake.models_called() == ["model-a"]  # no other model was tried


async def test_a_timeout_moves_on_and_all_timeouts_are_unavailable(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    service.settings = service.settings.model_copy(update={"ai_timeout": 0.3})  # the tutor reads it live
    fake.script("model-a", Reply(hang=True))
    fake.script("model-b", ok({"hint": "from b"}))
    answer, reply = await tutor.ask("hint", "p", HintReply)
    assert (answer.hint, reply.model) == ("from b", "model-b")

    fake.script("model-a", Reply(hang=True))
    fake.script("model-b", Reply(hang=True))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert caught.value.kind == "unavailable"
    assert "no answer within 0.3 s" in str(caught.value)


async def test_an_unknown_model_is_skipped(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", error(404, "models/model-a is not found", "NOT_FOUND"))
    fake.script("model-b", ok({"hint": "from model b"}))
    _, reply = await tutor.ask("hint", "p", HintReply)
    assert reply.model == "model-b"


async def test_no_network_is_unavailable_at_once(service: object, sleeps: Sleeps) -> None:
    client = GeminiClient(KEY, base_url="http://127.0.0.1:9", timeout=2.0)
    router = ModelRouter(sleep=sleeps)
    with pytest.raises(AIError) as caught:
        await router.call(client, RouterConfig(("model-a", "model-b")), feature="hint",
                          system="s", prompt="p", schema=None)
    await client.close()
    assert caught.value.kind == "unavailable"
    assert "Cannot reach the Gemini API" in str(caught.value)
    assert sleeps.delays == []  # it did not try the second model


async def test_the_sdk_base_url_variable_is_honoured(
    fake: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake.url)
    client = GeminiClient(KEY)  # no base URL of ours: the SDK reads the variable
    reply = await client.generate("model-z", system="s", prompt="hello", schema=None)
    await client.close()
    assert reply.text == "OK"
    assert fake.models_called() == ["model-z"]


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None, {"error": {"details": [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12s"}]}}) == 12.0
    assert parse_retry_after("soon") is None


def test_usage_accumulates_per_day_model_and_feature(tutor: AITutor) -> None:
    days = iter(["2026-01-01", "2026-01-01", "2026-01-02"])
    log = UsageLog(tutor.store, today=lambda: next(days))
    log.record("m", "hint", 10, 20)
    log.record("m", "hint", 1, 2)
    log.record("m", "hint", 5, 5)
    rows = tutor.store.query("SELECT day, calls, input_tokens, output_tokens FROM ai_usage ORDER BY day")
    assert [tuple(r) for r in rows] == [("2026-01-01", 2, 11, 22), ("2026-01-02", 1, 5, 5)]
