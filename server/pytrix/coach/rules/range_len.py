"""``range-len``: ``for i in range(len(xs))`` where ``enumerate`` fits.

Reported when the loop body reads ``xs[i]`` at least once and the index is
neither reassigned nor used in arithmetic (``i + 1``, ``i % 2``, ``-i`` ...;
code that looks at neighbours such as ``xs[i] - xs[i - 1]`` is left alone).
``xs`` may be a name or a dotted name such as ``self.items``.

The fix rewrites the header to ``for i, x in enumerate(xs):`` (``i`` is kept,
so other uses of the index still work) and replaces every ``xs[i]`` *read* in
the body with ``x``. It is withheld (the hint stays) when the rewrite might
change behaviour:

* the body writes or deletes an element (``xs[i] = ...``, ``xs[j] += 1``,
  ``del xs[i]``): ``x`` would go stale;
* the body uses ``xs`` in any other way than reading ``xs[...]`` or calling
  ``len(xs)`` (``xs.append(...)``, ``xs = ...``, ``f(xs)``): a loop over
  ``enumerate(xs)`` sees the list change, ``range(len(xs))`` did not;
* a nested function, lambda or comprehension rebinds ``i`` or ``xs``;
* an ``xs[i]`` read sits in a self-documenting f-string field (``f"{xs[i]=}"``),
  whose text would change;
* no fresh name is available.

The new name is derived from ``xs`` (``nums`` -> ``num``, ``entries`` ->
``entry``, otherwise ``item``/``value``/...) and never clashes with a word
already used anywhere in the enclosing function (the whole file at module
level), never shadows a builtin and is not a keyword.
"""

from __future__ import annotations

import ast
import itertools
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from pytrix.coach.engine import Context, Handler, LoopHook, Rule
from pytrix.coach.model import Edit, RuleInfo
from pytrix.coach.rules._common import expr_key, is_usable_name, shorten

_WORD: Final = re.compile(r"[^\W\d]\w*")


class _Loop:
    __slots__ = (
        "arithmetic", "comp_depth", "index", "key", "node", "reads", "rebound",
        "scope_depth", "scope_node", "seq", "unsafe",
    )  # fmt: skip

    def __init__(
        self, node: ast.For, index: str, seq: ast.expr, key: tuple[str, ...], ctx: Context
    ) -> None:
        self.node = node
        self.index = index
        self.seq = seq
        self.key = key
        self.scope_node = ctx.scope.node
        self.scope_depth = ctx.scope_depth
        self.comp_depth = ctx.comp_depth
        self.reads: list[ast.Subscript] = []
        self.arithmetic = False
        self.rebound = False
        self.unsafe = False


