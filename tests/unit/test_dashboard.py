"""The dashboard markdown: sections, mastery bars, reviews, and the API usage hook."""

from __future__ import annotations

import time
from pathlib import Path

from progress_support import bank, open_store, submit

from pytrix.practice import dashboard
from pytrix.service import PytrixService


def test_dashboard_sections_and_api_usage(tmp_path: Path) -> None:
    service = PytrixService(bank(), open_store(tmp_path))
    first = service.dashboard_markdown()
    assert "No attempts yet" in first
    assert "Nothing scheduled yet" in first
    submit(service.store, "string-reversal.beginner", True, now=time.time())
    markdown = service.dashboard_markdown()
    assert markdown.startswith("# Pytrix dashboard")
    assert "| String Manipulation | `" in markdown
    assert "string-reversal.beginner" in markdown  # recent activity
    assert "Nothing due. Next: string-reversal in " in markdown
    from pytrix.ai.usage import UsageLog

    UsageLog(service.store).record("gemini-test", "hint", 120, 30)
    usage = dashboard.api_usage(service.store)
    assert usage is not None and usage["totals"]["calls"] == 1
    with_usage = service.dashboard_markdown()
    assert "## API usage" in with_usage and "gemini-test" in with_usage


def test_bar_and_sparkline() -> None:
    assert dashboard.bar(50, 10) == "█████░░░░░"
    assert dashboard.bar(250, 4) == "████"
    assert dashboard.sparkline([0, 0]) == "··"
    assert dashboard.sparkline([0, 4, 8]) == "·▄█"
