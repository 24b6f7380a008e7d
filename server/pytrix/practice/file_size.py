"""The largest practice file Pytrix checks, and the one message for a file over it.

A practice file is parsed (coaching, explanations, own tests, rules), copied
into the harness request and run; a file of millions of lines made the server
or ``pytrix check`` use gigabytes before the sandbox's own memory cap could
say anything. So every path that takes a practice file's text (the CLI's
commands, the language server's runs, commands and coaching, the editor's
Pyodide runs, which go through the same service) asks :func:`size_problem`
first and, for a file over :data:`MAX_BYTES` or :data:`MAX_LINES`, shows its
message and does no parsing and no run. Counting is cheap: one length and one
line count, no copy of a list of lines. ``pytrix check``'s lean path counts a
file that may be too big with :func:`file_size_problem`, a piece at a time,
so it refuses one without ever holding its text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytrix.errors import PytrixError

MAX_BYTES = 256 * 1024
"""The largest practice file checked, in UTF-8 bytes (256 KB)."""

MAX_LINES = 10_000
"""The most lines a practice file checked may have."""


class FileTooBigError(PytrixError):
    """A practice file over the size limit: nothing was parsed or run."""


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB"


_ADVICE = ("Nothing was run. A solution needs far less: keep the function and a few tests, "
           "and move large data out of the file (or into a smaller test).")


def size_problem(source: str) -> str | None:
    """The message for a practice file too big to check, or None when it is within the limits."""
    return _problem(len(source), lambda: len(source.encode("utf-8", "surrogatepass")),
                    source.count("\n") + (not source.endswith("\n")))


def file_size_problem(path: Path) -> str | None:
    """:func:`size_problem` of the file's text as ``Path.read_text`` would give it (UTF-8,
    universal newlines), counted a piece at a time: a file too big is never held whole.

    Raises what reading it raises (``OSError``, ``UnicodeDecodeError``)."""
    chars = encoded = newlines = 0
    last = ""
    with path.open(encoding="utf-8") as text:
        while piece := text.read(_PIECE):
            chars += len(piece)
            encoded += len(piece.encode("utf-8", "surrogatepass"))
            newlines += piece.count("\n")
            last = piece[-1]
    return _problem(chars, lambda: encoded, newlines + (last != "\n"))


_PIECE = 1 << 20
"""Characters read at a time by :func:`file_size_problem`."""


def _problem(chars: int, encoded: Callable[[], int], lines: int) -> str | None:
    size = chars  # characters: a lower bound of the bytes
    if size <= MAX_BYTES // 4:  # even all 4-byte characters fit
        size = 0
    elif size <= MAX_BYTES:
        size = encoded()
    if size > MAX_BYTES:
        return (f"This practice file is {_size(size)}; Pytrix checks files up to {_size(MAX_BYTES)} "
                f"and {MAX_LINES:,} lines. {_ADVICE}")
    if lines > MAX_LINES:
        return (f"This practice file has {lines:,} lines; Pytrix checks files up to {MAX_LINES:,} lines "
                f"and {_size(MAX_BYTES)}. {_ADVICE}")
    return None


def check_size(source: str) -> None:
    """Raise :class:`FileTooBigError` with :func:`size_problem`'s message for a file over the limits."""
    problem = size_problem(source)
    if problem is not None:
        raise FileTooBigError(problem)
