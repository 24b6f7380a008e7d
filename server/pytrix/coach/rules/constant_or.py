"""``constant-or``: ``ch == "a" or "e"``, where ``"e"`` alone is always true.

Reported when an ``or`` mixes at least one ``==`` comparison with a constant
operand that is always true (a non-empty string, a non-zero number). The fix,
offered when every operand is ``X == constant`` (the same ``X``) or a bare
constant, rewrites the whole ``or`` into ``X in (c1, c2, ...)``, which is
what the comparisons together mean.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo
from pytrix.coach.rules._common import shorten


def _truthy_constant(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and not isinstance(node.value, bool)
        and node.value is not None
        and node.value is not Ellipsis
        and bool(node.value)
    )


class ConstantOr(Rule):
    """Flag ``x == a or b`` where ``b`` is a constant that is always true."""

    info = RuleInfo(
        id="constant-or",
        title="Constant used as an `or` operand",
        description=(
            "In `ch == \"a\" or \"e\"` the `\"e\"` is not compared with anything: a non-empty "
            "constant is always true, so the whole condition is always true."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.BoolOp: self._on_boolop}

    def _on_boolop(self, node: ast.BoolOp, parent: ast.AST | None) -> None:
        if not isinstance(node.op, ast.Or):
            return
        compares = [
            v for v in node.values
            if isinstance(v, ast.Compare) and len(v.ops) == 1 and isinstance(v.ops[0], ast.Eq)
        ]
        constants = [v for v in node.values[1:] if _truthy_constant(v)]
        if not compares or not constants:
            return
        src = self.ctx.src
        subject = src.segment(compares[0].left)
        values: list[str] = []
        fixable = "\n" not in src.segment(node) and "#" not in src.segment(node)
        for value in node.values:
            if value in compares and isinstance(value, ast.Compare):
                if src.segment(value.left) != subject or not isinstance(value.comparators[0], ast.Constant):
                    fixable = False
                values.append(src.segment(value.comparators[0]))
            elif isinstance(value, ast.Constant):
                values.append(src.segment(value))
            else:
                fixable = False
        constant = src.segment(constants[0])
        literals = [
            v.value if isinstance(v, ast.Constant) else getattr(v.comparators[0], "value", None)
            for v in node.values
            if isinstance(v, ast.Constant | ast.Compare)
        ]
        if literals and all(isinstance(x, str) and len(x) == 1 for x in literals):
            letters = "".join(dict.fromkeys(str(x) for x in literals))
            suggestion = f'{subject} in "{letters}"' if '"' not in letters else f"{subject} in {letters!r}"
        else:
            suggestion = f"{subject} in ({', '.join(values)})"
        edits: list[Edit] = []
        new_text = f"{subject} in ({', '.join(values)}{',' if len(values) == 1 else ''})"
        if fixable and len(values) == len(node.values):
            edits.append(Edit(src.span(node), new_text))
        self.ctx.report(
            self.info,
            f"`{shorten(constant)}` on its own is always true, so this condition is always true; "
            f"compare each value, or write `{shorten(suggestion, 50)}`.",
            src.span(node),
            fix_title=f"Write `{shorten(new_text, 50)}`",
            edits=edits,
        )
