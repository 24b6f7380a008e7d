"""The bank loader, question validation, practice files and findings."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.question import Question
from pytrix.errors import DataFileError
from pytrix.paths import data_dir
from pytrix.practice.files import (
    find_entry,
    question_id_of,
    render_practice_file,
    write_practice_file,
)
from pytrix.practice.findings import findings_for
from pytrix.runner.protocol import ErrorInfo, RunResult, RunStatus, TestResult
from pytrix.runner.protocol import TestStatus as Status

BASE = {
    "id": "string-reversal.beginner", "module": "string-manipulation",
    "subtopic": "basic-string-operations", "problem_type": "string-reversal",
    "difficulty": "beginner", "title": "T", "prompt": "P", "entry": "f",
    "stub": "def f(s):\n    pass\n", "solution": "def f(s):\n    return s\n", "hints": ["h"],
    "tests": [{"call": "f('a')", "expected": "'a'"}],
}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    return root


def test_the_shipped_bank_loads_cleanly() -> None:
    bank = load_bank()
    assert bank.errors == []
    assert "string-reversal.beginner" in bank.questions
    ordered = bank.ordered()
    assert ordered[0].module == "string-manipulation"


def test_a_broken_bank_file_is_reported_and_skipped(data_copy: Path) -> None:
    target = data_copy / "bank" / "string-manipulation" / "string-reversal.toml"
    target.write_text("[[questions]]\ndifficulty = 'beginner'\ntitle = \n", encoding="utf-8")
    bank = load_bank(data_copy)
    assert len(bank.errors) == 1
    assert str(target) in str(bank.errors[0]) and "invalid TOML" in str(bank.errors[0])
    assert "string-reversal.beginner" not in bank.questions
    assert any(q.problem_type == "case-conversion" for q in bank.questions.values())


def test_a_schema_error_names_the_path_inside_the_file(data_copy: Path) -> None:
    target = data_copy / "bank" / "string-manipulation" / "string-reversal.toml"
    text = target.read_text(encoding="utf-8").replace('difficulty = "intermediate"', 'difficulty = "expert"', 1)
    target.write_text(text, encoding="utf-8")
    bank = load_bank(data_copy)
    assert len(bank.errors) == 1
    assert "questions.1.difficulty" in str(bank.errors[0])


def test_a_file_for_an_unknown_problem_type_is_reported(data_copy: Path) -> None:
    (data_copy / "bank" / "string-manipulation" / "no-such-type.toml").write_text("", encoding="utf-8")
    bank = load_bank(data_copy)
    assert any("not a problem type" in str(e) for e in bank.errors)


def test_invalid_topics_stop_with_the_file_named(data_copy: Path) -> None:
    topics = data_copy / "topics.json"
    raw = json.loads(topics.read_text(encoding="utf-8"))
    raw["modules"][0]["subtopics"][0]["problem_types"][0]["id"] = "Not A Slug"
    topics.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_bank(data_copy)
    assert "topics.json" in str(caught.value)
    assert "modules.0.subtopics.0.problem_types.0.id" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"tests": [{"call": "g('a')", "expected": "'a'"}]}, "not the entry"),
        ({"tests": [{"call": "f(open('x'))", "expected": "'a'"}]}, "not allowed"),
        ({"tests": [{"call": "f('a')", "expected": "os.getcwd()"}]}, "not a Python literal"),
        ({"solution": "def f(:\n"}, "solution has a syntax error"),
        ({"hints": []}, "at least 1"),
    ],
)
def test_question_validation(change: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        Question.model_validate({**BASE, **change})
    assert fragment in str(caught.value)


def test_practice_file_round_trip(tmp_path: Path) -> None:
    bank = load_bank()
    question = bank.get("string-reversal.intermediate")
    text = render_practice_file(question, bank.curriculum)
    assert question_id_of(text) == question.id
    compile(text, "x.py", "exec")
    first = write_practice_file(question, bank.curriculum, tmp_path)
    second = write_practice_file(question, bank.curriculum, tmp_path)
    assert first != second and first.read_text() == second.read_text()
    assert find_entry(text, question.entry) is not None


def test_prompts_with_quotes_and_backslashes_stay_valid_python() -> None:
    bank = load_bank()
    question = bank.get("string-reversal.beginner").model_copy(
        update={"prompt": 'Use """ and \\n and \\ at the end\\'}
    )
    text = render_practice_file(question, bank.curriculum)
    namespace: dict[str, object] = {}
    exec(compile(text, "x.py", "exec"), namespace)
    assert '"""' in str(namespace["__doc__"])


def test_find_entry_survives_syntax_errors() -> None:
    location = find_entry("x = (\n\ndef  reverse(s):\n", "reverse")
    assert location is not None and location.line == 2 and location.start == 5


def test_findings_place_errors_at_the_raising_line_and_failures_at_the_entry() -> None:
    bank = load_bank()
    question = bank.get("string-reversal.beginner")
    source = "# pytrix: question=string-reversal.beginner\n\ndef reverse_string(s):\n    return s[99]\n"
    result = RunResult(
        question_id=question.id, status=RunStatus.FAILED, total=2,
        tests=[
            TestResult(index=0, call='reverse_string("a")', status=Status.ERROR,
                       error=ErrorInfo(type="IndexError", message="string index out of range", line=4),
                       message="raised IndexError: string index out of range"),
            TestResult(index=1, call='reverse_string("")', status=Status.FAILED,
                       expected="''", actual="None", message="expected '', got None"),
        ],
    )
    found = findings_for(result, question, source)
    assert [(f.line, f.code) for f in found] == [(3, "test-error"), (2, "test-failed")]
    assert found[1].start == 4 and found[1].end == 4 + len("reverse_string")


def test_prompt_examples_in_the_practice_file_read_and_paste_as_the_prompt_shows() -> None:
    bank = load_bank()
    question = bank.get("parse-records-from-lines.advanced")
    text = render_practice_file(question, bank.curriculum)
    example = 'load_csv("name,age\\nann,30\\nbob,x", {"age": "int"})'
    assert example in question.prompt and example in text  # one backslash, as in the prompt
    docstring = ast.get_docstring(ast.parse(text), clean=False) or ""
    assert question.prompt.strip() in docstring  # the file's docstring is the prompt, character for character
    assert ast.literal_eval(example.split("(", 1)[1].split(", {")[0]) == "name,age\nann,30\nbob,x"


def test_every_practice_file_compiles_and_carries_its_prompt_verbatim() -> None:
    bank = load_bank()
    for question in bank.questions.values():
        text = render_practice_file(question, bank.curriculum)
        docstring = ast.get_docstring(ast.parse(text), clean=False) or ""
        assert question.prompt.strip() in docstring, question.id
