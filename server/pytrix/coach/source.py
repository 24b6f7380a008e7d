"""Source text helpers: AST positions (UTF-8 byte columns) to :class:`Span`."""

from __future__ import annotations

from typing import Protocol

from pytrix.coach.model import NEWLINE_RE, Span


class Positioned(Protocol):
    """Anything ``ast`` gives a position: statements, expressions, args, handlers."""

    lineno: int
    col_offset: int
    end_lineno: int | None
    end_col_offset: int | None


class SourceText:
    """The analysed source, split into lines, with position conversion.

    ``ast`` reports columns as UTF-8 byte offsets; every method here speaks
    character offsets (see :mod:`pytrix.coach.model`). Line numbers taken
    from AST nodes are 1-based; everything returned is 0-based.
    """

    __slots__ = ("_ascii", "_encoded", "_lines", "_newline", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()
        self._encoded: dict[int, bytes] = {}
        self._lines: list[str] | None = None
        self._newline: str | None = None

    @property
    def lines(self) -> list[str]:
        """The lines, without their terminators (computed on first use)."""
        if self._lines is None:
            text = self.text
            self._lines = text.split("\n") if "\r" not in text else NEWLINE_RE.split(text)
        return self._lines

    @property
    def newline(self) -> str:
        """The file's line terminator (its first one; ``"\\n"`` if it has none)."""
        if self._newline is None:
            match = NEWLINE_RE.search(self.text)
            self._newline = match.group() if match else "\n"
        return self._newline

    def col(self, lineno: int, byte_col: int) -> int:
        """Character column of UTF-8 ``byte_col`` on 1-based line ``lineno``."""
        if self._ascii:
            return byte_col
        line = self.lines[lineno - 1]
        if line.isascii():
            return byte_col
        encoded = self._encoded.get(lineno)
        if encoded is None:
            encoded = self._encoded[lineno] = line.encode("utf-8", "surrogatepass")
        return len(encoded[:byte_col].decode("utf-8", "replace"))

    def span(self, node: Positioned) -> Span:
        """Span covering ``node``."""
        return Span(*self.start(node), *self.end(node))

    def start(self, node: Positioned) -> tuple[int, int]:
        """0-based (line, char column) where ``node`` starts."""
        return node.lineno - 1, self.col(node.lineno, node.col_offset)

    def end(self, node: Positioned) -> tuple[int, int]:
        """0-based (line, char column) just past the end of ``node``."""
        lineno = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return lineno - 1, self.col(lineno, end_col)

    def between(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """Text from ``start`` up to ``end`` (0-based (line, col) pairs), lines joined by the
        file's line terminator."""
        (first, first_col), (last, last_col) = start, end
        lines = self.lines
        if first == last:
            return lines[first][first_col:last_col]
        middle = lines[first + 1 : last]
        return self.newline.join([lines[first][first_col:], *middle, lines[last][:last_col]])

    def segment(self, node: Positioned) -> str:
        """The exact source text of ``node``."""
        return self.between(self.start(node), self.end(node))
