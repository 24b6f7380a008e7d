"""``return-in-loop``: a ``return`` as the last statement of a ``for`` loop's body.

The function returns during the first pass, so the loop never gets past the
first item. Only ``for`` loops inside a function whose body has at least one
other statement are checked (``for x in xs: return x`` is the "first item"
idiom). The fix dedents the ``return`` to the loop's level, so it runs after
the loop; it is offered when the ``return`` is one line on its own, the loop
has no ``else:`` and every line is indented with the same characters.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo, Span
from pytrix.coach.rules._flow import indent_of


class ReturnInLoop(Rule):
    """Flag an unconditional ``return`` that ends a ``for`` loop's body."""

    info = RuleInfo(
        id="return-in-loop",
        title="`return` inside the loop",
        description=(
            "A `return` that ends a loop's body runs during the first pass: the function "
            "returns after the first item. Dedent it so it runs after the loop."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.For: self._on_for, ast.AsyncFor: self._on_for}

    def _on_for(self, node: ast.For | ast.AsyncFor, parent: ast.AST | None) -> None:
        if self.ctx.scope.kind != "function" or len(node.body) < 2:
            return
        last = node.body[-1]
        if not isinstance(last, ast.Return):
            return
        src = self.ctx.src
        line = last.lineno - 1
        text = src.lines[line]
        loop_indent = indent_of(src.lines[node.lineno - 1])
        body_indent = indent_of(text)
        edits: list[Edit] = []
        if (
            not node.orelse
            and last.end_lineno == last.lineno
            and src.start(last)[1] == len(body_indent)
            and body_indent.startswith(loop_indent)
            and len(body_indent) > len(loop_indent)
            and src.start(node)[1] == len(loop_indent)
            and node.body[-2].end_lineno is not None
            and node.body[-2].end_lineno < last.lineno
        ):
            edits.append(Edit(Span(line, 0, line, len(body_indent)), loop_indent))
        self.ctx.report(
            self.info,
            "This `return` runs in the first pass of the loop, so the function returns after "
            "the first item; dedent it so it runs after the loop.",
            src.span(last),
            fix_title="Dedent the `return` to after the loop",
            edits=edits,
        )
