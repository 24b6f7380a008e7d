"""Texts per client: action names the editor really has, and markdown turned into plain text."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pytrix.ai.errors import key_required
from pytrix.lsp.clients import name_actions
from pytrix.lsp.markup import to_plain_text

SOLVED = "Solved! For another, use 'Pytrix: new practice question (auto mode)'."


def client(init_options: Any) -> Any:
    return SimpleNamespace(init_options=init_options)


def test_plain_clients_keep_the_code_action_titles() -> None:
    assert name_actions(client(None), SOLVED) == SOLVED


def test_the_vscode_extension_gets_its_palette_titles() -> None:
    vscode = client({"runtimes": ["pyodide"], "settings": {}})
    assert name_actions(vscode, SOLVED) == "Solved! For another, use 'Pytrix: Next Question (auto mode)'."
    assert "'Pytrix: New Question…'" in name_actions(vscode, "Use 'Pytrix: new practice question' to start.")


def test_plain_clients_are_told_about_the_environment_variable_not_a_missing_command() -> None:
    text = name_actions(client(None), str(key_required()))
    assert "Pytrix: set Gemini API key" not in text
    assert "GEMINI_API_KEY environment variable of the editor that starts 'pytrix serve'" in text
    assert "'Pytrix: Set Gemini API Key'" in name_actions(client({"runtimes": []}), str(key_required()))


def test_markdown_becomes_readable_plain_text() -> None:
    markdown = "### Title\n*place*\n\n**Latest run:** 3/7\n- ✗ `f(1)`\n\n---\n\nexpected:\n```python\n'ba'\n```"
    assert to_plain_text(markdown) == (
        "Title\nplace\n\nLatest run: 3/7\n- ✗ f(1)\n\n" + "-" * 24 + "\n\nexpected:\n    'ba'"
    )
    assert to_plain_text("2 * 3 * 4 and x**2") == "2 * 3 * 4 and x**2"  # arithmetic is not emphasis
