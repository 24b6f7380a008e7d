"""``quadratic-in-loop``: list operations that are O(n) inside a loop.

* ``xs.insert(0, v)`` and ``xs.pop(0)`` in a loop (unless ``xs`` was assigned
  a ``deque(...)``): every call shifts all elements. Suggests
  ``collections.deque`` (``appendleft`` / ``popleft``) or ``append`` then
  ``reverse()``. ``pop(0)`` is included because the classic ``while queue:
  queue.pop(0)`` breadth-first loop has exactly the same cost problem.
* ``v in names`` / ``v not in names`` in a loop (including a comprehension's
  condition and a ``while`` condition) where ``names`` was last assigned a
  list display, ``list(...)`` or a list comprehension in the same function
  (or at module level, for module-level loops). Suggests a set.

No automatic fix.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import DEQUE, LIST, Handler, Rule
from pytrix.coach.model import RuleInfo, Span
from pytrix.coach.rules._common import shorten


class QuadraticInLoop(Rule):
    """Flag ``insert(0, ...)``/``pop(0)`` and list membership tests inside loops."""

    needs_bindings = True
    info = RuleInfo(
        id="quadratic-in-loop",
        title="Linear-time list operation inside a loop",
        description=(
            "`xs.insert(0, v)`, `xs.pop(0)` and `v in some_list` each walk the whole list; "
            "inside a loop that makes the loop quadratic. Use collections.deque for the "
            "front of a queue and a set for membership tests."
        ),
        severity="information",
        fixable=False,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.Call: self._on_call, ast.Compare: self._on_compare}

    def _on_call(self, node: ast.Call, parent: ast.AST | None) -> None:
        ctx = self.ctx
        func = node.func
        if not ctx.in_loop or not isinstance(func, ast.Attribute) or node.keywords:
            return
        method = func.attr
        if method not in ("insert", "pop") or len(node.args) != (2 if method == "insert" else 1):
            return
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and type(first.value) is int and first.value == 0):
            return
        receiver = func.value
        if isinstance(receiver, ast.Name) and ctx.scope.bindings.get(receiver.id) == DEQUE:
            return
        name = shorten(ctx.src.segment(receiver), 20)
        if method == "insert":
            message = (
                f"`{name}.insert(0, ...)` moves every element of the list one place to the "
                f"right, so doing it in a loop is quadratic. Use a collections.deque and "
                f"`appendleft()`, or `append()` and call `{name}.reverse()` once after the loop."
            )
        else:
            message = (
                f"`{name}.pop(0)` moves every remaining element one place to the left, so "
                f"doing it in a loop is quadratic. Use a collections.deque and `popleft()`."
            )
        ctx.report(self.info, message, ctx.src.span(node))

    def _on_compare(self, node: ast.Compare, parent: ast.AST | None) -> None:
        ctx = self.ctx
        if not ctx.in_loop:
            return
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=False):
            if (
                isinstance(op, ast.In | ast.NotIn)
                and isinstance(right, ast.Name)
                and ctx.scope.bindings.get(right.id) == LIST
            ):
                src = ctx.src
                ctx.report(
                    self.info,
                    f"`... in {right.id}` scans the whole list every time; inside a loop "
                    f"that adds up to quadratic time. If the order or duplicates of "
                    f"`{right.id}` don't matter, make it a set (`set()`, `.add()`): a set "
                    f"answers `in` in constant time.",
                    Span(*src.start(left), *src.end(right)),
                )
            left = right
