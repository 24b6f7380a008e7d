"""The typed answers to every learner action, one pydantic model each.

:class:`pytrix.service.PytrixService` returns these models; the language
server sends ``model.wire()`` (camelCase through aliases), the CLI's
``--json`` prints the very same dump, and the VS Code extension reads
TypeScript types generated from their JSON Schema
(``python -m pytrix.responses``, see :func:`wire_schema`). Python code uses the
snake_case field names; only the wire is camelCase.

Run as a script it prints the JSON Schema of every wire model.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel
from pydantic.json_schema import models_json_schema

from pytrix.runner.protocol import ErrorInfo, RunResult, TestResult

Origin = Literal["ai", "bank", "offline", "code"]


class Wire(BaseModel):
    """The shared base: camelCase on the wire, snake_case in Python, unknown keys ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True,
                              json_schema_serialization_defaults_required=True)

    def wire(self) -> dict[str, Any]:
        """The JSON the front ends send or print (camelCase keys)."""
        return self.model_dump(by_alias=True, mode="json")


# -- runs ------------------------------------------------------------------------------

class ErrorReport(Wire, ErrorInfo):
    """An exception or syntax error of a run: its type, message and place (1-based line)."""


class TestReport(Wire, TestResult):
    """One graded test (every field of the graded ``TestResult``), with the explained cause
    when the server found one."""

    __test__ = False

    error: ErrorReport | None = None
    explanation: str | None = None
    cause: str | None = None


class RunReport(Wire, RunResult):
    """A graded run (every field of ``RunResult``): pass counts and status as data
    (``passed``/``total``/``status``)."""

    tests: list[TestReport] = Field(default_factory=list)  # type: ignore[assignment]  # each is a TestResult
    compile_error: ErrorReport | None = None
    module_error: ErrorReport | None = None

    @classmethod
    def of(cls, result: RunResult, findings: list[Any] | None = None) -> RunReport:
        """The report of ``result``, each test a finding explains carrying its explanation."""
        from pytrix.practice.findings import result_json

        return cls.model_validate(result_json(result, findings or []))


class LastRun(Wire):
    """``pytrix/lastResult``: a document's latest run (``result`` null when it has not run)."""

    version: int | None = None
    result: RunReport | None = None


class AutoOutcomeReport(Wire):
    """What one auto-mode result (or a "slow down") did to a subtopic."""

    subtopic: str
    event: str
    difficulty: str
    previous_difficulty: str
    streak: int
    injected: list[str] = Field(default_factory=list)
    message: str = ""


class Submission(RunReport):
    """A recorded submission: the run with hidden tests revealed, plus the attempt."""

    attempt_id: int
    attempt_number: int = Field(description="the learner's attempt count on this question, this one included")
    mode: str = "manual"
    auto: AutoOutcomeReport | None = None
    solved: bool = Field(default=False, description="every test passes and it counts as a solve "
                         "(not after the solution was revealed)")
    _result: RunResult | None = PrivateAttr(default=None)
    _findings: list[Any] = PrivateAttr(default_factory=list)

    @property
    def result(self) -> RunResult:
        """The run as the server graded it (for front ends that print or publish it)."""
        assert self._result is not None, "a Submission is made by Submission.made"
        return self._result

    @property
    def findings(self) -> list[Any]:
        """The run's findings (``pytrix.practice.findings.Finding``), as published."""
        return self._findings

    @classmethod
    def made(cls, result: RunResult, findings: list[Any], **fields: Any) -> Submission:
        data = RunReport.of(result, findings).model_dump()
        submission = cls.model_validate({**data, **fields})
        submission._result, submission._findings = result, list(findings)
        return submission


# -- hints, reveal, AI reviews ---------------------------------------------------------

class HintReport(Wire):
    """The next rung of the hint ladder (``cause``: set when it explains the latest failure)."""

    level: int
    total: int
    text: str
    exhausted: bool
    cause: str | None = None
    source: Origin = "bank"
    notice: str | None = None


class RevealReport(Wire):
    """The reveal gate's answer; ``uri``: the solution file the editor wrote, if any."""

    allowed: bool
    message: str
    solution: str | None = None
    explanation: str | None = None
    source: Origin = "bank"
    notice: str | None = None
    uri: str | None = None


class ReviewFinding(Wire):
    """One suggestion of a code review, at a 0-based line."""

    line: int
    severity: str
    message: str
    code: str


