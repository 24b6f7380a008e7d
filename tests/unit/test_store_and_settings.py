"""The SQLite store (migrations, attempts, concurrency) and settings validation."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pytrix.settings import Settings, parse_settings
from pytrix.store.database import Store, StoreError
from pytrix.store.schema import SCHEMA_VERSION


def record(store: Store, question: str = "q.beginner", passed: int = 1, total: int = 1) -> int:
    return store.record_attempt(
        question_id=question, module="m", subtopic="s", problem_type="p", difficulty="beginner",
        mode="manual", passed=passed, total=total, code="x", results={"ok": True}, hints_used=0,
        duration_ms=5,
    )


def test_a_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    assert store.schema_version == SCHEMA_VERSION
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    store.close()
    again = Store(tmp_path / "p.db")
    assert again.schema_version == SCHEMA_VERSION


def test_a_database_from_a_newer_pytrix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match="newer Pytrix"):
        Store(path)


def test_a_garbage_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="PYTRIX_HOME"):
        Store(path)


def test_attempts_hints_and_gate_counts(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    record(store, passed=0, total=3)
    record(store, passed=3, total=3)
    assert store.failed_submissions("q.beginner") == 1
    assert store.solved_question_ids() == {"q.beginner"}
    assert [r["solved"] for r in store.query("SELECT solved FROM attempts ORDER BY id DESC")] == [1, 0]
    assert store.hint_level("q.beginner") == 0
    store.set_hint_level("q.beginner", 2)
    assert store.hint_level("q.beginner") == 2
    assert store.attempt_count("q.beginner") == 2


def test_two_connections_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    stores = [Store(path), Store(path)]

    def burst(store: Store) -> None:
        for _ in range(100):
            record(store)

    threads = [threading.Thread(target=burst, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stores[0].query("SELECT COUNT(*) FROM attempts")[0][0] == 200


def test_settings_reject_bad_values_one_by_one() -> None:
    settings, problems = parse_settings(
        {"debounceMs": -3, "runOnChange": False, "runtime": "jvm", "unknownKey": 1}
    )
    assert settings.run_on_change is False
    assert settings.debounce_ms == Settings().debounce_ms
    assert settings.runtime == "subprocess"
    assert len(problems) == 2
    assert any("pytrix.debounceMs" in p and "default 600" in p for p in problems)


def test_settings_that_are_not_an_object() -> None:
    settings, problems = parse_settings(["nope"])
    assert settings == Settings() and "must be an object" in problems[0]
