"""The CLI contracts other checks rely on, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import forked_pytrix


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTRIX_HOME": str(tmp_path / "home")}


def pytrix(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*forked_pytrix.command(), *args], env=env, capture_output=True, text=True,
        input=stdin, timeout=120, check=False,
    )


def test_data_list_json(env: dict[str, str]) -> None:
    done = pytrix(env, "data", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"id", "module", "subtopic", "problem_type", "difficulty", "title"} <= set(rows[0])
    assert any(r["id"] == "string-reversal.beginner" for r in rows)


def test_data_show_json(env: dict[str, str]) -> None:
    done = pytrix(env, "data", "show", "string-reversal.intermediate", "--json")
    data = json.loads(done.stdout)
    assert data["optimal"] and data["complexity"] and len(data["hints"]) == 3
    missing = pytrix(env, "data", "show", "nope.beginner", "--json")
    assert missing.returncode == 2 and "no question with id" in missing.stderr


def test_new_check_submit_cycle(env: dict[str, str], tmp_path: Path) -> None:
    made = pytrix(env, "new", "--question", "string-reversal.beginner", "--dir", str(tmp_path / "ws"))
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path.is_file()
    failing = pytrix(env, "check", str(path))
    assert failing.returncode == 1
    assert f"{path}:" in failing.stdout and "raised NotImplementedError: not written yet" in failing.stdout
    as_json = json.loads(pytrix(env, "check", str(path), "--json").stdout)
    assert as_json["status"] == "failed" and as_json["protocol"] == 1
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    return s[::-1]"))
    assert pytrix(env, "check", str(path)).returncode == 0
    submitted = pytrix(env, "submit", str(path))
    assert submitted.returncode == 0 and "solved" in submitted.stdout
    stats = json.loads(pytrix(env, "stats", "--json").stdout)
    assert stats["attempts"] == 1


def test_new_by_module_and_difficulty(env: dict[str, str], tmp_path: Path) -> None:
    made = pytrix(env, "new", "--module", "string-manipulation", "--difficulty", "advanced", "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert "advanced" in Path(made.stdout.strip()).name


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "/no/such/file.py"], "no such file"),
        (["new", "--module", "no-such-module", "--dir", "."], "no module"),
        (["new", "--question", "nope.beginner", "--dir", "."], "no question with id"),
    ],
)
def test_usage_errors_exit_2_with_a_message(env: dict[str, str], args: list[str], fragment: str) -> None:
    done = pytrix(env, *args)
    assert done.returncode == 2
    assert fragment in done.stderr


def test_check_of_a_file_without_header(env: dict[str, str], tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("print(1)\n")
    done = pytrix(env, "check", str(plain))
    assert done.returncode == 2 and "no Pytrix header" in done.stderr


def test_practice_once_writes_the_first_question_and_checks_it(env: dict[str, str], tmp_path: Path) -> None:
    done = pytrix(env, "practice", "--once", "--dir", str(tmp_path / "ws"), stdin="")
    assert done.returncode == 1  # the stub fails
    assert "Created" in done.stdout and "tests passed" in done.stdout
    # one check prints what it needs: no watch-loop help, the commands for this file instead
    assert "every save re-runs" not in done.stdout and "Commands (type" not in done.stdout
    assert "pytrix check " in done.stdout and "pytrix submit " in done.stdout
    again = pytrix(env, "practice", "--once", "--dir", str(tmp_path / "ws"), stdin="")
    assert "Resuming" in again.stdout


def test_practice_watch_mode_rechecks_on_save_and_takes_commands(env: dict[str, str], tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*forked_pytrix.command(), "practice", "--question", "string-reversal.beginner",
         "--dir", str(tmp_path / "ws")],
        env={**env, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    assert proc.stdin is not None and proc.stdout is not None
    seen: list[str] = []

    def read_until(fragment: str) -> str:
        for line in proc.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"{fragment!r} never appeared:\n{''.join(seen)}")

    try:
        created = read_until("Created ")
        path = Path(created.split("Created ", 1)[1].strip())
        read_until("every save re-runs the tests")  # the loop's help
        read_until("tests passed")  # the first check of the stub
        read_until("Watching for saves")
        path.write_text(path.read_text().replace("    raise NotImplementedError", "    return s[::-1]"))
        read_until("All 7 tests passed")
        proc.stdin.write("h\n")
        proc.stdin.flush()
        read_until("Hint 1/3:")
        proc.stdin.write("s\n")
        proc.stdin.flush()
        read_until("Solved!")
        read_until("Created ")  # moved on to the next question
        proc.stdin.write("q\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


PRINTS = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    backwards = ""
    for position in range(len(s)):
        backwards = s[position] + backwards
    dict = backwards
    print(dict)
'''


def test_check_explains_then_coaches_and_hint_reads_the_code(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "reverse.py"
    path.write_text(PRINTS)
    done = pytrix(env, "check", str(path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (f"{path}:9:5: error: 7 tests fail the same way: You printed olleh but returned "
                        "nothing: the tests see only what you `return`.")
    assert lines[1].strip() == "reverse_string(\"hello\"): expected 'olleh', got None"
    results_end = next(i for i, line in enumerate(lines) if "tests passed" in line)
    coaching = lines[results_end + 1:]
    assert any(line.startswith(f"{path}:8:5: hint: Using `dict` as a variable name") and
               line.endswith("[builtin-shadowing]") for line in coaching), coaching
    assert not any("[range-len]" in line for line in coaching)  # style waits while the function is wrong
    assert not any(":9:" in line for line in coaching)  # the explained line is not coached twice
    quiet = pytrix(env, "check", "--no-coach", str(path))
    assert quiet.returncode == 1 and "hint:" not in quiet.stdout
    assert quiet.stdout.splitlines()[0] == lines[0]
    hint = pytrix(env, "hint", str(path))
    assert hint.returncode == 0
    assert hint.stdout.startswith("Hint 1/3: You printed olleh but returned nothing")
    assert "Look at line 9: `print(dict)`. Fix that first. Then: " in hint.stdout
    path.write_text(PRINTS.replace("print(dict)", "return dict"))
    fixed = pytrix(env, "check", str(path))
    assert fixed.returncode == 0
    assert any(f"{path}:6:" in line and "[range-len]" in line and "`s[position]`" in line
               for line in fixed.stdout.splitlines())
    ladder = pytrix(env, "hint", str(path))
    assert ladder.stdout.startswith("Hint 2/3:") and "Fix that first" not in ladder.stdout


def test_programs_may_print_from_a_function_named_like_the_entry(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "stats.py"
    path.write_text("# pytrix: question=list-aggregation.intermediate\n\n\n"
                    "def line_stats():\n    numbers = input().split()\n    print(len(numbers))\n\n\nline_stats()\n")
    done = pytrix(env, "check", str(path))
    assert done.returncode == 1 and "tests passed" in done.stdout
    assert "print-not-return" not in done.stdout and "returned nothing" not in done.stdout
