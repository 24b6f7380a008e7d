"""The AI tutor's tasks, each with its offline answer.

:class:`AITutor` is what the CLI and the language server call (as
``PytrixService.ai``). Every task returns its response model from
:mod:`pytrix.responses` (the one the service hands the front ends), which says
where the answer came from (``ai``, ``bank``, ``offline`` or ``code``) and,
when the AI was wanted but could not help, a ``notice`` saying why. Nothing the model writes reaches the
learner unchecked: generated questions, revealed solutions and optimised
solutions are run in the sandbox first, and hints are checked for leaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pytrix.ai import prompts
from pytrix.ai.auto import adopt, upcoming_slots
from pytrix.ai.caps import Caps
from pytrix.ai.client import GeminiClient, Reply
from pytrix.ai.errors import AIError, key_required
from pytrix.ai.growth import GrowthReport, measure_growth
from pytrix.ai.keys import ApiKeys, KeySource
from pytrix.ai.offline import REVIEW_SOURCE, Note, note_findings, static_review
from pytrix.ai.prefetch import PrefetchQueue
from pytrix.ai.router import ModelRouter, RouterConfig, Sleep
from pytrix.ai.schemas import (
    GeneratedQuestion,
    HintReply,
    OptimizeReply,
    ReviewReply,
    SolutionReply,
)
from pytrix.ai.usage import UsageLog
from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Difficulty, Question, Source
from pytrix.curriculum.verify import verify_question
from pytrix.errors import PytrixError
from pytrix.practice.auto import AutoPick
from pytrix.practice.findings import Finding
from pytrix.responses import (
    ConnectionReport,
    HintReport,
    KeyStatus,
    OptimizeReport,
    Origin,
    RevealReport,
    ReviewFinding,
    ReviewReport,
    UsageReport,
)
from pytrix.runner.protocol import RunResult
from pytrix.runner.sandbox import SubprocessSandbox
from pytrix.settings import Settings
from pytrix.store.database import Store

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


# -- outcomes ---------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionOutcome:
    question: Question
    source: Origin
    notice: str | None = None
    model: str | None = None


@dataclass
class _Session:
    """Per-question memory of AI hints given in this session."""

    hints: dict[str, list[str]] = field(default_factory=dict)


# -- helpers ----------------------------------------------------------------------

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_reply(text: str, schema: type[M]) -> M:
    """Validate the model's JSON against ``schema``; raise ``bad_response`` otherwise."""
    match = _FENCE.match(text)
    body = match.group(1) if match else text
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise AIError("bad_response", f"The model's answer was not valid JSON ({exc.msg} at "
                      f"position {exc.pos}).") from None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise AIError("bad_response", f"The model's answer did not fit the expected shape "
                      f"({where}: {first['msg']}).") from None


def _code_lines(code: str) -> set[str]:
    lines = set()
    for raw in code.splitlines():
        line = re.sub(r"\s+", " ", raw.strip())
        if len(line) >= 12 and not line.startswith(("#", '"""', "'''")):
            lines.add(line)
    return lines


