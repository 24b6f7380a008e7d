"""``str-concat-loop``: building a string with ``+=`` inside a loop.

Reported for ``name += value`` inside a ``for``/``while`` loop (in the same
function) when ``name`` was last assigned a string in this scope (a literal,
an f-string, ``str(...)``, ``"-".join(...)``, or a parameter annotated
``str``), or when ``value`` is obviously a string and ``name`` is not known
to hold something else (``parts += "x"`` on a list is left alone). Only plain
names are tracked, not ``self.text``. No automatic fix: switching to a list
of parts changes several lines.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import STR, Handler, Rule, is_str_expr
from pytrix.coach.model import RuleInfo


class StrConcatLoop(Rule):
    """Flag string ``+=`` in a loop."""

    needs_bindings = True
    info = RuleInfo(
        id="str-concat-loop",
        title="String built with += in a loop",
        description=(
            "Each `s += piece` may copy the whole string built so far, which makes the loop "
            "quadratic. Append the pieces to a list and `''.join(parts)` once at the end."
        ),
        severity="hint",
        fixable=False,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.AugAssign: self._on_aug_assign}

    def _on_aug_assign(self, node: ast.AugAssign, parent: ast.AST | None) -> None:
        ctx = self.ctx
        if not ctx.in_loop or not isinstance(node.op, ast.Add):
            return
        target = node.target
        if not isinstance(target, ast.Name):
            return
        known = ctx.scope.bindings.get(target.id)
        if known != STR and not (known is None and is_str_expr(node.value)):
            return
        name = target.id
        ctx.report(
            self.info,
            f"`{name} += ...` in a loop copies the string each time, which gets slow as it "
            f"grows. Collect the pieces in a list (`parts.append(...)`) and build the string "
            f"once after the loop with `''.join(parts)`.",
            ctx.src.span(node),
        )
