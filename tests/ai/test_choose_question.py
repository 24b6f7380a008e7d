"""The service's one decision of which question a learner's choice leads to
(:meth:`PytrixService.choose_question`): an id, auto mode when nothing is chosen,
the AI for a problem type the bank lacks (with a key) or when asked for, else the bank."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_gemini import FakeGemini, ok
from test_ai_cli import GOOD_QUESTION  # the fake question, as test_exhausted_offer takes it

from pytrix.ai.tutor import AITutor
from pytrix.curriculum.question import Difficulty
from pytrix.errors import PytrixError
from pytrix.responses import NewQuestionReport
from pytrix.service import PytrixService

BEGINNER = Difficulty.BEGINNER
HIDDEN = "caesar-cipher"  # the bank covers every problem type: these tests hide one


@pytest.fixture
def uncovered(service: PytrixService) -> Iterator[str]:
    bank = service.bank  # shared by the session: put the problem type back afterwards
    hidden = {d: bank._by_type.pop((HIDDEN, d), []) for d in Difficulty}
    yield HIDDEN
    for difficulty, ids in hidden.items():
        if ids:
            bank._by_type[(HIDDEN, difficulty)] = ids


async def test_no_choice_is_auto_mode_and_a_kept_file_resumes_it(service: PytrixService) -> None:
    chosen = await service.choose_question()
    assert chosen.auto is not None and chosen.auto.question == chosen.question
    assert (chosen.source, chosen.notice) == ("bank", None)
    resumed = await service.choose_question(resume=lambda question: True)
    assert resumed.question == chosen.question and resumed.auto is None  # the open one, no new pick
    moved_on = await service.choose_question(resume=lambda question: False)
    assert moved_on.auto is not None


async def test_an_id_or_a_filter_goes_to_the_bank(service: PytrixService) -> None:
    named = await service.choose_question(question_id="string-reversal.beginner")
    assert (named.question.id, named.auto, named.source) == ("string-reversal.beginner", None, "bank")
    filtered = await service.choose_question(module="recursion", difficulty=BEGINNER)
    assert filtered.question.module == "recursion" and filtered.auto is None


async def test_bad_choices_are_clear_errors(service: PytrixService) -> None:
    with pytest.raises(PytrixError, match="'source' must be"):
        await service.choose_question(source="web")
    with pytest.raises(PytrixError, match="needs a problem type"):
        await service.choose_question(source="ai", difficulty=BEGINNER)


async def test_a_problem_type_the_bank_lacks_goes_to_the_ai_with_a_key(
    service: PytrixService, tutor: AITutor, fake: FakeGemini, uncovered: str
) -> None:
    fake.script("*", ok(GOOD_QUESTION))
    chosen = await service.choose_question(problem_type=uncovered, difficulty=BEGINNER)
    assert chosen.source == "ai" and chosen.question.id.startswith(f"{uncovered}.beginner.ai-")
    assert len(fake.requests) == 1


async def test_without_a_key_the_bank_answers_and_the_ai_is_not_asked(
    service: PytrixService, fake: FakeGemini, uncovered: str
) -> None:
    with pytest.raises(PytrixError, match="No bank question matches"):
        await service.choose_question(problem_type=uncovered, difficulty=BEGINNER)
    asked = await service.choose_question(problem_type="string-reversal", difficulty=BEGINNER,
                                          source="ai")
    assert asked.source == "bank" and "GEMINI_API_KEY" in (asked.notice or "")
    assert fake.requests == []


async def exhausted(service: PytrixService, folder: Path) -> NewQuestionReport:
    """Give every recursion/beginner question once; the next choice's practice file report."""
    size = len([q for q in service.bank.ordered() if q.module == "recursion" and q.difficulty == BEGINNER])
    for _ in range(size):
        service.new_question(await service.choose_question(module="recursion", difficulty=BEGINNER), folder)
    return service.new_question(await service.choose_question(module="recursion", difficulty=BEGINNER), folder)


async def test_an_exhausted_set_offers_ai_generation_as_data_that_works(
    service: PytrixService, tutor: AITutor, fake: FakeGemini, tmp_path: Path
) -> None:
    report = await exhausted(service, tmp_path)
    assert report.notice is not None and "come round again" in report.notice
    assert report.ai_offer is not None
    offer = report.wire()["aiOffer"]
    assert offer == {"problemType": report.ai_offer.problem_type, "difficulty": "beginner"}
    fake.script("*", ok(GOOD_QUESTION))  # following the offer, as the editor's button does
    made = await service.choose_question(source="ai", problem_type=offer["problemType"],
                                         difficulty=Difficulty(offer["difficulty"]))
    assert made.source == "ai" and made.question.problem_type == offer["problemType"]


async def test_without_a_key_an_exhausted_set_offers_nothing(service: PytrixService, tmp_path: Path) -> None:
    report = await exhausted(service, tmp_path)
    assert report.notice is not None and report.ai_offer is None
