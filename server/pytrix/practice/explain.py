"""Explained failures: why a test failed, in one plain sentence, and at which line.

A failing test arrives as values (expected / got), printed output and an
error or timeout line. :func:`explain` looks at those together with the AST
of the learner's code (parsed once, never run) and returns a :class:`Cause`:
a stable ``code``, one plain ``sentence`` and, when the mistake sits on a
particular line, that line.

How a cause is found: every explainer is a small function
``(failure: Failure) -> Cause | None`` listed in :data:`EXPLAINERS`; the
first one that returns a cause wins, so the list runs from the most certain
(the values prove it: a list where a tuple is expected) to the merely likely
(the code has a pattern that causes this kind of failure). A new explanation
is one such function, added to the list, plus a test.

:class:`Failure` gives each explainer what it needs: the test result, the
expected and actual values rebuilt from their text (``MISSING`` when unknown,
e.g. for a hidden test), and :class:`Code`, the parsed source with the entry
function and the coaching findings (``pytrix.coach``) inside it, computed
lazily and shared by all the failing tests of a run.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pytrix.coach import Finding as CoachFinding
from pytrix.coach import coach
from pytrix.curriculum.plain import Compare, Kind
from pytrix.practice.file_size import size_problem
from pytrix.runner.literals import LiteralError, parse_call
from pytrix.runner.results import TestStatus

if TYPE_CHECKING:  # plain results or the validated models alike (`pytrix check` loads no pydantic)
    from pytrix.curriculum.plain import QuestionLike as Question
    from pytrix.runner.results import RunLike as RunResult
    from pytrix.runner.results import TestLike as TestResult


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""A value that is not known (hidden test, abbreviated or unparsable text)."""


@dataclass(frozen=True)
class Cause:
    """Why a test failed: a stable code, one plain sentence, the line to point at (0-based)."""

    code: str
    sentence: str
    line: int | None = None


class Code:
    """The learner's source, parsed once; everything else is computed on first use."""

    def __init__(self, source: str, question: Question) -> None:
        self.source = source
        self.question = question
        self.tree: ast.Module | None = None
        if size_problem(source) is not None:  # never parsed: nothing to explain
            self.lines: list[str] = []
            return
        self.lines = source.splitlines()
        try:
            self.tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.tree = None

    @functools.cached_property
    def entry(self) -> ast.FunctionDef | None:
        """The question's entry function (function questions only)."""
        if self.tree is None or self.question.kind is not Kind.FUNCTION:
            return None
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == self.question.entry:
                return node
        return None

    def entry_nodes(self) -> Iterator[ast.AST]:
        """Every node of the entry function, without nested functions and classes."""
        if self.entry is None:
            return
        stack: list[ast.AST] = list(reversed(self.entry.body))
        while stack:
            node = stack.pop()
            yield node
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                stack.extend(reversed(list(ast.iter_child_nodes(node))))

    @functools.cached_property
    def untouched(self) -> bool:
        """Whether the entry function is still the question's stub (nothing to explain yet)."""
        if self.entry is None:
            return False
        try:
            stub = ast.parse(self.question.stub)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        if self.entry.name in self.question.given:  # the tests call a helper given in full: the
            # learner's function is another one, untouched while every stub function is
            mine = {ast.dump(node) for node in self.tree.body if isinstance(node, ast.FunctionDef)} \
                if self.tree is not None else set()
            return all(ast.dump(node) in mine for node in stub.body if isinstance(node, ast.FunctionDef))
        return any(
            isinstance(node, ast.FunctionDef) and node.name == self.entry.name
            and ast.dump(node) == ast.dump(self.entry)
            for node in stub.body
        )

    @functools.cached_property
    def returns(self) -> list[ast.Return]:
        """The entry's ``return <value>`` statements, in source order."""
        return [n for n in self.entry_nodes() if isinstance(n, ast.Return) and n.value is not None]

    @functools.cached_property
    def prints(self) -> list[ast.Call]:
        """The entry's ``print(...)`` calls, in source order."""
        return [
            n for n in self.entry_nodes()
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]

    @functools.cached_property
    def coaching(self) -> list[CoachFinding]:
        """Coaching findings inside the entry function (all of them for programs and classes)."""
        entry = self.question.entry if self.question.kind is Kind.FUNCTION else None
        found = coach(self.source, entry=entry)
        function = self.entry
        if function is None:
            return found
        first, last = function.lineno - 1, (function.end_lineno or function.lineno) - 1
        return [f for f in found if first <= f.span.start_line <= last]

    def rule(self, rule: str, line: int | None = None) -> CoachFinding | None:
        """The first coaching finding of ``rule`` (on ``line`` when given)."""
        for finding in self.coaching:
            if finding.rule == rule and (line is None or finding.span.start_line == line):
                return finding
        return None

    def enclosing_loop(self, line: int) -> ast.While | ast.For | None:
        """The innermost loop of the file whose body holds 0-based ``line``."""
        if self.tree is None:
            return None
        best: ast.While | ast.For | None = None
        for node in ast.walk(self.tree):
            inside = isinstance(node, ast.While | ast.For) and (
                node.lineno - 1 <= line <= (node.end_lineno or 0) - 1
            )
            if inside and isinstance(node, ast.While | ast.For) and (best is None or node.lineno >= best.lineno):
                best = node
        return best


