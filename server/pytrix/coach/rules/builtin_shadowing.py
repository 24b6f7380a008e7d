"""``builtin-shadowing``: a variable, parameter, function or class named like a builtin.

Binding sites checked: assignment targets (including ``for``, ``with ... as``,
walrus and comprehension targets), parameters (of functions, methods and
lambdas), ``def``/``class`` names and ``except ... as name``. Not checked:
names bound directly in a class body (they become attributes, so a dataclass
field ``id: int`` or a method ``def format(self)`` shadows nothing where it
matters), imports (``from math import pow`` is usually deliberate) and match
patterns. Each name is reported once per scope (its first binding). No fix:
renaming safely needs every use, including other files. A suggested name is
never one the scope already uses (such as the learner's own parameter
``items``): the next alternative is offered instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Final

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import RuleInfo, Span
from pytrix.coach.rules._common import BUILTIN_NAMES

_SUGGESTIONS: Final = {
    "list": "items",
    "dict": "mapping",
    "set": "seen",
    "str": "text",
    "tuple": "pair",
    "int": "number",
    "float": "value",
    "bool": "flag",
    "bytes": "data",
    "sum": "total",
    "max": "largest",
    "min": "smallest",
    "len": "length",
    "id": "item_id",
    "input": "user_input",
    "type": "kind",
    "iter": "iterator",
    "next": "next_item",
    "map": "mapping",
    "filter": "keep",
    "format": "fmt",
    "hash": "digest",
    "object": "obj",
    "range": "span",
    "dir": "directory",
    "vars": "variables",
    "open": "opened",
    "all": "everything",
    "any": "found",
    "zip": "pairs",
    "sorted": "ordered",
    "round": "rounded",
    "abs": "magnitude",
    "pow": "power",
    "slice": "part",
    "print": "show",
    "help": "help_text",
}
_ALTERNATIVES: Final = ("values", "elements", "data", "things")
"""Tried, in order, when the suggestion is already used in the scope."""
_DEF_NAME: Final = re.compile(r"(?:async\s+)?(?:def|class)\s+")
_AS_NAME: Final = re.compile(r"\bas\s+")


class BuiltinShadowing(Rule):
    """Flag bindings that hide a builtin function or type."""

    info = RuleInfo(
        id="builtin-shadowing",
        title="Name shadows a builtin",
        description=(
            "Naming a variable `list`, `sum`, `id`, `input`, ... hides the builtin of that "
            "name for the rest of the scope, so a later `list(...)` call fails confusingly."
        ),
        severity="information",
        fixable=False,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {
            ast.Name: self._on_name,
            ast.arg: self._on_arg,
            ast.FunctionDef: self._on_def,
            ast.AsyncFunctionDef: self._on_def,
            ast.ClassDef: self._on_def,
            ast.ExceptHandler: self._on_handler,
        }

    def _on_name(self, node: ast.Name, parent: ast.AST | None) -> None:
        if (
            node.id in BUILTIN_NAMES
            and isinstance(node.ctx, ast.Store)
            and self.ctx.scope.kind != "class"
        ):
            self._report(node.id, self.ctx.src.span(node), "a variable")

    def _on_arg(self, node: ast.arg, parent: ast.AST | None) -> None:
        if node.arg in BUILTIN_NAMES:
            line, col = self.ctx.src.start(node)
            self._report(node.arg, Span(line, col, line, col + len(node.arg)), "a parameter")

    def _on_def(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        parent: ast.AST | None,
    ) -> None:
        if node.name not in BUILTIN_NAMES or self.ctx.scope.kind == "class":
            return
        src = self.ctx.src
        line, col = src.start(node)
        match = _DEF_NAME.match(src.lines[line], col)
        start = match.end() if match else col
        what = "a class" if isinstance(node, ast.ClassDef) else "a function"
        self._report(node.name, Span(line, start, line, start + len(node.name)), what)

    def _on_handler(self, node: ast.ExceptHandler, parent: ast.AST | None) -> None:
        if node.name is None or node.name not in BUILTIN_NAMES or self.ctx.scope.kind == "class":
            return
        src = self.ctx.src
        if node.type is None:
            return
        line, col = src.end(node.type)
        match = _AS_NAME.search(src.lines[line], col)
        if match and src.lines[line].startswith(node.name, match.end()):
            span = Span(line, match.end(), line, match.end() + len(node.name))
        else:
            span = Span(*src.start(node), *src.end(node.type))
        self._report(node.name, span, "an exception variable")

    def _report(self, name: str, span: Span, what: str) -> None:
        scope = self.ctx.scope
        if name in scope.shadowed:
            return
        scope.shadowed.add(name)
        suggestion = self._suggestion(name)
        rename = f"a more specific name such as `{suggestion}`" if suggestion else "another name"
        self.ctx.report(
            self.info,
            f"Using `{name}` as {what} name hides the built-in `{name}()` in this scope, so "
            f"calling `{name}(...)` here later will not do what you expect. Use {rename}.",
            span,
        )

    def _suggestion(self, name: str) -> str | None:
        """The suggested new name, unless every candidate is already used in this scope."""
        first = _SUGGESTIONS.get(name)
        if first is None:
            return None
        used = self._scope_names()
        for candidate in (first, *_ALTERNATIVES, f"my_{name}"):
            if candidate not in used and candidate not in BUILTIN_NAMES:
                return candidate
        return None

    def _scope_names(self) -> set[str]:
        """Every name bound or read in the current scope (parameters included)."""
        node = self.ctx.scope.node
        names: set[str] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                names.add(child.id)
            elif isinstance(child, ast.arg):
                names.add(child.arg)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(child.name)
        return names
