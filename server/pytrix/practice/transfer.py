"""Export and import of all progress as JSON, and resetting progress.

An export holds attempts (with code and results), hint positions, the auto
mode state, the review schedule and the generated questions attempts refer
to. Import validates the whole file with pydantic first and then replaces all
progress in ONE transaction: bad input changes nothing.

Every field is bounded so that nothing in a valid file can fail later: integers
fit SQLite and JavaScript (at most 2**53 - 1), times lie between 1970 and 9999,
ids that become parts of file paths are slugs, and an attempt holds no more
than the app itself stores (see :mod:`pytrix.practice.progress`), so whatever
the app records exports and imports again.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Difficulty, Question, QuestionId, Slug
from pytrix.errors import PytrixError, UnknownQuestionError
from pytrix.practice import review
from pytrix.practice.progress import MAX_RESULTS_CHARS, stored_results
from pytrix.runner.protocol import RunResult
from pytrix.settings import Settings
from pytrix.store import progress as db
from pytrix.store.database import Store
from pytrix.store.questions import put_question

FORMAT = "pytrix-progress"
VERSION = 1

MAX_INT = 2**53 - 1  # exact in JSON numbers everywhere, and in SQLite
MAX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z
MAX_IMPORT_CODE_CHARS = 16_000_000  # attempts recorded before submissions were capped
MAX_FILE_BYTES = 512 * 1024 * 1024
RESULTS_DEPTH = 64

Text = Annotated[str, Field(min_length=1, max_length=500)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
RowId = Annotated[int, Field(ge=1, le=MAX_INT)]


def _finite(value: float) -> float:
    if not math.isfinite(value) or not 0 <= value <= MAX_TIME:
        raise ValueError("must be a time in seconds since 1970, before the year 10000")
    return value


def _results(value: Any) -> Any:
    """Run results: plain JSON, not nested deeper than a run result, not larger than stored."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > RESULTS_DEPTH:
            raise ValueError(f"is nested more than {RESULTS_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif type(node) is int and abs(node) > MAX_INT:
            raise ValueError(f"holds an integer beyond {MAX_INT}")
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    if size > 2 * MAX_RESULTS_CHARS:
        raise ValueError(f"has {size:,} characters, more than an attempt stores ({2 * MAX_RESULTS_CHARS:,})")
    return value


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttemptIn(_Row):
    id: RowId
    question_id: QuestionId
    module: Slug
    subtopic: Slug
    problem_type: Slug
    difficulty: Difficulty
    mode: Annotated[str, Field(pattern=r"^[a-z][a-z-]{0,31}$")]
    passed: Count
    total: Count
    solved: bool
    code: str = Field(max_length=MAX_IMPORT_CODE_CHARS)
    results: Any = None
    hints_used: Count = 0
    duration_ms: Count = 0
    created_at: float

    _time = field_validator("created_at")(_finite)
    _results_ok = field_validator("results")(_results)

    @model_validator(mode="after")
    def _consistent(self) -> AttemptIn:
        if self.passed > self.total:
            raise ValueError(f"passed ({self.passed}) is more than total ({self.total})")
        if self.solved != (self.total > 0 and self.passed == self.total and self.mode != db.REVEALED):
            raise ValueError("'solved' does not match passed/total (and the mode)")
        return self


class HintIn(_Row):
    question_id: QuestionId
    level: Annotated[int, Field(ge=0, le=1000)]
    updated_at: float
    revealed_at: float | None = None

    _time = field_validator("updated_at")(_finite)

    @field_validator("revealed_at")
    @classmethod
    def _revealed_time(cls, value: float | None) -> float | None:
        return None if value is None else _finite(value)


class AutoSubtopicIn(_Row):
    subtopic: Slug
    module: Slug
    difficulty: Difficulty
    streak: Count
    attempts: Count
    updated_at: float

    _time = field_validator("updated_at")(_finite)


class AutoQueueIn(_Row):
    id: RowId
    question_id: QuestionId
    module: Slug
    subtopic: Slug
    reason: Text
    created_at: float

    _time = field_validator("created_at")(_finite)


class AutoIssuedIn(_Row):
    question_id: QuestionId
    module: Slug
    subtopic: Slug
    reason: Text
    issued_at: float
    open: bool
    failed: bool

    _time = field_validator("issued_at")(_finite)


class AutoIn(_Row):
    meta: dict[Text, Annotated[str, Field(max_length=500)]] = Field(default_factory=dict)
    subtopics: list[AutoSubtopicIn] = Field(default_factory=list)
    queue: list[AutoQueueIn] = Field(default_factory=list)
    issued: list[AutoIssuedIn] = Field(default_factory=list)


class ReviewIn(_Row):
    problem_type: Slug
    module: Slug
    subtopic: Slug
    difficulty: Difficulty
    card: dict[str, Any]
    due: float
    reviews: Count
    updated_at: float

    _times = field_validator("due", "updated_at")(_finite)

    @field_validator("card")
    @classmethod
    def _is_card(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            review.card_from_json(json.dumps(value))
        except Exception as exc:  # the scheduler's own checks raise whatever they raise
            raise ValueError(f"not a review card ({type(exc).__name__}: {str(exc)[:200]})") from None
        return value


class QuestionIn(_Row):
    id: QuestionId
    source: Text
    fingerprint: str = Field(max_length=200)
    body: str = Field(max_length=1_000_000)
    created_at: float

    _time = field_validator("created_at")(_finite)

    @field_validator("body")
    @classmethod
    def _is_question(cls, value: str) -> str:
        try:
            Question.model_validate_json(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"not a valid question ({where}: {first['msg']})") from None
        return value

    @model_validator(mode="after")
    def _same_id(self) -> QuestionIn:
        if json.loads(self.body).get("id") != self.id:
            raise ValueError("the question's body has another id than the row")
        return self


class ProgressFile(_Row):
    """The export file, validated as a whole before anything is written."""

    format: Literal["pytrix-progress"]
    version: Literal[1]
    exported_at: float
    schema_version: Annotated[int, Field(ge=0, le=1000)] = 0
    attempts: list[AttemptIn] = Field(default_factory=list)
    hints: list[HintIn] = Field(default_factory=list)
    auto: AutoIn = Field(default_factory=AutoIn)
    reviews: list[ReviewIn] = Field(default_factory=list)
    questions: list[QuestionIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ProgressFile:
        for name, keys in (
            ("attempts", [a.id for a in self.attempts]),
            ("hints", [h.question_id for h in self.hints]),
            ("auto.subtopics", [s.subtopic for s in self.auto.subtopics]),
            ("auto.queue", [q.id for q in self.auto.queue]),
            ("auto.issued", [i.question_id for i in self.auto.issued]),
            ("reviews", [r.problem_type for r in self.reviews]),
            ("questions", [q.id for q in self.questions]),
        ):
            seen: set[object] = set()
            for key in keys:
                if key in seen:
                    raise ValueError(f"{name} lists {key!r} twice")
                seen.add(key)
        return self


class ProgressImportError(PytrixError):
    """The progress file is unreadable or invalid; nothing was imported."""


def export_progress(store: Store, now: float | None = None) -> dict[str, Any]:
    """Every piece of progress as one JSON-ready object."""
    now = time.time() if now is None else now
    with store.snapshot() as conn:
        attempts = db.dump_table(conn, "attempts")
        hints = db.dump_table(conn, "hint_progress")
        meta = db.dump_table(conn, "auto_meta")
        subtopics = db.dump_table(conn, "auto_subtopics")
        pending = db.dump_table(conn, "auto_queue")
        issued = db.dump_table(conn, "auto_issued")
        cards = db.dump_table(conn, "review_cards")
        question_ids = {a["question_id"] for a in attempts}
        questions = [q for q in db.dump_table(conn, "questions") if q["id"] in question_ids]
        version = db.schema_version(conn)
    for attempt in attempts:
        attempt["solved"] = bool(attempt["solved"])
        attempt["results"] = _exported_results(attempt["results"])
    for row in issued:
        row["open"], row["failed"] = bool(row["open"]), bool(row["failed"])
    for card in cards:
        card["card"] = json.loads(card["card"])
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now,
        "schema_version": version,
        "attempts": attempts,
        "hints": hints,
        "auto": {
            "meta": {r["key"]: r["value"] for r in meta},
            "subtopics": subtopics,
            "queue": pending,
            "issued": issued,
        },
        "reviews": cards,
        "questions": questions,
    }


def _exported_results(text: Any) -> Any:
    """Stored results as JSON; results stored before attempts were capped are slimmed."""
    if not isinstance(text, str):
        return None
    if len(text) > MAX_RESULTS_CHARS:
        try:
            text = stored_results(RunResult.model_validate_json(text))
        except ValidationError:
            return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def write_export(store: Store, path: Path) -> dict[str, int]:
    """Export to ``path`` (written to a temporary name, then renamed)."""
    data = export_progress(store)
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise PytrixError(f"Cannot write {path}: {exc.strerror}. Choose another file.") from exc
    return {"attempts": len(data["attempts"]), "reviews": len(data["reviews"])}


def parse_progress(raw: Any, where: str = "the progress file") -> ProgressFile:
    """Validate an export; the error names the first problem and where it is."""
    if isinstance(raw, dict) and raw.get("format") != FORMAT:
        raise ProgressImportError(
            f"{where} is not a Pytrix progress export (its \"format\" is not {FORMAT!r}). "
            "Create one with `pytrix export FILE`. Nothing was imported."
        )
    try:
        return ProgressFile.model_validate(raw)
    except RecursionError:
        raise ProgressImportError(
            f"{where} nests its JSON too deeply to be a Pytrix export. Nothing was imported."
        ) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(p) for p in first["loc"]) or "the top level"
        more = exc.error_count() - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ProgressImportError(
            f"{where} is invalid at {location}: {first['msg']}{extra}. Nothing was imported; "
            "fix the file or export again."
        ) from None


def read_progress_file(path: Path) -> ProgressFile:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ProgressImportError(
                f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, more than any export "
                "Pytrix writes. Nothing was imported."
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ProgressImportError(f"{path}: no such file. Nothing was imported.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgressImportError(f"Cannot read {path}: {exc}. Nothing was imported.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgressImportError(
            f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "Nothing was imported."
        ) from None
    except RecursionError:
        raise ProgressImportError(
            f"{path} nests its JSON too deeply to be a Pytrix export. Nothing was imported."
        ) from None
    return parse_progress(raw, str(path))


def import_progress(store: Store, settings: Settings, data: ProgressFile) -> dict[str, int]:
    """Replace all progress with ``data`` in one transaction; return what was imported."""
    with store.transaction() as conn:
        db.delete_all_progress(conn)
        for a in sorted(data.attempts, key=lambda a: a.id):
            db.insert_attempt(
                conn, attempt_id=a.id, question_id=a.question_id, module=a.module,
                subtopic=a.subtopic, problem_type=a.problem_type, difficulty=a.difficulty.value,
                mode=a.mode, passed=a.passed, total=a.total, code=a.code,
                results_json=json.dumps(a.results, ensure_ascii=False, separators=(",", ":")),
                hints_used=a.hints_used,
                duration_ms=a.duration_ms, created_at=a.created_at,
            )
        db.insert_hint_rows(conn, [(h.question_id, h.level, h.updated_at, h.revealed_at) for h in data.hints])
        for key, value in data.auto.meta.items():
            db.meta_set(conn, key, value)
        for s in data.auto.subtopics:
            db.save_auto_subtopic(
                conn, subtopic=s.subtopic, module=s.module, difficulty=s.difficulty.value,
                streak=s.streak, attempts=s.attempts, updated_at=s.updated_at,
            )
        db.insert_queue_rows(
            conn, [(q.id, q.question_id, q.module, q.subtopic, q.reason, q.created_at) for q in data.auto.queue]
        )
        db.insert_issued_rows(
            conn, [(i.question_id, i.module, i.subtopic, i.reason, i.issued_at, int(i.open), int(i.failed))
                   for i in data.auto.issued],
        )
        for r in data.reviews:
            db.save_review_card(
                conn, problem_type=r.problem_type, module=r.module, subtopic=r.subtopic,
                difficulty=r.difficulty.value, card=json.dumps(r.card), due=r.due,
                reviews=r.reviews, updated_at=r.updated_at,
            )
        db.rebuild_aggregates(conn)
        if data.attempts and not data.reviews:
            review.replay(conn, settings)
        for q in data.questions:
            put_question(conn, q.id, q.source, q.fingerprint, q.body, q.created_at)
    return {
        "attempts": len(data.attempts),
        "hints": len(data.hints),
        "reviews": len(data.reviews),
        "questions": len(data.questions),
    }


# -- reset ----------------------------------------------------------------------

SCOPES = ("question", "module", "all")


def reset(store: Store, bank: Bank, settings: Settings, scope: str, target: str | None = None) -> dict[str, Any]:
    """Forget the progress of one question, one module, or everything (one transaction)."""
    if scope not in SCOPES:
        raise PytrixError(f"Reset scope must be one of {', '.join(SCOPES)}, not {scope!r}.")
    if scope != "all" and not target:
        raise PytrixError(f"Resetting a {scope} needs its id.")
    with store.transaction() as conn:
        if scope == "question":
            assert target is not None
            types = db.problem_types_of(conn, target)
            known = target in bank.questions or bool(types) or db.issued(conn, target) is not None
            if not known and not db.has_hint_progress(conn, target):
                raise UnknownQuestionError(target)
            removed = db.delete_question_progress(conn, target)
            db.rebuild_aggregates(conn)
            review.replay(conn, settings, types)
        elif scope == "module":
            assert target is not None
            has_rows = db.module_has_attempts(conn, target)
            if bank.curriculum.module(target) is None and not has_rows:
                names = ", ".join(m.id for m in bank.curriculum.ordered_modules)
                raise PytrixError(f"There is no module {target!r}. Modules: {names}.")
            removed = db.delete_module_progress(
                conn, target, [q.id for q in bank.for_module(target)]
            )
            if target == settings.auto_curriculum_module:
                db.meta_delete(conn, "curriculum_pos")
            db.rebuild_aggregates(conn)
        else:
            removed = db.delete_all_progress(conn)
            db.rebuild_aggregates(conn)
    return {"scope": scope, "id": target, "attemptsRemoved": removed}
