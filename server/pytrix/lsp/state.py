"""Per-document state the server keeps between requests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the core is imported after `initialize` is answered (lsp/startup.py)
    from pytrix.practice.findings import Finding
    from pytrix.runner.protocol import RunResult


@dataclass
class DocumentState:
    """What the server knows about one open document."""

    uri: str
    question_id: str | None = None
    header_lost: bool = False
    result: RunResult | None = None
    result_version: int | None = None
    run_findings: list[Finding] = field(default_factory=list)
    notice_findings: list[Finding] = field(default_factory=list)
    coach_findings: list[Finding] = field(default_factory=list)
    coach_raw: list[Any] = field(default_factory=list)  # pytrix.coach findings, for quick fixes
    # Code review (pytrix.evaluate): shown while the run results are of the reviewed version.
    review_findings: list[Finding] = field(default_factory=list)
    review_version: int | None = None
    task: asyncio.Task[None] | None = None
    solved_source: str | None = None  # the text of the last solved submission
    opened_at: float = field(default_factory=time.monotonic)

    def cancel_run(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None

    def findings(self) -> list[Finding]:
        review = self.review_findings if self.review_version == self.result_version else []
        return [*self.notice_findings, *self.run_findings, *self.coach_findings, *review]
