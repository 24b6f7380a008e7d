"""Coaching hints while typing (with quick fixes) and hovers, over a real server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from lsprotocol import types

if TYPE_CHECKING:
    from conftest import Session

SCRATCH = '''def first(xs):
    if xs == None:
        return None
    return xs[0]
'''

EMOJI = '''s = "😀😀"; t = s == None
'''

WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''


def coach_diags(diags: Any) -> list[types.Diagnostic]:
    return [d for d in diags if d.source == "pytrix-coach"]


async def quick_fixes(lsp: Session, uri: str, line: int) -> list[Any]:
    found = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction) and a.edit is not None]


async def test_coaching_hint_with_a_quick_fix_in_any_python_file(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "scratch.py", SCRATCH)
    diags = await lsp.diagnostics(uri, lambda d: bool(coach_diags(d)))
    hint = next(d for d in coach_diags(diags) if d.code == "none-comparison")
    assert hint.range.start.line == 1
    assert hint.severity in (types.DiagnosticSeverity.Hint, types.DiagnosticSeverity.Information)
    fixes = await quick_fixes(lsp, uri, 1)
    assert fixes, "no quick fix offered"
    change = fixes[0].edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    assert any("is" in edit.new_text for edit in change.edits)


async def test_coaching_columns_are_utf16_for_the_client(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "emoji.py", EMOJI)
    diags = await lsp.diagnostics(uri, lambda d: bool(coach_diags(d)))
    hint = next(d for d in coach_diags(diags) if d.code == "none-comparison")
    # "s == None" starts at code point 14. Each emoji is 2 UTF-16 units (VS Code) or
    # 4 UTF-8 bytes (Neovim offers utf-8 and the server takes it).
    expected = {"visual-studio-code": 16, "neovim": 20}[lsp.flavour]
    assert hint.range.start.character == expected


@pytest.mark.lsp_options(settings={"coachingDisabledRules": ["none-comparison", "no-such-rule"]})
async def test_rules_can_be_turned_off_and_unknown_ones_are_reported(lsp: Session) -> None:
    await lsp.message(lambda m: "no-such-rule" in m)
    uri = lsp.open(lsp.workspace / "scratch.py", SCRATCH + "\ndef g(items=[]):\n    return items\n")
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "mutable-default" for x in d))
    assert all(d.code != "none-comparison" for d in diags)


@pytest.mark.lsp_options(settings={"coaching": False})
async def test_coaching_can_be_turned_off(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG.replace("return s\n", "if s == None:\n        return s\n    return s\n"))
    diags = await lsp.diagnostics(uri, lambda d: any(x.source == "pytrix" for x in d))
    assert coach_diags(diags) == []


async def test_hover_on_the_entry_shows_the_question_and_results(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: any(x.code == "test-failed" for x in d))
    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 6))
    )
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert "### Reverse a string" in text
    assert "3/7 tests passed" in text and '✗ `reverse_string("hello")`' in text
    assert "expected:" in text  # the failing tests anchored at the function, in full


async def test_hover_on_a_failing_test_shows_full_values(lsp: Session) -> None:
    long = "x" * 400
    source = WRONG.replace("return s\n", f"return {long!r}\n")
    uri = lsp.open(lsp.workspace / "rev.py", source)
    await lsp.diagnostics(uri, lambda d: any(x.code == "test-failed" for x in d))
    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 6))
    )
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert "expected:" in text and "actual:" in text
    assert long in text  # the diagnostic abbreviates it; the hover shows it all


PRINTED = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    flipped = s[::-1]
    print(flipped)
'''


async def test_explained_failures_are_grouped_with_related_tests_and_hover(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "printed.py", PRINTED)
    diags = await lsp.diagnostics(uri, lambda d: any(x.code == "test-failed" for x in d))
    [failed] = [d for d in diags if d.code == "test-failed"]
    assert failed.range.start.line == 5  # the print, not the def
    first, evidence, *_ = failed.message.splitlines()
    assert first == ("7 tests fail the same way: You printed olleh but returned nothing: "
                     "the tests see only what you `return`.")
    assert evidence == "reverse_string(\"hello\"): expected 'olleh', got None"
    related = failed.related_information or []
    assert len(related) == 7 and all(r.location.uri == uri for r in related)
    assert related[1].message == "reverse_string(\"\"): expected '', got None"
    coached = [d for d in coach_diags(diags) if d.code == "print-not-return"]
    assert [d.range.start.line for d in coached] == [5]
    fixes = await quick_fixes(lsp, uri, 5)
    assert any("Return the value instead of printing it" in f.title for f in fixes), [f.title for f in fixes]
    hover = await lsp.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(5, 6))
    )
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert "You printed olleh but returned nothing" in text
    assert 'reverse_string("hello")' in text and "*…and 4 more failing tests.*" in text
    answer = await lsp.command("pytrix.runTests", uri)
    explained = [t for t in answer["tests"] if t.get("cause") == "printed-not-returned"]
    assert len(explained) == 7
    assert explained[0]["message"].startswith("You printed olleh but returned nothing")
