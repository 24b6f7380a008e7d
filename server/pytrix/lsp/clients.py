"""What the connected editor can do, asked in one place, and the names it shows.

Every server→client request and every markup surface checks the client's
capabilities here first, so that an editor lacking one gets a visible
fallback instead of silence (docs/PROTOCOL.md, "Client capabilities").

Messages name the actions the learner can actually use: the code-action
titles in plain LSP clients, the palette titles in the Pytrix VS Code
extension. Texts are written with the code-action titles (quoted), and
:func:`name_actions` rewrites them for the extension.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer

# Code-action title (what every LSP client lists) → VS Code palette title.
PALETTE_TITLES: dict[str, str] = {
    "Pytrix: new practice question (auto mode)": "Pytrix: Next Question (auto mode)",
    "Pytrix: new practice question": "Pytrix: New Question…",
    "Pytrix: next hint": "Pytrix: Next Hint",
    "Pytrix: run tests": "Pytrix: Run Tests",
    "Pytrix: submit": "Pytrix: Submit",
    "Pytrix: reveal solution": "Pytrix: Reveal the Solution",
    "Pytrix: evaluate my code": "Pytrix: Evaluate My Code",
    "Pytrix: optimise my solution": "Pytrix: Optimise My Code",
    "Pytrix: set Gemini API key": "Pytrix: Set Gemini API Key",
}

# Actions that exist only in the VS Code extension: what plain clients say instead.
PLAIN_CLIENT_TEXTS: dict[str, str] = {
    "with 'Pytrix: set Gemini API key' in the editor, or the GEMINI_API_KEY environment variable":
        "in the GEMINI_API_KEY environment variable of the editor that starts 'pytrix serve'",
    "with 'Pytrix: set Gemini API key'": "in the GEMINI_API_KEY environment variable",
    "'Pytrix: set Gemini API key'": "the GEMINI_API_KEY environment variable",
}

_QUOTED = re.compile(r"(['\"])(Pytrix: [^'\"]+)\1")


def is_vscode_extension(ls: PytrixServer) -> bool:
    """True when the Pytrix VS Code extension is the client (it has the palette).

    The extension always announces its runtimes in ``initializationOptions``;
    no other client does.
    """
    options = ls.init_options
    return isinstance(options, dict) and "runtimes" in options


def name_actions(ls: PytrixServer, text: str) -> str:
    """Rewrite quoted action titles in ``text`` to what this client offers."""
    if "Pytrix: " not in text:
        return text
    if not is_vscode_extension(ls):
        for phrase, replacement in PLAIN_CLIENT_TEXTS.items():
            text = text.replace(phrase, replacement)
        return text

    def palette(match: re.Match[str]) -> str:
        title = match.group(2)
        return f"{match.group(1)}{PALETTE_TITLES.get(title, title)}{match.group(1)}"

    return _QUOTED.sub(palette, text)


def can_show_documents(ls: PytrixServer) -> bool:
    """``window/showDocument`` (LSP 3.16): opening a file in the editor."""
    window = ls.client_capabilities.window
    return bool(window and window.show_document and window.show_document.support)


def has_work_done_progress(ls: PytrixServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window and window.work_done_progress)


def _code_action_caps(ls: PytrixServer) -> types.CodeActionClientCapabilities | None:
    document = ls.client_capabilities.text_document
    return document.code_action if document else None


def supports_disabled_actions(ls: PytrixServer) -> bool:
    caps = _code_action_caps(ls)
    return bool(caps and caps.disabled_support)


def supports_action_literals(ls: PytrixServer) -> bool:
    """``CodeAction`` objects (LSP 3.8); older clients take bare ``Command`` objects."""
    caps = _code_action_caps(ls)
    return bool(caps and caps.code_action_literal_support)


def supports_code_lens(ls: PytrixServer) -> bool:
    document = ls.client_capabilities.text_document
    return bool(document and document.code_lens is not None)


def hover_markup(ls: PytrixServer) -> types.MarkupKind:
    """The first hover format the client lists that Pytrix writes; plain text if unsure."""
    document = ls.client_capabilities.text_document
    formats = document.hover.content_format if document and document.hover else None
    if not formats:
        return types.MarkupKind.Markdown  # LSP: no preference given, markdown is the norm
    for kind in formats:
        if kind in (types.MarkupKind.Markdown, types.MarkupKind.PlainText):
            return types.MarkupKind(kind)
    return types.MarkupKind.PlainText
