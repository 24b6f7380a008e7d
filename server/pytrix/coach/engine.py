"""The shared walk: one ``ast.parse`` and one traversal feed every rule.

Rules (see :mod:`pytrix.coach.rules`) register per-node-type handlers. The
walker visits every node once, in source order, iteratively (so a 100 000
term ``1 + 1 + ...`` expression cannot overflow the Python stack), keeps the
context the rules need (current scope, loop depth, what names were bound to)
and calls the handlers of the enabled rules for that node type.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, ClassVar, Final, Literal

from pytrix.coach.model import Edit, Finding, RuleInfo, Severity, Span
from pytrix.coach.source import SourceText

MAX_SOURCE_CHARS: Final = 1_000_000
"""Sources longer than this (tens of thousands of lines) are not analysed at all: a
learner's file is far smaller, and the cost is linear (about 3 ms per 300 lines)."""

_RAISE_INTERNAL_ERRORS = False
"""Tests flip this to make a crashing rule fail loudly instead of being skipped."""

Handler = Callable[[Any, ast.AST | None], None]
"""``handler(node, parent)``; ``parent`` is None only for the module."""

LoopHook = Callable[[ast.For | ast.AsyncFor], None]

ScopeKind = Literal["module", "function", "class"]

_Entry = tuple[tuple[Handler, ...], "int | ScopeKind | None", tuple[str, ...]]
"""(handlers, special treatment, child fields in reverse order) for a node type."""

# What a name was last bound to (by a plain assignment) in a scope.
STR: Final = "str"
LIST: Final = "list"
DEQUE: Final = "deque"
OTHER: Final = "other"


class Scope:
    """A module, function (or lambda) or class body being walked."""

    __slots__ = ("bindings", "kind", "loop_depth", "node", "shadowed")

    def __init__(self, kind: ScopeKind, node: ast.AST) -> None:
        self.kind: ScopeKind = kind
        self.node = node
        self.loop_depth = 0
        """Loops (``for``, ``while``, comprehensions) around the current node in this scope."""
        self.bindings: dict[str, str] = {}
        """Name -> STR / LIST / DEQUE / OTHER, for the last assignment seen so far."""
        self.shadowed: set[str] = set()
        """Builtin names already reported as shadowed in this scope."""


class Context:
    """The state rules read while the walk is running."""

    def __init__(self, src: SourceText, tree: ast.Module, entry: str | None = None) -> None:
        self.src = src
        self.tree = tree
        self.entry = entry
        """The practice question's entry function, when the caller knows it."""
        self.scope = Scope("module", tree)
        self.scope_depth = 0
        """Number of enclosing function/lambda/class scopes."""
        self.comp_depth = 0
        """Number of enclosing comprehensions / generator expressions."""
        self.fstring_debug_depth = 0
        """>0 inside a self-documenting f-string field (``f"{expr=}"``), whose text is output."""
        self.findings: list[Finding] = []
        self.handler_table: dict[type[ast.AST], tuple[Handler, ...]] = {}
        """Node type -> handlers currently called for it (see :meth:`subscribe`)."""
        self.dispatch: dict[type, _Entry] = {}
        """The walker's per-type cache, derived from :attr:`handler_table`."""
        self.skip: set[type] = set()
        """Leaf node types without handlers: the walker does not even push them."""

    def subscribe(self, node_type: type[ast.AST], handler: Handler) -> None:
        """Start calling ``handler`` for ``node_type`` nodes (from the next node on).

        Lets a rule pay for a frequent node type (``Name``) only while it cares,
        e.g. inside the body of one particular loop.
        """
        self.handler_table[node_type] = (*self.handler_table.get(node_type, ()), handler)
        self.dispatch.pop(node_type, None)
        self.skip.discard(node_type)

    def unsubscribe(self, node_type: type[ast.AST], handler: Handler) -> None:
        """Undo one :meth:`subscribe`."""
        handlers = list(self.handler_table.get(node_type, ()))
        if handler in handlers:
            handlers.remove(handler)
            self.handler_table[node_type] = tuple(handlers)
            self.dispatch.pop(node_type, None)
            if not handlers and _skippable(node_type):
                self.skip.add(node_type)

    @property
    def in_loop(self) -> bool:
        """True when the node being visited runs once per iteration of a loop."""
        return self.scope.loop_depth > 0

    def report(
        self,
        info: RuleInfo,
        message: str,
        span: Span,
        fix_title: str | None = None,
        edits: Iterable[Edit] = (),
        severity: Severity | None = None,
    ) -> None:
        """Record a finding (the fix is dropped unless both title and edits are given)."""
        edit_tuple = tuple(edits)
        if not edit_tuple or fix_title is None:
            fix_title, edit_tuple = None, ()
        self.findings.append(
            Finding(info.id, message, severity or info.severity, span, fix_title, edit_tuple)
        )


