"""Offline answers: a static review of the learner's code from its AST and test results.

Nothing is executed here: the code is parsed with ``ast``. The review gives a
verdict from the tests, an estimate of the time complexity from loop nesting,
and style notes at the lines concerned (severity information or hint).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from pytrix.curriculum.question import Question
from pytrix.curriculum.stubs import is_placeholder
from pytrix.practice.findings import Finding, Severity
from pytrix.runner.protocol import RunResult

REVIEW_SOURCE = "pytrix-ai"
_BUILTINS = frozenset({"list", "dict", "str", "set", "tuple", "int", "float", "sum", "max", "min",
                       "len", "input", "id", "type", "sorted", "map", "filter", "iter", "next",
                       "range", "all", "any", "bytes", "format", "hash", "object", "open"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.Try)


@dataclass(frozen=True)
class Note:
    """One remark at a 1-based line (or None for the whole file)."""

    line: int | None
    severity: Severity
    message: str


@dataclass
class StaticReview:
    verdict: str
    correctness: str
    complexity: str
    notes: list[Note] = field(default_factory=list)


def verdict_of(result: RunResult | None) -> tuple[str, str]:
    if result is None:
        return "not run", "The tests have not run yet."
    if result.compile_error is not None:
        err = result.compile_error
        return "incorrect", f"The file has a syntax error on line {err.line}: {err.message}."
    if result.module_error is not None:
        return "incorrect", f"The file fails to load: {result.message or result.module_error.message}"
    if result.all_passed:
        return "correct", f"All {result.total} tests pass."
    failing = [t for t in result.tests if t.status.value != "passed" and not t.own]  # own tests never count
    examples = "; ".join(
        f"`{t.call}` {t.status.value}" + (f" (expected {t.expected}, got {t.actual})"
                                          if t.expected is not None and t.actual is not None else "")
        for t in failing[:3] if not (t.hidden and t.expected is None)
    )
    verdict = "partly correct" if result.passed else "incorrect"
    tail = f" Failing: {examples}." if examples else ""
    return verdict, f"{result.passed}/{result.total} tests pass.{tail}"


def _loop_depth(node: ast.AST, depth: int = 0) -> int:
    deepest = depth
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        step = 1 if isinstance(child, _LOOPS) else 0
        deepest = max(deepest, _loop_depth(child, depth + step))
    return deepest


def _block_depth(node: ast.AST, depth: int = 0) -> int:
    deepest = depth
    for child in ast.iter_child_nodes(node):
        step = 1 if isinstance(child, _BLOCKS) else 0
        deepest = max(deepest, _block_depth(child, depth + step))
    return deepest


def _inside_loops(tree: ast.AST) -> list[ast.AST]:
    """Nodes that sit inside a loop body."""
    found: list[ast.AST] = []
    for loop in ast.walk(tree):
        if isinstance(loop, ast.For | ast.AsyncFor | ast.While):
            for part in loop.body:
                found.extend(ast.walk(part))
    return found


def _is_call(node: ast.AST, *names: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in names


def _complexity(entry: ast.AST | None, tree: ast.Module) -> tuple[str, list[Note]]:
    scope = entry or tree
    depth = _loop_depth(scope)
    notes: list[Note] = []
    sorts = any(_is_call(n, "sorted", "sort") for n in ast.walk(scope))
    recursive = isinstance(entry, ast.FunctionDef) and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry.name
        for n in ast.walk(entry)
    )
    if recursive:
        estimate = "recursive: the cost depends on how many calls each call makes"
        notes.append(Note(getattr(entry, "lineno", None), "information",
                          "Recursion: Python's default depth limit is about 1000 calls, so very "
                          "large inputs may need an iterative version or memoisation."))
    elif depth == 0:
        estimate = "O(n log n) time (a sort)" if sorts else "O(1) or O(n) time (no explicit loops)"
    elif depth == 1:
        estimate = "O(n log n) time (a sort)" if sorts else "about O(n) time (one level of loops)"
    else:
        estimate = f"about O(n^{depth}) time ({depth} nested loops)"
    for node in _inside_loops(scope):
        if _is_call(node, "insert") and isinstance(node, ast.Call) and node.args and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value == 0:
            notes.append(Note(node.lineno, "hint", "insert(0, ...) inside a loop shifts the whole "
                              "list each time (O(n) per call); append and reverse once, or use "
                              "collections.deque."))
        elif _is_call(node, "pop") and isinstance(node, ast.Call) and node.args and \
                isinstance(node.args[0], ast.Constant) and node.args[0].value == 0:
            notes.append(Note(node.lineno, "hint", "pop(0) inside a loop is O(n) per call; "
                              "collections.deque.popleft() is O(1)."))
        elif _is_call(node, "count", "index") and isinstance(node, ast.Call):
            notes.append(Note(node.lineno, "hint", ".count()/.index() inside a loop scans the "
                              "sequence every time; a dict or collections.Counter built once is "
                              "usually faster."))
    return estimate, notes


def _style(tree: ast.Module, entry: ast.FunctionDef | ast.AsyncFunctionDef | None) -> list[Note]:
    notes: list[Note] = []
    in_loops = {id(node) for node in _inside_loops(tree)}
    string_vars: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str):
            string_vars.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and _is_call(node.iter, "range") and isinstance(node.iter, ast.Call) \
                and len(node.iter.args) == 1 and _is_call(node.iter.args[0], "len"):
            notes.append(Note(node.lineno, "hint", "for i in range(len(...)): iterate over the "
                              "items directly, or use enumerate() when you need the index too."))
        elif isinstance(node, ast.ExceptHandler) and node.type is None:
            notes.append(Note(node.lineno, "information", "A bare except: also catches "
                              "KeyboardInterrupt and hides bugs; name the exception you expect."))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if isinstance(default, ast.List | ast.Dict | ast.Set):
                    notes.append(Note(default.lineno, "information", "A mutable default argument "
                                      "is shared between calls; default to None and create it inside."))
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > 40:
                notes.append(Note(node.lineno, "hint", f"{node.name} is {length} lines long; "
                                  "splitting it into helpers would make it easier to read."))
            if _block_depth(node) > 4:
                notes.append(Note(node.lineno, "hint", f"{node.name} nests blocks more than four "
                                  "deep; early returns or helpers would flatten it."))
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            for comparator in node.comparators:
                if isinstance(comparator, ast.Constant) and comparator.value is None:
                    notes.append(Note(node.lineno, "hint", "Compare with None using `is` / `is not`."))
                elif isinstance(comparator, ast.Constant) and isinstance(comparator.value, bool):
                    notes.append(Note(node.lineno, "hint", "Comparing with True/False is "
                                      "redundant: use the condition itself (or `not`)."))
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and \
                isinstance(node.target, ast.Name) and node.target.id in string_vars and \
                id(node) in in_loops:
            notes.append(Note(node.lineno, "hint", "Building a string with += in a loop copies it "
                              "each time; collect the pieces in a list and ''.join() them."))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in _BUILTINS:
            notes.append(Note(node.lineno, "information", f"The name {node.id!r} hides the "
                              f"built-in {node.id}(); pick another name."))
        elif isinstance(node, ast.Global):
            notes.append(Note(node.lineno, "hint", "global state makes a function harder to test; "
                              "pass values in and return results instead."))
    if entry is not None and any(_is_call(n, "print") for n in ast.walk(entry)):
        notes.append(Note(entry.lineno, "information", "The tests read what the function returns; "
                          "print() output is only shown as a debugging aid."))
    return notes


def _entry(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
        if isinstance(node, ast.ClassDef) and node.name == name:
            return None
    return None


def _is_unwritten(entry: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [s for s in entry.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return all(is_placeholder(s) for s in body)  # pass, ... or raise NotImplementedError


def static_review(question: Question, source: str, result: RunResult | None) -> StaticReview:
    """Review ``source`` without running or sending it anywhere."""
    verdict, correctness = verdict_of(result)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return StaticReview(verdict, correctness, "unknown (the code does not parse)")
    entry = _entry(tree, question.entry)
    notes: list[Note] = []
    if entry is None and question.kind.value == "function":
        notes.append(Note(None, "information", f"There is no function `{question.entry}` at the top "
                          "level of the file; the tests call it by that name."))
    elif entry is not None and _is_unwritten(entry):
        notes.append(Note(entry.lineno, "information", f"`{question.entry}` is not written yet: "
                          "its body is only `pass`."))
    complexity, complexity_notes = _complexity(entry, tree)
    notes.extend(complexity_notes)
    notes.extend(_style(tree, entry))
    unique: dict[tuple[int | None, str], Note] = {}
    for note in notes:
        unique.setdefault((note.line, note.message), note)
    ordered = sorted(unique.values(), key=lambda n: (n.line or 0, n.message))
    return StaticReview(verdict, correctness, complexity, ordered)


def note_findings(notes: list[Note], source: str, code: str) -> list[Finding]:
    """Notes as findings at their lines (whole-file notes land on line 1)."""
    lines = source.splitlines() or [""]
    findings: list[Finding] = []
    for note in notes:
        line = note.line if note.line is not None and 1 <= note.line <= len(lines) else 1
        text = lines[line - 1]
        start = len(text) - len(text.lstrip())
        findings.append(Finding(line - 1, start, max(len(text), start + 1), note.severity,
                                note.message, code, {}, REVIEW_SOURCE))
    return findings
