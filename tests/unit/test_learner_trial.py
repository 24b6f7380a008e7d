"""What a learner's trial of the built wheel found, as real ``pytrix`` processes over a real
SQLite home: relative practice folders, the untouched starter code, the reveal after a solve,
word-wrapped piped output, a closed pipe."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import forked_pytrix
from pytrix.curriculum.bank import load_bank

QUESTION = "string-reversal.beginner"


@pytest.fixture
def pytrix(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`pytrix ARGS...` run in ``tmp_path`` with its own home."""
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    env.pop("GEMINI_API_KEY", None)
    env.pop("GOOGLE_API_KEY", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*forked_pytrix.command(), *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)

    return run


def _position(pytrix) -> int:  # type: ignore[no-untyped-def]
    status = pytrix("auto", "status", "--json")
    assert status.returncode == 0, status.stderr
    return int(json.loads(status.stdout)["curriculum"]["position"])


@pytest.mark.parametrize("folder", ["p", "./p", "."])
def test_new_and_auto_next_take_a_relative_folder(pytrix, tmp_path: Path, folder: str) -> None:  # type: ignore[no-untyped-def]
    made = pytrix("new", "--dir", folder)
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stderr
    path = Path(made.stdout.strip())
    assert path.is_absolute() and path.is_file()
    assert path.is_relative_to((tmp_path / folder).resolve())
    following = pytrix("auto", "next", "--dir", folder, "--json")
    assert following.returncode == 0, following.stderr
    created = json.loads(following.stdout)
    assert created["uri"].startswith("file:///") and Path(created["path"]).is_file()


def test_an_unusable_folder_is_refused_before_auto_mode_moves_on(pytrix, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "taken").write_text("a file, not a folder\n")
    before = _position(pytrix)
    for command in (("new", "--dir", "taken"), ("auto", "next", "--dir", "taken")):
        refused = pytrix(*command)
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
        assert "taken is a file, not a folder" in refused.stderr
    assert _position(pytrix) == before
    assert not list(tmp_path.rglob("*.py"))


def test_the_untouched_starter_code_is_not_an_attempt(pytrix) -> None:  # type: ignore[no-untyped-def]
    made = pytrix("new", "--question", QUESTION, "--dir", "ws")
    path = Path(made.stdout.strip())
    # Comments, blank lines and the learner's own tests do not make it an attempt either.
    path.write_text(path.read_text() + "\n# test: reverse_string('ab') == 'ba'\n\n")
    for _ in range(3):
        refused = pytrix("submit", str(path))
        assert refused.returncode == 2
        assert "still the starter code" in refused.stderr and "nothing was recorded" in refused.stderr
        assert "Traceback" not in refused.stderr
    stats = json.loads(pytrix("stats", "--json").stdout)
    assert stats["attempts"] == 0
    locked = pytrix("reveal", str(path))
    assert locked.returncode == 1 and "3 more to go" in locked.stdout


def test_solving_unlocks_the_reveal(pytrix) -> None:  # type: ignore[no-untyped-def]
    path = Path(pytrix("new", "--question", QUESTION, "--dir", "ws").stdout.strip())
    locked = pytrix("reveal", str(path))
    assert locked.returncode == 1 and "or once you solve it" in locked.stdout
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    return s[::-1]"))
    assert pytrix("submit", str(path)).returncode == 0
    shown = pytrix("reveal", str(path))
    assert shown.returncode == 0, shown.stdout
    assert "[::-1]" in shown.stdout


