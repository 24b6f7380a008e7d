"""``print-not-return``: the question's entry function prints its answer but returns nothing.

The tests call the function and look only at what it returns, so a function
that prints gives them None. Only the entry function of a practice file is
checked (the coach is told its name: ``coach(source, entry=...)``); helpers
and programs may print freely. Reported on the first ``print(...)`` when the
function has no ``return`` with a value. The fix, offered when that
``print`` has one positional argument and is the last statement of the
function, turns it into ``return <argument>``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo
from pytrix.coach.rules._common import shorten
from pytrix.coach.rules._flow import walk_local


def _is_print(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"


class PrintNotReturn(Rule):
    """Flag an entry function that prints but never returns a value."""

    info = RuleInfo(
        id="print-not-return",
        title="Prints instead of returning",
        description=(
            "The tests see only what the function returns. A function that prints its answer "
            "and has no `return` gives back None."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.FunctionDef: self._on_def}

    def _on_def(self, node: ast.FunctionDef, parent: ast.AST | None) -> None:
        entry = self.ctx.entry
        if entry is None or node.name != entry or self.ctx.scope_depth != 0:
            return
        prints: list[ast.Call] = []
        for child in walk_local(list(node.body)):
            if isinstance(child, ast.Return) and child.value is not None:
                return
            if isinstance(child, ast.Call) and _is_print(child):
                prints.append(child)
        if not prints:
            return
        first = prints[0]
        src = self.ctx.src
        last = node.body[-1]
        edits: list[Edit] = []
        argument = "the value"
        if len(first.args) == 1 and not isinstance(first.args[0], ast.Starred):
            argument = f"`{shorten(src.segment(first.args[0]))}`"
        if (
            len(prints) == 1
            and isinstance(last, ast.Expr)
            and last.value is first
            and len(first.args) == 1
            and not first.keywords
            and not isinstance(first.args[0], ast.Starred)
            and "#" not in src.segment(first)
        ):
            edits.append(Edit(src.span(first), f"return {src.segment(first.args[0])}"))
        self.ctx.report(
            self.info,
            f"`{entry}` prints {argument} but never returns it, so the tests get None; "
            f"`return` the answer instead of printing it.",
            src.span(first),
            fix_title="Return the value instead of printing it",
            edits=edits,
        )
