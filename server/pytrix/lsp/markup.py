"""Markdown for clients that render it, readable plain text for those that do not.

Pytrix writes its hovers (and question documents) as markdown. A client whose
hover ``contentFormat`` is ``["plaintext"]`` (eglot without markdown-mode,
for one) shows the raw text, so the markup is turned into plain text first:
headings lose their ``#``, emphasis and inline code lose their markers, code
blocks are indented, rules become a line of dashes. ``window/showMessage`` is
plain text for every client, so messages go through :func:`to_plain_text` too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from pytrix.lsp.clients import hover_markup

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer

_HEADING = re.compile(r"^#{1,6}\s+")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _inline(text: str) -> str:
    text = _CODE.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    return _ITALIC.sub(r"\1", text)


def to_plain_text(markdown: str) -> str:
    """Readable plain text from Pytrix's markdown (headings, emphasis, code, rules, lists)."""
    lines: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            lines.append(f"    {line}")
        elif _RULE.match(line):
            lines.append("-" * 24)
        elif _HEADING.match(line):
            lines.append(_inline(_HEADING.sub("", line)))
        else:
            lines.append(_inline(line))
    return "\n".join(lines)


def markup_content(ls: PytrixServer, markdown: str) -> types.MarkupContent:
    """Hover contents in the format the client asked for."""
    if hover_markup(ls) == types.MarkupKind.PlainText:
        return types.MarkupContent(kind=types.MarkupKind.PlainText, value=to_plain_text(markdown))
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)
