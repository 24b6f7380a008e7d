"""Fixtures for the AI tests: a fake Gemini server and a tutor pointed at it.

The real ``google-genai`` SDK does the talking; only the server is fake. The
tutor's router gets short timeouts and backoffs and a recording sleep, so the
tests stay fast and can assert how long the router chose to wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from fake_gemini import FakeGemini

from pytrix.ai.tutor import AITutor
from pytrix.curriculum.bank import Bank, load_bank
from pytrix.service import PytrixService
from pytrix.settings import Settings
from pytrix.store.database import Store

KEY = "AIzaFAKE-test-key-0123456789-abcdefXYZ"

GOOD_QUESTION = {
    "title": "Reverse each word",
    "prompt": (
        "Write `reverse_each_word(sentence)` that reverses the letters of every word but keeps "
        "the words in order. Words are separated by single spaces.\n\n```python\n"
        'reverse_each_word("ab cd")  # -> "ba dc"\n```'
    ),
    "entry": "reverse_each_word",
    "stub": "def reverse_each_word(sentence: str) -> str:\n    pass\n",
    "solution": (
        "def reverse_each_word(sentence: str) -> str:\n"
        '    return " ".join(word[::-1] for word in sentence.split(" "))\n'
    ),
    "optimal": None,
    "complexity": "O(n) time, O(n) space",
    "hints": [
        "Work on one word at a time.",
        "split(' ') gives the words; a slice with step -1 reverses one.",
        "Reverse each piece of sentence.split(' ') and join them back with a space.",
    ],
    "tests": [
        {"call": 'reverse_each_word("ab cd")', "expected": '"ba dc"'},
        {"call": 'reverse_each_word("")', "expected": '""'},
        {"call": 'reverse_each_word("a")', "expected": '"a"'},
        {"call": 'reverse_each_word("hello world")', "expected": '"olleh dlrow"'},
        {"call": 'reverse_each_word("x yz")', "expected": '"x zy"', "hidden": True},
    ],
}

# Its reference solution reverses the whole sentence: it fails its own tests.
BROKEN_QUESTION = {**GOOD_QUESTION, "title": "Reverse each word (broken)",
                   "solution": "def reverse_each_word(sentence: str) -> str:\n    return sentence[::-1]\n"}


class Sleeps:
    """A sleep that records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    server = FakeGemini()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def ai_settings(fake: FakeGemini, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "ai_models": ["model-a", "model-b"], "ai_base_url": fake.url, "ai_timeout": 2.0,
        "ai_backoff": 0.01, "ai_max_backoff": 0.5,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest_asyncio.fixture
async def service(tmp_path: Path, bank: Bank, fake: FakeGemini) -> AsyncIterator[PytrixService]:
    svc = PytrixService(bank, Store(tmp_path / "pytrix.db"), ai_settings(fake))
    yield svc
    svc.close()


@pytest_asyncio.fixture
async def tutor(service: PytrixService, sleeps: Sleeps) -> AsyncIterator[AITutor]:
    """A tutor with the key set, its waits recorded instead of slept."""
    ai = service.new_tutor(sleep=sleeps)
    service.__dict__["ai"] = ai  # what PytrixService.ai would have built
    ai.set_api_key(KEY)
    yield ai
    await ai.close()
