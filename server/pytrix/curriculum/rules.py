"""Rules a question's prompt states about the code itself, checked on the learner's AST.

A question may list ``forbid`` entries: names, calls (optionally only with at
least so many arguments, e.g. ``int(s, 2)``), attributes, imports and kinds of
syntax the solution must not use. :func:`broken_rules` parses the code (it is
never run here) and finds the first use of each forbidden construct; the
grader reports each rule as one check, failing with the line that breaks it.
The check runs in the server on the submitted text, so both runtimes (the
sandbox and the editor's Pyodide) are held to the same rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

_IMPORTERS = ("__import__", "import_module")


class Forbidden(BaseModel):
    """One construct the solution must not use: exactly one of the kinds below."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    call: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """A function or method called by this name (``sorted``, ``sort``)."""
    args: int | None = Field(default=None, ge=1, le=10)
    """With ``call``: only calls with at least this many arguments (``int`` with 2: a base)."""
    name: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """A name used in any way (called, passed, aliased, imported from a module)."""
    attribute: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """An attribute read as ``x.attribute`` or ``getattr(x, "attribute")``."""
    module: str | None = Field(default=None, alias="import", pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    """A module (or a submodule of it) imported in any way; the TOML key is ``import``."""
    syntax: str | None = None
    """An ``ast`` node class name: ``Lambda``, ``ListComp``, ``While``, ``Yield``, or an operator
    such as ``In`` (the ``x in xs`` test, not ``for x in xs``) or ``Pow``."""
    why: str = Field(default="", max_length=200)
    """Said after the rule when it is broken: what to do instead."""

    @model_validator(mode="after")
    def _one_kind(self) -> Forbidden:
        kinds = [k for k in (self.call, self.name, self.attribute, self.module, self.syntax) if k]
        if len(kinds) != 1:
            raise ValueError("a forbid entry names exactly one of call, name, attribute, import, syntax")
        if self.args is not None and self.call is None:
            raise ValueError("args goes with call")
        if self.syntax is not None:
            node = getattr(ast, self.syntax, None)
            if not (isinstance(node, type) and issubclass(node, ast.AST)):
                raise ValueError(f"syntax {self.syntax!r} is not an ast node class (e.g. 'Lambda')")
        return self

    def describe(self) -> str:
        """The construct in words: ``sorted()``, ``int()`` with 2 arguments, ``import re``..."""
        if self.call is not None:
            many = f" with {self.args} or more arguments" if self.args else ""
            return f"calling `{self.call}()`{many}"
        if self.name is not None:
            return f"the name `{self.name}`"
        if self.attribute is not None:
            return f"the attribute `.{self.attribute}`"
        if self.module is not None:
            return f"importing `{self.module}`"
        return f"`{self.syntax}` syntax"

    def matches(self, node: ast.AST) -> bool:
        """Whether ``node`` is a use of the construct."""
        if self.call is not None:
            return (
                isinstance(node, ast.Call)
                and _callee(node.func) == self.call
                and len(node.args) + len(node.keywords) >= (self.args or 0)
            )
        if self.name is not None:
            if isinstance(node, ast.Name):
                return node.id == self.name
            return isinstance(node, ast.ImportFrom) and any(a.name == self.name for a in node.names)
        if self.attribute is not None:
            if isinstance(node, ast.Attribute):
                return node.attr == self.attribute
            return _is_call_with_text(node, ("getattr",), self.attribute, position=1)
        if self.module is not None:
            if isinstance(node, ast.Import):
                return any(self._is_module(a.name) for a in node.names)
            if isinstance(node, ast.ImportFrom):
                return node.level == 0 and self._is_module(node.module or "")
            return isinstance(node, ast.Call) and _callee(node.func) in _IMPORTERS and any(
                isinstance(a, ast.Constant) and isinstance(a.value, str) and self._is_module(a.value)
                for a in node.args[:1]
            )
        kind = getattr(ast, self.syntax or "AST")
        if issubclass(kind, ast.cmpop):  # operators have no position: find the expression using them
            return isinstance(node, ast.Compare) and any(isinstance(op, kind) for op in node.ops)
        if issubclass(kind, (ast.operator, ast.boolop, ast.unaryop)):
            return isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp, ast.UnaryOp)) and isinstance(
                node.op, kind)
        return isinstance(node, kind)

    def _is_module(self, name: str) -> bool:
        module = self.module or ""
        return name == module or name.startswith(module + ".")


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_call_with_text(node: ast.AST, callees: tuple[str, ...], text: str, position: int) -> bool:
    if not isinstance(node, ast.Call) or _callee(node.func) not in callees or len(node.args) <= position:
        return False
    arg = node.args[position]
    return isinstance(arg, ast.Constant) and arg.value == text


@dataclass(frozen=True)
class Breach:
    """The first place the code uses a forbidden construct."""

    rule: Forbidden
    line: int
    col: int

    @property
    def message(self) -> str:
        why = f": {self.rule.why}" if self.rule.why else ""
        return f"line {self.line}: {self.rule.describe()} is not allowed in this question{why}"


def broken_rules(code: str, rules: list[Forbidden]) -> list[Breach | None] | None:
    """For each rule, its first breach in ``code`` (None when kept); None if the code does not parse."""
    if not rules:
        return []
    try:
        tree = ast.parse(code.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    found: list[Breach | None] = [None] * len(rules)
    nodes = sorted(
        ((n.lineno, getattr(n, "col_offset", 0), n) for n in ast.walk(tree) if hasattr(n, "lineno")),
        key=lambda item: item[:2],
    )
    for line, col, node in nodes:
        for i, rule in enumerate(rules):
            if found[i] is None and rule.matches(node):
                found[i] = Breach(rule, line, col)
    return found


def rule_label(rule: Forbidden) -> str:
    """The check's name in results: ``rule: no calling `sorted()```."""
    return f"rule: no {rule.describe()}"
