"""``mutable-default``: ``def f(xs=[])`` shares one list between all calls.

Triggers on list/dict/set displays and comprehensions and on calls to
``list()``, ``dict()`` and ``set()`` used as parameter defaults (functions,
methods and lambdas).

The fix (functions only, not lambdas) changes the default to ``None``,
inserts ``if xs is None:`` / ``xs = <original default>`` at the top of the
body (after the docstring, with the body's indentation; a body written on the
``def`` line is moved to its own lines) and, when the parameter has an
annotation that does not already allow ``None``, appends ``| None`` to it. The
fix is withheld when the default mentions names other than builtins (it would
now be evaluated at call time, possibly to something else) or when the layout
is unusual (body after a docstring on the same line, a backslash before the
body). Note the fix does change behaviour for code that relies on the shared
object on purpose (a memo cache): the message says so.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo, Span
from pytrix.coach.rules._common import BUILTIN_NAMES, shorten

_KIND_OF_DISPLAY: dict[type[ast.AST], str] = {
    ast.List: "list",
    ast.ListComp: "list",
    ast.Dict: "dict",
    ast.DictComp: "dict",
    ast.Set: "set",
    ast.SetComp: "set",
}
_MUTABLE_CALLS = frozenset({"list", "dict", "set"})


def mutable_kind(node: ast.expr) -> str | None:
    """Return "list" / "dict" / "set" when ``node`` builds a new mutable container."""
    kind = _KIND_OF_DISPLAY.get(node.__class__)
    if kind is not None:
        return kind
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _MUTABLE_CALLS
    ):
        return node.func.id
    return None


def _allows_none(annotation: ast.expr) -> bool:
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return True  # ``None``, or a string annotation we leave alone
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if name in ("Optional", "Any", "object"):
            return True
    return False


class MutableDefault(Rule):
    """Flag mutable default argument values."""

    info = RuleInfo(
        id="mutable-default",
        title="Mutable default argument",
        description=(
            "A default value is evaluated once, when `def` runs, so a list/dict/set default "
            "is shared by every call. Use `None` and create a new object in the body."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {
            ast.FunctionDef: self._on_function,
            ast.AsyncFunctionDef: self._on_function,
            ast.Lambda: self._on_function,
        }

    def _on_function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, parent: ast.AST | None
    ) -> None:
        args = node.args
        if not args.defaults and not args.kw_defaults:
            return
        positional = [*args.posonlyargs, *args.args]
        pairs = list(
            zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=False)
        )
        pairs.extend(
            (arg, default)
            for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=False)
            if default is not None
        )
        src = self.ctx.src
        for arg, default in pairs:
            kind = mutable_kind(default)
            if kind is None:
                continue
            text = src.segment(default)
            edits = None if isinstance(node, ast.Lambda) else self._fix(node, arg, default, text)
            self.ctx.report(
                self.info,
                f"The default `{shorten(text, 30)}` is created once, when the function is "
                f"defined, and that same {kind} is shared by every call: changes made in one "
                f"call show up in the next. Default `{arg.arg}` to None and create a new "
                f"{kind} inside the function (unless sharing it is really what you want).",
                src.span(default),
                fix_title=f"Default `{arg.arg}` to None and create the {kind} in the body",
                edits=edits or (),
            )

    def _fix(
        self,
        func: ast.FunctionDef | ast.AsyncFunctionDef,
        arg: ast.arg,
        default: ast.expr,
        text: str,
    ) -> list[Edit] | None:
        if any(isinstance(n, ast.Name) and n.id not in BUILTIN_NAMES for n in ast.walk(default)):
            return None
        guard = self._guard(func, arg.arg, text)
        if guard is None:
            return None
        src = self.ctx.src
        edits = [Edit(src.span(default), "None")]
        annotation = arg.annotation
        if annotation is not None and not _allows_none(annotation):
            ann_text = src.segment(annotation)
            if not isinstance(annotation, ast.Name | ast.Attribute | ast.Subscript) and not (
                isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr)
            ):
                ann_text = f"({ann_text})"
            edits.append(Edit(src.span(annotation), f"{ann_text} | None"))
        edits.append(guard)
        return edits

    def _guard(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef, name: str, text: str
    ) -> Edit | None:
        """The insertion of ``if name is None: name = text`` at the top of the body."""
        src = self.ctx.src
        nl = src.newline
        def_line, def_col = src.start(func)
        def_indent = src.lines[def_line][:def_col]
        if def_indent.strip():
            return None
        body = func.body
        first = body[0]
        has_doc = (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        )
        target = (body[1] if len(body) > 1 else None) if has_doc else first
        anchor = target if target is not None else first
        line, col = src.start(anchor)
        prefix = src.lines[line][:col]
        on_own_line = not prefix.strip()

        if on_own_line:
            if line > 0 and src.lines[line - 1].endswith("\\"):
                return None
            indent = prefix
            unit = indent[len(def_indent) :] if indent.startswith(def_indent) else ""
            unit = unit or ("\t" if "\t" in indent else "    ")
            guard = f"if {name} is None:{nl}{indent}{unit}{name} = {text}"
            if target is None:  # only a docstring: add the guard after it
                return Edit(Span.point(*src.end(first)), f"{nl}{indent}{guard}")
            return Edit(Span.point(line, 0), f"{indent}{guard}{nl}")
        if target is first:  # ``def f(xs=[]): return xs``: move the body to its own lines
            unit = "\t" if "\t" in def_indent else "    "
            indent = def_indent + unit
            guard = f"if {name} is None:{nl}{indent}{unit}{name} = {text}"
            return Edit(Span.point(line, col), f"{nl}{indent}{guard}{nl}{indent}")
        return None
