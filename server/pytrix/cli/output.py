"""The CLI's one output module: the console, reading a practice file, naming the
terminal's commands in messages, and printing results like a linter (``pytrix check``,
``submit``, the practice loop and the AI commands all print through it).

Results print through :class:`Lines`, plain lines with a colour on the severity when
stdout is a terminal, without rich: ``pytrix check``'s lean path and the full path
print the same text through the same code, from plain results or validated models
alike (:class:`~pytrix.runner.results.RunLike`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pytrix.errors import PytrixError

if TYPE_CHECKING:  # rich and the models load when first used: `pytrix check` starts sooner
    from rich.console import Console

    from pytrix.curriculum.plain import QuestionLike
    from pytrix.responses import Wire
    from pytrix.runner.results import RunLike


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


_STYLES = {"red": "31", "green": "32", "yellow": "33", "cyan": "36"}
# What rich's console dropped from printed text (bell, backspace, vertical tab, form feed,
# carriage return), dropped here too: a learner's value cannot move the cursor.
_CONTROL = {code: None for code in (7, 8, 11, 12, 13)}


class Lines:
    """Plain output lines; the severity word in colour when the stream is a terminal (as
    rich decided it: ``FORCE_COLOR`` forces it, ``NO_COLOR`` and ``TERM=dumb`` turn it off).

    When the reader goes away (``pytrix check F | head -1``) it stops writing quietly, so
    the command finishes with its own exit code.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        env = os.environ
        try:
            terminal = bool(env.get("FORCE_COLOR")) or self.stream.isatty()
        except (AttributeError, ValueError):
            terminal = False
        self.colour = terminal and not env.get("NO_COLOR") and env.get("TERM", "") not in ("dumb", "unknown")
        self.quiet = False

    def styled(self, text: str, style: str) -> str:
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if self.colour else text

    def print(self, text: str) -> None:
        if self.quiet:
            return
        try:
            self.stream.write(text.translate(_CONTROL) + "\n")
            self.stream.flush()
        except BrokenPipeError:
            self.quiet = True
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())


def print_lint(
    path: Path, source: str, question: QuestionLike, result: RunLike, *, coaching: bool = False,
    solved: bool = False, earlier: bool = False,
) -> None:
    """Print results like a linter: ``file:line:col: severity: message``.

    With ``coaching`` the coaching findings follow the results, with ``hint``
    severity, except those on a line whose failure is already explained.
    ``solved``: the run is a submission that solved the question (``earlier``: an
    earlier submission of this code did, this run records nothing).
    """
    from pytrix.practice.findings import findings_for

    out = Lines()
    findings = findings_for(result, question, source, solved=solved, earlier=earlier)
    for finding in findings:
        if finding.code == "own-test-failed":  # listed under "Your tests" below
            continue
        first, *rest = name_commands(finding.message, path, question.module).splitlines()
        style = {"error": "red", "information": "green"}.get(finding.severity, "yellow")
        out.print(f"{path}:{finding.line + 1}:{finding.start + 1}: {out.styled(finding.severity, style)}: {first}")
        for extra in rest:
            out.print(f"    {extra}")
    if result.status.value not in ("passed", "compile_error", "module_error"):
        out.print(f"{result.passed}/{result.total} tests passed ({result.duration_ms:.0f} ms)")
    hidden = [t for t in question.tests if t.hidden]
    if solved and hidden:  # solving shows what the hidden tests were, as promised while they failed
        out.print("The hidden tests were:")
        for test in hidden:
            shown = test.call or ("program with empty input" if not test.stdin else f"program with input {test.stdin!r}")
            out.print(f"    {test.name + ': ' if test.name else ''}{_clip(shown)} -> {_clip(test.expected)}")
    _print_own_tests(out, path, result)
    if coaching:
        _print_coaching(out, path, source, question, {f.line for f in findings if "cause" in f.data})


def _clip(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters, a cut shown with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_own_tests(out: Lines, path: Path, result: RunLike) -> None:
    """The learner's own ``# test:`` lines, each with how it went (they never count towards solving)."""
    from pytrix.practice.findings import evidence

    own = [test for test in result.own_tests if test.status.value != "not_run"]
    if not own:
        return
    out.print("Your tests (they never count towards solving):")
    for test in own:
        told = test.label if test.status.value == "passed" else evidence(test).replace("\n", " | ")
        out.print(f"    {path}:{test.line or 1}:1: {test.status.value}: {told}")


def _print_coaching(out: Lines, path: Path, source: str, question: QuestionLike, explained: set[int]) -> None:
    from pytrix.coach import coach
    from pytrix.curriculum.plain import Kind

    entry = question.entry if question.kind is Kind.FUNCTION else None
    for found in coach(source, entry=entry):
        line, col = found.span.start_line, found.span.start_col
        if line in explained:
            continue
        fix = f" (quick fix in the editor: {found.fix_title})" if found.fix_title else ""
        out.print(f"{path}:{line + 1}:{col + 1}: {out.styled('hint', 'cyan')}: {found.message} [{found.rule}]{fix}")