def _single_call(node: ast.expr, func: str) -> ast.expr | None:
    """The argument of ``func(arg)`` (exactly one positional argument), else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == func
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
    ):
        return node.args[0]
    return None


def singular(word: str) -> str | None:
    """A naive English singular of a plural identifier (``nums`` -> ``num``)."""
    lower = word.lower()
    if len(word) > 3 and lower.endswith("ies"):
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if len(word) > 1 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return None


def _overlap(node: ast.stmt, first: int, last: int) -> bool:
    return node.lineno <= last and first <= (node.end_lineno or node.lineno)


class RangeLen(Rule):
    """Suggest ``enumerate`` over ``range(len(...))``."""

    info = RuleInfo(
        id="range-len",
        title="Use enumerate() instead of range(len(...))",
        description=(
            "`for i in range(len(xs))` followed by `xs[i]` is the long way round: "
            "`for i, x in enumerate(xs)` gives you the index and the item together."
        ),
        severity="hint",
        fixable=True,
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._loops: list[_Loop] = []
        self._pending: dict[ast.AST, _Loop] = {}
        self._active: list[_Loop] = []
        self._words: dict[ast.AST, set[str]] = {}
        self._given: list[tuple[str, _Loop]] = []
        """Names picked by earlier fixes: a nested loop must not reuse its outer loop's name."""

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.For: self._on_for}

    def _body_handlers(self) -> tuple[tuple[type[ast.AST], Handler], ...]:
        """Handlers needed only inside the body of a candidate loop."""
        return (
            (ast.Name, self._on_name),
            (ast.Attribute, self._on_attribute),
            (ast.arg, self._on_arg),
        )

    def for_body_hooks(self) -> tuple[LoopHook, LoopHook]:
        return self._enter_body, self._leave_body

    # -- collection -------------------------------------------------------

    def _on_for(self, node: ast.For, parent: ast.AST | None) -> None:
        if not isinstance(node.target, ast.Name):
            return
        length = _single_call(node.iter, "range")
        seq = _single_call(length, "len") if length is not None else None
        key = expr_key(seq) if seq is not None else None
        if seq is None or key is None or key[0] == node.target.id:
            return
        loop = _Loop(node, node.target.id, seq, key, self.ctx)
        self._loops.append(loop)
        self._pending[node] = loop

    def _enter_body(self, node: ast.For | ast.AsyncFor) -> None:
        loop = self._pending.pop(node, None)
        if loop is not None:
            if not self._active:
                for node_type, handler in self._body_handlers():
                    self.ctx.subscribe(node_type, handler)
            self._active.append(loop)

    def _leave_body(self, node: ast.For | ast.AsyncFor) -> None:
        if self._active and self._active[-1].node is node:
            self._active.pop()
            if not self._active:
                for node_type, handler in self._body_handlers():
                    self.ctx.unsubscribe(node_type, handler)

    def _nested(self, loop: _Loop) -> bool:
        return self.ctx.scope_depth > loop.scope_depth or self.ctx.comp_depth > loop.comp_depth

    def _on_name(self, node: ast.Name, parent: ast.AST | None) -> None:
        if not self._active:
            return
        for loop in self._active:
            if node.id == loop.index:
                self._index_use(loop, node, parent)
            elif node.id == loop.key[0]:
                if len(loop.key) == 1:
                    self._seq_use(loop, node, parent)
                elif not isinstance(node.ctx, ast.Load):
                    loop.unsafe = True  # the root of ``self.items`` is rebound

    def _on_attribute(self, node: ast.Attribute, parent: ast.AST | None) -> None:
        if not self._active:
            return
        key: tuple[str, ...] | None = None
        for loop in self._active:
            if len(loop.key) > 1 and node.attr == loop.key[-1]:
                if key is None:
                    key = expr_key(node)
                if key == loop.key:
                    self._seq_use(loop, node, parent)

    def _on_arg(self, node: ast.arg, parent: ast.AST | None) -> None:
        for loop in self._active:
            if node.arg in (loop.index, loop.key[0]):
                loop.unsafe = True

    def _index_use(self, loop: _Loop, node: ast.Name, parent: ast.AST | None) -> None:
        if not isinstance(node.ctx, ast.Load):
            if self._nested(loop):
                loop.unsafe = True  # e.g. ``[... for i in ...]``: a different ``i``
            else:
                loop.rebound = True
        elif isinstance(parent, ast.BinOp | ast.UnaryOp) or (
            isinstance(parent, ast.AugAssign) and parent.value is node
        ):
            loop.arithmetic = True
        elif (
            isinstance(parent, ast.Subscript)
            and parent.slice is node
            and isinstance(parent.ctx, ast.Load)
            and expr_key(parent.value) == loop.key
        ):
            loop.reads.append(parent)
            if self.ctx.fstring_debug_depth:
                loop.unsafe = True

    def _seq_use(self, loop: _Loop, node: ast.expr, parent: ast.AST | None) -> None:
        if isinstance(parent, ast.Subscript) and parent.value is node:
            if not isinstance(parent.ctx, ast.Load):
                loop.unsafe = True  # element write or delete
            return
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id == "len"
            and any(arg is node for arg in parent.args)
        ):
            return
        loop.unsafe = True

    # -- reporting ------------------------------------------------------------

    def finish(self) -> None:
        src = self.ctx.src
        for loop in self._loops:
            if not loop.reads or loop.arithmetic or loop.rebound:
                continue
            fix = None if loop.unsafe else self._fix(loop)
            name, edits = fix if fix is not None else (self._pick_name(loop) or "item", [])
            seq_text = shorten(src.segment(loop.seq), 30)
            self.ctx.report(
                self.info,
                f"Use enumerate() to get the index and the item together: "
                f"`for {loop.index}, {name} in enumerate({seq_text}):` "
                f"and then `{name}` instead of `{seq_text}[{loop.index}]`.",
                src.span(loop.node.iter),
                fix_title=f"Loop over enumerate({seq_text})",
                edits=edits,
            )

    def _fix(self, loop: _Loop) -> tuple[str, list[Edit]] | None:
        """(new name, edits), or None when no safe rewrite was found."""
        src = self.ctx.src
        target, iterable = loop.node.target, loop.node.iter
        if src.segment(target) != loop.index or not src.segment(iterable).startswith("range"):
            return None
        seq_text = src.segment(loop.seq)
        name = self._pick_name(loop)
        if name is None:
            return None
        edits = [
            Edit(src.span(target), f"{loop.index}, {name}"),
            Edit(src.span(iterable), f"enumerate({seq_text})"),
        ]
        for read in loop.reads:
            text = src.segment(read)
            if not (text.startswith(loop.key[0]) and text.endswith("]")):
                return None  # positions look wrong: do not risk a broken edit
            edits.append(Edit(src.span(read), name))
        self._given.append((name, loop))
        return name, edits

    def _pick_name(self, loop: _Loop) -> str | None:
        taken = self._scope_words(loop.scope_node)
        taken.add(loop.index)
        first, last = loop.node.lineno, loop.node.end_lineno or loop.node.lineno
        for name, other in self._given:
            if other.scope_node is loop.scope_node and _overlap(other.node, first, last):
                taken.add(name)
        base = loop.key[-1]
        preferred = (singular(base), "item", "value", "element", f"{base}_item")
        numbered = (f"item{n}" for n in range(2, 50))
        for candidate in itertools.chain(preferred, numbered):
            if candidate and is_usable_name(candidate) and candidate not in taken:
                return candidate
        return None

    def _scope_words(self, scope: ast.AST) -> set[str]:
        words = self._words.get(scope)
        if words is None:
            src = self.ctx.src
            if isinstance(scope, ast.Module):
                text = src.text
            else:
                start: int = getattr(scope, "lineno", 1)
                end: int = getattr(scope, "end_lineno", None) or len(src.lines)
                text = "\n".join(src.lines[start - 1 : end])
            if not text.isascii():
                text = unicodedata.normalize("NFKC", text)  # identifiers are NFKC-equal
            words = self._words[scope] = set(_WORD.findall(text))
        return set(words)  # a copy: callers add to it
