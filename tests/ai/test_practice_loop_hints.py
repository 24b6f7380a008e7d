"""The terminal practice loop's hint is the service's hint action, the same as
``pytrix hint`` and the editor's: the AI's with a key (sent the loop's test
results), an explained failure first, and one recorded hint progress shared
with ``pytrix hint``. A real ``pytrix practice`` process against the fake Gemini.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from fake_gemini import FakeGemini, ok
from test_ai_cli import KEY  # the fake key, as test_exhausted_offer takes it

import forked_pytrix

AI_HINT = "Think about walking the string from its end."
RETURNS_INPUT = "    return s\n"


def _env(home: Path, fake: FakeGemini) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(PYTRIX_HOME=str(home), GEMINI_API_KEY=KEY, GOOGLE_GEMINI_BASE_URL=fake.url,
               COLUMNS="400", PYTHONUNBUFFERED="1")
    return env


class Loop:
    """A running ``pytrix practice`` watch loop: type commands, read its output line by line."""

    def __init__(self, env: dict[str, str], directory: Path) -> None:
        self.proc = subprocess.Popen(
            [*forked_pytrix.command(), "practice", "--question", "string-reversal.beginner",
             "--dir", str(directory)],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1,
        )
        self.output: list[str] = []

    def line_with(self, fragment: str) -> str:
        """The next output line holding ``fragment`` (waits on the process's output)."""
        assert self.proc.stdout is not None
        while line := self.proc.stdout.readline():
            self.output.append(line)
            if fragment in line:
                return line.strip()
        raise AssertionError(f"{fragment!r} never appeared:\n{''.join(self.output)}")

    def type(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()


def test_the_loops_hint_is_the_service_action_with_the_ai_and_the_shared_ladder(
    tmp_path: Path, fake: FakeGemini
) -> None:
    home = tmp_path / "home"
    env = _env(home, fake)
    fake.script("*", ok({"hint": AI_HINT}))
    loop = Loop(env, tmp_path / "ws")
    try:
        path = Path(loop.line_with("Created ").split("Created ", 1)[1])
        loop.line_with("0/7 tests passed")  # the stub: no explained cause
        loop.line_with("Watching for saves")
        loop.type("h")
        assert loop.line_with("Hint ") == f"Hint 1/3 (AI): {AI_HINT}"
        assert "0/7 tests pass." in fake.requests[0].prompt  # the loop's results went to the model
        # An explained failure is hinted at first, from the code, without asking the model.
        path.write_text(path.read_text().replace("    raise NotImplementedError\n", RETURNS_INPUT))
        loop.line_with("3/7 tests passed")
        loop.type("h")
        code_hint = loop.line_with("Hint ")
        assert code_hint.startswith("Hint 2/3: You returned the input `s` unchanged.")
        assert len(fake.requests) == 1
        loop.type("q")
        assert loop.proc.wait(timeout=60) == 0
    finally:
        loop.proc.kill()
        loop.proc.wait()
    # `pytrix hint` continues the same recorded ladder with the same decision.
    done = subprocess.run([*forked_pytrix.command(), "hint", "--json", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    hint = json.loads(done.stdout)
    assert (hint["level"], hint["source"], hint["cause"]) == (3, "code", "returned-input")
    assert code_hint.split(": ", 1)[1].split(" Then: ")[0] == hint["text"].split(" Then: ")[0]
    assert len(fake.requests) == 1


def test_the_loop_says_a_pass_after_a_reveal_is_practice(tmp_path: Path, fake: FakeGemini) -> None:
    env = _env(tmp_path / "home", fake)
    del env["GEMINI_API_KEY"]  # the bank's reveal: no AI involved
    subprocess.run([*forked_pytrix.command(), "config", "set", "revealAfterFailures", "1"], env=env,
                   check=True, capture_output=True, timeout=120)
    loop = Loop(env, tmp_path / "ws")
    try:
        path = Path(loop.line_with("Created ").split("Created ", 1)[1])
        loop.line_with("Watching for saves")
        path.write_text(path.read_text().replace("    raise NotImplementedError\n", RETURNS_INPUT))
        loop.line_with("3/7 tests passed")
        loop.type("s")
        loop.line_with("Not solved yet")
        loop.type("r")
        loop.line_with("counts as practice")  # the service's reveal gate opened and recorded it
        path.write_text(path.read_text().replace(RETURNS_INPUT, "    return s[::-1]\n"))
        loop.line_with("All 7 tests passed")
        loop.type("s")
        said = loop.line_with("Moving on")
        assert "recorded as practice, not as a solve" in said and "Solved!" not in said
        loop.type("q")
        assert loop.proc.wait(timeout=60) == 0
    finally:
        loop.proc.kill()
        loop.proc.wait()
