"""``mutate-iterated``: changing the list a ``for`` loop is walking through.

``for x in items: items.remove(x)`` skips the item after each one removed;
appending can make the loop endless. Reported when the loop iterates a name
(or dotted name) and its body calls ``remove``/``append``/``insert``/``pop``/
``extend``/``clear`` on it or deletes one of its items, unless the mutating
statement is followed by ``break`` or ``return`` (the loop stops right after).
Iterating a copy (``items[:]``, ``list(items)``) is not reported. The fix,
offered when the name was bound to a list in the same scope, loops over a
copy: ``for x in items[:]``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Final

from pytrix.coach.engine import LIST, Handler, Rule
from pytrix.coach.model import Edit, RuleInfo
from pytrix.coach.rules._common import expr_key
from pytrix.coach.rules._flow import walk_local

_MUTATORS: Final = frozenset({"remove", "append", "insert", "pop", "extend", "clear"})


def _stops_after(body: list[ast.stmt], stmt: ast.stmt) -> bool:
    """True when ``stmt`` is directly followed by ``break`` or ``return`` in its block."""
    for block in _blocks(body):
        for index, item in enumerate(block):
            if item is stmt:
                return index + 1 < len(block) and isinstance(block[index + 1], ast.Break | ast.Return)
    return False


def _blocks(body: list[ast.stmt]) -> list[list[ast.stmt]]:
    blocks = [body]
    for node in walk_local(list(body)):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                blocks.append(value)
        if isinstance(node, ast.Try):
            blocks.extend(handler.body for handler in node.handlers)
    return blocks


class MutateIterated(Rule):
    """Flag a ``for`` loop that adds to or removes from the list it iterates."""

    info = RuleInfo(
        id="mutate-iterated",
        title="Changing the list you loop over",
        description=(
            "Removing items from the list a `for` loop walks through makes the loop skip "
            "the item after each removed one; adding items can make it endless. Build a "
            "new list, or loop over a copy."
        ),
        severity="information",
        fixable=True,
    )
    needs_bindings = True

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.For: self._on_for}

    def _on_for(self, node: ast.For, parent: ast.AST | None) -> None:
        key = expr_key(node.iter)
        if key is None:
            return
        for stmt in walk_local(list(node.body)):
            if not isinstance(stmt, ast.stmt):
                continue
            mutation = self._mutation(stmt, key)
            if mutation is None or _stops_after(node.body, stmt):
                continue
            self._report(node, stmt, mutation, ".".join(key))
            return

    @staticmethod
    def _mutation(stmt: ast.stmt, key: tuple[str, ...]) -> str | None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS and expr_key(func.value) == key:
                return func.attr
        if isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Subscript) and expr_key(target.value) == key:
                    return "del"
        return None

    def _report(self, loop: ast.For, stmt: ast.stmt, mutation: str, name: str) -> None:
        src = self.ctx.src
        adding = mutation in ("append", "insert", "extend")
        effect = (
            "can make the loop endless or visit the new items"
            if adding
            else "makes the loop skip the item after each one removed"
        )
        verb = "Adding to" if adding else "Removing from"
        edits: list[Edit] = []
        if (
            isinstance(loop.iter, ast.Name)
            and self.ctx.scope.bindings.get(loop.iter.id) == LIST
        ):
            edits.append(Edit(src.span(loop.iter), f"{name}[:]"))
        self.ctx.report(
            self.info,
            f"{verb} `{name}` while a `for` loop walks through it {effect}; build a new list "
            f"instead (or loop over a copy, `{name}[:]`).",
            src.span(stmt),
            fix_title=f"Loop over a copy, `{name}[:]`",
            edits=edits,
        )