@pytest.mark.parametrize(("value", "reason"), [
    ("../../escape", "'..' would leave the workspace"),
    ("drills/../../out", "'..' would leave the workspace"),
    ("/tmp/elsewhere", "not an absolute path"),
    ("C:\\\\drills", "not an absolute path"),
])
def test_config_refuses_a_practice_folder_outside_the_workspace(pytrix, value: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    refused = pytrix("config", "set", "practiceDir", value)
    assert refused.returncode == 2 and reason in refused.stderr and "nothing was changed" in refused.stderr
    assert json.loads(pytrix("config", "get", "practiceDir").stdout) == "pytrix"
    assert pytrix("config", "set", "practiceDir", "drills/week-1").returncode == 0


@given(st.text(alphabet="./\\ab~:", max_size=12))
def test_an_accepted_practice_folder_is_inside_the_workspace(value: str) -> None:
    from pytrix.settings import parse_settings

    settings, _ = parse_settings({"practiceDir": value})
    inside = os.path.normpath(os.path.join("/workspace", settings.practice_dir.replace("\\", "/")))
    assert inside == "/workspace" or inside.startswith("/workspace/")


def test_an_unknown_coaching_rule_is_named_with_the_closest_one(pytrix) -> None:  # type: ignore[no-untyped-def]
    done = pytrix("config", "set", "coachingDisabledRules", '["none-comparision", "zzz"]')
    assert done.returncode == 0, done.stderr
    assert "no coaching rule 'none-comparision'. Did you mean 'none-comparison'?" in done.stderr
    assert "no coaching rule 'zzz'. The rules are: " in done.stderr and "mutable-default" in done.stderr
    later = pytrix("stats", "--json")  # the settings file's problems are said by every command using it
    assert "Did you mean 'none-comparison'?" in later.stderr


def _words(text: str) -> set[str]:
    return {word.strip("│├└─ ,.()") for word in text.split()}


def test_piped_history_and_curriculum_break_lines_between_words(pytrix) -> None:  # type: ignore[no-untyped-def]
    longest = max(load_bank().questions, key=len)  # the widest question column
    path = Path(pytrix("new", "--question", longest, "--dir", "ws").stdout.strip())
    path.write_text(path.read_text() + "\nx = 1\n")  # no longer the starter code: a failed attempt
    assert pytrix("submit", str(path)).returncode == 1
    history = pytrix("history")  # stdout is a pipe: 80 columns
    assert history.returncode == 0, history.stderr
    assert {longest, "manual"} <= _words(history.stdout), history.stdout
    curriculum = json.loads(pytrix("curriculum", "--json").stdout)
    for module in curriculum["modules"]:  # every word whole, `d[key]` too (no markup)
        shown = pytrix("curriculum", "--module", module["id"]).stdout
        assert max(len(line) for line in shown.splitlines()) <= 80
        expected = _words(module["overview"]) | {w for item in module["pythonConsiderations"] for w in _words(item)}
        assert expected - {""} <= _words(shown), expected - _words(shown)


def test_a_closed_pipe_keeps_the_exit_code(tmp_path: Path) -> None:
    passing = tmp_path / "rev.py"  # passes, with coaching hints after the result: several lines
    passing.write_text(f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n"
                       "    out = ''\n    for c in s:\n        out = c + out\n    if s == None:\n"
                       "        return s\n    return out\n")
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home")}
    for command, code in ((["check", str(passing)], 0), (["check", str(passing), "--json"], 0),
                          (["curriculum"], 0)):
        reader_gone = subprocess.Popen([*forked_pytrix.command(), *command], env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert reader_gone.stdout is not None and reader_gone.stderr is not None
        reader_gone.stdout.close()  # like `| head -1` once it has its line
        err = reader_gone.stderr.read().decode()
        assert reader_gone.wait(timeout=120) == code, (command, err)
        assert "Traceback" not in err and "BrokenPipe" not in err


def test_practice_writes_to_the_practice_dir_setting(pytrix, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = pytrix("practice", "--once", "--question", QUESTION)
    assert first.returncode == 1, first.stderr  # the starter code fails its tests
    assert list((tmp_path / "pytrix").rglob("*.py")), first.stdout
    assert not (tmp_path / "pytrix-practice").exists()
    assert pytrix("config", "set", "practiceDir", "drills").returncode == 0
    pytrix("practice", "--once", "--question", QUESTION)
    assert list((tmp_path / "drills").rglob("*.py"))


def test_the_readme_names_the_neovim_the_shipped_file_needs() -> None:
    import re

    from pytrix.editor_setup import editor_config

    shipped = re.search(r"Neovim (\d+\.\d+)\+", editor_config("neovim"))
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"### Neovim \((\d+\.\d+)\+\)", readme)
    assert shipped and documented and shipped.group(1) == documented.group(1)


def test_the_practice_loop_refuses_to_submit_the_starter_code(tmp_path: Path) -> None:
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home"), "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}
    # The commands wait in stdin: the loop reads them after its first check.
    done = subprocess.run([*forked_pytrix.command(), "practice", "--question", QUESTION, "--dir", "ws"],
                          env=env, cwd=tmp_path, input="s\nq\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "still the starter code" in done.stdout and "Recorded" not in done.stdout
    stats = subprocess.run([*forked_pytrix.command(), "stats", "--json"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert json.loads(stats.stdout)["attempts"] == 0
    status = json.loads(subprocess.run([*forked_pytrix.command(), "auto", "status", "--json"], env=env,
                                       capture_output=True, text=True, timeout=120).stdout)
    assert status["queue"] == []  # no remediation queued


def test_auto_mode_skips_a_question_solved_by_hand(pytrix) -> None:  # type: ignore[no-untyped-def]
    from pytrix.curriculum.question import Difficulty
    from pytrix.practice.auto import curriculum_plan
    from pytrix.settings import Settings

    bank = load_bank()
    problem_type = curriculum_plan(bank, Settings())[0]  # where auto mode starts
    first = bank.for_problem_type(problem_type, Difficulty.BEGINNER)[0]
    path = Path(pytrix("new", "--question", first.id, "--dir", "hand").stdout.strip())
    path.write_text(f"# pytrix: question={first.id}\n{first.solution}")
    assert pytrix("submit", str(path)).returncode == 0  # solved outside auto mode
    given = bank.questions[json.loads(pytrix("auto", "next", "--dir", "ws", "--json").stdout)["questionId"]]
    assert given.id != first.id and given.problem_type == problem_type  # the same step, an unsolved question


@given(st.sampled_from(sorted(load_bank().questions)),
       st.lists(st.sampled_from(["", "# a note", "   ", "# test: f(1) == 2"]), max_size=4))
def test_comments_and_blank_lines_do_not_make_the_stub_an_attempt(question_id: str, extra: list[str]) -> None:
    from pytrix.practice.files import render_practice_file
    from pytrix.service import untouched_stub

    bank = load_bank()
    question = bank.questions[question_id]
    starter = render_practice_file(question, bank.curriculum) + "\n".join(extra) + "\n"
    assert untouched_stub(question, starter)
    assert not untouched_stub(question, starter + "attempted = True\n")