@dataclass
class Failure:
    """One failing test, with what an explainer may look at."""

    test: TestResult
    expected: Any
    actual: Any
    code: Code

    @property
    def wrong_answer(self) -> bool:
        return self.test.status is TestStatus.FAILED

    @property
    def values_known(self) -> bool:
        return self.expected is not MISSING and self.actual is not MISSING


def _value(text: str | None) -> Any:
    if text is None:
        return MISSING
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return MISSING


def _values(test: TestResult, question: Question) -> tuple[Any, Any]:
    case = question.tests[test.index] if 0 <= test.index < len(question.tests) else None
    if case is None or test.status is not TestStatus.FAILED:
        return MISSING, MISSING
    if case.mode is Compare.STDOUT:
        return MISSING, MISSING
    expected = _value(test.expected_full or test.expected) if test.expected is not None else MISSING
    actual = _value(test.actual_full or test.actual) if test.actual is not None else MISSING
    return expected, actual


def _kind(value: Any) -> str:
    names = {list: "a list", tuple: "a tuple", set: "a set", frozenset: "a frozenset",
             dict: "a dict", str: "text", int: "a whole number (int)", float: "a float",
             bool: "a bool", type(None): "None"}
    return names.get(type(value), f"a {type(value).__name__}")


def _line(node: ast.AST | None) -> int | None:
    lineno = getattr(node, "lineno", None)
    return lineno - 1 if isinstance(lineno, int) else None


def _return_line(code: Code, prefer: Callable[[ast.expr], bool] | None = None) -> int | None:
    """The line of the ``return`` most likely responsible (one matching ``prefer``, else the last)."""
    returns = code.returns
    if prefer is not None:
        for node in returns:
            if node.value is not None and prefer(node.value):
                return _line(node)
    return _line(returns[-1]) if returns else None


# -- explainers: values and printed output ------------------------------------------


def printed_not_returned(f: Failure) -> Cause | None:
    """``print(x)`` instead of ``return x``: the tests got None, and the output (or the code) shows it."""
    if not f.wrong_answer or f.expected is None:
        return None
    printed = f.test.stdout.strip().splitlines()[-1].strip() if f.test.stdout.strip() else ""
    never_returns = f.code.rule("print-not-return") is not None
    if f.actual is MISSING and f.test.hidden and never_returns:
        pass  # a hidden test of a function that cannot return anything but None
    elif f.actual is not None or not (printed or never_returns):
        return None
    line = _line(f.code.prints[0]) if f.code.prints else None
    if printed:
        shown = printed if len(printed) <= 40 else printed[:39] + "…"
        sentence = f"You printed {shown} but returned nothing: the tests see only what you `return`."
    else:
        sentence = "The function prints but returns nothing: the tests see only what you `return`."
    return Cause("printed-not-returned", sentence, line)


def container_swap(f: Failure) -> Cause | None:
    """A list where a tuple is expected (or any two container kinds with the same items)."""
    containers = (list, tuple, set, frozenset)
    if not f.values_known or type(f.expected) is type(f.actual):
        return None
    if not (isinstance(f.expected, containers) and isinstance(f.actual, containers)):
        return None
    try:
        same = sorted(map(repr, f.expected)) == sorted(map(repr, f.actual))
    except TypeError:
        return None
    got, want = _kind(f.actual), _kind(f.expected)
    detail = " with the right items" if same else ""
    makers = {list: (ast.List, ast.ListComp), tuple: (ast.Tuple,), set: (ast.Set, ast.SetComp)}
    shapes = makers.get(type(f.actual), ())
    line = _return_line(f.code, lambda node: isinstance(node, shapes)) if shapes else _return_line(f.code)
    return Cause("container-kind", f"You returned {got}{detail}; {want} is expected.", line)


