"""History: every attempt with its code, results, hints, time and mode; reopening one.

Reopening writes a new practice file holding the attempt's code (its header
restored if the learner had removed it), never overwriting an existing file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytrix.curriculum.question import Question
from pytrix.errors import PytrixError
from pytrix.practice.files import question_id_of, write_new_file
from pytrix.practice.stats import attempt_json
from pytrix.store import progress as db
from pytrix.store.database import Store

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


class UnknownAttemptError(PytrixError):
    """No attempt has this id."""

    def __init__(self, attempt_id: int) -> None:
        self.attempt_id = attempt_id
        super().__init__(
            f"There is no attempt {attempt_id}. `pytrix history` lists the attempts you have made."
        )


def _count(value: Any, name: str, default: int, maximum: int | None = None) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PytrixError(f"'{name}' must be a whole number of 0 or more, not {value!r}.")
    return min(value, maximum) if maximum is not None else value


def history(
    store: Store,
    *,
    limit: Any = None,
    offset: Any = None,
    question_id: str | None = None,
    module: str | None = None,
    with_code: bool = True,
) -> dict[str, Any]:
    """A page of attempts, newest first: ``{total, limit, offset, items}``."""
    page = _count(limit, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    skip = _count(offset, "offset", 0)
    with store.snapshot() as conn:
        total, rows = db.history_rows(
            conn, limit=page, offset=skip, question_id=question_id, module=module,
            with_code=with_code,
        )
    items = []
    for row in rows:
        item = attempt_json(row)
        if with_code:
            item["code"] = row["code"]
            try:
                item["results"] = json.loads(row["results"])
            except (TypeError, json.JSONDecodeError):
                item["results"] = None
        items.append(item)
    return {"total": total, "limit": page, "offset": skip, "items": items}


@dataclass(frozen=True)
class AttemptSnapshot:
    attempt_id: int
    question_id: str
    code: str


def attempt(store: Store, attempt_id: int) -> AttemptSnapshot:
    if not 1 <= attempt_id < 2**63:  # no such row, and SQLite could not even look it up
        raise UnknownAttemptError(attempt_id)
    with store.snapshot() as conn:
        row = db.attempt_row(conn, attempt_id)
    if row is None:
        raise UnknownAttemptError(attempt_id)
    return AttemptSnapshot(int(row["id"]), row["question_id"], row["code"])


def reopen_source(snapshot: AttemptSnapshot) -> str:
    """The attempt's code, with the practice header put back if it went missing."""
    code = snapshot.code
    if question_id_of(code) == snapshot.question_id:
        return code if code.endswith("\n") else code + "\n"
    header = f"# pytrix: question={snapshot.question_id}\n"
    return header + code + ("" if code.endswith("\n") else "\n")


def write_reopened(question: Question, snapshot: AttemptSnapshot, directory: Path) -> Path:
    """Write a fresh practice file holding the attempt's code; return its path."""
    return write_new_file(question, directory, reopen_source(snapshot))
