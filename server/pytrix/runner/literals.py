"""Parse test calls and expected values with ``ast``; nothing here evaluates free code.

A call is ``name(literal, ..., key=literal)``. A class script is a list literal
whose first item is ``["ClassName", *constructor_args]`` and whose other items
are ``["method", *args]``. Literals are what :func:`ast.literal_eval` accepts,
plus ``set()``, ``frozenset(...)``, ``float('inf'/'-inf'/'nan')`` and the input
builders of :data:`pytrix.runner.harness.BUILDERS` (``seq(0, 100_000)``, ...).
"""

from __future__ import annotations

import ast
from typing import Any, NamedTuple

from pytrix.runner.harness import literal_node


class LiteralError(ValueError):
    """The source is not a call or literal of the accepted form."""


def _value(node: ast.expr, build: bool = False) -> Any:
    try:
        return literal_node(node, build)
    except ValueError as exc:
        raise LiteralError(str(exc)) from exc


def _parse_expr(source: str) -> ast.expr:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise LiteralError(f"syntax error: {exc.msg}") from exc
    except (ValueError, MemoryError, RecursionError) as exc:
        raise LiteralError(str(exc)) from exc
    return tree.body


def parse_literal(source: str, build: bool = True) -> Any:
    """Return the value of a literal written as Python source.

    With ``build=False`` input builders (``seq(...)``, ``rand_ints(...)``, see
    :data:`pytrix.runner.harness.BUILDERS`) are only checked, not run: enough to
    validate a source cheaply.
    """
    return _value(_parse_expr(source), build)


class ParsedCall(NamedTuple):
    """A call over literals: the function name and the literal source of its arguments."""

    name: str
    args_source: str
    kwargs_source: str


def parse_call(source: str) -> ParsedCall:
    """Parse ``name(...)`` whose arguments are all literals."""
    node = _parse_expr(source)
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise LiteralError("a test call must look like name(arguments)")
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise LiteralError("*arguments are not allowed in a test call")
        _value(arg)
    kwargs: list[tuple[str, ast.expr]] = []
    for kw in node.keywords:
        if kw.arg is None:
            raise LiteralError("**arguments are not allowed in a test call")
        _value(kw.value)
        kwargs.append((kw.arg, kw.value))
    args_source = "(" + "".join(ast.unparse(a) + ", " for a in node.args) + ")"
    kwargs_source = "{" + ", ".join(f"{k!r}: {ast.unparse(v)}" for k, v in kwargs) + "}"
    return ParsedCall(node.func.id, args_source, kwargs_source)


class ClassScript(NamedTuple):
    """A class test: the constructor arguments then a list of method calls."""

    class_name: str
    steps: list[tuple[str, str]]  # (name, literal source of the args tuple); the first builds


def parse_class_script(source: str) -> ClassScript:
    """Parse ``[["Name", *args], ["method", *args], ...]``."""
    node = _parse_expr(source)
    if not isinstance(node, ast.List) or not node.elts:
        raise LiteralError('a class test is a list like [["Stack"], ["push", 1], ["pop"]]')
    steps: list[tuple[str, str]] = []
    for item in node.elts:
        if not isinstance(item, ast.List | ast.Tuple) or not item.elts:
            raise LiteralError("each step of a class test is a non-empty list")
        head = item.elts[0]
        if not isinstance(head, ast.Constant) or not isinstance(head.value, str):
            raise LiteralError("each step of a class test starts with a name string")
        if not head.value.isidentifier():
            raise LiteralError(f"{head.value!r} is not a valid name")
        for arg in item.elts[1:]:
            _value(arg)
        args_source = "(" + "".join(ast.unparse(a) + ", " for a in item.elts[1:]) + ")"
        steps.append((head.value, args_source))
    return ClassScript(steps[0][0], steps)
