"""``none-comparison``: ``x == None`` / ``x != None`` instead of ``is`` / ``is not``.

Every ``==``/``!=`` link of a comparison chain with ``None`` on either side
is reported. The fix replaces just the operator, so ``None == x`` becomes
``None is x``. It is withheld when a comment sits between the operands or the
comparison is inside a self-documenting f-string field (``f"{x == None=}"``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import NEWLINE_RE, Edit, RuleInfo, Span


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


class NoneComparison(Rule):
    """Flag ``== None`` and ``!= None``."""

    info = RuleInfo(
        id="none-comparison",
        title="Compare with None using `is`",
        description=(
            "`None` is a single object, so test it with `is None` / `is not None`. "
            "`==` asks the object whether it *equals* None, which a class can answer however it likes."
        ),
        severity="hint",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.Compare: self._on_compare}

    def _on_compare(self, node: ast.Compare, parent: ast.AST | None) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=False):
            if isinstance(op, ast.Eq | ast.NotEq) and (_is_none(left) or _is_none(right)):
                self._report(left, op, right)
            left = right

    def _report(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> None:
        src = self.ctx.src
        negate = isinstance(op, ast.NotEq)
        bad, good = ("!=", "is not") if negate else ("==", "is")
        start, end = src.end(left), src.start(right)
        edits: list[Edit] = []
        gap = src.between(start, end)
        if not self.ctx.fstring_debug_depth and "#" not in gap and gap.count(bad) == 1:
            at = gap.index(bad)
            before = "" if at > 0 and gap[at - 1].isspace() else " "
            after = "" if gap[at + 2 : at + 3].isspace() else " "
            # the operator is on the line where the gap starts, or on a later one
            line, op_col = start[0], start[1] + at
            for brk in NEWLINE_RE.finditer(gap, 0, at):
                line, op_col = line + 1, at - brk.end()
            edits.append(Edit(Span(line, op_col, line, op_col + 2), f"{before}{good}{after}"))
        self.ctx.report(
            self.info,
            f"Use `{good} None` instead of `{bad} None`: None is a single object, so check "
            f"identity. `{bad}` calls the object's own equality method, which may not give "
            f"a plain answer.",
            Span(*src.start(left), *src.end(right)),
            fix_title=f"Use `{good}`",
            edits=edits,
        )
