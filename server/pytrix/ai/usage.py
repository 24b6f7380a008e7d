"""AI usage in SQLite: calls, failed calls and tokens per local day, model and feature.

Each call adds to one row with an atomic upsert, so two servers (two editor
windows) never lose an update. Served by ``pytrix/usage`` and ``pytrix usage``.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from pytrix.store import usage as db
from pytrix.store.database import Store

FEATURES = ("question", "hint", "reveal", "evaluate", "optimize", "test")


def local_day() -> str:
    return datetime.date.today().isoformat()


class UsageLog:
    """Reads and writes the ``ai_usage`` table (migration 3)."""

    def __init__(self, store: Store, today: Callable[[], str] = local_day) -> None:
        self.store = store
        self.today = today

    def _add(self, model: str, feature: str, calls: int, errors: int, tokens_in: int, tokens_out: int) -> None:
        with self.store.transaction() as conn:
            db.add_usage(conn, self.today(), model, feature, calls=calls, errors=errors,
                         input_tokens=tokens_in, output_tokens=tokens_out, at=time.time())

    def record(self, model: str, feature: str, input_tokens: int, output_tokens: int) -> None:
        """A call that reached the model (it answered, so tokens were spent)."""
        self._add(model, feature, 1, 0, max(0, input_tokens), max(0, output_tokens))

    def record_error(self, model: str, feature: str) -> None:
        """A call that failed before an answer (rate limit, overload, timeout...)."""
        self._add(model, feature, 0, 1, 0, 0)

    def calls_today(self, feature: str) -> int:
        with self.store.snapshot() as conn:
            return db.calls_on(conn, self.today(), feature)

    def rows(self, days: int = 30) -> list[dict[str, Any]]:
        """Rows of the last ``days`` days, newest first."""
        since = (datetime.date.fromisoformat(self.today()) - datetime.timedelta(days=days - 1)).isoformat()
        with self.store.snapshot() as conn:
            rows = db.usage_since(conn, since)
        return [
            {"day": r["day"], "model": r["model"], "feature": r["feature"], "calls": r["calls"],
             "errors": r["errors"], "inputTokens": r["input_tokens"], "outputTokens": r["output_tokens"]}
            for r in rows
        ]

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        return {
            key: sum(int(r[key]) for r in rows)
            for key in ("calls", "errors", "inputTokens", "outputTokens")
        }
