"""The curriculum tree loaded from ``pytrix/data/topics.json`` and validated with pydantic.

Modules hold subtopics, subtopics hold problem types. Ids are kebab-case and
unique across the whole tree, so a problem type id alone names its place.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pytrix.errors import DataFileError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ProblemType(_Strict):
    """One kind of exercise, e.g. "reverse the words of a sentence"."""

    id: Slug
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Subtopic(_Strict):
    """A group of related problem types inside a module."""

    id: Slug
    name: str = Field(min_length=1)
    section_number: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
    description: str = ""
    problem_types: list[ProblemType] = Field(min_length=1)


class Module(_Strict):
    """A chapter of the curriculum."""

    id: Slug
    name: str = Field(min_length=1)
    order: int = Field(ge=1)
    overview: str = Field(min_length=1)
    python_considerations: list[str] = Field(default_factory=list)
    problem_archetypes: list[str] = Field(default_factory=list)
    subtopics: list[Subtopic] = Field(min_length=1)


class Curriculum(_Strict):
    """The whole tree plus lookup tables built on first use."""

    version: str
    modules: list[Module] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Curriculum:
        seen: dict[str, str] = {}
        orders: set[int] = set()
        for module in self.modules:
            if module.order in orders:
                raise ValueError(f"module order {module.order} is used twice")
            orders.add(module.order)
            for kind, item_id in (
                [("module", module.id)]
                + [("subtopic", s.id) for s in module.subtopics]
                + [("problem type", p.id) for s in module.subtopics for p in s.problem_types]
            ):
                if item_id in seen:
                    raise ValueError(f"id {item_id!r} is used by a {seen[item_id]} and a {kind}")
                seen[item_id] = kind
        return self

    @cached_property
    def ordered_modules(self) -> list[Module]:
        return sorted(self.modules, key=lambda m: m.order)

    @cached_property
    def _index(self) -> dict[str, tuple[Module, Subtopic, ProblemType]]:
        index: dict[str, tuple[Module, Subtopic, ProblemType]] = {}
        for module in self.modules:
            for subtopic in module.subtopics:
                for problem in subtopic.problem_types:
                    index[problem.id] = (module, subtopic, problem)
        return index

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def locate(self, problem_type_id: str) -> tuple[Module, Subtopic, ProblemType] | None:
        """Return the module, subtopic and problem type for a problem type id."""
        return self._index.get(problem_type_id)

    def problem_type_ids(self) -> list[str]:
        return [
            p.id for m in self.ordered_modules for s in m.subtopics for p in s.problem_types
        ]


def load_curriculum(path: Path) -> Curriculum:
    """Load and validate ``topics.json``; raise :class:`DataFileError` naming what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataFileError(path, "", f"cannot read the file: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"line {exc.lineno} column {exc.colno}", exc.msg) from exc
    return DataFileError.validate(Curriculum, raw, path)
