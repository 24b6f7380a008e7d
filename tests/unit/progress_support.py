"""Shared helpers for the progress tests: a real SQLite store and the real bank."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pytrix.curriculum.bank import Bank, load_bank
from pytrix.practice import progress
from pytrix.practice.progress import Recorded
from pytrix.settings import Settings
from pytrix.store.database import Store

DAY = 86_400.0
T0 = 1_800_000_000.0  # a fixed "now" so tests do not depend on the clock


@lru_cache(maxsize=1)
def bank() -> Bank:
    return load_bank()


def open_store(tmp_path: Path, name: str = "pytrix.db") -> Store:
    return Store(tmp_path / name)


def submit(
    store: Store, question_id: str, solved: bool, *, now: float, settings: Settings | None = None,
    hints: int = 0, duration_ms: int = 1000, mode: str | None = None, code: str | None = None,
) -> Recorded:
    """Record a submission without running the sandbox (the result is given)."""
    question = bank().get(question_id)
    total = 5
    return progress.record(
        store, bank(), settings or Settings(), question, passed=total if solved else 2, total=total,
        results_json=json.dumps({"passed": total if solved else 2, "total": total}),
        code=code if code is not None else f"# pytrix: question={question_id}\n",
        hints_used=hints, duration_ms=duration_ms, mode=mode, now=now,
    )
