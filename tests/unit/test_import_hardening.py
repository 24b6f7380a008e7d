"""Import of hostile files, path traversal through imported questions, and round trips.

* Every state the app can produce exports and imports again (hypothesis generates
  the states through the app's own recording functions, on real SQLite).
* A hostile file gets a clear error naming the field, exit 2, and changes nothing.
* No question, wherever it came from, can make Pytrix write outside the folder
  it is given; ``pytrix new --dir`` with a bad folder says why, exit 2.

``PYTRIX_FUZZ_EXAMPLES`` raises the example budgets (``make fuzz``).
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from progress_support import T0, bank, open_store, submit

from pytrix.cli import main
from pytrix.curriculum.question import Question
from pytrix.errors import PytrixError
from pytrix.practice import auto, progress, transfer
from pytrix.practice.files import (
    PracticePathError,
    practice_path,
    question_id_of,
    write_practice_file,
)
from pytrix.practice.progress import MAX_CODE_CHARS, MAX_RESULTS_CHARS, stored_results
from pytrix.runner.protocol import RunResult, RunStatus, TestResult
from pytrix.runner.protocol import TestStatus as Status
from pytrix.settings import Settings
from pytrix.store.database import Store

EXAMPLES = int(os.environ.get("PYTRIX_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 200,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
QUESTIONS = ["string-reversal.beginner", "indexing-and-slicing.beginner", "caesar-cipher.beginner"]
texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)


def _result(question_id: str, passed: int, stdout: str, message: str) -> RunResult:
    tests = [TestResult(index=i, call=f"f({i})", status=Status.PASSED if i < passed else Status.FAILED,
                        stdout=stdout, message="" if i < passed else message, expected="1", actual="2")
             for i in range(5)]
    return RunResult(question_id=question_id, status=RunStatus.PASSED if passed == 5 else RunStatus.FAILED,
                     passed=passed, total=5, tests=tests)


submissions = st.lists(st.tuples(
    st.sampled_from(QUESTIONS), st.integers(0, 5), texts, texts, texts,
    st.integers(0, 10**9), st.floats(1e9, 4e9), st.sampled_from([None, "manual", "auto"]),
), min_size=1, max_size=4)


def _record(store: Store, rows: list[tuple[Any, ...]]) -> None:
    for question_id, passed, code, stdout, message, duration, now, mode in rows:
        question = bank().get(question_id)
        result = _result(question_id, passed, stdout, message)
        progress.record(store, bank(), Settings(), question, passed=passed, total=5,
                        results_json=stored_results(result), code=code, hints_used=passed % 3,
                        duration_ms=duration, mode=mode, now=now)
        store.set_hint_level(question_id, passed)


def _round_trip(store: Store) -> None:
    first = json.loads(json.dumps(transfer.export_progress(store, now=T0)))
    target = Store(Path(":memory:"))
    transfer.import_progress(target, Settings(), transfer.parse_progress(first))
    second = json.loads(json.dumps(transfer.export_progress(target, now=T0)))
    assert second == first


@FUZZ
@given(rows=submissions, autos=st.integers(0, 3))
def test_every_recorded_state_round_trips(rows: list[tuple[Any, ...]], autos: int) -> None:
    store = Store(Path(":memory:"))
    for step in range(autos):
        auto.next_question(store, bank(), Settings(), now=T0 + step)
    _record(store, rows)
    _round_trip(store)


def test_the_largest_submission_and_results_round_trip() -> None:
    """The red team's case: a submission of a million characters, with bulky results."""
    store = Store(Path(":memory:"))
    huge = _result(QUESTIONS[0], 2, "o" * 400_000, "m" * 400_000)
    assert len(stored_results(huge)) <= MAX_RESULTS_CHARS
    progress.record(store, bank(), Settings(), bank().get(QUESTIONS[0]), passed=2, total=5,
                    results_json=stored_results(huge), code="x" * MAX_CODE_CHARS, hints_used=0,
                    duration_ms=1, now=T0)
    _round_trip(store)


