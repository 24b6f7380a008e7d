"""The CLI's one output module: the console, reading a practice file, naming the
terminal's commands in messages, and printing results like a linter (``pytrix check``,
``submit``, the practice loop and the AI commands all print through it).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytrix.errors import PytrixError

if TYPE_CHECKING:  # rich and the models load when first used: `pytrix check` starts sooner
    from rich.console import Console

    from pytrix.curriculum.question import Question
    from pytrix.responses import Wire
    from pytrix.runner.protocol import RunResult


class UsageError(PytrixError):
    """Bad command-line input."""


@functools.cache
def _piped_console() -> type[Console]:
    from rich.console import Console

    class PipedConsole(Console):
        """A console that stops writing quietly when the reader goes away (``pytrix check F |
        head -1``), so the command finishes with its own exit code (rich would exit with 1)."""

        def on_broken_pipe(self) -> None:
            import os
            import sys

            self.quiet = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, (sys.stderr if self.stderr else sys.stdout).fileno())

    return PipedConsole


def console(stderr: bool = False, *, wrap: bool = False) -> Console:
    """The CLI's console; ``wrap``: long lines wrap at word boundaries to the terminal's (or
    a pipe's 80 columns') width, else they stay whole for copying."""
    return _piped_console()(stderr=stderr, highlight=False, soft_wrap=not wrap)


def print_json(answer: Wire | dict[str, Any], *, compact: bool = False) -> None:
    """Print an answer as ``--json`` does everywhere: the model's wire form (the JSON the
    editor gets, camelCase), indented unless ``compact``, non-ASCII text as it is."""
    data = answer if isinstance(answer, dict) else answer.wire()
    print(json.dumps(data, indent=None if compact else 2, ensure_ascii=False), flush=True)


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give a practice file.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text.") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}.") from None


def practice_root(path: Path, module: str | None = None) -> Path:
    """The folder a practice file was made in: ``pytrix new --dir ROOT`` writes ``ROOT/<module>/<file>``."""
    folder = path.parent
    return folder.parent if module is not None and folder.name == module else folder


def name_commands(text: str, path: Path, module: str | None = None) -> str:
    """Name the terminal's commands where a message names an editor's action."""
    root = practice_root(path, module)
    commands = {
        "Pytrix: new practice question (auto mode)": f"pytrix auto next --dir {root}",
        "Pytrix: new practice question": f"pytrix new --dir {root}",
        "Pytrix: submit": f"pytrix submit {path}",
        "Pytrix: next hint": f"pytrix hint {path}",
        "Pytrix: reveal solution": f"pytrix reveal {path}",
        "Pytrix: run tests": f"pytrix check {path}",
    }
    for title, command in commands.items():
        text = text.replace(f'"{title}"', f"`{command}`").replace(f"'{title}'", f"`{command}`")
    return text


def print_lint(
    path: Path, source: str, question: Question, result: RunResult, *, coaching: bool = False,
    solved: bool = False, earlier: bool = False,
) -> None:
    """Print results like a linter: ``file:line:col: severity: message``.

    With ``coaching`` the coaching findings follow the results, with ``hint``
    severity, except those on a line whose failure is already explained.
    ``solved``: the run is a submission that solved the question (``earlier``: an
    earlier submission of this code did, this run records nothing).
    """
    from rich.markup import escape

    from pytrix.practice.findings import findings_for

    out = console()
    findings = findings_for(result, question, source, solved=solved, earlier=earlier)
    for finding in findings:
        if finding.code == "own-test-failed":  # listed under "Your tests" below
            continue
        first, *rest = name_commands(finding.message, path, question.module).splitlines()
        style = {"error": "red", "information": "green"}.get(finding.severity, "yellow")
        out.print(
            f"{escape(str(path))}:{finding.line + 1}:{finding.start + 1}: "
            f"[{style}]{finding.severity}[/]: {escape(first)}",
            markup=True,
        )
        for extra in rest:
            out.print(f"    {extra}", markup=False)
    if result.status.value not in ("passed", "compile_error", "module_error"):
        out.print(f"{result.passed}/{result.total} tests passed ({result.duration_ms:.0f} ms)")
    hidden = [t for t in question.tests if t.hidden]
    if solved and hidden:  # solving shows what the hidden tests were, as promised while they failed
        out.print("The hidden tests were:", markup=False)
        for test in hidden:
            shown = test.call or ("program with empty input" if not test.stdin else f"program with input {test.stdin!r}")
            out.print(f"    {test.name + ': ' if test.name else ''}{_clip(shown)} -> {_clip(test.expected)}",
                      markup=False)
    _print_own_tests(out, path, result)
    if coaching:
        _print_coaching(out, path, source, question, {f.line for f in findings if "cause" in f.data})


def _clip(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters, a cut shown with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_own_tests(out: Console, path: Path, result: RunResult) -> None:
    """The learner's own ``# test:`` lines, each with how it went (they never count towards solving)."""
    from pytrix.practice.findings import evidence

    own = [test for test in result.own_tests if test.status.value != "not_run"]
    if not own:
        return
    out.print("Your tests (they never count towards solving):", markup=False)
    for test in own:
        told = test.label if test.status.value == "passed" else evidence(test).replace("\n", " | ")
        out.print(f"    {path}:{test.line or 1}:1: {test.status.value}: {told}", markup=False)


def _print_coaching(out: Console, path: Path, source: str, question: Question, explained: set[int]) -> None:
    from rich.markup import escape

    from pytrix.coach import coach
    from pytrix.curriculum.question import Kind

    entry = question.entry if question.kind is Kind.FUNCTION else None
    for found in coach(source, entry=entry):
        line, col = found.span.start_line, found.span.start_col
        if line in explained:
            continue
        fix = f" (quick fix in the editor: {found.fix_title})" if found.fix_title else ""
        text = escape(f"{found.message} [{found.rule}]{fix}")
        out.print(f"{escape(str(path))}:{line + 1}:{col + 1}: [cyan]hint[/]: {text}", markup=True)
