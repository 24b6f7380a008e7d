"""``while-unchanged``: nothing in the loop changes the names its condition reads.

``while i < len(s):`` whose body never changes ``i`` (nor ``s``) runs forever
once it starts. Not reported when the condition reads no name
(``while True:``), calls anything but a builtin, or uses a walrus, nor when
the body declares ``global``/``nonlocal``, yields, or calls a function that
is not a builtin (it could change a global the condition reads). A name
passed to a call or used as the root of a method call (``stack.pop()``)
counts as changed. No fix: only the learner knows how the loop should
advance.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import RuleInfo
from pytrix.coach.rules._common import BUILTIN_NAMES, shorten
from pytrix.coach.rules._flow import changed_names, read_names


def _step_advice(test: ast.expr, name: str) -> str:
    """`i += 1` or `i -= 1` when the condition is a plain comparison of ``name``."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, left = test.ops[0], test.left
        if isinstance(left, ast.Name) and left.id == name:
            if isinstance(op, ast.Lt | ast.LtE):
                return f", for example `{name} += 1`"
            if isinstance(op, ast.Gt | ast.GtE):
                return f", for example `{name} -= 1`"
    return ""


class WhileUnchanged(Rule):
    """Flag ``while`` loops whose condition can never change inside the loop."""

    info = RuleInfo(
        id="while-unchanged",
        title="`while` condition never changes",
        description=(
            "If nothing in a `while` loop changes the names its condition reads, the "
            "condition stays true and the loop never ends."
        ),
        severity="information",
        fixable=False,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.While: self._on_while}

    def _on_while(self, node: ast.While, parent: ast.AST | None) -> None:
        names = read_names(node.test)
        if not names:
            return
        names -= BUILTIN_NAMES
        if not names:
            return
        changed = changed_names(node.body)
        if changed is None or names & changed:
            return
        src = self.ctx.src
        test = node.test
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id in names:
            ordered = [test.left.id]  # `i < len(s)`: the counter is what should move
        else:
            ordered = sorted(names, key=lambda n: (src.segment(test).find(n), n))
        which = (
            f"`{ordered[0]}` never changes"
            if len(ordered) == 1
            else " and ".join(f"`{n}`" for n in ordered) + " never change"
        )
        condition = shorten(src.segment(node.test))
        self.ctx.report(
            self.info,
            f"{which} inside this loop, so `{condition}` stays true and the loop never ends. "
            f"Change {'it' if len(ordered) == 1 else 'one of them'} in the loop"
            f"{_step_advice(node.test, ordered[0])}.",
            src.span(node.test),
        )