class ReviewReport(Wire):
    """``pytrix.evaluate``: a verdict, markdown and findings (the AI's or the offline review)."""

    verdict: str
    markdown: str
    source: Origin
    notice: str | None = None
    findings: list[ReviewFinding] = Field(default_factory=list)
    _findings: list[Any] = PrivateAttr(default_factory=list)

    @property
    def diagnostics(self) -> list[Any]:
        """The findings as ``pytrix.practice.findings.Finding`` objects, to publish."""
        return self._findings


class GrowthSeries(Wire):
    """One solution's times per size; ``stopped``: why it stopped early ("" when it did not)."""

    label: str
    times_ms: list[float | None]
    stopped: str = ""
    exponent: float | None = None
    growth: str = ""


class GrowthReport(Wire):
    """Measured times of two solutions on growing inputs."""

    scaled: str
    sizes: list[int]
    series: list[GrowthSeries]
    note: str = ""


class OptimizeReport(Wire):
    """``pytrix.optimize``: a faster solution with its complexity and measured growth."""

    allowed: bool
    message: str
    solution: str | None = None
    complexity: str | None = None
    explanation: str | None = None
    growth: GrowthReport | None = None
    source: Origin = "bank"
    notice: str | None = None
    markdown: str = ""
    uri: str | None = None


class ConnectionReport(Wire):
    """``pytrix.testConnection``: whether a model answered, or why not (``kind``)."""

    ok: bool
    message: str
    model: str | None = None
    latency_ms: float | None = None
    kind: str | None = None


class KeyStatus(Wire):
    """Whether a Gemini key is set and from where; never the key itself."""

    has_key: bool
    source: Literal["client", "environment"] | None = None
    enabled: bool


class UsageRow(Wire):
    day: str
    model: str
    feature: str
    calls: int
    errors: int
    input_tokens: int
    output_tokens: int


class UsageTotals(Wire):
    calls: int
    errors: int
    input_tokens: int
    output_tokens: int


class CapUse(Wire):
    used: int
    cap: int


class UsageCaps(Wire):
    session: CapUse
    today: dict[str, CapUse]


class UsageReport(Wire):
    """``pytrix/usage``: AI calls per day, model and feature; caps; the key's state."""

    rows: list[UsageRow]
    totals: UsageTotals
    today: str
    caps: UsageCaps
    key: KeyStatus
    models: list[str]


# -- questions -------------------------------------------------------------------------

class ProblemTypeNode(Wire):
    id: str
    name: str
    description: str
    questions: dict[str, list[str]]


class SubtopicNode(Wire):
    id: str
    name: str
    section_number: str
    description: str = ""
    problem_types: list[ProblemTypeNode]


class ModuleNode(Wire):
    id: str
    name: str
    order: int
    overview: str
    python_considerations: list[str] = Field(default_factory=list)
    problem_archetypes: list[str] = Field(default_factory=list)
    subtopics: list[SubtopicNode]


class CurriculumReport(Wire):
    """``pytrix/curriculum``: modules, subtopics, problem types and the bank's question ids."""

    version: str
    modules: list[ModuleNode]


class AutoPickReport(Wire):
    """Why auto mode chose a question."""

    question_id: str
    reason: str
    detail: str


class AiOffer(Wire):
    """What a notice offers to generate with the AI: ``pytrix/newQuestion`` with
    ``source: "ai"`` and this problem type and difficulty does it."""

    problem_type: str
    difficulty: str


class NewQuestionReport(Wire):
    """A practice file written for a question (``shown``: the editor opened it; ``aiOffer``:
    set when the ``notice`` offers AI generation of questions like it)."""

    question_id: str
    title: str
    path: str
    uri: str
    question_uri: str
    shown: bool
    source: Origin = "bank"
    notice: str | None = None
    auto: AutoPickReport | None = None
    attempt_id: int | None = None  # set when the file holds a reopened attempt
    ai_offer: AiOffer | None = None


class QuestionDocument(Wire):
    """A ``pytrix:`` markdown document (a question, or the dashboard with ``questionId`` null)."""

    uri: str
    question_id: str | None = None
    markdown: str
    path: str | None = None
    file_uri: str | None = None
    shown: bool | None = None


# -- progress --------------------------------------------------------------------------

class Cell(Wire):
    """Attempts, solves and time at one level of the curriculum."""

    attempts: int
    solved: int
    success_percent: float
    average_time_ms: int
    time_ms: int
    last_attempt_at: float | None = None
    mastery_percent: float = 0.0


class ProblemTypeStats(Cell):
    id: str
    name: str
    difficulties: dict[str, Cell]


class SubtopicStats(Cell):
    id: str
    name: str
    problem_types: list[ProblemTypeStats]


