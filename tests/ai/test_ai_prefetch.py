"""Prefetch: the queue itself, and auto mode served from questions generated ahead."""

from __future__ import annotations

import asyncio
import itertools

from conftest import GOOD_QUESTION
from fake_gemini import FakeGemini, Reply, ok

from pytrix.ai.auto import upcoming_slots
from pytrix.ai.prefetch import PrefetchQueue
from pytrix.ai.tutor import AITutor
from pytrix.curriculum.question import Difficulty, Question
from pytrix.practice import auto
from pytrix.service import PytrixService

BEGINNER = Difficulty.BEGINNER


async def test_the_queue_fills_the_first_slots_and_hands_them_over(service: PytrixService) -> None:
    gates = {name: asyncio.Event() for name in ("string-reversal", "nothing", "anagram-check")}
    made: list[str] = []

    async def produce(problem_type: str, difficulty: Difficulty) -> Question | None:
        await gates[problem_type].wait()
        made.append(problem_type)
        if problem_type == "nothing":
            return None
        return service.bank.for_problem_type(problem_type, difficulty)[0]

    queue = PrefetchQueue(produce, depth=2)
    queue.want([("string-reversal", BEGINNER), ("nothing", BEGINNER), ("anagram-check", BEGINNER)])
    assert queue.in_flight() == 2  # only the first two slots
    assert await queue.take("string-reversal", BEGINNER) is None  # not ready, no waiting
    queue.want([("string-reversal", BEGINNER)])
    assert queue.in_flight() == 2  # already in flight: not asked twice
    gates["string-reversal"].set()
    ready = await queue.take("string-reversal", BEGINNER, wait=True)
    assert ready is not None and ready.problem_type == "string-reversal"
    gates["nothing"].set()
    await queue.settle()
    assert await queue.take("nothing", BEGINNER) is None and queue.ready_count() == 0
    assert sorted(made) == ["nothing", "string-reversal"]
    queue.want([("anagram-check", BEGINNER)])
    await queue.close()  # cancels the fill still waiting at its gate
    assert queue.in_flight() == 0


async def test_a_failing_producer_never_breaks_the_queue(service: PytrixService) -> None:
    async def produce(problem_type: str, difficulty: Difficulty) -> Question | None:
        raise RuntimeError("boom")

    queue = PrefetchQueue(produce, depth=1)
    queue.want([("string-reversal", BEGINNER)])
    await queue.settle()
    assert await queue.take("string-reversal", BEGINNER) is None


def varied_questions() -> object:
    counter = itertools.count(1)

    def respond(request: object) -> Reply:
        n = next(counter)
        return ok({**GOOD_QUESTION, "title": f"Reverse each word, take {n}",
                   "prompt": GOOD_QUESTION["prompt"] + f"\n\nVariant {n}."})
    return respond


async def test_auto_mode_is_served_from_prefetched_questions(
    tutor: AITutor, fake: FakeGemini, service: PytrixService
) -> None:
    fake.responder = varied_questions()  # type: ignore[assignment]
    first = service.auto_next()
    served, origin = await tutor.auto_question(first)
    assert (served, origin) == (first.question, "bank")  # nothing prefetched yet

    ahead = upcoming_slots(service.store, service.bank, service.settings, 2)
    assert len(ahead) == 2
    tutor.prefetch_auto()
    await tutor.prefetch.settle()
    assert tutor.prefetch.ready_count() == 2 and len(fake.requests) == 2
    # the look-ahead kept nothing: auto mode's real next pick is the predicted one
    second = service.auto_next()
    assert (second.question.problem_type, second.question.difficulty) == ahead[0]
    served, origin = await tutor.auto_question(second)
    assert origin == "ai" and served.source.value == "ai"
    assert (served.problem_type, served.difficulty) == ahead[0]
    with service.store.transaction() as conn:
        assert auto.is_auto_question(conn, served.id)  # its submission counts for auto mode
    submission = await service.submit(served.id, GOOD_QUESTION["solution"], "x.py")
    assert submission.result.all_passed and submission.mode == "auto"


async def test_no_prefetch_without_a_key(service: PytrixService, fake: FakeGemini) -> None:
    tutor = service.new_tutor()
    service.auto_next()
    tutor.prefetch_auto()
    assert tutor.prefetch.in_flight() == 0 and fake.requests == []
