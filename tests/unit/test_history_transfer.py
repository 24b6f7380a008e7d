"""History, reopening, reset, and export/import with validation and no partial import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from progress_support import T0, bank, open_store, submit

from pytrix.errors import PytrixError, UnknownQuestionError
from pytrix.practice import auto, transfer
from pytrix.practice.history import (
    AttemptSnapshot,
    UnknownAttemptError,
    attempt,
    history,
    reopen_source,
    write_reopened,
)
from pytrix.practice.stats import compute_stats
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store


def seeded(tmp_path: Path, name: str = "pytrix.db") -> Store:
    store = open_store(tmp_path, name)
    submit(store, "string-reversal.beginner", False, now=T0, code="# pytrix: question=string-reversal.beginner\nv1\n")
    submit(store, "string-reversal.beginner", True, now=T0 + 10, hints=2, duration_ms=9000,
           code="# pytrix: question=string-reversal.beginner\nv2\n")
    auto.next_question(store, bank(), Settings(), now=T0 + 20)
    submit(store, "indexing-and-slicing.beginner", True, now=T0 + 30)
    with store.transaction() as conn:
        conn.execute("INSERT INTO hint_progress(question_id, level, updated_at) VALUES ('string-reversal.beginner', 2, ?)", (T0,))
    return store


def test_history_pages_filters_and_snapshots(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    page = history(store, limit=2)
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [3, 2]
    newest = page["items"][0]
    assert newest["mode"] == "auto" and newest["question_id"] == "indexing-and-slicing.beginner"
    second = page["items"][1]
    assert second["code"].endswith("v2\n") and second["hints_used"] == 2
    assert second["duration_ms"] == 9000 and second["results"] == {"passed": 5, "total": 5}
    assert second["mode"] == "manual"
    assert [i["id"] for i in history(store, offset=2)["items"]] == [1]
    assert history(store, question_id="string-reversal.beginner")["total"] == 2
    assert history(store, module="recursion")["total"] == 0
    assert "code" not in history(store, with_code=False)["items"][0]
    with pytest.raises(PytrixError, match="'limit'"):
        history(store, limit="ten")
    assert history(store, limit=10_000)["limit"] == 500


def test_reopen_writes_the_attempt_code_in_a_new_file(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    snapshot = attempt(store, 1)
    question = bank().get(snapshot.question_id)
    first = write_reopened(question, snapshot, tmp_path / "ws")
    second = write_reopened(question, snapshot, tmp_path / "ws")
    assert first != second
    assert first.read_text() == second.read_text() == "# pytrix: question=string-reversal.beginner\nv1\n"
    headerless = AttemptSnapshot(7, "string-reversal.beginner", "def f(): pass")
    assert reopen_source(headerless) == "# pytrix: question=string-reversal.beginner\ndef f(): pass\n"
    with pytest.raises(UnknownAttemptError, match="no attempt 99"):
        attempt(store, 99)


def test_reset_question_module_and_all(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    settings = Settings()
    done = transfer.reset(store, bank(), settings, "question", "string-reversal.beginner")
    assert done["attemptsRemoved"] == 2
    stats = compute_stats(store, bank(), now=T0 + 100)
    assert stats["attempts"] == 1 and stats["streaks"]["correct"] == 1
    assert store.hint_level("string-reversal.beginner") == 0
    with store.snapshot() as conn:
        assert db.review_card(conn, "string-reversal") is None
        assert db.review_card(conn, "indexing-and-slicing") is not None
    with pytest.raises(UnknownQuestionError):
        transfer.reset(store, bank(), settings, "question", "no-such.question")
    with pytest.raises(PytrixError, match="no module"):
        transfer.reset(store, bank(), settings, "module", "no-such-module")
    transfer.reset(store, bank(), settings, "module", "string-manipulation")
    status = auto.status(store, bank(), settings, now=T0 + 100)
    assert status["subtopics"] == [] and status["curriculum"]["position"] == 0
    assert compute_stats(store, bank(), now=T0)["attempts"] == 0
    store2 = seeded(tmp_path, "other.db")
    assert transfer.reset(store2, bank(), settings, "all")["attemptsRemoved"] == 3
    assert transfer.export_progress(store2)["attempts"] == []
    with pytest.raises(PytrixError, match="scope"):
        transfer.reset(store2, bank(), settings, "everything")


def test_export_import_round_trip(tmp_path: Path) -> None:
    source = seeded(tmp_path)
    data = json.loads(json.dumps(transfer.export_progress(source, now=T0 + 50)))
    target = open_store(tmp_path, "target.db")
    submit(target, "caesar-cipher.beginner", True, now=T0)  # replaced by the import
    counts = transfer.import_progress(target, Settings(), transfer.parse_progress(data))
    assert counts == {"attempts": 3, "hints": 1, "reviews": 2, "questions": 0}
    assert compute_stats(target, bank(), now=T0 + 60) == compute_stats(source, bank(), now=T0 + 60)
    assert history(target) == history(source)
    assert auto.status(target, bank(), Settings(), now=T0 + 60) == auto.status(source, bank(), Settings(), now=T0 + 60)
    assert target.hint_level("string-reversal.beginner") == 2
    # the next auto pick continues where the source left off, in both
    assert (auto.next_question(target, bank(), Settings(), now=T0 + 70).question.id
            == auto.next_question(source, bank(), Settings(), now=T0 + 70).question.id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "not a Pytrix progress export"),
        (lambda d: d["attempts"][1].update(passed=9), r"attempts\.1: Value error, passed \(9\) is more"),
        (lambda d: d["attempts"][0].update(difficulty="expert"), r"attempts\.0\.difficulty"),
        (lambda d: d["attempts"].append(dict(d["attempts"][0])), "attempts lists 1 twice"),
        (lambda d: d["reviews"][0].update(card={"nonsense": 1}), r"reviews\.0\.card"),
        (lambda d: d["attempts"][2].update(created_at=-1), r"attempts\.2\.created_at"),
        (lambda d: d.update(version=7), "version"),
    ],
)
def test_bad_input_imports_nothing(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(transfer.export_progress(seeded(tmp_path))))
    change(data)
    target = open_store(tmp_path, "target.db")
    submit(target, "caesar-cipher.beginner", True, now=T0)
    before = transfer.export_progress(target, now=T0)
    with pytest.raises(transfer.ProgressImportError, match=message):
        transfer.import_progress(target, Settings(), transfer.parse_progress(data))
    assert transfer.export_progress(target, now=T0) == before


def test_a_failure_half_way_rolls_the_whole_import_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = transfer.parse_progress(json.loads(json.dumps(transfer.export_progress(seeded(tmp_path)))))
    target = open_store(tmp_path, "target.db")
    submit(target, "caesar-cipher.beginner", True, now=T0)
    before = transfer.export_progress(target, now=T0)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(db, "save_review_card", broken)  # after attempts were inserted
    with pytest.raises(RuntimeError, match="disk on fire"):
        transfer.import_progress(target, Settings(), data)
    monkeypatch.undo()
    assert transfer.export_progress(target, now=T0) == before
    assert compute_stats(target, bank(), now=T0)["attempts"] == 1


def test_read_progress_file_errors(tmp_path: Path) -> None:
    with pytest.raises(transfer.ProgressImportError, match="no such file"):
        transfer.read_progress_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(transfer.ProgressImportError, match="not JSON"):
        transfer.read_progress_file(bad)
