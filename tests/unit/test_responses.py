"""The typed answers of PytrixService: camelCase on the wire, snake_case in Python, data not text."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import forked_pytrix
from pytrix.curriculum.bank import load_bank
from pytrix.responses import (
    WIRE_MODELS,
    ErrorReport,
    HintReport,
    RunReport,
    Submission,
    TestReport,
    Wire,
    wire_schema,
)
from pytrix.runner import protocol
from pytrix.runner.protocol import ErrorInfo, RunResult, RunStatus, TestResult
from pytrix.service import PytrixService
from pytrix.store.database import Store

QUESTION = "string-reversal.beginner"


def keys(value: Any, data_maps: frozenset[str] = frozenset({"difficulties", "questions", "today"})) -> set[str]:
    """Every object key of a JSON value, leaving out the keys of maps whose keys are data."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            if key in data_maps and isinstance(item, dict):
                for inner in item.values():
                    found |= keys(inner, data_maps)
            else:
                found |= keys(item, data_maps)
    elif isinstance(value, list):
        for item in value:
            found |= keys(item, data_maps)
    return found


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> PytrixService:
    folder = tmp_path_factory.mktemp("responses")
    return PytrixService(load_bank(), Store(folder / "pytrix.db"))


def test_a_submission_says_counts_status_and_attempt_as_camel_case_data(service: PytrixService) -> None:
    question = service.question(QUESTION)
    failed = asyncio.run(service.submit(QUESTION, question.stub + "\nattempted = True\n", "rev.py"))
    solved = asyncio.run(service.submit(QUESTION, question.solution, "rev.py"))
    data = solved.wire()
    assert data["status"] == "passed" and data["passed"] == data["total"] == len(question.tests)
    assert data["attemptId"] == failed.attempt_id + 1 and data["attemptNumber"] == 2
    assert data["questionId"] == QUESTION and data["mode"] == "manual" and data["auto"] is None
    assert not any("_" in key for key in keys(data)), sorted(k for k in keys(data) if "_" in k)
    assert failed.wire()["status"] == "failed" and failed.wire()["passed"] == 0
    # Python keeps the graded run and its findings; they are not on the wire.
    assert solved.result.all_passed and "result" not in data and "findings" not in data
    assert Submission.model_validate(data).attempt_id == solved.attempt_id  # camelCase reads back


@pytest.mark.parametrize("action", ["stats", "history", "auto_status", "curriculum", "usage", "hint",
                                    "reveal", "set_api_key"])
def test_every_answer_is_camel_case_on_the_wire(service: PytrixService, action: str) -> None:
    calls = {
        "stats": service.stats, "history": service.history, "auto_status": service.auto_status,
        "curriculum": service.curriculum, "usage": service.usage,
        "hint": lambda: service.hint(QUESTION), "reveal": lambda: service.reveal(QUESTION),
        "set_api_key": lambda: service.set_api_key(None),
    }
    answer = calls[action]()
    assert isinstance(answer, Wire)
    data = answer.wire()
    snake = sorted(k for k in keys(data) if "_" in k)
    assert not snake, f"{action} sends snake_case keys: {snake}"
    assert type(answer).model_validate(data) == answer  # the wire reads back to the same model


def test_python_names_and_wire_names_both_validate() -> None:
    by_name = HintReport(level=1, total=3, text="t", exhausted=False)
    by_alias = HintReport.model_validate({"level": 1, "total": 3, "text": "t", "exhausted": False})
    assert by_name == by_alias and by_name.wire()["source"] == "bank"
    run = RunReport.model_validate({"questionId": "q", "status": "passed", "moduleStdout": "x"})
    assert run.module_stdout == "x" and run.wire()["moduleStdout"] == "x"


def test_the_schema_defines_every_wire_model_with_camel_case_properties() -> None:
    schema = wire_schema()
    definitions = schema["$defs"]
    for model in WIRE_MODELS:
        assert model.__name__ in definitions
    for name, definition in definitions.items():
        for prop in definition.get("properties", {}):
            assert "_" not in prop, f"{name}.{prop} is not camelCase"
    # Serialised fields with defaults are always sent, so the generated types need not guess.
    assert "passed" in definitions["RunReport"]["required"]
    assert "attemptId" in definitions["Submission"]["required"]


def test_the_schema_module_runs_as_a_script(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pytrix.responses"], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert json.loads(out.stdout) == json.loads(json.dumps(wire_schema()))


@pytest.mark.parametrize(("graded", "report"), [(RunResult, RunReport), (TestResult, TestReport),
                                               (ErrorInfo, ErrorReport)])
def test_the_run_report_carries_every_field_of_the_graded_run(graded: type, report: type) -> None:
    missing = set(graded.model_fields) - set(report.model_fields)
    assert not missing, f"{report.__name__} lacks {sorted(missing)}: add them so the wire carries them"


def test_the_cli_says_where_a_new_question_is_as_the_editor_does(tmp_path: Path) -> None:
    import json
    import os
    import subprocess

    from pytrix.responses import NewQuestionReport

    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home")}

    def pytrix(*args: str) -> NewQuestionReport:
        done = subprocess.run([*forked_pytrix.command(), *args, "--json"], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        return NewQuestionReport.model_validate(json.loads(done.stdout))

    chosen = pytrix("new", "--question", QUESTION, "--dir", str(tmp_path))
    assert chosen.question_id == QUESTION and chosen.auto is None and chosen.shown is False
    assert Path(chosen.path).is_file() and chosen.uri == Path(chosen.path).as_uri()
    assert chosen.question_uri == f"pytrix:/question/{QUESTION}.md"
    auto = pytrix("auto", "next", "--dir", str(tmp_path))
    assert auto.auto is not None and auto.auto.question_id == auto.question_id and auto.auto.detail
    assert Path(auto.path).is_file()


_text = st.text(max_size=20)
_maybe = st.none() | _text
_errors = st.none() | st.builds(ErrorInfo, type=_text, message=_text, line=st.none() | st.integers(0, 999))
_tests = st.builds(
    TestResult, index=st.integers(0, 50), call=_text, status=st.sampled_from(list(protocol.TestStatus)),
    hidden=st.booleans(), expected=_maybe, actual=_maybe, stdout=_text, error=_errors,
    stopped_line=st.none() | st.integers(1, 999), message=_text, own=st.booleans(),
    duration_ms=st.floats(0, 1e6, allow_nan=False),
)
RUNS = st.builds(
    RunResult, question_id=_text, status=st.sampled_from(list(RunStatus)), passed=st.integers(0, 50),
    total=st.integers(0, 50), tests=st.lists(_tests, max_size=5), compile_error=_errors, module_error=_errors,
    module_stdout=_text, python=_maybe, message=_text,
)
NESTED = {"tests", "compile_error", "module_error"}


@settings(max_examples=150, deadline=None)
@given(RUNS)
def test_any_graded_run_reaches_the_wire_whole_and_reads_back(result: RunResult) -> None:
    report = RunReport.of(result)
    data = report.wire()
    assert not any("_" in key for key in keys(data))
    assert RunReport.model_validate(data) == report
    # Every value the server graded is on the wire: the report is the run, field for field.
    assert report.model_dump(include=set(RunResult.model_fields) - NESTED) == result.model_dump(exclude=NESTED)
    for sent, graded in zip(report.tests, result.tests, strict=True):
        assert sent.model_dump(include=set(TestResult.model_fields) - {"error"}) == graded.model_dump(exclude={"error"})