class Rule:
    """Base class of a coaching rule. Subclasses set :attr:`info` and override hooks."""

    info: ClassVar[RuleInfo]
    needs_bindings: ClassVar[bool] = False
    """Set when the rule reads :attr:`Scope.bindings`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        """Node type -> handler, called (before the node's children) for each such node."""
        return {}

    def for_body_hooks(self) -> tuple[LoopHook, LoopHook] | None:
        """(enter, leave) called around the *body* of each ``for`` loop."""
        return None

    def finish(self) -> None:
        """Called once after the walk (report deferred findings here)."""


# ---------------------------------------------------------------------------
# Binding tracking (shared by rules that set ``needs_bindings``)


def classify_value(value: ast.expr) -> str:
    """STR / LIST / DEQUE / OTHER for the right-hand side of an assignment."""
    if is_str_expr(value):
        return STR
    if isinstance(value, ast.List | ast.ListComp):
        return LIST
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "list":
            return LIST
        if name == "deque":
            return DEQUE
    return OTHER


_STR_FUNCTIONS: Final = frozenset({"str", "repr", "chr", "format", "input", "ascii"})
_STR_METHODS: Final = frozenset(
    {"join", "format", "upper", "lower", "strip", "lstrip", "rstrip", "replace", "title"}
)


def is_str_expr(node: ast.expr) -> bool:
    """True when ``node`` is obviously a ``str`` (literal, f-string, ``str()``, ...)."""
    while True:  # iterate down the left spine of ``a + b + c``: it can be very deep
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                return func.id in _STR_FUNCTIONS
            return (
                isinstance(func, ast.Attribute)
                and func.attr in _STR_METHODS
                and isinstance(func.value, ast.Constant)
                and isinstance(func.value.value, str)
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            right = node.right
            if (
                isinstance(node.op, ast.Add)
                and isinstance(right, ast.Constant | ast.JoinedStr)
                and is_str_expr(right)
            ):
                return True
            node = node.left
            continue
        return False


class _BindingTracker(Rule):
    """Keeps :attr:`Scope.bindings` up to date; not a user-visible rule."""

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {
            ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign,
            ast.NamedExpr: self._named_expr,
            ast.For: self._for,
            ast.arg: self._arg,
        }

    def _bind(self, target: ast.expr, kind: str) -> None:
        if isinstance(target, ast.Name):
            self.ctx.scope.bindings[target.id] = kind

    def _assign(self, node: ast.Assign, parent: ast.AST | None) -> None:
        kind = classify_value(node.value)
        for target in node.targets:
            self._bind(target, kind)

    def _ann_assign(self, node: ast.AnnAssign, parent: ast.AST | None) -> None:
        if node.value is not None:
            self._bind(node.target, classify_value(node.value))
        elif _is_str_annotation(node.annotation):
            self._bind(node.target, STR)

    def _named_expr(self, node: ast.NamedExpr, parent: ast.AST | None) -> None:
        self._bind(node.target, classify_value(node.value))

    def _for(self, node: ast.For, parent: ast.AST | None) -> None:
        self._bind(node.target, OTHER)

    def _arg(self, node: ast.arg, parent: ast.AST | None) -> None:
        is_str = node.annotation is not None and _is_str_annotation(node.annotation)
        self.ctx.scope.bindings[node.arg] = STR if is_str else OTHER


def _is_str_annotation(annotation: ast.expr) -> bool:
    return isinstance(annotation, ast.Name) and annotation.id == "str"


# ---------------------------------------------------------------------------
# The walk

_VISIT, _ENTER_FOR_BODY, _LEAVE_FOR_BODY, _LEAVE_LOOP, _LEAVE_SCOPE, _LEAVE_COMP, _LEAVE_DEBUG = (
    range(7)
)

_NOT_CHILDREN: Final = frozenset(
    {
        "ctx", "op", "ops", "id", "arg", "attr", "name", "kind", "type_comment", "level",
        "module", "conversion", "is_async", "rest", "type_ignores", "tag", "kwd_attrs",
    }
)  # fmt: skip
_LEAF_TYPES: Final = (
    ast.Constant, ast.MatchSingleton, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom,
    ast.Pass, ast.Break, ast.Continue,
)  # fmt: skip
_FOR, _WHILE, _COMP, _FSTRING_FIELD = range(4)
_SPECIAL: Final[dict[type[ast.AST], int | ScopeKind]] = {
    ast.For: _FOR,
    ast.AsyncFor: _FOR,
    ast.While: _WHILE,
    ast.ListComp: _COMP,
    ast.SetComp: _COMP,
    ast.DictComp: _COMP,
    ast.GeneratorExp: _COMP,
    ast.FormattedValue: _FSTRING_FIELD,
    ast.FunctionDef: "function",
    ast.AsyncFunctionDef: "function",
    ast.Lambda: "function",
    ast.ClassDef: "class",
}
"""Node types the walker treats specially: loops, comprehensions, f-string fields, scopes."""
_FIELD_CACHE: dict[type, tuple[str, ...]] = {}
_LEAF_CANDIDATES: Final = frozenset(
    {
        ast.Name, ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal,
        ast.Import, ast.ImportFrom, ast.alias, ast.MatchSingleton,
    }
)  # fmt: skip
"""Node types without children worth walking: skipped entirely when nothing handles them."""


def _child_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of ``cls`` that can hold child nodes, in *reverse* order."""
    fields = _FIELD_CACHE.get(cls)
    if fields is None:
        if issubclass(cls, _LEAF_TYPES):
            fields = ()
        else:
            names = getattr(cls, "_fields", ())
            fields = tuple(f for f in reversed(names) if f not in _NOT_CHILDREN)
        _FIELD_CACHE[cls] = fields
    return fields


def _skippable(cls: type) -> bool:
    return cls in _LEAF_CANDIDATES


def _is_debug_field(src: SourceText, node: ast.FormattedValue) -> bool:
    """True for ``f"{expr=}"``: the expression's own text ends up in the output."""
    try:
        line, col = src.end(node.value)
        rest = src.lines[line][col:].lstrip()
    except (IndexError, ValueError):
        return True
    return rest.startswith("=") and not rest.startswith("==")


class Analyzer:
    """Runs a set of rules over one parsed module."""

    def __init__(
        self, src: SourceText, tree: ast.Module, rules: Iterable[type[Rule]], entry: str | None = None
    ) -> None:
        self.ctx = Context(src, tree, entry)
        rule_types = list(rules)
        self.rules: list[Rule] = []
        if any(r.needs_bindings for r in rule_types):
            self.rules.append(_BindingTracker(self.ctx))
        self.rules.extend(r(self.ctx) for r in rule_types)
        table: dict[type[ast.AST], list[Handler]] = {}
        enter: list[LoopHook] = []
        leave: list[LoopHook] = []
        for rule in self.rules:
            for node_type, handler in rule.handlers().items():
                table.setdefault(node_type, []).append(handler)
            hooks = rule.for_body_hooks()
            if hooks is not None:
                enter.append(hooks[0])
                leave.append(hooks[1])
        self.ctx.handler_table.update((cls, tuple(handlers)) for cls, handlers in table.items())
        self.ctx.skip.update(cls for cls in _LEAF_CANDIDATES if cls not in table)
        self._enter_for = tuple(enter)
        self._leave_for = tuple(reversed(leave))
        self.errors: list[BaseException] = []

    def run(self) -> list[Finding]:
        """Walk the tree, let rules finish, return findings sorted by position."""
        try:
            try:
                self._walk()
            except Exception as exc:  # pragma: no cover - defensive
                self._failed(exc)
            for rule in self.rules:
                try:
                    rule.finish()
                except Exception as exc:
                    self._failed(exc)
            return sorted(
                self.ctx.findings,
                key=lambda f: (f.span.start_line, f.span.start_col, f.rule),
            )
        finally:
            # Rules and the context refer to each other (bound-method handlers).
            # Break that cycle so the whole tree is freed by reference counting
            # right away instead of lingering for (and slowing down) the cyclic GC.
            self.ctx.handler_table.clear()
            self.ctx.dispatch.clear()
            self.rules.clear()

    def _entry(self, cls: type) -> _Entry:
        """What the walker does with nodes of type ``cls`` (one dict lookup per node)."""
        entry = self.ctx.dispatch[cls] = (
            self.ctx.handler_table.get(cls, ()),
            _SPECIAL.get(cls),
            _child_fields(cls),
        )
        return entry

    def _failed(self, exc: BaseException) -> None:
        if _RAISE_INTERNAL_ERRORS:
            raise exc
        self.errors.append(exc)

    def _walk(self) -> None:
        ctx = self.ctx
        dispatch = ctx.dispatch
        make_entry = self._entry
        skip = ctx.skip
        failed = self._failed
        stack: list[tuple[int, Any, Any]] = [(_VISIT, ctx.tree, None)]
        pop = stack.pop
        push = stack.append
        while stack:
            op, node, parent = pop()
            if op:
                self._control(op, node)
                continue
            cls = node.__class__
            entry = dispatch.get(cls)
            if entry is None:
                entry = make_entry(cls)
            node_handlers, how, fields = entry
            if node_handlers:
                for handler in node_handlers:
                    try:
                        handler(node, parent)
                    except Exception as exc:
                        failed(exc)
            if how is not None:
                if how == _FOR:
                    for child in reversed(node.orelse):
                        push((_VISIT, child, node))
                    push((_LEAVE_FOR_BODY, node, None))
                    for child in reversed(node.body):
                        push((_VISIT, child, node))
                    push((_ENTER_FOR_BODY, node, None))
                    push((_VISIT, node.iter, node))
                    push((_VISIT, node.target, node))
                    continue
                if how == _WHILE:
                    for child in reversed(node.orelse):
                        push((_VISIT, child, node))
                    push((_LEAVE_LOOP, node, None))
                    for child in reversed(node.body):
                        push((_VISIT, child, node))
                    push((_VISIT, node.test, node))
                    ctx.scope.loop_depth += 1
                    continue
                if how == _COMP:
                    push((_LEAVE_COMP, node, None))
                    ctx.scope.loop_depth += 1
                    ctx.comp_depth += 1
                elif how == _FSTRING_FIELD:
                    if _is_debug_field(ctx.src, node):
                        push((_LEAVE_DEBUG, node, None))
                        ctx.fstring_debug_depth += 1
                else:  # a new scope; ``how`` is its kind
                    push((_LEAVE_SCOPE, ctx.scope, None))

            for field in fields:
                value = getattr(node, field, None)
                if value is None:
                    continue
                if value.__class__ is list:
                    for child in reversed(value):
                        if child is not None and child.__class__ not in skip:
                            push((_VISIT, child, node))
                elif value.__class__ not in skip:
                    push((_VISIT, value, node))

            if how is not None and how.__class__ is str:
                ctx.scope = Scope(how, node)
                ctx.scope_depth += 1

    def _control(self, op: int, node: Any) -> None:
        ctx = self.ctx
        if op == _ENTER_FOR_BODY:
            ctx.scope.loop_depth += 1
            for hook in self._enter_for:
                self._call_hook(hook, node)
        elif op == _LEAVE_FOR_BODY:
            ctx.scope.loop_depth -= 1
            for hook in self._leave_for:
                self._call_hook(hook, node)
        elif op == _LEAVE_LOOP:
            ctx.scope.loop_depth -= 1
        elif op == _LEAVE_SCOPE:
            ctx.scope = node
            ctx.scope_depth -= 1
        elif op == _LEAVE_COMP:
            ctx.scope.loop_depth -= 1
            ctx.comp_depth -= 1
        elif op == _LEAVE_DEBUG:
            ctx.fstring_debug_depth -= 1

    def _call_hook(self, hook: LoopHook, node: ast.For | ast.AsyncFor) -> None:
        try:
            hook(node)
        except Exception as exc:
            self._failed(exc)


def parse(source: str) -> ast.Module | None:
    """``ast.parse`` that never raises and never emits warnings; None if unparsable."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE_CHARS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except Exception:  # SyntaxError, ValueError, RecursionError, MemoryError, ...
        return None


def run_rules(
    source: str, tree: ast.Module, rules: Collection[type[Rule]], entry: str | None = None
) -> list[Finding]:
    """Run ``rules`` over ``tree`` (which must be ``ast.parse(source)``)."""
    return Analyzer(SourceText(source), tree, rules, entry).run()
