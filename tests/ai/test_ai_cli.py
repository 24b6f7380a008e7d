"""``pytrix ai ...`` and ``pytrix usage`` as real processes, against the fake Gemini.

The CLI finds the fake through the SDK's own ``GOOGLE_GEMINI_BASE_URL``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import BROKEN_QUESTION, GOOD_QUESTION, KEY
from fake_gemini import FakeGemini, error, ok

import forked_pytrix

WRONG = (
    "# pytrix: question=string-reversal.beginner\n"
    "def reverse_string(s: str) -> str:\n"
    "    return s\n"
)


def pytrix(home: Path, *args: str, key: str | None = KEY, base_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["PYTRIX_HOME"] = str(home)
    if key is not None:
        env["GEMINI_API_KEY"] = key
    if base_url is not None:
        env["GOOGLE_GEMINI_BASE_URL"] = base_url
    return subprocess.run([*forked_pytrix.command(), *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_ai_test_exit_codes(home: Path, fake: FakeGemini) -> None:
    works = pytrix(home, "ai", "test", base_url=fake.url)
    assert works.returncode == 0, works.stderr
    assert "The key works" in works.stdout
    assert fake.requests[0].api_key == KEY

    fake.script("*", error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
                           reason="API_KEY_INVALID"))
    refused = pytrix(home, "ai", "test", base_url=fake.url)
    assert refused.returncode == 1
    assert "Invalid API key" in refused.stderr

    missing = pytrix(home, "ai", "test", "--json", key=None, base_url=fake.url)
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["kind"] == "api_key_required"


def test_ai_question_prints_a_verified_question(home: Path, fake: FakeGemini, tmp_path: Path) -> None:
    fake.script("*", ok(GOOD_QUESTION))
    done = pytrix(home, "ai", "question", "--problem-type", "string-reversal", "--difficulty",
                  "beginner", "--json", "--dir", str(tmp_path / "practice"), base_url=fake.url)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["source"] == "ai" and data["verified"] is True
    assert data["entry"] == "reverse_each_word" and data["id"].startswith("string-reversal.beginner.ai-")
    practice = Path(data["path"])
    assert practice.read_text(encoding="utf-8").startswith(f"# pytrix: question={data['id']}")
    # the saved question serves its practice file: `pytrix check` finds it in the store
    check = pytrix(home, "check", str(practice), base_url=fake.url)
    assert check.returncode == 1 and "tests passed" in check.stdout


def test_ai_question_refuses_an_unverified_question(home: Path, fake: FakeGemini) -> None:
    fake.script("*", ok(BROKEN_QUESTION), ok(BROKEN_QUESTION))
    done = pytrix(home, "ai", "question", "--problem-type", "string-reversal", "--difficulty",
                  "beginner", "--json", base_url=fake.url)
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["kind"] == "bad_response"
    assert "failed verification" in done.stderr and "It was not shown" in done.stderr
    assert len(fake.requests) == 2


def test_ai_question_unknown_problem_type_is_a_usage_error(home: Path, fake: FakeGemini) -> None:
    done = pytrix(home, "ai", "question", "--problem-type", "no-such-type", "--difficulty",
                  "beginner", base_url=fake.url)
    assert done.returncode == 2
    assert "There is no problem type 'no-such-type'" in done.stderr
    assert fake.requests == []


def test_ai_hint_and_usage(home: Path, fake: FakeGemini, tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    # A failure without an explained cause (an explained one is hinted at from the code first).
    practice.write_text(WRONG.replace("    return s\n", "    raise NotImplementedError\n"), encoding="utf-8")
    fake.script("*", ok({"hint": "Your function returns s as it is."}, input_tokens=50, output_tokens=9))
    done = pytrix(home, "ai", "hint", str(practice), base_url=fake.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Hint 1/3 (AI): Your function returns s as it is."
    assert "0/7 tests pass." in fake.requests[0].prompt  # the tests ran first: the model sees them

    offline = pytrix(home, "ai", "hint", str(practice), key=None)
    assert offline.returncode == 0
    assert offline.stdout.startswith("Hint 2/3 (bank): ")

    usage = pytrix(home, "usage", "--json", key=None)
    assert usage.returncode == 0, usage.stderr
    report = json.loads(usage.stdout)
    row = report["rows"][0]
    assert (row["model"], row["feature"], row["calls"], row["inputTokens"], row["outputTokens"]) == (
        "gemini-2.5-flash", "hint", 1, 50, 9)
    assert report["caps"]["today"]["hint"] == {"used": 1, "cap": 50}
    text = pytrix(home, "usage", key=None)
    assert "gemini-2.5-flash" in text.stdout and "hint 1/50" in text.stdout


def test_ai_evaluate_offline(home: Path, tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")
    done = pytrix(home, "ai", "evaluate", str(practice), "--json", key=None)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["source"] == "offline" and data["verdict"] in ("incorrect", "partly correct")
