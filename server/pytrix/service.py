"""The application service: the one object the CLI and the language server call.

It ties the bank, the store and the sandbox together and knows the learner's
loop: pick a question, write a practice file, run it, hint, reveal, submit.
Nothing here imports pygls.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytrix.curriculum.bank import Bank, load_bank
from pytrix.curriculum.question import Difficulty, Question
from pytrix.errors import NotAPracticeFileError, PytrixError, UnknownQuestionError
from pytrix.paths import database_path
from pytrix.practice.file_size import check_size
from pytrix.practice.files import question_id_of, write_practice_file
from pytrix.practice.render import question_markdown
from pytrix.runner.client_backend import ClientRuntime, ClientRuntimeError
from pytrix.runner.protocol import Limits, RunResult
from pytrix.runner.sandbox import SubprocessSandbox
from pytrix.settings import Settings
from pytrix.store.database import Store

if TYPE_CHECKING:  # the response models load where they are made: `pytrix check` makes none
    from pytrix.ai.router import Sleep
    from pytrix.ai.tutor import AITutor
    from pytrix.practice.auto import AutoPick  # auto mode loads at its first use
    from pytrix.responses import (
        AutoOutcomeReport,
        AutoStatusReport,
        ConnectionReport,
        CurriculumReport,
        HintReport,
        HistoryPage,
        ImportReport,
        KeyStatus,
        NewQuestionReport,
        OptimizeReport,
        Origin,
        ResetReport,
        RevealReport,
        ReviewReport,
        StatsReport,
        Submission,
        UsageReport,
    )

log = logging.getLogger(__name__)
IDLE_CAP_MS = 45 * 60 * 1000  # the longest stretch one attempt is credited with


@dataclass(frozen=True)
class Chosen:
    """The question a learner's choice leads to (:meth:`PytrixService.choose_question`)."""

    question: Question
    source: Origin = "bank"
    notice: str | None = None
    """What the learner should be told: the choice's questions come round again, or why
    there is no AI question."""
    auto: AutoPick | None = None
    """Auto mode's pick and its reason, when no choice was given."""
    ai_offer: bool = False
    """The notice offers to generate questions like this one with the AI (a key is set)."""


