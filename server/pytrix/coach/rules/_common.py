"""Helpers shared by several rules."""

from __future__ import annotations

import ast
import keyword
from typing import Final

BUILTIN_NAMES: Final = frozenset(
    {
        "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray",
        "bytes", "callable", "chr", "classmethod", "compile", "complex", "delattr", "dict", "dir",
        "divmod", "enumerate", "eval", "exec", "filter", "float", "format", "frozenset", "getattr",
        "globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance",
        "issubclass", "iter", "len", "list", "locals", "map", "max", "memoryview", "min", "next",
        "object", "oct", "open", "ord", "pow", "print", "property", "range", "repr", "reversed",
        "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super",
        "tuple", "type", "vars", "zip",
    }
)  # fmt: skip
"""Built-in functions and types a learner might shadow (exceptions and the
``site`` helpers such as ``exit`` and ``license`` are left out on purpose)."""


def expr_key(node: ast.expr) -> tuple[str, ...] | None:
    """A hashable key for ``name`` or ``name.attr.attr``; None for anything else."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    attrs.append(node.id)
    attrs.reverse()
    return tuple(attrs)


def is_bool_constant(node: ast.expr | None, value: bool) -> bool:
    """True for the literal ``True`` / ``False`` (not ``1`` / ``0``)."""
    return isinstance(node, ast.Constant) and node.value is value


def shorten(text: str, limit: int = 40) -> str:
    """One-line, length-limited version of a code snippet for messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_usable_name(name: str) -> bool:
    """A valid identifier that is not a keyword and does not shadow a builtin."""
    return name.isidentifier() and not keyword.iskeyword(name) and name not in BUILTIN_NAMES


def parenthesize(node: ast.expr, text: str, *, tight: bool = False) -> str:
    """``text`` (the source of ``node``), wrapped in parentheses when needed.

    Multi-line text is always wrapped (so it stays one logical line). With
    ``tight`` the result is safe as the operand of ``not``; otherwise it is
    safe after ``return`` or as a call argument.
    """
    if "\n" in text or "\r" in text:
        return f"({text})"
    if isinstance(node, ast.NamedExpr | ast.Yield | ast.YieldFrom):
        return f"({text})"
    if tight and not isinstance(
        node,
        ast.Name
        | ast.Attribute
        | ast.Subscript
        | ast.Call
        | ast.Constant
        | ast.Await
        | ast.List
        | ast.Tuple
        | ast.Dict
        | ast.Set,
    ):
        return f"({text})"
    return text


__all__ = [
    "BUILTIN_NAMES",
    "expr_key",
    "is_bool_constant",
    "is_usable_name",
    "parenthesize",
    "shorten",
]
