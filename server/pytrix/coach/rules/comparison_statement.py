"""``comparison-statement``: a comparison on a line of its own, whose result is thrown away.

``count == count + 1`` compares and discards the answer; the learner meant an
assignment. Reported for an expression statement that is a comparison
(outside the REPL-style last line of a module, which a notebook would show).
The fix, offered for ``==`` with an assignable left side (a name, attribute
or subscript), turns it into ``x += n`` when the right side is ``x + n`` /
``x - n``, else into ``x = ...``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo
from pytrix.coach.rules._common import shorten


class ComparisonStatement(Rule):
    """Flag ``a == b`` used as a statement."""

    info = RuleInfo(
        id="comparison-statement",
        title="Comparison used as a statement",
        description=(
            "A comparison such as `count == count + 1` on its own line computes True or "
            "False and throws it away; to change a variable, assign with `=` or `+=`."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.Expr: self._on_expr}

    def _on_expr(self, node: ast.Expr, parent: ast.AST | None) -> None:
        value = node.value
        if not isinstance(value, ast.Compare) or self.ctx.fstring_debug_depth:
            return
        src = self.ctx.src
        text = src.segment(value)
        edits: list[Edit] = []
        fix_title: str | None = None
        advice = "to change a value, assign it with `=`"
        left = value.left
        if (
            len(value.ops) == 1
            and isinstance(value.ops[0], ast.Eq)
            and isinstance(left, ast.Name | ast.Attribute | ast.Subscript)
            and "\n" not in text
            and "#" not in text
        ):
            target = src.segment(left)
            right = value.comparators[0]
            new_text = f"{target} = {src.segment(right)}"
            if (
                isinstance(right, ast.BinOp)
                and isinstance(right.op, ast.Add | ast.Sub)
                and src.segment(right.left) == target
            ):
                sign = "+" if isinstance(right.op, ast.Add) else "-"
                new_text = f"{target} {sign}= {src.segment(right.right)}"
            advice = f"to change `{target}`, write `{shorten(new_text)}`"
            edits = [Edit(src.span(value), new_text)]
            fix_title = f"Write `{shorten(new_text)}`"
        self.ctx.report(
            self.info,
            f"`{shorten(text)}` compares and throws the result away; {advice}.",
            src.span(value),
            fix_title=fix_title,
            edits=edits,
        )