async def test_a_submission_over_the_cap_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from pytrix.service import PytrixService

    service = PytrixService(bank(), open_store(tmp_path))
    try:
        with pytest.raises(PytrixError, match=r"Pytrix checks files up to .* Nothing was run"):
            await service.submit(QUESTIONS[0], "x" * (MAX_CODE_CHARS + 1), "big.py")
        assert service.stats().attempts == 0
    finally:
        service.close()


# -- hostile files through the real CLI -------------------------------------------------------

def _export(tmp_path: Path) -> dict[str, Any]:
    store = open_store(tmp_path, "source.db")
    submit(store, QUESTIONS[0], True, now=T0)
    with store.transaction() as conn:
        conn.execute("INSERT INTO hint_progress(question_id, level, updated_at) VALUES (?, 2, ?)", (QUESTIONS[0], T0))
    return json.loads(json.dumps(transfer.export_progress(store, now=T0)))


AI_BODY = bank().get(QUESTIONS[0]).model_dump(mode="json")


def _with_question(field: str, value: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        body = {**AI_BODY, "id": "string-reversal.beginner.7", field: value, "source": "ai"}
        data["questions"] = [{"id": body["id"], "source": "ai", "fingerprint": "f",
                              "body": json.dumps(body), "created_at": T0}]
    return change


HOSTILE: dict[str, tuple[Any, str]] = {
    "attempt id 10**30": (lambda d: d["attempts"][0].update(id=10**30), r"attempts\.0\.id"),
    "hint level 10**30": (lambda d: d["hints"][0].update(level=10**30), r"hints\.0\.level"),
    "duration 2**63": (lambda d: d["attempts"][0].update(duration_ms=2**63), r"attempts\.0\.duration_ms"),
    "created_at 1e308": (lambda d: d["attempts"][0].update(created_at=1e308), r"attempts\.0\.created_at"),
    "results 10**30": (lambda d: d["attempts"][0].update(results={"x": [10**30]}), r"attempts\.0\.results"),
    "module with ../": (lambda d: d["attempts"][0].update(module="../../x"), r"attempts\.0\.module"),
    "question module ../../x": (_with_question("module", "../../x"), r"questions\.0\.body.*module"),
    "question problem type /tmp/x": (_with_question("problem_type", "/tmp/x"),
                                     r"questions\.0\.body.*problem_type"),
    "card with huge due": (lambda d: d["reviews"][0]["card"].update(due="9" * 400) if d["reviews"] else
                           d["attempts"][0].update(id=0), r"(reviews\.0\.card|attempts\.0\.id)"),
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTRIX_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _import(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["import", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_export_is_refused_naming_the_field(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], name: str,
) -> None:
    change, field = HOSTILE[name]
    data = _export(tmp_path)
    change(data)
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps(data))
    code, err = _import(file, capsys)
    assert code == 2, err
    assert "Nothing was imported" in err and "Traceback" not in err
    assert __import__("re").search(field, err.replace("\n", " ")), err


def test_json_nested_200k_deep_is_refused(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "deep.json"
    file.write_text('{"format": "pytrix-progress", "version": 1, "attempts": ' + "[" * 200_000 + "]" * 200_000 + "}")
    code, err = _import(file, capsys)
    assert code == 2 and "nests its JSON too deeply" in err, err


def test_an_export_with_a_byte_order_mark_imports(tmp_path: Path, home: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bom.json"
    file.write_text(json.dumps(_export(tmp_path)), encoding="utf-8-sig")
    code, err = _import(file, capsys)
    assert code == 0, err


# -- a fuzz of import files ------------------------------------------------------------------

hostile_values = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80), st.sampled_from([10**30, 2**63, -1, 0]),
    st.floats(allow_nan=False), st.sampled_from([1e308, -1e308, 5e-324]), texts,
    st.sampled_from(["../../x", "/tmp/x", "a/../../b", "", "string-reversal.beginner"]),
    st.none(), st.booleans(), st.lists(st.integers(), max_size=3), st.dictionaries(texts, st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@FUZZ
@given(seed=st.integers(0, 2**32), value=hostile_values)
def test_any_field_replaced_by_anything_imports_or_is_refused(
    tmp_path: Path, seed: int, value: Any,
) -> None:
    base = EXPORT_FOR_FUZZ
    data = copy.deepcopy(base)
    target_path = random.Random(seed).choice(_paths(data))
    node = data
    for key in target_path[:-1]:
        node = node[key]
    node[target_path[-1]] = value
    store = Store(Path(":memory:"))
    try:
        parsed = transfer.parse_progress(json.loads(json.dumps(data)))
    except transfer.ProgressImportError as exc:
        assert "Nothing was imported" in str(exc)
        return
    transfer.import_progress(store, Settings(), parsed)  # accepted: it must import cleanly
    transfer.export_progress(store)


def _fuzz_base() -> dict[str, Any]:
    store = Store(Path(":memory:"))
    auto.next_question(store, bank(), Settings(), now=T0)
    _record(store, [(QUESTIONS[0], 5, "code", "out", "msg", 5, T0 + 1, None),
                    (QUESTIONS[1], 2, "code2", "", "bad", 9, T0 + 2, "auto")])
    data = json.loads(json.dumps(transfer.export_progress(store, now=T0)))
    body = {**AI_BODY, "id": "string-reversal.beginner.7", "source": "ai"}
    data["questions"] = [{"id": body["id"], "source": "ai", "fingerprint": "f",
                          "body": json.dumps(body), "created_at": T0}]
    return data  # type: ignore[no-any-return]


EXPORT_FOR_FUZZ = _fuzz_base()


# -- paths ------------------------------------------------------------------------------------

def test_a_question_cannot_name_a_path() -> None:
    for field, value in (("module", "../../x"), ("problem_type", "/tmp/x"), ("subtopic", "a/b")):
        with pytest.raises(ValueError, match=field):
            Question.model_validate({**AI_BODY, field: value})


def test_practice_paths_stay_inside_the_folder(tmp_path: Path) -> None:
    forged = Question.model_construct(**{**bank().get(QUESTIONS[0]).__dict__, "module": "../../escape"})
    with pytest.raises(PracticePathError, match="not a plain id"):
        practice_path(forged, tmp_path / "practice")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "practice").mkdir()
    question = bank().get(QUESTIONS[0])
    (tmp_path / "practice" / question.module).symlink_to(outside)  # a link planted in the folder
    with pytest.raises(PracticePathError, match="outside"):
        write_practice_file(question, bank().curriculum, tmp_path / "practice")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(("folder", "message"), [
    ("FILE", "is a file, not a folder"),
    ("/proc/self", "Cannot use /proc/self for practice files"),
    ("/sys/kernel", "/sys/kernel"),  # refused up front, or at the write (root may pass access())
    ("x" * 300, "the name is too long"),
])
def test_new_with_a_bad_folder_says_why(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], folder: str, message: str,
) -> None:
    if folder == "FILE":
        (tmp_path / "afile").write_text("x")
        folder = str(tmp_path / "afile")
    elif not folder.startswith("/"):
        folder = str(tmp_path / folder)
    code = main(["new", "--question", QUESTIONS[0], "--dir", folder])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_a_byte_order_mark_before_the_header_is_recognised(tmp_path: Path, home: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    source = f"# pytrix: question={QUESTIONS[0]}\n\ndef reverse_string(s):\n    return s[::-1]\n"
    assert question_id_of("\ufeff" + source) == QUESTIONS[0]
    file = tmp_path / "bom.py"
    file.write_text(source, encoding="utf-8-sig")
    code = main(["check", str(file)])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