def text_versus_number(f: Failure) -> Cause | None:
    """``'1'`` where ``1`` is expected, or the other way round."""
    if not f.values_known or type(f.expected) is type(f.actual):
        return None
    if isinstance(f.actual, str) and not isinstance(f.expected, str) and f.actual == str(f.expected):
        line = _return_line(f.code, lambda n: isinstance(n, ast.Call | ast.JoinedStr))
        return Cause(
            "text-not-number",
            f"You returned the text {f.actual!r}; the tests want {_kind(f.expected)}, {f.expected!r}.",
            line,
        )
    if isinstance(f.expected, str) and not isinstance(f.actual, str) and str(f.actual) == f.expected:
        return Cause(
            "number-not-text",
            f"You returned {_kind(f.actual)}, {f.actual!r}; the tests want the text {f.expected!r}.",
            _return_line(f.code),
        )
    return None


def _pairs(expected: Any, actual: Any) -> Iterator[tuple[Any, Any]]:
    """(expected, actual) at the same place of two values of the same shape, outermost first."""
    yield expected, actual
    if type(expected) is type(actual) and isinstance(expected, list | tuple) and len(expected) == len(actual):
        for inner in zip(expected, actual, strict=True):
            yield from _pairs(*inner)


def floor_division(f: Failure) -> Cause | None:
    """An int where a float is expected (anywhere in the value), and the code divides with ``//``."""
    if not f.values_known or not any(
        type(e) is float and type(a) in (int, float) and math.isfinite(e) and a == math.floor(e) != e
        for e, a in _pairs(f.expected, f.actual)
    ):
        return None
    floors = [n for n in f.code.entry_nodes() if isinstance(n, ast.BinOp | ast.AugAssign)
              and isinstance(n.op, ast.FloorDiv)]
    if not floors:
        return None
    return Cause("floor-division", "`//` drops the fraction; use `/` to keep it.", _line(floors[0]))


def true_division(f: Failure) -> Cause | None:
    """A float where a whole number is expected, and the code divides with ``/``."""
    if not f.values_known or not any(
        type(e) is int and type(a) is float for e, a in _pairs(f.expected, f.actual)
    ):
        return None
    divisions = [n for n in f.code.entry_nodes() if isinstance(n, ast.BinOp | ast.AugAssign)
                 and isinstance(n.op, ast.Div)]
    if not divisions:
        return None
    return Cause("true-division", "`/` always gives a float (with a decimal point); the tests want a "
                 "whole number: use `//`, or `round(...)`/`int(...)` where the question says so.",
                 _line(divisions[0]))


def characters_not_text(f: Failure) -> Cause | None:
    """A list of one-character strings where a string is expected."""
    if not f.values_known or not isinstance(f.expected, str) or not isinstance(f.actual, list | tuple):
        return None
    if not f.actual or not all(isinstance(item, str) for item in f.actual):
        return None
    joined = "".join(f.actual)
    detail = " that would be right joined together" if joined == f.expected else ""
    return Cause("characters-not-text", f"You returned {_kind(f.actual)} of strings{detail}; the tests want "
                 "one string: join the pieces with `''.join(...)`.", _return_line(f.code))


def ended_without_return(f: Failure) -> Cause | None:
    """None returned by a function with no ``return <value>`` at all."""
    if not f.wrong_answer or f.actual is not None or f.expected is None or f.code.entry is None:
        return None
    if f.code.returns:
        return None
    body = f.code.entry.body
    return Cause(
        "no-return",
        f"`{f.code.entry.name}` ends without a `return`, so it gives back None.",
        _line(body[-1]) if body else _line(f.code.entry),
    )


# -- explainers: patterns in the code (shared with the coaching rules) --------------

