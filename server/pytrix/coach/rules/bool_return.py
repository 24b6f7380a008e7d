"""``bool-return``: ``if cond: return True else: return False``.

Recognised shapes (and their inversions, which become ``return not ...``)::

    if cond:                 if cond:
        return True              return True
    else:                    return False
        return False

An ``elif`` branch is not reported. The fix replaces the whole statement(s)
with one ``return``:

* ``return cond`` when ``cond`` is obviously a ``bool`` (a comparison, ``not``,
  ``and``/``or`` of such, ``isinstance(...)``, ``any(...)``, ``s.isdigit()``,
  a call of an ``is_*``/``has_*`` function, ...);
* ``return bool(cond)`` otherwise, so the function still returns ``True`` or
  ``False`` and not, say, the list ``cond`` was (the message mentions that
  plain ``return cond`` is fine where any truthy value will do);
* for the inverted form: ``return a != b`` when ``cond`` is a single
  ``==``/``!=``/``is``/``is not``/``in``/``not in`` comparison (these invert
  exactly; ``<`` does not, think of NaN); ``return x`` (or ``bool(x)``) when
  ``cond`` is ``not x``; otherwise ``return not cond`` (``not`` always gives a
  bool), parenthesised unless ``cond`` is a name, call, attribute, subscript or
  literal.

The fix is withheld if a comment inside the replaced lines would be lost.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Final

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo, Span
from pytrix.coach.rules._common import is_bool_constant, parenthesize, shorten

_BOOL_FUNCTIONS: Final = frozenset(
    {"isinstance", "issubclass", "callable", "hasattr", "bool", "any", "all"}
)
_BOOL_METHODS: Final = frozenset(
    {
        "startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "islower",
        "isupper", "istitle", "isdecimal", "isnumeric", "isidentifier", "isascii",
        "isprintable", "issubset", "issuperset", "isdisjoint", "exists", "is_file", "is_dir",
    }
)  # fmt: skip
_BLOCK_FIELDS: Final = ("body", "orelse", "finalbody")
_INVERSES: Final[dict[type[ast.cmpop], tuple[re.Pattern[str], str]]] = {
    ast.Eq: (re.compile(r"=="), "!="),
    ast.NotEq: (re.compile(r"!="), "=="),
    ast.Is: (re.compile(r"\bis\b"), "is not"),
    ast.IsNot: (re.compile(r"\bis\s+not\b"), "is"),
    ast.In: (re.compile(r"\bin\b"), "not in"),
    ast.NotIn: (re.compile(r"\bnot\s+in\b"), "in"),
}
"""Comparison operators whose negation is exactly another operator."""


def is_bool_expr(node: ast.expr) -> bool:
    """True when ``node`` certainly evaluates to ``True``/``False``."""
    pending = [node]
    while pending:
        expr = pending.pop()
        if isinstance(expr, ast.BoolOp):
            pending.extend(expr.values)  # ``a and b`` is one of its operands
            continue
        if isinstance(expr, ast.Compare) or (
            isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not)
        ):
            continue
        if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
            continue
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Name) and (
                func.id in _BOOL_FUNCTIONS or func.id.startswith(("is_", "has_"))
            ):
                continue
            if isinstance(func, ast.Attribute) and (
                func.attr in _BOOL_METHODS or func.attr.startswith(("is_", "has_"))
            ):
                continue
        return False
    return True


def _returned_bool(stmts: list[ast.stmt]) -> bool | None:
    """True/False when ``stmts`` is exactly ``return True`` / ``return False``."""
    if len(stmts) == 1 and isinstance(stmts[0], ast.Return):
        value = stmts[0].value
        if is_bool_constant(value, True):
            return True
        if is_bool_constant(value, False):
            return False
    return None


class BoolReturn(Rule):
    """Flag ``if`` statements that only turn a condition into True/False."""

    info = RuleInfo(
        id="bool-return",
        title="Return the condition directly",
        description=(
            "`if cond: return True` / `else: return False` spells out what `return cond` "
            "already does (use `return not cond` for the inverted form)."
        ),
        severity="hint",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.If: self._on_if}

    def _on_if(self, node: ast.If, parent: ast.AST | None) -> None:
        if _returned_bool(node.body) is None:
            return  # the common case: not even ``if ...: return True/False``
        following: ast.stmt | None = None
        if not node.orelse:  # look for the ``return ...`` right after the ``if``
            for field in _BLOCK_FIELDS:
                stmts = getattr(parent, field, None)
                if isinstance(stmts, list):
                    for index, stmt in enumerate(stmts):
                        if stmt is node:
                            following = stmts[index + 1] if index + 1 < len(stmts) else None
                            break
        self._check(node, following)

    def _inverted_comparison(self, cond: ast.expr, cond_text: str) -> str | None:
        """``cond_text`` with its single, exactly invertible operator inverted, or None."""
        if not (isinstance(cond, ast.Compare) and len(cond.ops) == 1):
            return None
        pattern, replacement = _INVERSES.get(cond.ops[0].__class__, (None, ""))
        if pattern is None:
            return None
        src = self.ctx.src
        left_end = len(src.between(src.start(cond), src.end(cond.left)))
        right_start = len(src.between(src.start(cond), src.start(cond.comparators[0])))
        gap = cond_text[left_end:right_start]
        match = pattern.search(gap)
        if (
            match is None
            or "#" in gap
            or (gap[: match.start()] + gap[match.end() :]).strip("() \t\r\n\\")
        ):
            return None
        at = left_end + match.start()
        return cond_text[:at] + replacement + cond_text[left_end + match.end() :]

    def _check(self, node: ast.If, following: ast.stmt | None) -> None:
        when_true = _returned_bool(node.body)
        if when_true is None:
            return
        if node.orelse:
            last: ast.stmt = node.orelse[0]
            when_false = _returned_bool(node.orelse)
        elif following is not None:
            last = following
            when_false = _returned_bool([following])
        else:
            return
        if when_false is None or when_false == when_true:
            return
        src = self.ctx.src
        line, col = src.start(node)
        if src.lines[line].startswith("elif", col):
            return
        cond = node.test
        cond_text = src.segment(cond)
        bool_safe = True
        inverted = None if when_true else self._inverted_comparison(cond, cond_text)
        negated = (
            cond.operand if isinstance(cond, ast.UnaryOp) and isinstance(cond.op, ast.Not) else None
        )
        if inverted is not None:
            new = f"return {parenthesize(cond, inverted)}"
        elif when_true or negated is not None:
            if not when_true and negated is not None:  # ``if not x: return False`` -> ``return x``
                cond, cond_text = negated, src.segment(negated)
            bool_safe = is_bool_expr(cond)
            value = parenthesize(cond, cond_text)
            new = f"return {value}" if bool_safe else f"return bool({value})"
        else:
            new = f"return not {parenthesize(cond, cond_text, tight=True)}"
        note = (
            ""
            if bool_safe
            else " (`bool(...)` keeps the result a real True/False; plain "
            "`return <condition>` is fine where any truthy value will do)"
        )
        region = Span(line, col, *src.end(last))
        outside = src.between((line, col), src.start(node.test)) + src.between(
            src.end(node.test), src.end(last)
        )
        edits = [] if "#" in outside else [Edit(region, new)]
        self.ctx.report(
            self.info,
            f"This `if` only turns a condition into True/False: "
            f"`{shorten(new, 50)}` says the same{note}.",
            Span(line, col, *src.end(node.test)),
            fix_title=f"Replace with `{shorten(new)}`",
            edits=edits,
        )
