"""``pytrix practice``: the terminal practice loop, no editor plugin needed.

Writes (or resumes) a practice file, shows the question, and re-checks the
file each time any editor saves it. Single-letter commands on stdin ask for a
hint, submit, move on, or quit. Hints and reveals are the service's learner
actions, the same as ``pytrix hint``/``pytrix reveal`` and the editor's (the
AI's with a key, else the bank's; the reveal gate; the recording).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from pytrix.cli.output import print_lint
from pytrix.cli.service import open_service
from pytrix.curriculum.question import Difficulty, Question
from pytrix.errors import PytrixError
from pytrix.practice.file_size import FileTooBigError
from pytrix.practice.files import question_id_of
from pytrix.runner.protocol import RunResult
from pytrix.service import PytrixService

HELP = (
    "Edit the file in any editor: every save re-runs the tests.\n"
    "Commands (type and press Enter): [b]h[/] hint · [b]s[/] submit · [b]n[/] next question · "
    "[b]r[/] reveal solution · [b]c[/] check now · [b]q[/] quit"
)


def find_existing(directory: Path, question: Question) -> Path | None:
    """The newest practice file in ``directory`` for ``question``, if any."""
    folder = directory / question.module
    if not folder.is_dir():
        return None
    matches = []
    for path in folder.glob("*.py"):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:400]
        except OSError:
            continue
        if question_id_of(head) == question.id:
            matches.append(path)
    return max(matches, key=lambda p: p.stat().st_mtime) if matches else None


class PracticeSession:
    """State of one terminal practice session."""

    def __init__(self, service: PytrixService, args: argparse.Namespace, console: Console) -> None:
        self.service = service
        self.args = args
        self.console = console
        # One default with the editors': the practiceDir setting (``pytrix``) under the current folder.
        self.directory = service.practice_folder(args.dir or service.settings.practice_dir)
        self.question: Question | None = None
        self.path: Path | None = None
        self.last: tuple[str, RunResult] | None = None  # the latest checked source and its result

    async def choose(self, explicit: str | None = None) -> None:
        """The service's next question for the session's choice (none: auto mode, where a
        new session resumes its open question when its file is still here)."""
        self.last = None
        resume = ((lambda question: find_existing(self.directory, question) is not None)
                  if self.question is None else None)
        difficulty = Difficulty(self.args.difficulty) if self.args.difficulty else None
        chosen = await self.service.choose_question(
            question_id=explicit or None, module=self.args.module or None, difficulty=difficulty,
            resume=resume)
        question = chosen.question
        if chosen.auto is not None:
            self.console.print(f"[cyan]Auto mode:[/] {chosen.auto.detail}")
        if chosen.notice:
            self.console.print(chosen.notice, markup=False)
        existing = None if chosen.auto is not None else find_existing(self.directory, question)
        if existing is not None:
            self.path = existing
            verb = "Resuming"
        else:
            self.path = Path(self.service.new_question(chosen, self.directory).path)
            verb = "Created"
        self.question = question
        self.console.print(Panel(Markdown(self.service.question_markdown(question.id)), expand=False))
        self.console.print(f"{verb} [bold]{self.path}[/]")
        if self.args.once:  # whole lines: the commands stay copyable
            self.console.print(self.single_check_steps(), soft_wrap=True)
        else:
            self.console.print(HELP)

    def single_check_steps(self) -> str:
        """What follows a single check (``--once``): the commands for this file, not the loop's."""
        from rich.markup import escape

        path = escape(str(self.path))
        return (f"Check it again with `pytrix check {path}`; submit it with `pytrix submit {path}`; "
                "`pytrix practice` without --once re-checks it on every save.")

    async def check(self) -> bool:
        assert self.question is not None and self.path is not None
        try:
            source = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.console.print(f"[red]Cannot read {self.path}: {exc}[/]")
            return False
        self.console.rule(f"checking {self.path.name}")
        try:
            result = await self.service.run(self.question, source, self.path.name)
        except FileTooBigError as exc:  # said on every save until the file is small again
            self.console.print(str(exc), markup=False)
            return False
        self.last = (source, result)
        print_lint(self.path, source, self.question, result, coaching=True)
        return result.all_passed

    async def submit(self) -> None:
        assert self.question is not None and self.path is not None
        source = self.path.read_text(encoding="utf-8")
        try:
            submission = await self.service.submit(self.question.id, source, self.path.name)
        except PytrixError as exc:  # refused (the untouched starter code, too long): nothing recorded
            self.console.print(str(exc), markup=False)
            return
        print_lint(self.path, source, self.question, submission.result)
        if submission.auto is not None:
            self.console.print(f"[cyan]Auto mode:[/] {submission.auto.message}", markup=True)
        if submission.result.all_passed:
            self.console.print("[green bold]Solved![/] Recorded. Moving on to the next question." if submission.solved
                               else "All tests pass. You saw the solution, so this attempt is recorded as "
                               "practice, not as a solve. Moving on to the next question.")
            await self.choose()
            await self.check()
        else:
            self.console.print("Recorded. Not solved yet: keep going, or type h for a hint.")

    def _current(self) -> tuple[str, RunResult | None] | None:
        """The file's text and, when it is the text last checked, that check's result."""
        assert self.path is not None
        try:
            source = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.console.print(f"[red]Cannot read {self.path}: {exc}[/]")
            return None
        if self.last is not None and self.last[0] == source:
            return source, self.last[1]
        return source, None

    async def hint(self) -> None:
        """The service's hint action on the file as it is now (the tests run first when it
        changed since the last check)."""
        assert self.question is not None and self.path is not None
        current = self._current()
        if current is None:
            return
        hint = await self.service.tutor_hint(self.question, *current, filename=self.path.name)
        if hint.notice:
            self.console.print(hint.notice, markup=False)
        origin = " (AI)" if hint.source == "ai" else ""
        self.console.print(f"[cyan]Hint {hint.level}/{hint.total}{origin}:[/] ", end="")
        self.console.print(hint.text, markup=False)

    async def reveal(self) -> None:
        """The service's reveal action (its gate decides and records)."""
        assert self.question is not None
        current = self._current()
        if current is None:
            return
        reveal = await self.service.tutor_reveal(self.question, *current)
        if reveal.notice:
            self.console.print(reveal.notice, markup=False)
        self.console.print(reveal.message, markup=False)
        if reveal.explanation:
            self.console.print(reveal.explanation, markup=False)
        if reveal.solution:
            self.console.print(reveal.solution, markup=False)

    async def command(self, text: str) -> bool:
        """Handle one typed command; return False to quit."""
        assert self.question is not None
        word = text.strip().lower()[:1]
        if word == "q":
            return False
        if word == "h":
            await self.hint()
        elif word == "s":
            await self.submit()
        elif word == "n":
            await self.choose()
            await self.check()
        elif word == "r":
            await self.reveal()
        elif word == "c":
            await self.check()
        elif word:
            self.console.print(HELP)
        return True


