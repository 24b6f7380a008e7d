"""An exhausted choice says once that its questions come round again, and with a
Gemini key set it offers AI generation with a command that works."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from fake_gemini import FakeGemini, ok
from test_ai_cli import GOOD_QUESTION, KEY, pytrix  # the CLI runner and the fake key and question

from pytrix.ai.tutor import AITutor
from pytrix.curriculum.question import Difficulty
from pytrix.service import PytrixService

MODULE, LEVEL = "recursion", Difficulty.BEGINNER


def choice_size(service: PytrixService) -> int:
    return len([q for q in service.bank.ordered() if q.module == MODULE and q.difficulty == LEVEL])


def notices_over_rounds(service: PytrixService, folder: Path, picks: int) -> list[str | None]:
    """Pick and write ``picks`` questions of one choice; the notice said at each pick."""
    said = []
    for _ in range(picks):
        question = service.next_question(module=MODULE, difficulty=LEVEL)
        said.append(service.pick_notice)
        service.new_practice_file(question, folder)
    return said


def test_with_an_environment_key_the_round_notice_offers_a_working_ai_command(
    service: PytrixService, fake: FakeGemini, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    size = choice_size(service)
    said = notices_over_rounds(service, tmp_path / "practice", size + 2)
    assert said[:size] == [None] * size
    notice = said[size]
    assert notice is not None and f"all {size} questions" in notice and "come round again" in notice
    assert said[size + 1] is None  # said once per round
    assert "ai" not in service.__dict__  # the offer did not build the tutor for a one-shot command
    command = re.search(r"`(pytrix ai question [^`]+)`", notice)
    assert command is not None, notice
    assert "`source: \"ai\"`" in notice  # and the editor's way

    # The offered command, run as the learner would (DIR filled in), writes a verified question.
    fake.script("*", ok(GOOD_QUESTION))
    args = shlex.split(command.group(1).replace("DIR", str(tmp_path / "ai")))[1:]
    done = pytrix(tmp_path / "home", *args, "--json", base_url=fake.url)
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["verified"] is True and Path(written["path"]).is_file()
    assert written["difficulty"] == LEVEL.value


def test_with_the_editors_key_in_the_tutor_the_offer_is_made(
    service: PytrixService, tutor: AITutor, tmp_path: Path
) -> None:
    size = choice_size(service)
    notice = notices_over_rounds(service, tmp_path, size + 1)[size]
    assert notice is not None and "pytrix ai question --problem-type" in notice


def test_without_a_key_the_notice_makes_no_offer(service: PytrixService, tmp_path: Path) -> None:
    size = choice_size(service)
    notice = notices_over_rounds(service, tmp_path, size + 1)[size]
    assert notice is not None and "come round again" in notice
    assert "Gemini" not in notice and "pytrix ai" not in notice
