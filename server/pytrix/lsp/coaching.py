"""Coaching hints while typing: static findings as diagnostics, safe rewrites as quick fixes.

Runs :func:`pytrix.coach.coach` (AST only, nothing executed) on open and on
every change, in any Python file, unless the ``coaching`` setting is off or a
rule is listed in ``coachingDisabledRules``. In a practice file the coach is
told the question's entry function (for ``print-not-return``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pytrix.coach import Finding as CoachFinding
from pytrix.coach import coach
from pytrix.curriculum.question import Kind
from pytrix.errors import PytrixError
from pytrix.lsp.convert import position_converter
from pytrix.practice.file_size import size_problem
from pytrix.practice.files import question_id_of
from pytrix.practice.findings import Finding

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer

SOURCE = "pytrix-coach"


def _as_finding(found: CoachFinding, index: int) -> Finding:
    span = found.span
    return Finding(
        line=span.start_line, start=span.start_col, end=span.end_col,
        end_line=span.end_line, severity=found.severity, message=found.message,
        code=found.rule, data={"coach": index, "fix": found.fix_title}, source=SOURCE,
    )


def update(ls: PytrixServer, uri: str) -> None:
    """Recompute the coaching findings of ``uri`` and publish them with the rest."""
    if not ls.is_python(uri):
        return
    document = ls.open_document(uri)
    state = ls.state(uri)
    settings = ls.settings
    if document is None or not settings.coaching or size_problem(document.source) is not None:
        found: list[CoachFinding] = []  # a file too big to check is not parsed
    else:
        found = coach(document.source, disabled=frozenset(settings.coaching_disabled_rules),
                      entry=_entry(ls, document.source))
    previous = state.coach_findings
    state.coach_raw = found
    state.coach_findings = [_as_finding(f, i) for i, f in enumerate(found)]
    if previous or state.coach_findings:
        ls.publish(uri, document.version if document else None)


def _entry(ls: PytrixServer, source: str) -> str | None:
    """The entry function of a practice file's question (``print-not-return`` checks it)."""
    question_id = question_id_of(source)
    if question_id is None:
        return None
    try:
        question = ls.service.question(question_id)
    except PytrixError:
        return None
    return question.entry if question.kind is Kind.FUNCTION else None


def _overlaps(finding: Finding, start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Whole lines count: a cursor anywhere on a finding's lines offers its fix."""
    last = finding.end_line if finding.end_line >= 0 else finding.line
    return finding.line <= end[0] and start[0] <= last


def quick_fixes(ls: PytrixServer, uri: str, params: types.CodeActionParams) -> list[types.CodeAction]:
    """A quick fix for each fixable coaching finding touching the requested range."""
    state = ls.documents.get(uri)
    document = ls.open_document(uri)
    if state is None or document is None or not state.coach_raw:
        return []
    wanted = document.position_codec.range_from_client_units(document.lines, params.range)
    start = (wanted.start.line, wanted.start.character)
    end = (wanted.end.line, wanted.end.character)
    position = position_converter(document)
    actions: list[types.CodeAction] = []
    for raw, finding in zip(state.coach_raw, state.coach_findings, strict=False):
        if not raw.edits or not raw.fix_title or not _overlaps(finding, start, end):
            continue
        edits = [
            types.TextEdit(
                range=types.Range(
                    start=position(e.span.start_line, e.span.start_col),
                    end=position(e.span.end_line, e.span.end_col),
                ),
                new_text=e.new_text,
            )
            for e in raw.edits
        ]
        actions.append(
            types.CodeAction(
                title=f"Pytrix: {raw.fix_title}",
                kind=types.CodeActionKind.QuickFix,
                is_preferred=True,
                edit=types.WorkspaceEdit(
                    document_changes=[
                        types.TextDocumentEdit(
                            text_document=types.OptionalVersionedTextDocumentIdentifier(
                                uri=uri, version=document.version
                            ),
                            edits=list(edits),
                        )
                    ]
                ),
            )
        )
    return actions