def leaks_solution(text: str, question: Question) -> bool:
    """Whether a hint gives away the solution: the entry's definition or most of its lines."""
    if re.search(rf"\bdef\s+{re.escape(question.entry)}\s*\(", text):
        return True
    reference = _code_lines(question.solution) | _code_lines(question.optimal or "")
    body = [line for line in reference if not line.startswith("def ")]
    if len(body) < 2:
        return False
    normalised = re.sub(r"\s+", " ", text)
    shown = sum(1 for line in body if line in normalised)
    return shown >= max(2, (len(body) + 1) // 2)


def build_question(generated: GeneratedQuestion, module: str, subtopic: str, problem_type: str,
                   difficulty: Difficulty) -> Question:
    """The generated question as a :class:`Question` (``ValueError`` if it is malformed)."""
    data = generated.model_dump()
    draft = Question.model_validate({
        **data, "id": f"{problem_type}.{difficulty.value}.ai-draft", "module": module,
        "subtopic": subtopic, "problem_type": problem_type, "difficulty": difficulty.value,
        "source": Source.AI.value,
        "stub": generated.stub.strip() + "\n", "solution": generated.solution.strip() + "\n",
        "optimal": generated.optimal.strip() + "\n" if generated.optimal else None,
    })
    return draft.model_copy(update={"id": f"{problem_type}.{difficulty.value}.ai-{draft.fingerprint[:10]}"})


def _unfenced(code: str) -> str:
    match = re.match(r"^\s*```(?:python|py)?\s*\n(.*?)\n?```\s*$", code, re.DOTALL)
    return (match.group(1) if match else code).strip() + "\n"


# -- what the tutor defers to the application layer -----------------------------------

@dataclass(frozen=True)
class Decisions:
    """The learner-action decisions that belong to the application layer, which the
    tutor asks for instead of making (``PytrixService.new_tutor`` wires its own in)."""

    next_question: Callable[[str, Difficulty | None], Question]
    """The bank's next question of a problem type (any difficulty for ``None``)."""
    hint: Callable[[str, str | None, RunResult | None], HintReport]
    """The offline ladder's next step for a question id, given the code and its latest run."""
    explained: Callable[[Question, str, RunResult], bool]
    """Whether the run has a failure with an explained cause (hinted at offline first)."""
    reveal: Callable[[str], RevealReport]
    """The reveal gate for a question id (it records the reveal when allowed)."""


# -- the tutor --------------------------------------------------------------------

class AITutor:
    """Gemini with the learner's key, verified by execution, with offline answers.

    It works on the bank, the store and the sandbox it is given, reads the
    settings through ``settings`` (they change while a server runs), and asks
    ``decisions`` for what the application layer decides.
    """

    def __init__(self, bank: Bank, store: Store, sandbox: SubprocessSandbox,
                 settings: Callable[[], Settings], decisions: Decisions, *,
                 sleep: Sleep | None = None) -> None:
        self.bank = bank
        self.store = store
        self.sandbox = sandbox
        self._settings = settings
        self.decisions = decisions
        self.keys = ApiKeys()
        self.usage = UsageLog(store)
        self.caps = Caps(self.usage)
        self.router = ModelRouter(sleep=sleep or asyncio.sleep)
        self.prefetch = PrefetchQueue(self._prefetch_one, depth=self.settings.ai_prefetch)
        self._client: GeminiClient | None = None
        self._client_signature: tuple[str, str, float] | None = None
        self._session = _Session()
        self._closing: set[asyncio.Task[None]] = set()
        self.growth_test_timeout = 1.0  # seconds per timed call when measuring growth

    def __repr__(self) -> str:
        return f"AITutor(key={self.keys.source!r})"

    @property
    def settings(self) -> Settings:
        return self._settings()

    # -- key and status ------------------------------------------------------------
    def set_api_key(self, key: str | None) -> KeyStatus:
        """Hold the editor's key in memory (``None`` clears it); report the state."""
        self.keys.set_client_key(key)
        self._drop_client()
        return self.key_status()

    def _drop_client(self) -> None:
        old, self._client, self._client_signature = self._client, None, None
        if old is not None:
            with contextlib.suppress(RuntimeError):  # no loop running: nothing is open on it
                task = asyncio.get_running_loop().create_task(old.close())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Stop background prefetching and close the HTTP client."""
        await self.prefetch.close()
        old, self._client, self._client_signature = self._client, None, None
        if old is not None:
            await old.close()

    def key_status(self) -> KeyStatus:
        source: KeySource | None = self.keys.source
        return KeyStatus(has_key=source is not None, source=source, enabled=self.settings.ai_enabled)

    def available(self) -> bool:
        """Whether AI calls may be attempted (a key is set and the AI is on)."""
        return self.settings.ai_enabled and self.keys.current() is not None

    def usage_report(self, days: int = 30) -> UsageReport:
        """AI calls per day, model and feature over ``days``, with the caps and the key's state."""
        rows = self.usage.rows(days)
        return UsageReport.model_validate({
            "rows": rows,
            "totals": self.usage.totals(rows),
            "today": self.usage.today(),
            "caps": self.caps.status(self.settings),
            "key": self.key_status(),
            "models": list(self.settings.ai_models),
        })

    def router_config(self) -> RouterConfig:
        s = self.settings
        return RouterConfig(tuple(s.ai_models), s.ai_timeout, s.ai_backoff, s.ai_max_backoff)

    def _client_for(self, key: str) -> GeminiClient:
        signature = (key, self.settings.ai_base_url, self.settings.ai_timeout)
        if self._client is None or self._client_signature != signature:
            self._drop_client()
            self._client = GeminiClient(key, base_url=self.settings.ai_base_url,
                                        timeout=self.settings.ai_timeout)
            self._client_signature = signature
        return self._client

    async def _call(self, feature: str, prompt: str, schema: type[BaseModel] | None) -> Reply:
        if not self.settings.ai_enabled:
            raise AIError("disabled", "The AI tutor is turned off (pytrix.aiEnabled).")
        found = self.keys.current()
        if found is None:
            raise key_required()
        client = self._client_for(found[0])
        with self.caps.reserve(feature, self.settings):
            return await self.router.call(
                client, self.router_config(), feature=feature, system=prompts.SYSTEM,
                prompt=prompt, schema=schema, usage=self.usage,
            )

    async def ask(self, feature: str, prompt: str, schema: type[M]) -> tuple[M, Reply]:
        """One structured call: the validated answer and the raw reply."""
        reply = await self._call(feature, prompt, schema)
        return parse_reply(reply.text, schema), reply

    @staticmethod
    def _notice(exc: AIError, fallback: str) -> str | None:
        if exc.kind in ("api_key_required", "disabled"):
            return None  # offline is the default: no need to say so every time
        return f"{exc} {fallback}"

    # -- test the connection --------------------------------------------------------
    async def test_connection(self) -> ConnectionReport:
        try:
            reply = await self._call("test", prompts.CONNECTION_PROMPT, None)
        except AIError as exc:
            return ConnectionReport(ok=False, message=str(exc), kind=exc.kind)
        return ConnectionReport(ok=True, message=f"The key works: {reply.model} answered in "
                                f"{reply.latency_ms:.0f} ms.", model=reply.model,
                                latency_ms=round(reply.latency_ms, 1))

    # -- questions ------------------------------------------------------------------
    def recent_questions(self, problem_type: str, difficulty: Difficulty, limit: int = 15) -> list[Question]:
        """Questions of this kind the learner has (bank and generated), newest generated first."""
        found: list[Question] = []
        for body in self.store.generated_question_bodies(300):
            try:
                question = Question.model_validate_json(body)
            except ValidationError:
                continue
            if question.problem_type == problem_type and question.difficulty == difficulty:
                found.append(question)
        found.extend(self.bank.for_problem_type(problem_type, difficulty))
        return found[:limit]

    async def generate_verified(self, problem_type: str, difficulty: Difficulty) -> tuple[Question, str]:
        """A generated question that passed verification, and its model; retries once."""
        located = self.bank.curriculum.locate(problem_type)
        if located is None:
            raise PytrixError(f"There is no problem type {problem_type!r} in the curriculum. "
                              "Run `pytrix data list` or see the curriculum for the ids.")
        module, subtopic, _ = located
        avoid = self.recent_questions(problem_type, difficulty)
        avoid_prints = {q.fingerprint for q in avoid}
        problems: list[str] = []
        last: AIError | None = None
        for attempt in (1, 2):
            prompt = prompts.question_prompt(self.bank.curriculum, problem_type, difficulty,
                                             avoid, problems)
            try:
                generated, reply = await self.ask("question", prompt, GeneratedQuestion)
            except AIError as exc:
                if exc.kind != "bad_response":
                    raise
                last = exc
                problems.append(str(exc))
                continue
            try:
                question = build_question(generated, module.id, subtopic.id, problem_type, difficulty)
            except ValueError as exc:
                message = str(exc).splitlines()
                problems.append("the question is malformed: " + " ".join(message[:4])[:400])
                last = AIError("bad_response", f"The generated question was malformed: {problems[-1]}")
                continue
            if question.fingerprint in avoid_prints:
                problems.append("it repeats a question the learner already has")
                last = AIError("bad_response", "The generated question repeated an existing one.")
                continue
            verdict = await verify_question(question, self.sandbox)
            if verdict.ok:
                self.store.save_question(
                    question.id, Source.AI.value, question.fingerprint, question.model_dump_json()
                )
                log.info("generated %s with %s (attempt %d)", question.id, reply.model, attempt)
                return question, reply.model
            log.info("generated question rejected on attempt %d: %s", attempt, verdict.problems)
            problems.extend(verdict.problems)
            last = AIError("bad_response", "The generated question failed verification in the "
                           f"sandbox ({'; '.join(verdict.problems)[:500]}).")
        assert last is not None
        raise AIError(last.kind, f"{last} It was not shown.")

    async def question(self, problem_type: str, difficulty: Difficulty, *,
                       explicit: bool = False) -> QuestionOutcome:
        """A verified AI question when possible, else a bank question of the same kind.

        ``explicit``: the learner asked for an AI question, so say why they got
        a bank one even when the reason is only that no key is set.
        """
        notice: str | None = None
        if not self.available() and explicit:
            reason = (key_required() if self.settings.ai_enabled else
                      AIError("disabled", "The AI tutor is turned off (pytrix.aiEnabled)."))
            notice = f"{reason} Here is a question from the bank instead."
        if self.available():
            ready = await self.prefetch.take(problem_type, difficulty)
            if ready is not None:
                return QuestionOutcome(ready, "ai", None, None)
            try:
                question, model = await self.generate_verified(problem_type, difficulty)
                return QuestionOutcome(question, "ai", None, model)
            except AIError as exc:
                notice = self._notice(exc, "Here is a question from the bank instead.")
        return QuestionOutcome(self._bank_question(problem_type, difficulty, notice), "bank", notice)

    def _bank_question(self, problem_type: str, difficulty: Difficulty, notice: str | None) -> Question:
        for wanted in (difficulty, None):
            try:
                return self.decisions.next_question(problem_type, wanted)
            except PytrixError:
                continue
        reason = f" ({notice})" if notice else ""
        raise PytrixError(
            f"The bank has no question for {problem_type!r} yet and no AI question could be "
            f"made{reason}. Set a Gemini API key to generate one, or pick another problem type."
        )

    async def _prefetch_one(self, problem_type: str, difficulty: Difficulty) -> Question | None:
        if not self.available():
            return None
        try:
            question, _ = await self.generate_verified(problem_type, difficulty)
        except PytrixError as exc:
            log.info("prefetch for %s skipped: %s", problem_type, exc)
            return None
        return question

    def want_prefetch(self, upcoming: list[tuple[str, Difficulty]]) -> None:
        """Keep AI questions for the next slots ready in the background (with a key only)."""
        self.prefetch.depth = self.settings.ai_prefetch
        if self.available() and self.prefetch.depth:
            self.prefetch.want(upcoming)

    async def auto_question(self, pick: AutoPick) -> tuple[Question, Origin]:
        """What to serve for an auto-mode pick: a prefetched AI question of its kind, if ready."""
        if self.available():
            ready = await self.prefetch.take(pick.question.problem_type, pick.question.difficulty)
            if ready is not None:
                adopt(self.store, pick, ready)
                return ready, "ai"
        return pick.question, "bank"

    def prefetch_auto(self) -> None:
        """After an auto-mode pick: generate questions for the picks that should come next."""
        if not self.available() or self.settings.ai_prefetch <= 0:
            return
        try:
            slots = upcoming_slots(self.store, self.bank, self.settings,
                                   self.settings.ai_prefetch)
        except Exception:  # looking ahead is a nicety: never let it break "next"
            log.exception("could not look ahead at auto mode")
            return
        self.want_prefetch(slots)

    # -- hints ----------------------------------------------------------------------
    async def hint(self, question: Question, source: str, result: RunResult | None) -> HintReport:
        store = self.store
        total = len(question.hints)
        level = store.hint_level(question.id)
        # An explained failure in the latest run comes first, offline: the bank's step, prefixed.
        if result is not None and self.decisions.explained(question, source, result):
            return self.decisions.hint(question.id, source, result).model_copy(update={"source": "code"})
        notice: str | None = None
        if level < total and self.available():
            given = self._session.hints.get(question.id) or question.hints[:level]
            prompt = prompts.hint_prompt(question, source, result, level + 1, total, given)
            try:
                answer, _ = await self.ask("hint", prompt, HintReply)
                if leaks_solution(answer.hint, question):
                    raise AIError("bad_response", "The AI's hint gave the solution away.")
            except AIError as exc:
                notice = self._notice(exc, "Here is the bank's hint instead.")
            else:
                level += 1
                store.set_hint_level(question.id, level)
                self._session.hints.setdefault(question.id, list(given)).append(answer.hint)
                return HintReport(level=level, total=total, text=answer.hint.strip(),
                                  exhausted=level >= total, source="ai")
        return self.decisions.hint(question.id, None, None).model_copy(
            update={"source": "bank", "notice": notice})

    # -- reveal ---------------------------------------------------------------------
    async def reveal(self, question: Question, source: str, result: RunResult | None) -> RevealReport:
        gate = self.decisions.reveal(question.id)
        if not gate.allowed or gate.solution is None:
            return RevealReport(allowed=False, message=gate.message)
        notice: str | None = None
        if self.available():
            try:
                answer, _ = await self.ask("reveal", prompts.reveal_prompt(question, source, result),
                                           SolutionReply)
                code = _unfenced(answer.solution)
                run = await self.sandbox.run(question, code, f"{question.entry}.py",
                                                     reveal_hidden=True)
                if run.all_passed:
                    return RevealReport(
                        allowed=True, message="Here is a solution close to your approach; it passes "
                        f"all {run.total} tests.", solution=code,
                        explanation=answer.explanation.strip(), source="ai")
                notice = ("The AI's solution failed some tests, so here is the bank's reference "
                          "solution instead.")
            except AIError as exc:
                notice = self._notice(exc, "Here is the bank's reference solution instead.")
        return gate.model_copy(update={"source": "bank", "notice": notice})

    # -- evaluate ---------------------------------------------------------------------
    async def _result(self, question: Question, source: str, result: RunResult | None,
                      reveal_hidden: bool = False) -> RunResult:
        if result is not None:
            return result
        return await self.sandbox.run(question, source, f"{question.entry}.py",
                                              reveal_hidden=reveal_hidden)

    async def evaluate(self, question: Question, source: str, result: RunResult | None = None) -> ReviewReport:
        """A review of the learner's code: the AI's when possible, else a static review."""
        result = await self._result(question, source, result)
        notice: str | None = None
        if self.available():
            try:
                review, reply = await self.ask("evaluate", prompts.review_prompt(question, source, result),
                                               ReviewReply)
            except AIError as exc:
                notice = self._notice(exc, "Here is the offline review instead.")
            else:
                notes = [Note(s.line, s.severity, s.message) for s in review.suggestions]
                markdown = _review_markdown(
                    question, f"AI review ({reply.model})", review.verdict, review.correctness,
                    review.style, review.complexity, notes)
                return _review(review.verdict, markdown, note_findings(notes, source, "ai-review"), "ai")
        static = static_review(question, source, result)
        style = (f"{len(static.notes)} suggestion(s) below, from offline checks of the code."
                 if static.notes else "The offline checks found nothing to change.")
        markdown = _review_markdown(question, "Offline review (static checks and your test results)",
                                    static.verdict, static.correctness, style, static.complexity,
                                    static.notes)
        if notice:
            markdown = f"> {notice}\n\n{markdown}"
        return _review(static.verdict, markdown, note_findings(static.notes, source, "static-review"),
                       "offline", notice)

    # -- optimise ---------------------------------------------------------------------
    async def optimize(self, question: Question, source: str) -> OptimizeReport:
        """A better solution with its complexity and a measured comparison with the learner's."""
        mine = await self.sandbox.run(question, source, f"{question.entry}.py",
                                              reveal_hidden=True)
        if not mine.all_passed and not self.decisions.reveal(question.id).allowed:
            return OptimizeReport(
                allowed=False, message=f"Optimising works on a passing solution: yours passes "
                f"{mine.passed}/{mine.total} tests. Make them all pass first (or unlock the solution).")
        notice: str | None = None
        solution = complexity = explanation = None
        origin: Origin = "bank"
        if self.available():
            try:
                answer, _ = await self.ask("optimize", prompts.optimize_prompt(question, source),
                                           OptimizeReply)
                code = _unfenced(answer.solution)
                run = await self.sandbox.run(question, code, f"{question.entry}.py",
                                                     reveal_hidden=True)
                if run.all_passed:
                    solution, origin = code, "ai"
                    complexity = f"{answer.time_complexity} time, {answer.space_complexity} space"
                    explanation = answer.explanation.strip()
                else:
                    notice = ("The AI's version failed some tests, so here is the bank's optimal "
                              "solution instead.")
            except AIError as exc:
                notice = self._notice(exc, "Here is the bank's optimal solution instead.")
        if solution is None:
            solution = (question.optimal or question.solution).strip() + "\n"
            complexity = question.complexity
            explanation = ("The bank's optimal solution." if question.optimal else
                           "The bank's reference solution (this question has no separate optimal one).")
        label = "AI version" if origin == "ai" else "bank optimal" if question.optimal else "bank reference"
        growth = await measure_growth(question, [("yours", source), (label, solution)],
                                      self.sandbox, test_timeout=self.growth_test_timeout)
        markdown = _optimize_markdown(question, solution, complexity, explanation, growth, notice)
        return OptimizeReport.model_validate({
            "allowed": True, "message": "Here is an optimised solution with a measured comparison.",
            "solution": solution, "complexity": complexity, "explanation": explanation,
            "growth": growth.to_json() if growth else None, "source": origin, "notice": notice,
            "markdown": markdown})


def _review(verdict: str, markdown: str, findings: list[Finding], source: Origin,
            notice: str | None = None) -> ReviewReport:
    """A review as its response model, keeping the findings to publish as diagnostics."""
    report = ReviewReport(
        verdict=verdict, markdown=markdown, source=source, notice=notice,
        findings=[ReviewFinding(line=f.line, severity=f.severity, message=f.message, code=f.code)
                  for f in findings])
    report._findings = list(findings)
    return report


def _review_markdown(question: Question, title: str, verdict: str, correctness: str, style: str,
                     complexity: str, notes: list[Note]) -> str:
    lines = [f"## Review of `{question.entry}`: {verdict}", "", f"*{title}*", "",
             "### Correctness", "", correctness.strip(), "", "### Style", "", style.strip(), "",
             "### Complexity", "", complexity.strip(), ""]
    if notes:
        lines += ["### Suggestions", ""]
        for note in notes:
            where = f"Line {note.line}: " if note.line else ""
            lines.append(f"- {where}{note.message}")
        lines.append("")
    return "\n".join(lines)


def _optimize_markdown(question: Question, solution: str, complexity: str | None,
                       explanation: str | None, growth: GrowthReport | None,
                       notice: str | None) -> str:
    lines = [f"## A faster `{question.entry}`", ""]
    if notice:
        lines += [f"> {notice}", ""]
    if complexity:
        lines += [f"**Complexity:** {complexity}", ""]
    if explanation:
        lines += [explanation, ""]
    lines += ["```python", solution.rstrip(), "```", ""]
    if growth is not None:
        lines += [growth.markdown(), ""]
    else:
        lines += ["*No growth measurement: this question's inputs cannot be scaled automatically.*", ""]
    return "\n".join(lines)


__all__ = ["REVIEW_SOURCE", "AITutor"]