class ModuleStats(Cell):
    id: str
    name: str
    questions_attempted: int
    questions_solved: int
    bank_questions: int
    subtopics: list[SubtopicStats]


class Streaks(Wire):
    days: int
    longest_days: int
    practised_today: bool
    correct: int
    best_correct: int


class AttemptSummary(Wire):
    """One recorded attempt, without its code."""

    id: int
    question_id: str
    module: str
    subtopic: str
    problem_type: str
    difficulty: str
    mode: str
    passed: int
    total: int
    solved: bool
    hints_used: int
    duration_ms: int
    created_at: float


class ActivityDay(Wire):
    day: str
    attempts: int
    solved: int


class StatsReport(Wire):
    """``pytrix/stats``: totals, streaks, recent attempts, activity and every module."""

    version: int
    generated_at: float
    attempts: int
    solved: int
    success_percent: float
    time_ms: int
    average_time_ms: int
    last_attempt_at: float | None = None
    questions_attempted: int
    questions_solved: int
    bank_questions: int
    mastery_percent: float
    modules_touched: int
    subtopics_touched: int
    problem_types_touched: int
    streaks: Streaks
    reviews_due: int
    recent: list[AttemptSummary]
    activity: list[ActivityDay]
    modules: list[ModuleStats]


class HistoryItem(AttemptSummary):
    """An attempt with its code and graded results (``null`` when left out)."""

    code: str | None = None
    results: RunReport | None = None


class HistoryPage(Wire):
    """``pytrix/history``: one page of attempts, newest first."""

    total: int
    limit: int
    offset: int
    items: list[HistoryItem]


class CurriculumPosition(Wire):
    module: str
    position: int
    length: int
    done: bool


class AutoSubtopic(Wire):
    subtopic: str
    module: str
    difficulty: str
    streak: int
    attempts: int
    updated_at: float


class QueuedQuestion(Wire):
    question_id: str
    subtopic: str
    reason: str


class AutoStatusReport(Wire):
    """``pytrix/autoStatus``: the mini-curriculum, each subtopic's level and streak, the queue."""

    curriculum: CurriculumPosition
    promote_after: int
    fast: bool
    subtopics: list[AutoSubtopic]
    queue: list[QueuedQuestion]
    reviews_due: int
    last_question: str | None = None
    current_subtopic: str | None = None


class ResetReport(Wire):
    scope: Literal["question", "module", "all"]
    id: str | None = None
    attempts_removed: int


class ImportReport(Wire):
    """How many rows an import brought in."""

    attempts: int
    hints: int
    reviews: int
    questions: int


WIRE_MODELS: tuple[type[Wire], ...] = (
    RunReport, LastRun, Submission, HintReport, RevealReport, ReviewReport, OptimizeReport,
    ConnectionReport, KeyStatus, UsageReport, CurriculumReport, NewQuestionReport,
    QuestionDocument, AutoOutcomeReport, StatsReport, HistoryPage, AutoStatusReport,
    ResetReport, ImportReport,
)


def wire_schema() -> dict[str, Any]:
    """One JSON Schema document defining every wire model (as serialised, camelCase)."""
    _, schema = models_json_schema(
        [(model, "serialization") for model in WIRE_MODELS], by_alias=True,
        title="PytrixProtocol",
        description="Every response Pytrix sends; generated from pytrix.responses, do not edit.",
    )
    for definition in schema["$defs"].values():  # a field's title would become a TypeScript alias each
        for prop in definition.get("properties", {}).values():
            prop.pop("title", None)
    return schema


def _type_text(schema: dict[str, Any]) -> str:
    """A JSON Schema type as the reference tables write it (``string | null``, ``TestReport[]``)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_text(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        inner = _type_text(schema.get("items", {}))
        return f"({inner})[]" if " | " in inner else f"{inner}[]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"{{[key]: {_type_text(schema['additionalProperties'])}}}"
    return str(kind)


def markdown_reference() -> str:
    """Every wire model as a markdown table of its camelCase fields (docs/PROTOCOL.md holds it)."""
    definitions = wire_schema()["$defs"]
    lines = ["| model | fields |", "| --- | --- |"]
    for name in sorted(definitions):
        definition = definitions[name]
        fields = ", ".join(
            f"`{prop}: {_type_text(schema)}`".replace("|", "\\|")
            for prop, schema in definition.get("properties", {}).items()
        )
        lines.append(f"| `{name}` | {fields or _type_text(definition).replace('|', chr(92) + '|')} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    if sys.argv[1:] == ["--markdown"]:
        sys.stdout.write(markdown_reference())
        return
    sys.stdout.write(json.dumps(wire_schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