def _from_rule(rule: str, code: str, sentence: str) -> Callable[[Failure], Cause | None]:
    def explainer(f: Failure) -> Cause | None:
        if not f.wrong_answer:
            return None
        finding = f.code.rule(rule)
        if finding is None:
            return None
        return Cause(code, sentence.format(message=finding.message), finding.span.start_line)

    explainer.__name__ = code.replace("-", "_")
    explainer.__doc__ = f"A wrong answer and the coaching rule ``{rule}`` fires in the entry."
    return explainer


return_in_loop = _from_rule(
    "return-in-loop", "return-in-loop",
    "The function returns after the first item of the loop; dedent the `return` so it runs after the loop.",
)
mutated_while_looping = _from_rule(
    "mutate-iterated", "mutate-iterated",
    "Removing from the list you loop over makes the loop skip items; build a new list instead.",
)
constant_or = _from_rule("constant-or", "constant-or", "{message}")
comparison_statement = _from_rule("comparison-statement", "comparison-statement", "{message}")


def returned_input(f: Failure) -> Cause | None:
    """The function gave back one of its arguments unchanged."""
    if not f.values_known or f.code.entry is None or f.actual is None:
        return None
    try:
        call = parse_call(f.test.call)
        arguments = ast.literal_eval(call.args_source)
    except (LiteralError, ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None
    params = [a.arg for a in f.code.entry.args.args]
    # Only a `return <parameter>` the code really has: a constant that happens to equal
    # an argument (`return 1` when the argument is 1) is not "the input unchanged".
    returned = {node.value.id for node in ast.walk(f.code.entry)
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Name)}
    for name, value in zip(params, arguments, strict=False):
        if name in returned and type(value) is type(f.actual) and value == f.actual and value != f.expected:
            return Cause("returned-input", f"You returned the input `{name}` unchanged.")
    return None


def text_differs_in_case_or_spaces(f: Failure) -> Cause | None:
    """The right text except for upper/lower case, or spaces at its ends."""
    if not f.values_known or not isinstance(f.expected, str) or not isinstance(f.actual, str):
        return None
    if f.actual.lower() == f.expected.lower():
        return Cause("letter-case", "Your text is right except for upper and lower case letters.")
    if f.expected.strip() and f.actual.strip() == f.expected.strip():
        return Cause("extra-spaces", "Your text is right except for spaces or line breaks at its start or end.")
    return None


def opposite_bool(f: Failure) -> Cause | None:
    """True where False is expected, or the other way round."""
    if not f.values_known or type(f.expected) is not bool or type(f.actual) is not bool:
        return None
    return Cause("opposite-bool", f"Here your function answers {f.actual} where {f.expected} is expected: "
                 "check the condition (a missing or extra `not`, `==` against `!=`, `and` against `or`).")


def wrong_order(f: Failure) -> Cause | None:
    """The right items in another order (reversed, or just shuffled)."""
    if not f.values_known or type(f.expected) is not type(f.actual):
        return None
    if not isinstance(f.expected, list | tuple | str) or len(f.expected) != len(f.actual) or len(f.expected) < 2:
        return None
    if f.actual == f.expected[::-1]:
        return Cause("reversed", "Your result is in reverse order.")
    try:
        if sorted(f.actual) == sorted(f.expected):
            return Cause("wrong-order", "Your result has the right items, in the wrong order.")
    except TypeError:
        return None
    return None


def _loops(code: Code) -> bool:
    """Whether the entry has a loop or a ``range(...)`` whose bounds could put a result one off."""
    return any(isinstance(node, ast.For | ast.While)
               or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range")
               for node in code.entry_nodes())


def _counting_loop(code: Code) -> bool:
    """Whether a loop of the entry counts or adds up (``n += ...``) or gives back its own variable:
    the loops whose bounds make a number one off."""
    targets: set[str] = set()
    for node in code.entry_nodes():
        if isinstance(node, ast.For | ast.comprehension):
            targets.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
            if isinstance(node, ast.For) and any(isinstance(n, ast.AugAssign) for n in ast.walk(node)):
                return True
        elif isinstance(node, ast.While):
            if any(isinstance(n, ast.AugAssign) for n in ast.walk(node)):
                return True
            targets.update(n.id for n in ast.walk(node.test) if isinstance(n, ast.Name))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "len")
              and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "range"
                      for n in ast.walk(node))):
            return True
    return any(isinstance(r.value, ast.Name) and r.value.id in targets for r in code.returns)


def _slice(code: Code) -> ast.Subscript | None:
    for node in code.entry_nodes():
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            return node
    return None