def _stdin_lines(
    loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[tuple[str, str | None]]
) -> None:
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, ("command", line))
    loop.call_soon_threadsafe(queue.put_nowait, ("command", None))


async def _watch(session: PracticeSession) -> None:
    """One loop over two event sources: saves under the practice folder and typed commands."""
    from watchfiles import awatch

    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, str | None]] = asyncio.Queue()
    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=_stdin_lines, args=(loop, events), daemon=True).start()
    stop = asyncio.Event()
    session.directory.mkdir(parents=True, exist_ok=True)

    async def saves() -> None:
        announced = False
        async for batch in awatch(
            session.directory, stop_event=stop, debounce=150, step=50,
            yield_on_timeout=True, rust_timeout=300,
        ):
            if not announced:
                announced = True
                session.console.print("Watching for saves…")
            for _, changed in batch:
                events.put_nowait(("saved", changed))

    watcher = asyncio.ensure_future(saves())
    try:
        while True:
            kind, value = await events.get()
            if kind == "saved":
                if value and session.path and Path(value).resolve() == session.path.resolve():
                    await session.check()
            elif value is None:
                continue  # stdin closed: keep watching until Ctrl-C
            elif not await session.command(value):
                break
    finally:
        stop.set()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await watcher


async def _check_once(session: PracticeSession) -> bool:
    try:
        await session.choose(session.args.question)
        return await session.check()
    finally:
        await session.service.close_tutor()
        await session.service.sandbox.close()


async def _check_and_watch(session: PracticeSession) -> None:
    try:
        await session.choose(session.args.question)
        await session.check()
        await _watch(session)
    finally:
        await session.service.close_tutor()
        await session.service.sandbox.close()


def practice_loop(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    try:
        with open_service() as service:
            session = PracticeSession(service, args, console)
            if args.once:
                return 0 if asyncio.run(_check_once(session)) else 1
            service.use_warm_pool()
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_check_and_watch(session))
            console.print("Bye! Your progress is saved; `pytrix stats` shows it.")
            return 0
    except PytrixError as exc:
        console.print(f"[red]pytrix: {exc}[/]")
        return 2
