"""Starter code is a skeleton, never a near-solution: the shape ``pytrix data check`` enforces.

A stub holds what the learner is told to write and nothing that reads as a
hint to the approach: imports, the function (or class with its method
signatures, dataclass fields without computed defaults), each body a docstring
at most plus ``pass``, ``...`` or ``raise NotImplementedError``, and a
``# TODO`` comment saying what is left to do. A program's stub is a ``main()``
skeleton and the call to it. :func:`stub_problems` lists what breaks that
shape; the behavioural half (the stub fails every test) is proved by running
it, in :mod:`pytrix.curriculum.verify`.
"""

from __future__ import annotations

import ast

TODO_MARK = "# TODO"


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(
        node.value.value, str
    )


def is_placeholder(node: ast.stmt) -> bool:
    """``pass``, ``...`` or ``raise NotImplementedError`` (with or without a message)."""
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis:
        return True
    if isinstance(node, ast.Raise) and node.cause is None and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        args = node.exc.args if isinstance(node.exc, ast.Call) else []
        return (isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
                and all(isinstance(a, ast.Constant) for a in args))
    return False


def _function_problems(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    body = node.body[1:] if node.body and _is_docstring(node.body[0]) else node.body
    if len(body) == 1 and is_placeholder(body[0]):
        return []
    if not body and node.body:  # a docstring alone is a valid body
        return []
    return [f"line {node.lineno}: the body of {node.name}() must be only a docstring and "
            "pass, ... or raise NotImplementedError"]


def _class_problems(node: ast.ClassDef) -> list[str]:
    problems: list[str] = []
    for item in node.body:
        if _is_docstring(item) or is_placeholder(item):
            continue
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            problems += _function_problems(item)
        elif isinstance(item, ast.AnnAssign) and _is_declaration(item.value):
            continue  # a field and its declared default
        elif isinstance(item, ast.ClassDef):
            problems += _class_problems(item)
        else:
            problems.append(f"line {item.lineno}: class {node.name} may hold only its docstring, "
                            "fields and method skeletons")
    return problems


def _is_declaration(value: ast.expr | None) -> bool:
    """A field's default as a declaration: none, a constant, or ``field(...)`` over names and constants."""
    if value is None or isinstance(value, ast.Constant):
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "field"
            and not value.args
            and all(isinstance(k.value, (ast.Constant, ast.Name)) for k in value.keywords))


def _is_main_call(node: ast.stmt) -> bool:
    """``main()`` or ``if __name__ == "__main__": main()``."""
    if isinstance(node, ast.If) and len(node.body) == 1 and not node.orelse:
        return "__name__" in ast.unparse(node.test) and _is_main_call(node.body[0])
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and not node.value.args and not node.value.keywords)


def _names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return [t.id for t in targets if isinstance(t, ast.Name)]


def stub_problems(stub: str, given: list[str] | tuple[str, ...] = ()) -> list[str]:
    """What makes ``stub`` more than a skeleton (empty when it is one).

    Top-level definitions named in ``given`` (helpers the tests call, which the
    prompt says are already written) are left as they are.
    """
    try:
        tree = ast.parse(stub)
    except SyntaxError as exc:
        return [f"the stub has a syntax error on line {exc.lineno}"]
    problems: list[str] = []
    if TODO_MARK not in stub:
        problems.append(f"the stub has no {TODO_MARK!r} comment saying what is left to write")
    defines = False
    defined: set[str] = set()
    for node in tree.body:
        names = _names(node)
        defined.update(names)
        if names and all(name in given for name in names):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defines = True
            problems += _function_problems(node)
        elif isinstance(node, ast.ClassDef):
            defines = True
            problems += _class_problems(node)
        elif _is_docstring(node) or isinstance(node, (ast.Import, ast.ImportFrom)) or _is_main_call(node):
            continue
        else:
            problems.append(f"line {node.lineno}: a stub holds only imports, definitions and a "
                            "main() call, not code that computes")
    if not defines:
        problems.append("the stub defines nothing: give the function (or class, or main) to write")
    problems.extend(f"given {name!r} is not defined at the top of the stub" for name in given if name not in defined)
    return problems