def _end_cause(code: Code, sentence: str, where: str) -> Cause:
    """``sentence`` plus where to look: the loop or ``range`` when the entry has one, else its slice."""
    if _loops(code):
        return Cause("off-by-one", f"{sentence}: check where the loop or `range` {where}.")
    cut = _slice(code)
    if cut is not None:
        return Cause("off-by-one", f"{sentence}: check the bounds of this slice (`a[i:j]` stops "
                                   "just before `j`).", _line(cut))
    return Cause("off-by-one", f"{sentence}.")


def off_by_one(f: Failure) -> Cause | None:
    """One item too many or too few at an end, or a number one away from the answer.

    The loop or ``range`` is named only when the entry has one that could be the cause."""
    if not f.values_known or type(f.expected) is not type(f.actual):
        return None
    exp, act = f.expected, f.actual
    if type(exp) is int:
        if abs(exp - act) == 1:
            more = "one more" if act > exp else "one less"
            if _counting_loop(f.code):
                return Cause("off-by-one",
                             f"Your answer is {more} than expected: check where a loop or `range` "
                             f"starts and stops, and `<` against `<=`.")
            return Cause("off-by-one", f"Your answer is {more} than expected: look for the case "
                                       "your code counts once too often or misses.")
        return None
    if not isinstance(exp, list | tuple | str) or abs(len(exp) - len(act)) != 1:
        return None
    what = "character" if isinstance(exp, str) else "item"
    if len(act) < len(exp):
        if act == exp[:-1]:
            return _end_cause(f.code, f"Your result misses the last {what}, {exp[-1]!r}", "stops")
        if act == exp[1:]:
            return _end_cause(f.code, f"Your result misses the first {what}, {exp[0]!r}", "starts")
    else:
        if act[:-1] == exp:
            return _end_cause(f.code, f"Your result has one {what} too many at the end, {act[-1]!r}", "stops")
        if act[1:] == exp:
            return _end_cause(f.code, f"Your result has one {what} too many at the start, {act[0]!r}",
                              "starts")
    return None


