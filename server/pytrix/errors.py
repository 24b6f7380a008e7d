"""Errors the core raises, each carrying a message a learner can act on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pydantic is imported when a model is validated, not with every error class
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


class PytrixError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing sentence."""


class DataFileError(PytrixError):
    """A data file (curriculum, bank, import) is unreadable or invalid."""

    def __init__(self, path: Path, location: str, problem: str) -> None:
        self.path = path
        self.location = location
        self.problem = problem
        where = f" at {location}" if location else ""
        super().__init__(f"{path}{where}: {problem}")

    @staticmethod
    def validate(model: type[M], raw: Any, path: Path, prefix: str = "") -> M:
        """Validate ``raw`` against ``model``; turn the first error into a DataFileError."""
        from pydantic import ValidationError

        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(part) for part in first["loc"])
            location = ".".join(p for p in (prefix, loc) if p)
            count = exc.error_count()
            more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
            raise DataFileError(path, location, f"{first['msg']}{more}") from exc


class UnknownQuestionError(PytrixError):
    """No question has this id."""

    def __init__(self, question_id: str) -> None:
        self.question_id = question_id
        super().__init__(
            f"There is no question with id {question_id!r}. "
            "Run `pytrix data list` to see the ids that exist."
        )


class NotAPracticeFileError(PytrixError):
    """The file has no (or a broken) Pytrix header."""