class PytrixService:
    """Everything a front end needs, over one bank, one store and one sandbox."""

    def __init__(self, bank: Bank, store: Store, settings: Settings | None = None) -> None:
        self.bank = bank
        self.store = store
        self.settings = settings or Settings()
        # A warm pool only pays off for long-lived front ends (server, watch mode):
        # they set ``sandbox.pool_size``; one-shot CLI commands keep it at 0.
        self.sandbox = SubprocessSandbox(self.limits())
        self.client_runtime: ClientRuntime | None = None
        self.runtime_notes: list[str] = []
        self.pick_notice: str | None = None  # said when a choice's questions come round again
        self.keep_ahead = False  # a long-lived front end: AI questions are prefetched for auto mode

    @classmethod
    def open(cls, settings: Settings | None = None, db_path: Path | None = None) -> PytrixService:
        return cls(load_bank(), Store(db_path or database_path()), settings)

    def close(self) -> None:
        self.store.close()

    def limits(self) -> Limits:
        return Limits(
            test_timeout=self.settings.test_timeout,
            run_timeout=self.settings.run_timeout,
            memory_mb=self.settings.memory_mb,
        )

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.sandbox.limits = self.limits()
        if self.sandbox.pool_size:
            self.sandbox.pool_size = settings.pool_size

    def use_warm_pool(self) -> None:
        """Keep ``pool_size`` sandbox processes ready (call from a long-lived front end), and
        with a Gemini key the next auto-mode questions generated ahead."""
        self.sandbox.pool_size = self.settings.pool_size
        self.keep_ahead = True

    @functools.cached_property
    def ai(self) -> AITutor:
        """The AI tutor (made on first use); it holds the learner's key in memory only."""
        return self.new_tutor()

    def new_tutor(self, *, sleep: Sleep | None = None) -> AITutor:
        """An AI tutor over this service's bank, store and sandbox; the bank's next
        question, the offline hint and the reveal gate stay decided here."""
        from pytrix.ai.tutor import AITutor, Decisions

        decisions = Decisions(
            next_question=lambda problem_type, difficulty: self.next_question(
                problem_type=problem_type, difficulty=difficulty),
            hint=self.hint,
            explained=lambda question, source, result: self.cause_hint(question, source, result) is not None,
            reveal=self.reveal,
        )
        return AITutor(self.bank, self.store, self.sandbox, lambda: self.settings, decisions, sleep=sleep)

    # -- questions -----------------------------------------------------------
    def curriculum(self) -> CurriculumReport:
        """The curriculum tree with the bank's question ids for each problem type."""
        from pytrix.responses import CurriculumReport

        curriculum = self.bank.curriculum
        modules = []
        for module in curriculum.ordered_modules:
            subtopics = []
            for subtopic in module.subtopics:
                problem_types = []
                for problem in subtopic.problem_types:
                    counts = {
                        d.value: [q.id for q in self.bank.for_problem_type(problem.id, d)]
                        for d in Difficulty
                    }
                    problem_types.append({**problem.model_dump(), "questions": counts})
                subtopics.append(
                    {**subtopic.model_dump(exclude={"problem_types"}), "problem_types": problem_types}
                )
            modules.append({**module.model_dump(exclude={"subtopics"}), "subtopics": subtopics})
        return CurriculumReport.model_validate({"version": curriculum.version, "modules": modules})

    def question(self, question_id: str) -> Question:
        if question_id in self.bank.questions:
            return self.bank.questions[question_id]
        body = self.store.load_question_body(question_id)
        if body is not None:
            try:
                return Question.model_validate_json(body)
            except ValueError as exc:  # pydantic's ValidationError: stored before ids were checked
                raise PytrixError(
                    f"The stored question {question_id!r} is invalid and cannot be used "
                    f"({str(exc).splitlines()[0]})."
                ) from None
        raise UnknownQuestionError(question_id)

    def next_question(
        self, module: str | None = None, difficulty: Difficulty | None = None,
        problem_type: str | None = None,
    ) -> Question:
        """The next question matching the filters: the first unsolved one in curriculum
        order that is fresh (neither given recently nor a near-duplicate of one that was)."""
        if module is not None and self.bank.curriculum.module(module) is None:
            known = ", ".join(m.id for m in self.bank.curriculum.ordered_modules)
            raise PytrixError(f"There is no module {module!r}. Modules: {known}.")
        candidates = [
            q for q in self.bank.ordered()
            if (module is None or q.module == module)
            and (difficulty is None or q.difficulty == difficulty)
            and (problem_type is None or q.problem_type == problem_type)
        ]
        if not candidates:
            raise PytrixError("No bank question matches that choice yet.")
        from pytrix.practice.variety import Freshness, load_recent

        # Unsolved first, then fresh before near-duplicates of recent questions before
        # recent ones (see pytrix.practice.variety), then the one given longest ago
        # (so an exhausted choice cycles instead of repeating one question), then
        # curriculum order.
        self.pick_notice = None
        solved = self.store.solved_question_ids()
        recent = load_recent(self.store, self.bank)
        given = self.store.given_history([q.id for q in candidates])
        best: tuple[bool, int, float, int] | None = None
        chosen = candidates[0]
        for order, question in enumerate(candidates):
            key = (question.id in solved, recent.freshness(question, self.bank),
                   given.get(question.id, (0, 0.0))[1], order)
            if key[:2] == (False, Freshness.FRESH):
                return question
            if best is None or key < best:
                best, chosen = key, question
        counts = {given.get(q.id, (0, 0.0))[0] for q in candidates}
        if len(counts) == 1 and counts != {0} and len(candidates) > 1:
            # Every question of this choice has been given equally often: a new round starts.
            self.pick_notice = (
                f"You have had all {len(candidates)} questions of this choice; they come round "
                "again, the one you saw longest ago first. Pick another module or difficulty for new ones."
            ) + self._ai_offer(chosen)
        return chosen

    def ai_available(self) -> bool:
        """Whether the AI may be asked (the AI is on and a key is set), without making the
        tutor when it is not made yet (a one-shot CLI command's key is the environment's)."""
        if "ai" in self.__dict__:  # the tutor is built: it may hold the editor's key
            return self.ai.available()
        from pytrix.ai.keys import ApiKeys

        return self.settings.ai_enabled and ApiKeys().current() is not None

    async def choose_question(
        self, *, question_id: str | None = None, module: str | None = None,
        difficulty: Difficulty | None = None, problem_type: str | None = None,
        source: str | None = None, resume: Callable[[Question], bool] | None = None,
    ) -> Chosen:
        """The learner's "new question", decided here for every front end.

        A question id names the question. ``source="ai"`` asks for a verified AI
        question of ``problem_type`` and ``difficulty`` (the bank's, with a notice,
        when none can be made). No choice at all means auto mode's next pick (with
        a key, a prefetched AI question of its kind takes its place). A problem
        type the bank lacks goes to the AI when a key is set. Otherwise the bank's
        next question of the choice answers. ``resume``: in auto mode, the open
        auto-mode question is chosen again (as no new pick) when it says so, e.g.
        when its practice file is still there.
        """
        if source not in (None, "ai", "bank"):
            raise PytrixError("'source' must be \"ai\" or \"bank\".")
        if question_id is not None:
            return Chosen(self.question(question_id))
        if source != "ai" and module is None and difficulty is None and problem_type is None:
            return await self._auto_choice(resume)
        uncovered = problem_type is not None and not any(
            self.bank.for_problem_type(problem_type, d) for d in Difficulty)
        if source == "ai" or (source is None and uncovered and self.ai_available()):
            if problem_type is None or difficulty is None:
                raise PytrixError(
                    "An AI question needs a problem type (a curriculum id) and a difficulty "
                    f"({', '.join(d.value for d in Difficulty)}).")
            outcome = await self.ai.question(problem_type, difficulty, explicit=source == "ai")
            return Chosen(outcome.question, outcome.source, outcome.notice)
        question = self.next_question(module=module, difficulty=difficulty, problem_type=problem_type)
        return Chosen(question, "bank", self.pick_notice, ai_offer=self.pick_notice is not None
                      and self.ai_available())

    async def _auto_choice(self, resume: Callable[[Question], bool] | None) -> Chosen:
        current = self.auto_current() if resume is not None else None
        if current is not None and resume is not None and resume(current):
            return Chosen(current)
        pick = self.auto_next()
        if not self.ai_available():
            return Chosen(pick.question, "bank", None, pick)
        question, origin = await self.ai.auto_question(pick)
        if self.keep_ahead:
            self.ai.prefetch_auto()  # keep the next questions ready in the background
        from pytrix.practice.auto import AutoPick

        return Chosen(question, origin, None, AutoPick(question, pick.reason, pick.detail))

    def _ai_offer(self, like: Question) -> str:
        """With a Gemini key (and the AI on): how to have new questions like ``like`` written."""
        if not self.ai_available():
            return ""
        return (
            " Your Gemini key is set, so Pytrix can also write new ones for you: "
            f"`pytrix ai question --problem-type {like.problem_type} --difficulty {like.difficulty.value} "
            "--dir DIR` in a terminal, or a new question with `source: \"ai\"` from an editor "
            "(`pytrix/newQuestion`)."
        )

    def question_markdown(self, question_id: str) -> str:
        question = self.question(question_id)
        return question_markdown(question, self.bank.curriculum, self.store.hint_level(question.id))

    @staticmethod
    def practice_folder(directory: Path | str) -> Path:
        """``directory`` made absolute (a relative one is taken from the current folder) and
        checked, without creating anything, before a question is chosen: a folder that cannot
        be used neither moves auto mode on nor leaves a half-made file (a clear
        :class:`PytrixError` says why)."""
        import errno
        import os

        folder = Path(directory).expanduser().absolute()
        try:
            existing = next(p for p in (folder, *folder.parents) if p.exists())
        except OSError as exc:  # e.g. a component longer than the file system allows
            why = ("the name is too long" if exc.errno == errno.ENAMETOOLONG
                   else (exc.strerror or str(exc)).lower())
            raise PytrixError(f"Cannot use {folder} for practice files: {why}.") from None
        if not existing.is_dir():
            raise PytrixError(f"Cannot use {folder} for practice files: {existing} is a file, not a folder.")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise PytrixError(f"Cannot use {folder} for practice files: {existing} is not writable.")
        return folder

    def new_practice_file(self, question: Question, directory: Path) -> Path:
        """Write a practice file for ``question`` and remember it was given (for variety);
        a failure after writing removes the file again, so a retry makes no duplicate."""
        from pytrix.practice.variety import remember

        path = write_practice_file(question, self.bank.curriculum, self.practice_folder(directory))
        try:
            remember(self.store, question, self.bank)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def new_question(self, question: Question | Chosen, directory: Path, *,
                     auto: AutoPick | None = None) -> NewQuestionReport:
        """Write the question's practice file in ``directory`` and say where it is (``shown``
        stays False: a front end that opens it says so); ``auto``: auto mode's reason for it
        (a :class:`Chosen` brings its own, with its source and notice)."""
        from pytrix.responses import AiOffer, AutoPickReport, NewQuestionReport

        chosen = question if isinstance(question, Chosen) else Chosen(question, auto=auto)
        question, auto = chosen.question, chosen.auto
        path = self.new_practice_file(question, directory)
        reason = (AutoPickReport(question_id=question.id, reason=auto.reason, detail=auto.detail)
                  if auto is not None else None)
        return NewQuestionReport(
            question_id=question.id, title=question.title, path=str(path), uri=path.as_uri(),
            question_uri=f"pytrix:/question/{question.id}.md", shown=False, auto=reason,
            source=chosen.source, notice=chosen.notice,
            ai_offer=AiOffer(problem_type=question.problem_type, difficulty=question.difficulty.value)
            if chosen.ai_offer else None,
        )

    def question_for_source(self, source: str) -> Question:
        """The question a practice file belongs to, from its header (a file too big to check is refused)."""
        check_size(source)
        question_id = question_id_of(source)
        if question_id is None:
            raise NotAPracticeFileError(
                "This file has no Pytrix header. Practice files start with "
                "'# pytrix: question=<id>'; create one with 'Pytrix: new practice question'."
            )
        return self.question(question_id)

    # -- running -------------------------------------------------------------
    async def run(self, question: Question, source: str, filename: str,
                  reveal_hidden: bool = False) -> RunResult:
        """Run in the editor's Pyodide when chosen and available, else in the sandbox.

        A file over the size limit (:mod:`pytrix.practice.file_size`) is refused first."""
        check_size(source)
        if self.settings.runtime == "pyodide" and self.client_runtime is not None:
            try:
                result = await self.client_runtime.run(
                    question, source, filename, limits=self.limits(), reveal_hidden=reveal_hidden
                )
            except ClientRuntimeError as exc:
                log.warning("client runtime failed, using the sandbox: %s", exc)
                self.runtime_notes.append(f"{exc}; the tests ran in the local sandbox instead.")
            else:
                return _graded(question, result)
        return _graded(question, await self.sandbox.run(question, source, filename, reveal_hidden=reveal_hidden))

    # -- hints, reveal, submit -----------------------------------------------
    def hint(self, question_id: str, source: str | None = None, result: RunResult | None = None) -> HintReport:
        """Reveal the next step of the hint ladder.

        Given the code and its latest run, a failure with an explained cause comes
        first: the hint starts with that cause (where it is and what to fix),
        then the generic ladder's next step follows.
        """
        from pytrix.responses import HintReport

        question = self.question(question_id)
        total = len(question.hints)
        level = self.store.hint_level(question.id)
        cause = self.cause_hint(question, source, result) if source is not None and result else None
        prefix = f"{cause[1]} Then: " if cause is not None else ""
        code = cause[0] if cause is not None else None
        if level >= total:
            return HintReport(level=total, total=total, text=prefix + question.hints[-1], exhausted=True,
                              cause=code)
        level += 1
        self.store.set_hint_level(question.id, level)
        return HintReport(level=level, total=total, text=prefix + question.hints[level - 1],
                          exhausted=level >= total, cause=code)

    def cause_hint(self, question: Question, source: str, result: RunResult) -> tuple[str, str] | None:
        """(cause code, text) for the first explained failure of ``result``, else None."""
        from pytrix.practice.explain import explain

        lines = source.splitlines()
        for cause in explain(result, question, source).values():
            where = ""
            if cause.line is not None and 0 <= cause.line < len(lines):
                where = f" Look at line {cause.line + 1}: `{lines[cause.line].strip()[:60]}`."
            return cause.code, f"{cause.sentence}{where} Fix that first."
        return None

    def reveal_gate(self, question_id: str) -> RevealReport:
        """Whether the reference solution may be shown (enough failed submissions, or the
        question solved), without showing or recording anything: menus ask this."""
        from pytrix.responses import RevealReport

        question = self.question(question_id)
        needed = self.settings.reveal_after_failures
        failed = self.store.failed_submissions(question.id)
        if failed < needed and question.id not in self.store.solved_question_ids():
            left = needed - failed
            return RevealReport(
                allowed=False,
                message=f"The solution unlocks after {needed} failed submissions "
                f"({left} more to go), or once you solve it. Try a hint first.",
            )
        return RevealReport(allowed=True, message="The reference solution can be shown.")

    def reveal(self, question_id: str) -> RevealReport:
        """The reference solution behind :meth:`reveal_gate`, recorded as seen."""
        from pytrix.responses import RevealReport

        gate = self.reveal_gate(question_id)
        if not gate.allowed:
            return gate
        question = self.question(question_id)
        solution = question.optimal or question.solution
        self.store.mark_revealed(question.id, time.time())
        return RevealReport(
            allowed=True,
            message="Here is a reference solution. A submission of this question now counts as "
            "practice, not as a solve.",
            solution=solution.strip() + "\n",
        )

    async def submit(
        self, question_id: str, source: str, filename: str, *, duration_ms: int | None = None,
        mode: str | None = None,
    ) -> Submission:
        """Run every test and record the attempt (hidden tests revealed once solved or unlocked).

        ``mode=None`` records "auto" when auto mode gave the question (and then
        updates the auto-mode state), else "manual". The attempt, its spaced
        review and the auto state are written in one transaction. Without
        ``duration_ms`` (the CLI knows no editor session), the time is taken
        from when the question was given or last attempted
        (:meth:`working_time_ms`).
        """
        from pytrix.practice.findings import findings_for
        from pytrix.practice.progress import MAX_CODE_CHARS, record_result
        from pytrix.responses import AutoOutcomeReport, Submission
        from pytrix.store.progress import REVEALED

        check_size(source)  # before the starter-code check, which parses the file
        if len(source) > MAX_CODE_CHARS:
            raise PytrixError(
                f"This file has {len(source):,} characters; Pytrix records submissions of at most "
                f"{MAX_CODE_CHARS:,}. Shorten it and submit again (nothing was recorded)."
            )
        question = self.question(question_id)
        if untouched_stub(question, source):
            raise PytrixError(
                "This is still the starter code: write your solution in it first, then submit "
                "(nothing was recorded)."
            )
        if duration_ms is None:
            duration_ms = self.working_time_ms(question.id)
        if self.store.revealed_at(question.id) is not None:
            mode = REVEALED
        # Hidden tests stay hidden until the question is solved (or its solution unlocked), so
        # a failed submission cannot be followed by one that hard-codes their answers.
        reveal = (question.id in self.store.solved_question_ids()
                  or self.store.failed_submissions(question.id) >= self.settings.reveal_after_failures)
        result = await self.run(question, source, filename, reveal_hidden=reveal)
        recorded = record_result(
            self.store, self.bank, self.settings, question, result, code=source,
            hints_used=self.store.hint_level(question.id), duration_ms=duration_ms, mode=mode,
        )
        solved = result.all_passed and recorded.mode != REVEALED
        auto = AutoOutcomeReport.model_validate(vars(recorded.auto)) if recorded.auto else None
        return Submission.made(
            result, findings_for(result, question, source, solved=solved),
            attempt_id=recorded.attempt_id, attempt_number=self.store.attempt_count(question.id),
            mode=recorded.mode, auto=auto, solved=solved,
        )

    def working_time_ms(self, question_id: str, now: float | None = None) -> int:
        """Time spent on a question up to ``now``: since it was given or last attempted.

        Capped at :data:`IDLE_CAP_MS`, so a file left open overnight counts as
        one long session rather than a day; 0 when Pytrix never gave it.
        """
        now = time.time() if now is None else now
        started = self.store.last_worked_at(question_id)
        if started is None or started > now:
            return 0
        return int(min(now - started, IDLE_CAP_MS / 1000) * 1000)

    def stats(self) -> StatsReport:
        """The full stats document (module -> subtopic -> problem type -> difficulty)."""
        from pytrix.practice.stats import compute_stats
        from pytrix.responses import StatsReport

        return StatsReport.model_validate(compute_stats(self.store, self.bank))

    # -- progress: history, auto mode, reviews, dashboard, control -------------
    def history(self, *, limit: Any = None, offset: Any = None, question_id: str | None = None,
                module: str | None = None, with_code: bool = True) -> HistoryPage:
        from pytrix.practice.history import history
        from pytrix.responses import HistoryPage

        return HistoryPage.model_validate(history(
            self.store, limit=limit, offset=offset, question_id=question_id, module=module,
            with_code=with_code,
        ))

    def reopen(self, attempt_id: int, directory: Path) -> tuple[Question, Path]:
        """Write a practice file holding a past attempt's code; return its question and path."""
        from pytrix.practice.history import attempt, write_reopened

        snapshot = attempt(self.store, attempt_id)
        question = self.question(snapshot.question_id)
        return question, write_reopened(question, snapshot, directory)

    def auto_next(self) -> AutoPick:
        """The next auto-mode question (recorded as issued, so its submissions count as auto)."""
        from pytrix.practice import auto

        return auto.next_question(self.store, self.bank, self.settings)

    def auto_current(self) -> Question | None:
        """The auto-mode question being worked on (issued, not solved yet), if any."""
        from pytrix.practice import auto

        question_id = auto.current(self.store)
        if question_id is None:
            return None
        try:
            return self.question(question_id)
        except PytrixError:
            return None

    def slow_down(self, subtopic: str | None = None) -> AutoOutcomeReport:
        from pytrix.practice import auto
        from pytrix.responses import AutoOutcomeReport

        outcome = auto.slow_down(self.store, self.bank, self.settings, subtopic)
        return AutoOutcomeReport.model_validate(vars(outcome))

    def auto_status(self) -> AutoStatusReport:
        from pytrix.practice import auto
        from pytrix.responses import AutoStatusReport

        return AutoStatusReport.model_validate(auto.status(self.store, self.bank, self.settings))

    def dashboard_markdown(self) -> str:
        from pytrix.practice import dashboard

        now = time.time()
        return dashboard.render(
            self.stats().model_dump(), self.auto_status().model_dump(),
            dashboard.upcoming_reviews(self.store, now),
            dashboard.api_usage(self.store), now,
        )

    def reset(self, scope: str, target: str | None = None) -> ResetReport:
        from pytrix.practice.transfer import reset
        from pytrix.responses import ResetReport

        return ResetReport.model_validate(reset(self.store, self.bank, self.settings, scope, target))

    def export_progress(self) -> dict[str, Any]:
        """The progress file (its own versioned, snake_case format, read back by import)."""
        from pytrix.practice.transfer import export_progress

        return export_progress(self.store)

    def import_progress(self, raw: Any) -> ImportReport:
        """Validate ``raw`` (a parsed export) and replace all progress with it, atomically."""
        from pytrix.practice.transfer import import_progress, parse_progress
        from pytrix.responses import ImportReport

        return ImportReport.model_validate(import_progress(self.store, self.settings, parse_progress(raw)))

    # -- the AI tutor's actions (each with an offline answer) -----------------------------
    async def tutor_hint(self, question: Question, source: str, result: RunResult | None = None, *,
                         filename: str | None = None) -> HintReport:
        """The learner's "hint" (every front end's): the next hint from ``source`` and its
        latest run, ``result`` (without one, the tests run first): an explained failure
        first, else the AI's with a key, else the bank's ladder; the hint level is recorded."""
        check_size(source)
        if result is None:
            result = await self.run(question, source, filename or f"{question.entry}.py")
        return await self.ai.hint(question, source, result)

    async def tutor_reveal(self, question: Question, source: str,
                           result: RunResult | None = None) -> RevealReport:
        """The learner's "reveal" (every front end's): the solution behind the reveal gate
        (recorded when shown), written for the learner's approach with a key."""
        check_size(source)
        return await self.ai.reveal(question, source, result)

    async def close_tutor(self) -> None:
        """Close the AI tutor's client and prefetching, if the tutor was made."""
        tutor = self.__dict__.get("ai")  # the cached property, without making the tutor
        if tutor is not None:
            await tutor.close()

    async def evaluate(self, question: Question, source: str, result: RunResult | None) -> ReviewReport:
        """A review of the code: the AI's when possible, else the static review."""
        check_size(source)
        return await self.ai.evaluate(question, source, result)

    async def optimize(self, question: Question, source: str) -> OptimizeReport:
        """A faster solution with its complexity and a measured comparison."""
        check_size(source)
        return await self.ai.optimize(question, source)

    async def test_connection(self) -> ConnectionReport:
        """One small call to the first model that answers, or why none did."""
        return await self.ai.test_connection()

    def set_api_key(self, key: str | None) -> KeyStatus:
        """Hold the editor's key in the tutor's memory (``None`` clears it)."""
        return self.ai.set_api_key(key)

    def usage(self, days: int = 30) -> UsageReport:
        """AI calls per day, model and feature over ``days``, with the caps and the key's state."""
        return self.ai.usage_report(days)


def untouched_stub(question: Question, source: str) -> bool:
    """Whether ``source`` is the question's starter code as written (comments, blank lines,
    layout and the prompt's docstring aside): submitting it is no attempt."""
    mine, stub = _code_shape(source), _code_shape(question.stub)
    return mine is not None and mine == stub


def _code_shape(source: str) -> str | None:
    """The code of ``source`` without its module docstring, as an AST dump; None when it
    does not parse."""
    import ast

    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def _graded(question: Question, result: RunResult) -> RunResult:
    """Log which runtime ran a run (the tests of the client runtime check it), then pass it on."""
    log.info("graded a run of %s from %s: %s, %d/%d", question.id, result.backend,
             result.status.value, result.passed, result.total)
    return result