def _calls(code: Code, name: str) -> list[ast.Call]:
    """Every call of the builtin ``name`` in the file, in source order."""
    if code.tree is None:
        return []
    found = [n for n in ast.walk(code.tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def sum_of_text(f: Failure) -> Cause | None:
    """``sum()`` over strings: Python's ``int + str`` TypeError, or its "can't sum strings"."""
    error = f.test.error
    if f.test.status is not TestStatus.ERROR or error is None or error.type != "TypeError":
        return None
    if not re.search(r"for \+: 'int' and 'str'|can't sum strings", error.message):
        return None
    sums = _calls(f.code, "sum")
    if not sums:
        return None
    near = [n for n in sums if error.line is not None and n.lineno == error.line]
    return Cause("sum-of-text", "`sum()` adds numbers; to join text use `\"\".join(...)`.",
                 _line((near or sums)[0]))


def missing_entry(f: Failure) -> Cause | None:
    """The question's function (or class) is not in the file: renamed, most likely."""
    error = f.test.error
    question = f.code.question
    if f.test.status is not TestStatus.ERROR or error is None or error.type != "NameError":
        return None
    if not error.message.startswith(f"{question.entry!r} is not defined: keep the"):
        return None
    tree = f.code.tree
    if tree is None:
        return None
    kind = "class" if question.kind is Kind.CLASS else "function"
    shape = ast.ClassDef if question.kind is Kind.CLASS else ast.FunctionDef | ast.AsyncFunctionDef
    defined = [n for n in tree.body if isinstance(n, shape)]
    if any(n.name == question.entry for n in defined):
        return None
    given = set(question.given)
    candidates = [n for n in defined if n.name not in given] or defined
    import difflib  # only for a misnamed entry: a check rarely needs it

    closest = difflib.get_close_matches(question.entry, [n.name for n in candidates], n=1, cutoff=0.0)
    node = next((n for n in candidates if closest and n.name == closest[0]), None)
    called = f"`{question.entry}(...)`" if kind == "function" else f"the class `{question.entry}`"
    have = f" (you have `{node.name}`)" if node is not None else ""
    return Cause("missing-entry", f"The question calls {called}, but your file defines no {kind} "
                 f"`{question.entry}`; did you rename it?{have}", _line(node) if node is not None else 0)


def _parameter_rebound(tree: ast.Module) -> ast.Assign | ast.AnnAssign | None:
    """The first ``param = ...`` in a function that has ``param`` as a parameter (nested ones apart)."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = function.args
        params = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        stack: list[ast.AST] = list(function.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in params for t in targets):
                    return node
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                stack.extend(ast.iter_child_nodes(node))
    return None


def _parts(value: Any) -> list[Any]:
    """The items of a tuple (an in-place question's helper gives back ``(result, nums)``)."""
    return list(value) if isinstance(value, tuple) else []


def rebound_parameter(f: Failure) -> Cause | None:
    """An in-place question (its helper gives back ``(result, nums)``) whose list comes back
    unchanged, and the code rebinds a parameter (``nums = [...]``)."""
    if not f.values_known or f.code.tree is None or f.test.call is None:
        return None
    try:
        arguments = ast.literal_eval(parse_call(f.test.call).args_source)
    except (LiteralError, ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None
    unchanged = [a for a in arguments if isinstance(a, list | dict | set)
                 and a in _parts(f.actual) and a not in _parts(f.expected)]
    if not unchanged:
        return None
    node = _parameter_rebound(f.code.tree)
    if node is None:
        return None
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    name = next(t.id for t in targets if isinstance(t, ast.Name))
    return Cause("rebound-parameter", f"`{name} = …` makes a new list; the caller's list is unchanged. "
                 f"Change it in place: `{name}[:] = …` or modify items.", _line(node))


# -- explainers: exceptions and timeouts --------------------------------------------

_NONE_VALUE: Final = ("A value here is None, often the result of a function (or method like "
                      "`.sort()`) that returns nothing.")
_ERROR_SENTENCES: Final[list[tuple[str, re.Pattern[str], str]]] = [
    ("NameError", re.compile(r"Did you mean"), "A name is misspelt or not defined yet; "
     "Python suggests the name it thinks you meant."),
    ("NameError", re.compile(r""), "This name is used before anything was stored in it: check "
     "the spelling, and that it is assigned (or imported) before this line."),
    ("UnboundLocalError", re.compile(r""), "This function assigns to the name later, so here it "
     "is a local that has no value yet; give it a value before you read it."),
    ("IndexError", re.compile(r"out of range"), "An index is past the end: a sequence of n "
     "items has the indexes 0 to n - 1."),
    ("KeyError", re.compile(r""), "The dictionary has no such key; check it with `in` or use `.get()`."),
    ("ZeroDivisionError", re.compile(r""), "The code divides by zero; check for zero before dividing."),
    ("TypeError", re.compile(r"can only concatenate str|unsupported operand type.*'str'|"
                             r"must be str, not"), "Text and numbers do not mix with `+`: "
     "convert one side first, with `str(...)` or `int(...)`."),
    ("TypeError", re.compile(r"'NoneType'"), _NONE_VALUE),
    ("AttributeError", re.compile(r"'NoneType'"), _NONE_VALUE),
    ("EOFError", re.compile(r""), "`input()` found nothing to read: the tests give a function its "
     "arguments, and a program only the input its test provides; do not ask for more."),
    ("RecursionError", re.compile(r""), "The function calls itself more than about 1000 levels deep: "
     "either a base case is never reached, or each call shrinks the input too little for an input "
     "this big (halve it instead of taking 1 off, or use a loop)."),
]


def error_sentence(f: Failure) -> Cause | None:
    """A plain sentence for common exceptions (Python's own message stays as the evidence)."""
    error = f.test.error
    if f.test.status is not TestStatus.ERROR or error is None:
        return None
    for kind, pattern, sentence in _ERROR_SENTENCES:
        if error.type == kind and pattern.search(error.message):
            return Cause(f"error-{kind}", sentence)
    return None


def endless_loop(f: Failure) -> Cause | None:
    """A timeout in (or, without a line, anywhere near) a loop whose condition never changes."""
    if f.test.status is not TestStatus.TIMEOUT:
        return None
    running = f.test.stopped_line - 1 if f.test.stopped_line else None
    code = f.code
    if running is not None:
        loop = code.enclosing_loop(running)
        if loop is not None:
            finding = code.rule("while-unchanged", loop.lineno - 1)
            if finding is not None:
                return Cause("endless-loop", finding.message, loop.lineno - 1)
            forever = isinstance(loop, ast.While) and isinstance(loop.test, ast.Constant) and loop.test.value
            if forever and not any(isinstance(node, ast.Break | ast.Return) for node in ast.walk(loop)):
                return Cause("endless-loop", f"`{code.lines[loop.lineno - 1].strip()}` has no `break` or "
                             "`return` inside, so it never ends.", loop.lineno - 1)
            where = f" (at line {running + 1})" if running != loop.lineno - 1 else ""
            return Cause("stuck-loop", f"The test was stopped while this loop was running{where}: "
                         "check that it moves towards its end.", loop.lineno - 1)
        return Cause("stuck", f"The test was stopped while line {running + 1} was running.", running)
    finding = code.rule("while-unchanged")
    if finding is not None:
        return Cause("endless-loop", finding.message, finding.span.start_line)
    return None


EXPLAINERS: Final[tuple[Callable[[Failure], Cause | None], ...]] = (
    printed_not_returned,
    container_swap,
    text_versus_number,
    floor_division,
    true_division,
    characters_not_text,
    rebound_parameter,
    ended_without_return,
    return_in_loop,
    mutated_while_looping,
    constant_or,
    comparison_statement,
    returned_input,
    text_differs_in_case_or_spaces,
    opposite_bool,
    wrong_order,
    off_by_one,
    missing_entry,
    sum_of_text,
    error_sentence,
    endless_loop,
)
"""Tried in order; the first cause found explains the failure."""


def explain_test(test: TestResult, question: Question, code: Code) -> Cause | None:
    """The cause of one failing test, or None when nothing explains it."""
    expected, actual = _values(test, question)
    failure = Failure(test, expected, actual, code)
    for explainer in EXPLAINERS:
        try:
            cause = explainer(failure)
        except Exception:  # an explainer must never take the results down
            cause = None
        if cause is not None:
            return cause
    return None


def explain(result: RunResult, question: Question, source: str) -> dict[int, Cause]:
    """Test index -> cause, for every failing test of ``result`` that has one.

    An entry function that is still the question's stub explains nothing: the
    learner has not started, and "returns None" would only be noise. Nor does
    the learner's own test (``own``): its expected value may be the mistake, so
    hints never start from it.
    """
    code = Code(source, question)
    causes: dict[int, Cause] = {}
    if code.untouched:
        return causes
    for test in result.tests:
        if test.status in (TestStatus.FAILED, TestStatus.ERROR, TestStatus.TIMEOUT) and not test.own:
            cause = explain_test(test, question, code)
            if cause is not None:
                causes[test.index] = cause
    return causes


# -- syntax errors ----------------------------------------------------------------

_ASSIGN_IN_TEST: Final = re.compile(r"\b(if|elif|while)\b[^=\n]*[^=!<>:]=[^=]")


def syntax_sentence(error_type: str, message: str, line_text: str) -> str | None:
    """One plain sentence after a syntax or indentation error, when one fits."""
    if error_type == "TabError":
        return "This file mixes tabs and spaces for indentation; indent with spaces only (4 per level)."
    if "Maybe you meant '==' or ':='" in message or (
        message == "invalid syntax" and _ASSIGN_IN_TEST.search(line_text)
    ):
        return "`=` stores a value; to compare two values, use `==`."
    if message.startswith("expected ':'"):
        return "A line that starts a block (`if`, `for`, `while`, `def`, ...) must end with a colon `:`."
    if "was never closed" in message:
        return "A bracket opened here is never closed; add the matching `)`, `]` or `}`."
    if "does not match" in message and "parenthesis" in message:
        return "The closing bracket does not match the one that was opened; pair `(` with `)`, `[` with `]`."
    if message.startswith("unmatched"):
        return "This closing bracket has no opening bracket before it."
    if message.startswith("expected an indented block"):
        return "The line after a `:` must be indented one level more than the line with the `:`."
    if message.startswith("unindent does not match"):
        return "This line's indentation does not line up with any line above it; use 4 spaces per level."
    if message.startswith("unexpected indent"):
        return "This line is indented, but nothing above opens a block here; line it up with the line before."
    if "unterminated string" in message or "unterminated triple-quoted" in message:
        return "A string starts here but its closing quote is missing."
    if "'return' outside function" in message:
        return "`return` can only be used inside a function; check this line's indentation."
    return None
