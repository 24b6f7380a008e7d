"""Practice files: a header linking the file to its question, the prompt, a stub.

The first line is ``# pytrix: question=<id>`` (a UTF-8 byte order mark before
it is fine); the next lines say how to run the file and how to add one's own
tests (``# test:`` lines, :mod:`pytrix.runner.own_tests`). Everything else
belongs to the learner. Files are never
overwritten: a second file for the same question gets a numbered name. A path
is only built from slugs and must resolve inside the folder it is given.
"""

from __future__ import annotations

import ast
import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytrix.errors import PytrixError
from pytrix.practice.file_size import size_problem
from pytrix.runner.own_tests import own_test_example

if TYPE_CHECKING:  # the models are not needed to read a file (`pytrix check` loads no pydantic)
    from pytrix.curriculum.question import Question
    from pytrix.curriculum.topics import Curriculum

HEADER_RE = re.compile(r"^#\s*pytrix:\s*question=([A-Za-z0-9_.~-]+)\s*$")
_HEADER_SCAN_LINES = 5
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NAME = re.compile(r"^[a-z0-9_]+$")
BOM = "\ufeff"


class PracticePathError(PytrixError):
    """A practice file cannot be written where it was asked for."""


def question_id_of(source: str) -> str | None:
    """Return the question id from a practice file's header, or None.

    Only the first lines are looked at (and copied): a file of any size is cheap.
    """
    end = 0
    for _ in range(_HEADER_SCAN_LINES + 1):  # the BOM's line too
        end = source.find("\n", end) + 1
        if end == 0:
            end = len(source)
            break
    for line in source[:end].removeprefix(BOM).splitlines()[:_HEADER_SCAN_LINES]:
        match = HEADER_RE.match(line.strip())
        if match:
            return match.group(1)
    return None


def _docstring(text: str) -> str:
    """``text`` as a docstring that reads exactly as written.

    Raw, so an example such as ``load_csv("a,b\\n1,2")`` appears in the file as in
    the prompt and gives the same value when pasted into Python. Only a text
    holding both kinds of triple quote falls back to an escaped docstring.
    """
    for quote in ('"""', "'''"):
        if quote not in text:
            return f"r{quote}{text}\n{quote}"
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '\n"""'


def render_practice_file(question: Question, curriculum: Curriculum) -> str:
    """The initial contents of a practice file for ``question``."""
    located = curriculum.locate(question.problem_type)
    where = ""
    if located:
        module, subtopic, problem = located
        where = f"{module.name} > {subtopic.name} > {problem.name}, "
    heading = f"{question.title} ({where}{question.difficulty.value})"
    body = (
        f"# pytrix: question={question.id}\n"
        "# Write your solution below and save: Pytrix runs the tests. Keep the line above.\n"
        f"# Your own tests run too (they never count towards solving), one per line: {own_test_example(question)}\n"
        f"{_docstring(heading + chr(10) * 2 + question.prompt.strip())}\n\n\n"
        f"{question.stub.strip()}\n"
    )
    return body


def practice_path(question: Question, directory: Path) -> Path:
    """A fresh path for ``question`` under ``directory`` that does not exist yet.

    Every part comes from a slug, and the result must resolve inside ``directory``
    (a symlinked sub-folder pointing elsewhere is refused).
    """
    if not _SLUG.match(question.module) or not _SLUG.match(question.problem_type):
        raise PracticePathError(
            f"Question {question.id!r} has a module or problem type that is not a plain id "
            f"({question.module!r}, {question.problem_type!r}); no file was written."
        )
    folder = directory / question.module
    stem = f"{question.problem_type}_{question.difficulty.value}".replace("-", "_")
    base, _, variant = question.id.partition("~")  # "~<n>": variant n of a template
    if base.count(".") > 1:
        stem += "_" + base.rsplit(".", 1)[1].replace("-", "_")
    if variant:
        stem += f"_v{variant}"
    if not _NAME.match(stem) or len(stem) > 150:
        raise PracticePathError(f"Question {question.id!r} does not give a valid file name.")
    path = folder / f"{stem}.py"
    number = 2
    while path.exists():
        path = folder / f"{stem}_{number}.py"
        number += 1
    _check_inside(path, directory)
    return path


def _check_inside(path: Path, directory: Path) -> None:
    try:
        root = directory.resolve()
        final = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise PracticePathError(f"Cannot use the folder {directory}: {exc}.") from None
    if not final.is_relative_to(root):
        raise PracticePathError(
            f"The practice file would be written at {final}, outside {root}; nothing was written."
        )


def write_new_file(question: Question, directory: Path, text: str) -> Path:
    """Write ``text`` to a fresh practice path for ``question`` in ``directory``.

    Any failure (a file where the folder should be, /proc, a name too long, no
    permission) is a :class:`PracticePathError` with a clear message.
    """
    try:
        path = practice_path(question, directory)
        if directory.exists() and not directory.is_dir():
            raise PracticePathError(f"{directory} is a file, not a folder: give a folder with --dir.")
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_inside(path, directory)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except PracticePathError:
        raise
    except OSError as exc:
        reason = {
            errno.ENAMETOOLONG: "the name is too long",
            errno.ENOTDIR: "a part of the path is a file, not a folder",
            errno.EACCES: "permission denied",
            errno.EPERM: "the operation is not permitted there",
            errno.EROFS: "the file system is read-only",
            errno.ENOSPC: "the disk is full",
            errno.EEXIST: "a file with that name appeared meanwhile",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        raise PracticePathError(
            f"Cannot write a practice file in {directory}: {reason}. Choose another folder."
        ) from None
    return path


def write_practice_file(question: Question, curriculum: Curriculum, directory: Path) -> Path:
    """Create a new practice file and return its path."""
    return write_new_file(question, directory, render_practice_file(question, curriculum))


@dataclass(frozen=True)
class EntryLocation:
    """Where the entry function or class is defined (0-based line, columns of its name)."""

    line: int
    start: int
    end: int


def find_entry(source: str, entry: str) -> EntryLocation | None:
    """Locate ``def entry`` / ``class entry`` in the source, even if it does not parse.

    A file too big to check (:mod:`pytrix.practice.file_size`) is not searched: None.
    """
    if size_problem(source) is not None:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == entry:
                line = node.lineno - 1
                text = source.splitlines()[line] if line < len(source.splitlines()) else ""
                col = text.find(entry)
                col = col if col >= 0 else node.col_offset
                return EntryLocation(line, col, col + len(entry))
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+({re.escape(entry)})\b")
    for number, text in enumerate(source.splitlines()):
        match = pattern.match(text)
        if match:
            return EntryLocation(number, match.start(1), match.end(1))
    return None
