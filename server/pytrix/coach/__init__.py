"""Coaching diagnostics: instant, static hints about a learner's Python code.

:func:`coach` parses the source once (``ast.parse``; nothing is executed),
walks the tree once, and returns :class:`Finding` objects, each teaching a
better idiom and, where a rewrite is provably safe, carrying a quick fix as a
tuple of :class:`Edit`. This package does not depend on pygls: the language
server maps a finding to an LSP diagnostic (``code`` = :attr:`Finding.rule`)
and its edits to a code action. Positions are 0-based lines and 0-based
*character* (code point) columns; see :mod:`pytrix.coach.model`.

Rules (ids are stable; see :data:`RULES` for titles and descriptions):

==================== =========== =====
id                   severity    fix
==================== =========== =====
range-len            hint        yes (when safe)
mutable-default      information yes (when safe)
none-comparison      hint        yes
bare-except          information yes
str-concat-loop      hint        no
quadratic-in-loop    information no
builtin-shadowing    information no
bool-return          hint        yes (unless a comment would be lost)
while-unchanged      information no
comparison-statement information yes (for ``==`` with an assignable left side)
constant-or          information yes (when every operand compares the same thing)
return-in-loop       information yes (when the ``return`` is one line)
mutate-iterated      information yes (when the name holds a list)
print-not-return     information yes (entry function only; when the print ends it)
==================== =========== =====
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Final

from pytrix.coach import engine
from pytrix.coach.engine import MAX_SOURCE_CHARS, parse, run_rules
from pytrix.coach.model import Edit, Finding, RuleInfo, Severity, Span, apply_edits
from pytrix.coach.rules import ALL_RULES

RULES: Final[Mapping[str, RuleInfo]] = MappingProxyType({r.info.id: r.info for r in ALL_RULES})
"""Rule id -> :class:`RuleInfo`, in documentation order (read-only)."""


def coach(
    source: str, *, disabled: Collection[str] = frozenset(), entry: str | None = None
) -> list[Finding]:
    """Return the coaching findings for ``source``, sorted by position.

    ``disabled`` holds rule ids to skip (unknown ids are ignored; a single
    id given as a plain string works too). ``entry`` names the practice
    question's entry function, which ``print-not-return`` checks. In a
    function with a logic mistake (:data:`MISTAKE_RULES`), style and speed
    advice is held back: the mistake comes first.

    Never raises: a source that does not parse (syntax error, null bytes,
    nesting too deep for the parser) or is longer than ``MAX_SOURCE_CHARS``
    gives ``[]``; a rule that fails internally is skipped and the others
    still report. Nothing in ``source`` is executed or imported.

    Cost: one ``ast.parse`` plus one shared walk of the tree; roughly 2-2.5x
    the ``ast.parse`` time with every rule on (see ``bench/coach.py``).
    Compiler warnings (e.g. invalid escape sequences) are silenced with
    ``warnings.catch_warnings``, which is not thread-safe: call from one
    thread at a time (the language server's event loop).
    """
    try:
        if isinstance(disabled, str):
            disabled = {disabled}
        rules = [rule for rule in ALL_RULES if rule.info.id not in disabled]
        if not rules:
            return []
        tree = parse(source)
        if tree is None:
            return []
        return _mistakes_first(tree, run_rules(source, tree, rules, entry))
    except Exception:
        if engine._RAISE_INTERNAL_ERRORS:
            raise
        return []


MISTAKE_RULES: Final = frozenset(
    {"while-unchanged", "comparison-statement", "constant-or", "return-in-loop", "mutate-iterated",
     "print-not-return"}
)
"""Rules about code that gives wrong answers (the others are about style and speed)."""
_LATER_RULES: Final = frozenset({"range-len", "str-concat-loop", "quadratic-in-loop", "bool-return"})
"""Style and speed advice held back in a function that still has a mistake."""


def _mistakes_first(tree: ast.Module, findings: list[Finding]) -> list[Finding]:
    """Drop style and speed advice inside a function that has a logic mistake: fix that first."""
    mistakes = [f.span.start_line for f in findings if f.rule in MISTAKE_RULES]
    if not mistakes or not any(f.rule in _LATER_RULES for f in findings):
        return findings
    functions = _function_spans(tree)

    def innermost(line: int) -> tuple[int, int] | None:
        around = [span for span in functions if span[0] <= line <= span[1]]
        return max(around, default=None)

    busy = {innermost(line) for line in mistakes} - {None}
    return [f for f in findings if f.rule not in _LATER_RULES or innermost(f.span.start_line) not in busy]


def _function_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """The 0-based first and last lines of every function, found through the statements alone
    (a function is a statement: ``ast.walk`` would visit every expression too, 0.8 ms here)."""
    spans: list[tuple[int, int]] = []
    blocks: list[list[ast.stmt]] = [tree.body]
    while blocks:
        for node in blocks.pop():
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                spans.append((node.lineno - 1, (node.end_lineno or node.lineno) - 1))
            for field in ("body", "orelse", "finalbody"):
                block = getattr(node, field, None)
                if isinstance(block, list):
                    blocks.append(block)
            if isinstance(node, ast.Try | ast.TryStar):
                blocks.extend(handler.body for handler in node.handlers)
            elif isinstance(node, ast.Match):
                blocks.extend(case.body for case in node.cases)
    return spans


__all__ = [
    "MAX_SOURCE_CHARS",
    "RULES",
    "Edit",
    "Finding",
    "RuleInfo",
    "Severity",
    "Span",
    "apply_edits",
    "coach",
]
