"""Helpers for the rules about loops and statements: which names a block may change.

Everything here reads the AST only. "May change" is deliberately generous (a
name passed to a call or used as the root of a method call counts as changed),
so rules built on it stay quiet whenever they cannot be sure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from pytrix.coach.rules._common import BUILTIN_NAMES

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

PURE_METHODS: Final = frozenset(
    {
        "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isdecimal",
        "isnumeric", "istitle", "lower", "upper", "strip", "lstrip", "rstrip", "split",
        "startswith", "endswith", "find", "rfind", "index", "rindex", "count", "join",
        "replace", "title", "capitalize", "casefold", "format", "get", "keys", "values",
        "items", "copy",
    }
)  # fmt: skip
"""Methods that read their object (str methods, dict lookups): calling one changes nothing."""

_STATEFUL_BUILTINS: Final = frozenset(
    {"next", "iter", "setattr", "delattr", "exec", "eval", "vars", "globals", "locals", "input", "open"}
)
"""Builtins that may change (or advance) what they are given."""


def walk_local(nodes: list[ast.stmt] | list[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, without entering nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def root_name(node: ast.expr) -> str | None:
    """``a`` for ``a``, ``a.b``, ``a[0].c``; None for anything else."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def changed_names(nodes: list[ast.stmt] | list[ast.AST]) -> set[str] | None:
    """Names the code in ``nodes`` may rebind or mutate; None when anything may change.

    None is returned for ``global``/``nonlocal``, ``yield`` and calls of functions
    that are not builtins (they may change what the caller cannot see).
    """
    changed: set[str] = set()
    for node in walk_local(nodes):
        if isinstance(node, ast.Global | ast.Nonlocal | ast.Yield | ast.YieldFrom | ast.Await):
            return None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            changed.add(node.id)
        elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            name = root_name(node)
            if name is not None:
                changed.add(name)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                if func.id not in BUILTIN_NAMES:
                    return None
                if func.id not in _STATEFUL_BUILTINS:
                    continue  # print(x), len(x), ... leave their arguments alone
            elif isinstance(func, ast.Attribute) and func.attr in PURE_METHODS:
                continue
            else:
                name = root_name(func)
                if name is None:
                    return None
                changed.add(name)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                name = root_name(arg)
                if name is not None:
                    changed.add(name)
    return changed


def read_names(node: ast.expr) -> set[str] | None:
    """Names ``node`` reads; None when it calls anything but a builtin or has a walrus."""
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom | ast.Lambda):
            return None
        if isinstance(child, ast.Call) and not (
            isinstance(child.func, ast.Name) and child.func.id in BUILTIN_NAMES
        ):
            return None
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            names.add(child.id)
    return names


def indent_of(line: str) -> str:
    """The leading whitespace of ``line``."""
    return line[: len(line) - len(line.lstrip())]
