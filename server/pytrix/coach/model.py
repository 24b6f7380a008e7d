"""Value types shared by the coach: positions, edits, findings and rule metadata.

Positions
---------
Every :class:`Span` uses **0-based line numbers** and **0-based character
offsets into the Python ``str`` of that line** (code points, not UTF-8 bytes
and not UTF-16 code units). Lines are split the way the Python tokenizer
splits them: on ``\\r\\n``, ``\\r`` and ``\\n`` only (a form feed or
``\\u2028`` is *not* a line break). The end of a span is exclusive, so a
zero-width span (``start == end``) is an insertion point.

An LSP client that speaks UTF-16 positions must convert the character
columns itself (a character outside the Basic Multilingual Plane counts as
one column here and as two UTF-16 code units there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["hint", "information"]
"""How loud a finding is. ``"hint"`` for style and idiom, ``"information"``
for things that can cause bugs or slowness."""

NEWLINE_RE = re.compile(r"\r\n|\r|\n")
"""The line terminators the Python tokenizer recognises."""


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range of source text; see the module docstring for units."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def __post_init__(self) -> None:
        if min(self.start_line, self.start_col, self.end_line, self.end_col) < 0:
            raise ValueError(f"negative position in {self!r}")
        if (self.end_line, self.end_col) < (self.start_line, self.start_col):
            raise ValueError(f"span ends before it starts: {self!r}")

    @classmethod
    def point(cls, line: int, col: int) -> Span:
        """A zero-width span (an insertion point)."""
        return cls(line, col, line, col)


@dataclass(frozen=True)
class Edit:
    """Replace the text covered by ``span`` (in the original source) with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class Finding:
    """One coaching hint.

    ``edits`` is empty when the rule offers no automatic fix; otherwise
    ``fix_title`` names the fix (e.g. for a code-action menu) and applying all
    of ``edits`` together (see :func:`apply_edits`) to the source that was
    analysed yields valid Python. Edits of one finding never overlap; edits of
    different findings may, so apply one finding at a time and re-run
    :func:`pytrix.coach.coach` afterwards.
    """

    rule: str
    message: str
    severity: Severity
    span: Span
    fix_title: str | None = None
    edits: tuple[Edit, ...] = ()

    @property
    def fixable(self) -> bool:
        """True when the finding carries a quick fix."""
        return bool(self.edits)


@dataclass(frozen=True)
class RuleInfo:
    """Static description of a rule, for documentation and settings UIs."""

    id: str
    title: str
    description: str
    severity: Severity
    fixable: bool


def line_starts(source: str) -> list[int]:
    """Offset in ``source`` where each line starts (Python's line-break rules)."""
    return [0, *(m.end() for m in NEWLINE_RE.finditer(source))]


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Return ``source`` with ``edits`` applied.

    Spans refer to ``source`` as given (not to the text after earlier edits).
    Raises ``ValueError`` if an edit lies outside the source or two edits
    overlap (two insertions at the same point are applied in the given order).
    """
    starts = line_starts(source)
    resolved: list[tuple[int, int, int, str]] = []
    for order, edit in enumerate(edits):
        span = edit.span
        begin = _offset(source, starts, span.start_line, span.start_col)
        end = _offset(source, starts, span.end_line, span.end_col)
        resolved.append((begin, end, order, edit.new_text))
    resolved.sort()
    pieces: list[str] = []
    cursor = 0
    for begin, end, _, text in resolved:
        if begin < cursor:
            raise ValueError("overlapping edits")
        pieces.append(source[cursor:begin])
        pieces.append(text)
        cursor = end
    pieces.append(source[cursor:])
    return "".join(pieces)


def _offset(source: str, starts: list[int], line: int, col: int) -> int:
    if line >= len(starts):
        raise ValueError(f"line {line} is past the end of the source")
    line_end = starts[line + 1] if line + 1 < len(starts) else len(source)
    text = source[starts[line] : line_end]
    length = len(text.rstrip("\r\n")) if line + 1 < len(starts) else len(text)
    if col > length:
        raise ValueError(f"column {col} is past the end of line {line}")
    return starts[line] + col
