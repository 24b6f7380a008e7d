"""The AI tasks with the real SDK and sandbox: validation, verification, caps, fallbacks."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from conftest import BROKEN_QUESTION, GOOD_QUESTION, KEY, ai_settings
from fake_gemini import FakeGemini, error, ok

from pytrix.ai.errors import AIError
from pytrix.ai.keys import ApiKeys
from pytrix.ai.schemas import HintReply
from pytrix.ai.tutor import AITutor, leaks_solution
from pytrix.curriculum.question import Difficulty, Source
from pytrix.service import PytrixService

BEGINNER = Difficulty.BEGINNER
RIGHT = "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
WRONG = (
    "# pytrix: question=string-reversal.beginner\n"
    "def reverse_string(s: str) -> str:\n"
    "    out = ''\n"
    "    for i in range(len(s)):\n"
    "        out = out + s[i]\n"
    "    return out\n"
)


async def fail(service: PytrixService, question_id: str, times: int) -> None:
    for _ in range(times):
        await service.submit(question_id, WRONG, "rev.py")


# -- structured output --------------------------------------------------------------

async def test_malformed_json_is_a_bad_response(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", ok('{"hint": "unterminated'))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert caught.value.kind == "bad_response"
    assert "not valid JSON" in str(caught.value)
    assert fake.models_called() == ["model-a"]
    assert tutor.usage.rows()[0]["calls"] == 1  # the model answered: the tokens count


async def test_json_that_fails_the_schema_is_a_bad_response(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", ok({"advice": "no hint field here"}))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert caught.value.kind == "bad_response"
    assert "hint: Field required" in str(caught.value)


async def test_a_fenced_json_answer_is_accepted(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", ok('```json\n{"hint": "Use a slice."}\n```'))
    answer, _ = await tutor.ask("hint", "p", HintReply)
    assert answer.hint == "Use a slice."


# -- verified generation ------------------------------------------------------------

async def test_a_generated_question_is_verified_saved_and_served(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    fake.script("model-a", ok(GOOD_QUESTION))
    outcome = await tutor.question("string-reversal", BEGINNER)
    question = outcome.question
    assert (outcome.source, outcome.model, outcome.notice) == ("ai", "model-a", None)
    assert question.source is Source.AI
    assert question.id.startswith("string-reversal.beginner.ai-")
    module, subtopic, _ = service.bank.curriculum.locate("string-reversal")  # type: ignore[misc]
    assert (question.module, question.subtopic) == (module.id, subtopic.id)
    # saved, so practice files that name it keep working after a restart
    assert service.question(question.id) == question
    assert service.store.query("SELECT source FROM questions WHERE id = ?", (question.id,))[0][0] == "ai"
    # the prompt named the problem type and the bank questions to avoid
    prompt = fake.requests[0].prompt
    assert "String Reversal" in prompt or "string-reversal" in prompt.lower()
    assert "Do not repeat" in prompt and "Reverse a string" in prompt


async def test_a_question_whose_solution_fails_its_tests_is_never_shown(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    fake.script("*", ok(BROKEN_QUESTION), ok(BROKEN_QUESTION))
    outcome = await tutor.question("string-reversal", BEGINNER)
    assert outcome.source == "bank"
    assert outcome.question.source is Source.BANK
    assert outcome.question.id == "string-reversal.beginner"
    assert outcome.notice is not None and "failed verification" in outcome.notice
    assert len(fake.requests) == 2  # one retry, told why the first was rejected
    assert "rejected when its tests were run" in fake.requests[1].prompt
    assert service.store.query("SELECT COUNT(*) FROM questions WHERE source = 'ai'")[0][0] == 0


async def test_a_broken_first_try_then_a_sound_one_is_accepted(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("*", ok(BROKEN_QUESTION), ok(GOOD_QUESTION))
    outcome = await tutor.question("string-reversal", BEGINNER)
    assert outcome.source == "ai"
    assert outcome.question.title == "Reverse each word"


async def test_a_stub_that_passes_is_rejected(tutor: AITutor, fake: FakeGemini) -> None:
    lazy = {**GOOD_QUESTION, "stub": GOOD_QUESTION["solution"]}
    fake.script("*", ok(lazy), ok(lazy))
    with pytest.raises(AIError) as caught:
        await tutor.generate_verified("string-reversal", BEGINNER)
    assert "the stub passes every test" in str(caught.value)


async def test_a_malformed_question_is_retried_then_refused(tutor: AITutor, fake: FakeGemini) -> None:
    wrong_entry = {**GOOD_QUESTION, "entry": "other_name"}
    fake.script("*", ok(wrong_entry), ok({"title": "no"}))
    with pytest.raises(AIError) as caught:
        await tutor.generate_verified("string-reversal", BEGINNER)
    assert caught.value.kind == "bad_response"
    assert len(fake.requests) == 2


async def test_without_a_key_the_bank_answers_quietly(service: PytrixService, fake: FakeGemini) -> None:
    tutor = service.new_tutor()
    outcome = await tutor.question("string-reversal", BEGINNER)
    assert (outcome.source, outcome.notice) == ("bank", None)
    asked = await tutor.question("string-reversal", BEGINNER, explicit=True)
    assert asked.source == "bank" and "No Gemini API key is set" in (asked.notice or "")
    assert fake.requests == []


async def test_a_problem_type_without_bank_questions_needs_the_ai(service: PytrixService) -> None:
    tutor = service.new_tutor()
    empty = "caesar-cipher"  # the bank covers every problem type: hide one (the bank is shared)
    bank = service.bank
    hidden = {d: bank._by_type.pop((empty, d), []) for d in Difficulty}
    try:
        with pytest.raises(Exception, match="no question for"):
            await tutor.question(empty, BEGINNER)
    finally:
        for difficulty, ids in hidden.items():
            if ids:
                bank._by_type[(empty, difficulty)] = ids


# -- hints ----------------------------------------------------------------------------

async def test_an_ai_hint_climbs_the_ladder(tutor: AITutor, fake: FakeGemini, service: PytrixService) -> None:
    question = service.question("string-reversal.beginner")
    fake.script("model-a", ok({"hint": "Your loop appends; what if it prepended?"}))
    outcome = await tutor.hint(question, WRONG, None)
    assert (outcome.source, outcome.level, outcome.total) == ("ai", 1, 3)
    assert outcome.text == "Your loop appends; what if it prepended?"
    assert service.store.hint_level(question.id) == 1
    prompt = fake.requests[0].prompt
    assert "out = out + s[i]" in prompt and "hint 1 of 3" in prompt


async def test_a_hint_that_gives_the_solution_away_falls_back_to_the_bank(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    question = service.question("string-reversal.beginner")
    fake.script("model-a", ok({"hint": "Just write:\n\ndef reverse_string(s):\n    return s[::-1]"}))
    outcome = await tutor.hint(question, WRONG, None)
    assert outcome.source == "bank"
    assert outcome.text == question.hints[0]
    assert outcome.notice is not None and "gave the solution away" in outcome.notice


def test_leak_detection(service: PytrixService) -> None:
    question = service.question("string-reversal.intermediate")
    assert leaks_solution("def reverse_words(x): ...", question)
    assert not leaks_solution("Try splitting the sentence into words first.", question)
    assert leaks_solution(
        "words = []\nfor word in sentence.split():\n    words.insert(0, word)\nreturn \" \".join(words)",
        question)


async def test_hints_without_a_key_come_from_the_bank(service: PytrixService) -> None:
    tutor = service.new_tutor()
    question = service.question("string-reversal.beginner")
    outcome = await tutor.hint(question, WRONG, None)
    assert (outcome.source, outcome.level, outcome.text, outcome.notice) == (
        "bank", 1, question.hints[0], None)


# -- reveal ---------------------------------------------------------------------------

async def test_reveal_is_gated_like_the_bank(tutor: AITutor, fake: FakeGemini, service: PytrixService) -> None:
    question = service.question("string-reversal.beginner")
    outcome = await tutor.reveal(question, WRONG, None)
    assert not outcome.allowed and "unlocks after 3 failed submissions" in outcome.message
    assert fake.requests == []


async def test_an_ai_solution_is_shown_only_if_it_passes(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    question = service.question("string-reversal.beginner")
    await fail(service, question.id, 3)
    fake.script("model-a", ok({"solution": f"```python\n{RIGHT}```", "explanation": "Walk backwards."}))
    outcome = await tutor.reveal(question, WRONG, None)
    assert (outcome.allowed, outcome.source) == (True, "ai")
    assert outcome.solution == RIGHT and outcome.explanation == "Walk backwards."

    fake.script("model-a", ok({"solution": "def reverse_string(s):\n    return s\n", "explanation": "Looks fine."}))
    outcome = await tutor.reveal(question, WRONG, None)
    assert (outcome.allowed, outcome.source) == (True, "bank")
    assert outcome.solution == question.solution.strip() + "\n"
    assert outcome.notice is not None and "failed some tests" in outcome.notice


# -- evaluate ---------------------------------------------------------------------------

async def test_an_ai_review_becomes_markdown_and_findings_at_lines(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    question = service.question("string-reversal.beginner")
    fake.script("model-a", ok({
        "verdict": "incorrect", "correctness": "It copies the string instead of reversing it.",
        "style": "Prefer iterating over characters directly.", "complexity": "O(n^2) time: string +=.",
        "suggestions": [
            {"line": 4, "severity": "hint", "message": "Iterate over s directly."},
            {"line": 99, "severity": "information", "message": "About the whole file."},
            {"line": None, "severity": "information", "message": "Consider slicing."},
        ],
    }))
    outcome = await tutor.evaluate(question, WRONG)
    assert (outcome.source, outcome.verdict) == ("ai", "incorrect")
    assert "## Review of `reverse_string`: incorrect" in outcome.markdown
    assert "O(n^2) time" in outcome.markdown and "Line 4: Iterate over s directly." in outcome.markdown
    lines = [(f.line, f.severity, f.source, f.code) for f in outcome.diagnostics]
    assert [(f.line, f.severity, f.code) for f in outcome.findings] == [
        (line, severity, code) for line, severity, _, code in lines]  # the wire carries the same
    assert lines == [(3, "hint", "pytrix-ai", "ai-review"), (0, "information", "pytrix-ai", "ai-review"),
                     (0, "information", "pytrix-ai", "ai-review")]
    assert "0/" in fake.requests[0].prompt or "tests pass" in fake.requests[0].prompt


async def test_the_offline_review_uses_the_ast_and_the_tests(service: PytrixService) -> None:
    tutor = service.new_tutor()
    question = service.question("string-reversal.beginner")
    outcome = await tutor.evaluate(question, WRONG)
    assert outcome.source == "offline" and outcome.verdict in ("incorrect", "partly correct")
    assert "tests pass" in outcome.markdown
    assert "about O(n) time" in outcome.markdown
    messages = {(f.line, f.code): f.message for f in outcome.diagnostics}
    assert any("range(len" in m for (line, _), m in messages.items() if line == 3)
    assert all(f.source == "pytrix-ai" and f.severity in ("information", "hint") for f in outcome.diagnostics)


# -- optimise ------------------------------------------------------------------------------

QUADRATIC = (
    "def reverse_string(s: str) -> str:\n"
    "    chars = list(s)\n"
    "    for i in range(len(chars)):\n"
    "        for j in range(len(chars) - 1 - i):\n"
    "            chars[j], chars[j + 1] = chars[j + 1], chars[j]\n"
    "    return ''.join(chars)\n"
)


async def test_optimise_needs_a_passing_solution(service: PytrixService) -> None:
    tutor = service.new_tutor()
    outcome = await tutor.optimize(service.question("string-reversal.beginner"), WRONG)
    assert not outcome.allowed and outcome.solution is None
    assert "Make them all pass first" in outcome.message


async def test_offline_optimise_measures_the_growth_in_the_sandbox(service: PytrixService) -> None:
    tutor = service.new_tutor()
    tutor.growth_test_timeout = 0.25
    question = service.question("string-reversal.beginner")
    outcome = await tutor.optimize(question, QUADRATIC)
    assert outcome.allowed and outcome.source == "bank"
    assert outcome.solution == question.solution.strip() + "\n"
    growth = outcome.growth
    assert growth is not None and growth.scaled.startswith("the str arguments")
    yours, bank = growth.series
    exponent = yours.exponent
    # the bubble-style loop is quadratic: it either shows n^2 growth or hits the time limit
    assert (exponent is not None and exponent > 1.5) or yours.stopped.startswith("over")
    assert not bank.stopped
    assert "**Measured growth**" in outcome.markdown and "| n | yours | bank reference |" in outcome.markdown


async def test_an_ai_optimisation_is_verified_before_it_is_shown(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    tutor.growth_test_timeout = 0.25
    question = service.question("string-reversal.beginner")
    fake.script("model-a", ok({"solution": "def reverse_string(s):\n    return s\n",
                               "time_complexity": "O(1)", "space_complexity": "O(1)",
                               "explanation": "wrong on purpose"}))
    outcome = await tutor.optimize(question, QUADRATIC)
    assert outcome.source == "bank" and "failed some tests" in (outcome.notice or "")

    fake.script("model-a", ok({"solution": RIGHT, "time_complexity": "O(n)",
                               "space_complexity": "O(n)", "explanation": "A slice copies once."}))
    outcome = await tutor.optimize(question, QUADRATIC)
    assert (outcome.source, outcome.solution, outcome.complexity) == ("ai", RIGHT, "O(n) time, O(n) space")
    assert outcome.growth is not None and outcome.growth.series[1].label == "AI version"


# -- caps and usage ------------------------------------------------------------------------

async def test_the_daily_hint_cap_falls_back_with_a_notice(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    service.settings = service.settings.model_copy(update={"ai_daily_hints": 1})
    question = service.question("string-reversal.beginner")
    fake.script("*", ok({"hint": "An AI hint, tailored."}))
    first = await tutor.hint(question, WRONG, None)
    second = await tutor.hint(question, WRONG, None)
    assert first.source == "ai" and second.source == "bank"
    assert second.notice is not None and "today's 1 AI hints" in second.notice
    assert "pytrix.aiDailyHints" in second.notice
    assert len(fake.requests) == 1


async def test_the_session_cap_covers_every_feature(tutor: AITutor, fake: FakeGemini, service: PytrixService) -> None:
    service.settings = service.settings.model_copy(update={"ai_session_calls": 2})
    fake.responder = lambda request: ok({"hint": "tailored hint"})
    for _ in range(2):
        await tutor.ask("hint", "p", HintReply)
    with pytest.raises(AIError) as caught:
        await tutor.ask("evaluate", "p", HintReply)
    assert caught.value.kind == "cap_reached" and "pytrix.aiSessionCalls" in str(caught.value)
    assert len(fake.requests) == 2
    status = tutor.caps.status(service.settings)
    assert status["session"] == {"used": 2, "cap": 2}
    assert status["today"]["hint"] == {"used": 2, "cap": 50}
    # the connection test is never capped
    assert (await tutor.test_connection()).ok


async def test_daily_caps_hold_across_sessions(tmp_path: Path, fake: FakeGemini, service: PytrixService) -> None:
    service.settings = service.settings.model_copy(update={"ai_daily_evaluations": 1})
    first = service.new_tutor()
    first.set_api_key(KEY)
    first.usage.record("model-a", "evaluate", 1, 1)  # an earlier session's review today
    second = service.new_tutor()
    second.set_api_key(KEY)
    with pytest.raises(AIError, match="today's 1 AI code reviews"):
        await second.ask("evaluate", "p", HintReply)
    await first.close()
    await second.close()


async def test_a_cap_of_zero_turns_a_feature_off(tutor: AITutor, fake: FakeGemini, service: PytrixService) -> None:
    service.settings = service.settings.model_copy(update={"ai_daily_questions": 0})
    outcome = await tutor.question("string-reversal", BEGINNER)
    assert outcome.source == "bank" and "cap" in (outcome.notice or "")
    assert fake.requests == []


async def test_usage_report(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", ok({"hint": "tailored"}, input_tokens=100, output_tokens=40))
    await tutor.ask("hint", "p", HintReply)
    report = tutor.usage_report().wire()
    assert report["totals"] == {"calls": 1, "errors": 0, "inputTokens": 100, "outputTokens": 40}
    assert report["rows"][0]["model"] == "model-a" and report["rows"][0]["feature"] == "hint"
    assert report["key"] == {"hasKey": True, "source": "client", "enabled": True}


# -- the key -----------------------------------------------------------------------------

async def test_connection_test(tutor: AITutor, fake: FakeGemini) -> None:
    fake.script("model-a", error(401, "API key not valid. Please pass a valid API key.", "UNAUTHENTICATED"))
    outcome = await tutor.test_connection()
    assert (outcome.ok, outcome.kind) == (False, "invalid_key")
    outcome = await tutor.test_connection()
    assert outcome.ok and outcome.model == "model-a" and "The key works" in outcome.message


async def test_no_key_is_a_clear_error_and_env_keys_work(
    service: PytrixService, fake: FakeGemini, monkeypatch: pytest.MonkeyPatch
) -> None:
    tutor = service.new_tutor()
    outcome = await tutor.test_connection()
    assert (outcome.ok, outcome.kind) == (False, "api_key_required")
    assert "GEMINI_API_KEY" in outcome.message
    monkeypatch.setenv("GOOGLE_API_KEY", "env-key-1234567")
    assert tutor.key_status().source == "environment"
    assert (await tutor.test_connection()).ok
    assert fake.requests[-1].api_key == "env-key-1234567"
    tutor.set_api_key(KEY)  # the editor's key wins over the environment
    await tutor.test_connection()
    assert fake.requests[-1].api_key == KEY
    tutor.set_api_key(None)
    assert tutor.key_status().source == "environment"
    await tutor.close()


async def test_the_key_is_scrubbed_from_errors(tutor: AITutor, fake: FakeGemini) -> None:
    # An endpoint that echoes the key back must not get it into our messages.
    fake.script("model-a", error(403, f"key {KEY} is suspended", "PERMISSION_DENIED"))
    with pytest.raises(AIError) as caught:
        await tutor.ask("hint", "p", HintReply)
    assert KEY not in str(caught.value) and "[redacted key]" in str(caught.value)
    assert KEY not in repr(tutor) and KEY not in repr(tutor.keys)


def test_log_records_never_carry_the_key() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        ApiKeys().set_client_key(KEY)  # puts the redacting filter on every root handler
        log = logging.getLogger("pytrix.test")
        log.warning("the key is %s", KEY)
        try:
            raise ValueError(f"boom {KEY}")
        except ValueError:
            log.exception("it failed")
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert KEY not in text
    assert text.count("[redacted key]") == 2  # the message, and the exception in the traceback


def test_settings_reach_the_router(fake: FakeGemini) -> None:
    settings = ai_settings(fake, ai_models=["x", "y"], ai_timeout=3.0)
    assert (settings.ai_models, settings.ai_timeout) == (["x", "y"], 3.0)
