"""Practice files: a header linking the file to its question, the prompt, a stub.

The first line is ``# pytrix: question=<id>``. Everything else belongs to the
learner. Files are never overwritten: a second file for the same question
gets a numbered name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from pytrix.curriculum.question import Question
from pytrix.curriculum.topics import Curriculum

HEADER_RE = re.compile(r"^#\s*pytrix:\s*question=([A-Za-z0-9_.~-]+)\s*$")
_HEADER_SCAN_LINES = 5


def question_id_of(source: str) -> str | None:
    """Return the question id from a practice file's header, or None."""
    for line in source.splitlines()[:_HEADER_SCAN_LINES]:
        match = HEADER_RE.match(line.strip())
        if match:
            return match.group(1)
    return None


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def render_practice_file(question: Question, curriculum: Curriculum) -> str:
    """The initial contents of a practice file for ``question``."""
    located = curriculum.locate(question.problem_type)
    where = ""
    if located:
        module, subtopic, problem = located
        where = f"{module.name} > {subtopic.name} > {problem.name}, "
    prompt = question.prompt.strip()
    body = (
        f"# pytrix: question={question.id}\n"
        "# Write your solution below and save: Pytrix runs the tests. Keep the line above.\n"
        f'"""{_docstring(question.title)} ({where}{question.difficulty.value})\n\n'
        f"{_docstring(prompt)}\n"
        '"""\n\n\n'
        f"{question.stub.strip()}\n"
    )
    return body


def practice_path(question: Question, directory: Path) -> Path:
    """A fresh path for ``question`` under ``directory`` that does not exist yet."""
    folder = directory / question.module
    stem = f"{question.problem_type}_{question.difficulty.value}".replace("-", "_")
    base, _, variant = question.id.partition("~")  # "~<n>": variant n of a template
    if base.count(".") > 1:
        stem += "_" + base.rsplit(".", 1)[1].replace("-", "_")
    if variant:
        stem += f"_v{variant}"
    path = folder / f"{stem}.py"
    number = 2
    while path.exists():
        path = folder / f"{stem}_{number}.py"
        number += 1
    return path


def write_practice_file(question: Question, curriculum: Curriculum, directory: Path) -> Path:
    """Create a new practice file and return its path."""
    path = practice_path(question, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(render_practice_file(question, curriculum))
    return path


@dataclass(frozen=True)
class EntryLocation:
    """Where the entry function or class is defined (0-based line, columns of its name)."""

    line: int
    start: int
    end: int


def find_entry(source: str, entry: str) -> EntryLocation | None:
    """Locate ``def entry`` / ``class entry`` in the source, even if it does not parse."""
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
