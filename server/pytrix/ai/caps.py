"""Safety caps: AI calls per session (all features) and per day (per feature).

A session is this server (or CLI) process. Daily counts come from the usage
table, so they hold across restarts and editor windows, plus the calls of this
process still in flight. A cap of 0 turns that feature's AI off. Connection
tests are not capped. Reaching a cap is not an error for the learner: the
feature answers offline and says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytrix.ai.errors import AIError
from pytrix.ai.usage import UsageLog
from pytrix.settings import Settings, by_alias_name

DAILY_SETTINGS = {
    "question": "ai_daily_questions",
    "hint": "ai_daily_hints",
    "evaluate": "ai_daily_evaluations",
    "optimize": "ai_daily_optimizations",
}
_NOUNS = {"question": "questions", "hint": "hints", "evaluate": "code reviews",
          "optimize": "optimisations"}
UNCAPPED = frozenset({"test"})


class Caps:
    """Counts calls and refuses the ones over a cap."""

    def __init__(self, usage: UsageLog) -> None:
        self.usage = usage
        self.session_calls = 0
        self._in_flight: Counter[str] = Counter()

    def check(self, feature: str, settings: Settings) -> None:
        """Raise ``cap_reached`` if one more ``feature`` call would pass a cap."""
        if feature in UNCAPPED:
            return
        if self.session_calls >= settings.ai_session_calls:
            raise AIError(
                "cap_reached",
                f"This session has used its {settings.ai_session_calls} AI calls (the safety cap "
                f"pytrix.{by_alias_name('ai_session_calls')}); restart the editor or raise the cap.",
            )
        name = DAILY_SETTINGS.get(feature)
        if name is None:
            return
        cap = int(getattr(settings, name))
        used = self.usage.calls_today(feature) + self._in_flight[feature]
        if used >= cap:
            raise AIError(
                "cap_reached",
                f"You have used today's {cap} AI {_NOUNS[feature]} (the safety cap "
                f"pytrix.{by_alias_name(name)}); they come back tomorrow, or raise the cap.",
            )

    @contextmanager
    def reserve(self, feature: str, settings: Settings) -> Iterator[None]:
        """Check the caps, then count one call of ``feature`` while it runs."""
        self.check(feature, settings)
        if feature not in UNCAPPED:
            self.session_calls += 1
        self._in_flight[feature] += 1
        try:
            yield
        finally:
            self._in_flight[feature] -= 1

    def status(self, settings: Settings) -> dict[str, Any]:
        return {
            "session": {"used": self.session_calls, "cap": settings.ai_session_calls},
            "today": {
                feature: {"used": self.usage.calls_today(feature), "cap": int(getattr(settings, name))}
                for feature, name in DAILY_SETTINGS.items()
            },
        }
