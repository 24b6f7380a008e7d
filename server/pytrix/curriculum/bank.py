"""The offline question bank: one TOML file per problem type under ``pytrix/data/bank/``.

``pytrix/data/bank/<module-id>/<problem-type-id>.toml`` holds a ``[[questions]]``
array. Module, subtopic and problem type come from the file's place in the
curriculum; a question's id defaults to ``<problem-type>.<difficulty>``. An
entry with ``params`` is a template: it is expanded here into one concrete
question per variant (see :mod:`pytrix.curriculum.params`), and the bank only
ever hands out those instances. A broken file is reported (file, path inside
it, what is wrong) and skipped, so the rest of the bank stays usable.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections import defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytrix.curriculum.params import VARIANT_SEPARATOR, TemplateError, expand_entry, instance_id
from pytrix.curriculum.question import Difficulty, Question
from pytrix.curriculum.topics import Curriculum, load_curriculum
from pytrix.errors import DataFileError, UnknownQuestionError
from pytrix.paths import data_dir


@dataclass
class Bank:
    """Every bank question plus indexes and the load errors of broken files."""

    curriculum: Curriculum
    questions: MutableMapping[str, Question] = field(default_factory=dict)
    errors: list[DataFileError] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    templates: dict[str, list[str]] = field(default_factory=dict)
    """Template id -> the ids of its instances, in variant order."""
    _by_type: dict[tuple[str, Difficulty], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _template_of: dict[str, str] = field(default_factory=dict)

    def add(self, question: Question, path: Path, template: str | None = None) -> None:
        self.questions[question.id] = question
        self.files[question.id] = path
        self._by_type[(question.problem_type, question.difficulty)].append(question.id)
        if template is not None:
            self.templates.setdefault(template, []).append(question.id)
            self._template_of[question.id] = template

    def for_cache(self) -> Bank:
        """A copy for the bank cache whose questions unpickle one by one, when first read."""
        from pytrix.curriculum.bank_cache import LazyValues

        return dataclasses.replace(self, questions=LazyValues.pack(self.questions))

    def template_of(self, question_id: str) -> str | None:
        """The template a question is an instance of (None for a plain question)."""
        return self._template_of.get(question_id)

    def variant_of(self, question_id: str) -> int | None:
        """The 1-based variant number of a template instance (None for a plain question)."""
        template = self._template_of.get(question_id)
        return None if template is None else self.templates[template].index(question_id) + 1

    def get(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise UnknownQuestionError(question_id) from None

    def for_problem_type(self, problem_type: str, difficulty: Difficulty) -> list[Question]:
        return [self.questions[i] for i in self._by_type.get((problem_type, difficulty), [])]

    def for_module(self, module_id: str, difficulty: Difficulty | None = None) -> list[Question]:
        """Questions of a module in curriculum order (optionally of one difficulty)."""
        module = self.curriculum.module(module_id)
        if module is None:
            return []
        found: list[Question] = []
        for subtopic in module.subtopics:
            for problem in subtopic.problem_types:
                for diff in [difficulty] if difficulty else list(Difficulty):
                    found.extend(self.for_problem_type(problem.id, diff))
        return found

    def ordered(self) -> list[Question]:
        """Every question in curriculum order, beginner first within a problem type."""
        out: list[Question] = []
        for problem_type in self.curriculum.problem_type_ids():
            for diff in Difficulty:
                out.extend(self.for_problem_type(problem_type, diff))
        return out


def _load_file(path: Path, curriculum: Curriculum, bank: Bank) -> None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError(path, "", f"cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, "", "the file is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path, "", f"invalid TOML: {exc}") from exc
    problem_type = path.stem
    located = curriculum.locate(problem_type)
    if located is None:
        raise DataFileError(path, "", f"{problem_type!r} is not a problem type in topics.json")
    module, subtopic, _ = located
    if path.parent.name != module.id:
        raise DataFileError(path, "", f"belongs in the folder {module.id!r}, not {path.parent.name!r}")
    entries = raw.get("questions")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(path, "questions", "expected a non-empty [[questions]] array")
    parsed: list[tuple[Question, str | None]] = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DataFileError(path, f"questions.{number}", "expected a table")
        base_id = entry.get("id", f"{problem_type}.{entry.get('difficulty', 'unknown')}")
        if isinstance(base_id, str) and VARIANT_SEPARATOR in base_id:
            raise DataFileError(
                path, f"questions.{number}.id",
                f"{VARIANT_SEPARATOR!r} is reserved for the ids of a template's variants",
            )
        try:
            variants = expand_entry(entry)
        except TemplateError as exc:
            raise DataFileError(path, f"questions.{number}.{exc.location}", exc.problem) from exc
        template = base_id if "params" in entry and isinstance(base_id, str) else None
        seen: dict[str, int] = {}
        for variant, raw in enumerate(variants, start=1):
            data: dict[str, Any] = {
                "module": module.id,
                "subtopic": subtopic.id,
                "problem_type": problem_type,
                **raw,
                "id": instance_id(base_id, variant) if template else base_id,
            }
            prefix = f"questions.{number}" + (f" (variant {variant})" if template else "")
            question = DataFileError.validate(Question, data, path, prefix=prefix)
            if question.id in bank.questions or any(q.id == question.id for q, _ in parsed):
                raise DataFileError(path, f"{prefix}.id", f"duplicate question id {question.id!r}")
            if question.fingerprint in seen:
                raise DataFileError(
                    path, f"questions.{number}.params",
                    f"variants {seen[question.fingerprint]} and {variant} make the same question: "
                    "vary the prompt, the entry or the tests",
                )
            seen[question.fingerprint] = variant
            parsed.append((question, template))
    for question, template in parsed:
        bank.add(question, path, template)


def load_bank(root: Path | None = None, *, cached: bool = True) -> Bank:
    """Load the curriculum and every bank file under ``root`` (default: the data dir).

    With ``cached`` the validated bank comes from the cache when nothing it
    depends on has changed (:mod:`pytrix.curriculum.bank_cache`).
    """
    root = root or data_dir()
    if cached:
        from pytrix.curriculum.bank_cache import load_cached

        return load_cached(root, _parse_bank, Bank)
    return _parse_bank(root)


def _parse_bank(root: Path) -> Bank:
    """Parse and validate every file under ``root``."""
    curriculum = load_curriculum(root / "topics.json")
    bank = Bank(curriculum)
    for path in sorted((root / "bank").glob("*/*.toml")):
        try:
            _load_file(path, curriculum, bank)
        except DataFileError as exc:
            bank.errors.append(exc)
    return bank
