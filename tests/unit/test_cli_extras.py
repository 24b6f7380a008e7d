"""CLI details a terminal learner meets: a closed pipe, `pytrix reveal`, and counted words."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import forked_pytrix
from pytrix.cli.progress import plural

QUESTION = "string-reversal.beginner"
WRONG = f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n    return s\n"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PYTRIX_HOME": str(home)}


def cli_in(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`pytrix ARGS...` as a real process with ``env``."""

    def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*forked_pytrix.command(), *args], env=env, capture_output=True, text=True,
                              timeout=120)

    return pytrix


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen([*forked_pytrix.command(), "data", "list", "--json"], env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)  # like `| head -c 10`: the reader stops and goes away
    proc.stdout.close()
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in error and "BrokenPipe" not in error, error


def test_reveal_is_locked_until_enough_failed_submissions_then_prints_the_solution(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")

    pytrix = cli_in(_env(tmp_path / "home"))

    locked = pytrix("reveal", str(practice))
    assert locked.returncode == 1
    assert "unlocks after 3 failed submissions (3 more to go)" in locked.stdout
    for _ in range(3):
        assert pytrix("submit", str(practice)).returncode == 1
    shown = pytrix("reveal", str(practice))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "def reverse_string" in shown.stdout and "Here is a reference solution." in shown.stdout


def test_counted_words_agree_with_their_number() -> None:
    assert plural(1, "question") == "1 question"
    assert plural(0, "question") == "0 questions"
    assert plural(2, "day") == "2 days"
    assert plural(3, "child", "children") == "3 children"


def test_a_cli_submit_records_the_time_since_the_question_was_given(tmp_path: Path) -> None:
    """`pytrix new` then `pytrix submit` records real time, not 0 ms (capped for idle gaps)."""
    import sqlite3
    import time

    from pytrix.curriculum.bank import load_bank
    from pytrix.service import IDLE_CAP_MS, PytrixService
    from pytrix.store.database import Store

    home = tmp_path / "home"
    env = _env(home)
    made = subprocess.run([*forked_pytrix.command(), "new", "--question", QUESTION, "--dir", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip().splitlines()[-1])
    with sqlite3.connect(home / "pytrix.db") as conn:  # as if the question was given 90 s ago
        conn.execute("UPDATE question_given SET given_at = given_at - 90")
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    return s  #"))  # a wrong attempt
    done = subprocess.run([*forked_pytrix.command(), "submit", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    with sqlite3.connect(home / "pytrix.db") as conn:
        (duration,) = conn.execute("SELECT duration_ms FROM attempts").fetchone()
    assert 90_000 <= duration < 150_000

    service = PytrixService(load_bank(), Store(home / "pytrix.db"))
    try:
        later = time.time() + 24 * 3600  # the file left open overnight
        assert service.working_time_ms(QUESTION, now=later) == IDLE_CAP_MS
        assert service.working_time_ms("string-reversal.advanced") == 0  # never given
    finally:
        service.close()


def test_the_terminal_names_its_own_commands_and_counts_attempts_per_question(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG.replace("return s\n", "return s[::-1]\n"), encoding="utf-8")
    env = _env(tmp_path / "home")

    pytrix = cli_in(env)

    checked = pytrix("check", str(practice))
    assert f"Submit it with `pytrix submit {practice}`." in checked.stdout
    assert "code action" not in checked.stdout and '"Pytrix:' not in checked.stdout
    first = pytrix("submit", str(practice))
    assert "Solved: all 7 tests passed and the attempt is recorded." in first.stdout
    assert f"`pytrix auto next --dir {tmp_path}`" in first.stdout
    assert f"Recorded your attempt 1 on {QUESTION}: solved (7/7)." in first.stdout
    second = pytrix("submit", str(practice))
    assert f"Recorded your attempt 2 on {QUESTION}" in second.stdout


def test_the_curriculum_tree_and_a_module_in_detail(tmp_path: Path) -> None:
    pytrix = cli_in({**_env(tmp_path), "COLUMNS": "80"})
    tree = pytrix("curriculum")
    assert tree.returncode == 0
    assert "1. String Manipulation (string-manipulation," in tree.stdout
    assert "String Reversal 3/1/1" in tree.stdout
    assert all(len(line) <= 80 for line in tree.stdout.splitlines())
    module = pytrix("curriculum", "--module", "recursion")
    assert "Python considerations" in module.stdout and "Problem archetypes" in module.stdout
    assert "String Manipulation" not in module.stdout
    as_json = pytrix("curriculum", "--module", "recursion", "--json")
    assert '"pythonConsiderations"' in as_json.stdout
    missing = pytrix("curriculum", "--module", "nope")
    assert missing.returncode == 2 and "There is no module 'nope'" in missing.stderr


def test_stats_fit_80_columns_and_show_small_progress(tmp_path: Path) -> None:
    from pytrix.cli.progress import _percent, _when, mastery_bar

    practice = tmp_path / "rev.py"
    practice.write_text(WRONG.replace("return s\n", "return s[::-1]\n"), encoding="utf-8")
    env = {**_env(tmp_path / "home"), "COLUMNS": "80"}
    subprocess.run([*forked_pytrix.command(), "submit", str(practice)], env=env, capture_output=True, timeout=120)
    done = subprocess.run([*forked_pytrix.command(), "stats"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert "…" not in done.stdout  # nothing is cut short: long names wrap instead
    row = next(line for line in lines if line.lstrip().startswith("String Manipulation"))
    assert "█" in row and "1/43" in row and "today" in row
    assert mastery_bar(0) == "░" * 10 and mastery_bar(0.2).startswith("█") and mastery_bar(100) == "█" * 10
    assert mastery_bar(99.9).endswith("░")
    assert _when(None) == "-"
    assert _percent(0.3).strip() == "<1%" and _percent(0).strip() == "0%" and _percent(50).strip() == "50%"


def test_after_a_solve_the_terminal_points_at_the_practice_root_and_shows_the_hidden_tests(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    root = tmp_path / "pr"

    pytrix = cli_in(env)

    made = pytrix("new", "--question", QUESTION, "--dir", str(root))
    path = Path(made.stdout.strip().splitlines()[-1])
    assert path.parent == root / "string-manipulation"
    path.write_text(WRONG.replace("return s\n", "return s[::-1]\n"), encoding="utf-8")
    done = pytrix("submit", str(path))
    assert f"`pytrix auto next --dir {root}`" in done.stdout  # not the module folder: that would nest
    assert "The hidden tests were:" in done.stdout and 'reverse_string("  x y ") -> " y x  "' in done.stdout


def test_a_file_without_a_header_names_the_terminal_command(tmp_path: Path) -> None:
    practice = tmp_path / "loose.py"
    practice.write_text("x = 1\n", encoding="utf-8")
    done = subprocess.run([*forked_pytrix.command(), "check", str(practice)], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "`pytrix new --dir" in done.stderr and "Pytrix: new practice question" not in done.stderr


def test_small_usage_mistakes_get_a_clear_answer(tmp_path: Path) -> None:
    env = _env(tmp_path)

    pytrix = cli_in(env)

    wrong_case = pytrix("config", "get", "testtimeout")
    assert wrong_case.returncode == 2 and "Did you mean 'testTimeout'?" in wrong_case.stderr
    typo = pytrix("config", "set", "debounceMS", "100")
    assert typo.returncode == 2 and "Did you mean 'debounceMs'?" in typo.stderr
    both = pytrix("new", "--question", QUESTION, "--module", "recursion", "--dir", str(tmp_path / "p"))
    assert both.returncode == 2 and "--question names one question" in both.stderr
    assert not (tmp_path / "p").exists()


def test_history_keeps_question_ids_whole_at_80_columns(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")
    env = {**_env(tmp_path / "home"), "COLUMNS": "80"}
    subprocess.run([*forked_pytrix.command(), "submit", str(practice)], env=env, capture_output=True, timeout=120)
    done = subprocess.run([*forked_pytrix.command(), "history"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert QUESTION in done.stdout and "…" not in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())


def test_check_on_a_solved_file_says_solved_not_submit(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text(WRONG.replace("return s\n", "return s[::-1]\n"), encoding="utf-8")
    env = _env(tmp_path / "home")

    pytrix = cli_in(env)

    assert "Submit it with" in pytrix("check", str(practice)).stdout
    assert pytrix("submit", str(practice)).returncode == 0
    after = pytrix("check", str(practice)).stdout
    assert "Solved earlier: all 7 tests pass, and this code was already submitted and recorded." in after
    assert "Submit it with" not in after
