"""Layers point one way: no domain module imports the application service or the CLI,
and the language server never imports the CLI.

Unlike the circle test, imports under ``if TYPE_CHECKING:`` count here: a type
import of the service from a domain module is the start of a circle.
"""

from __future__ import annotations

import ast

from test_import_graph import PACKAGE, _module_name

FRONT_ENDS = ("pytrix.cli", "pytrix.lsp", "pytrix.__main__")


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def layer_breaches() -> list[str]:
    """``module -> import`` for every import that points up a layer."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if _within(module, FRONT_ENDS) or module == "pytrix.service":
            forbidden: tuple[str, ...] = ("pytrix.cli",) if module.startswith("pytrix.lsp") else ()
        else:
            forbidden = ("pytrix.service", "pytrix.cli")
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if _within(name, forbidden):
                found.append(f"{module} -> {name}")
    return found


def test_no_domain_module_imports_the_service_or_the_cli() -> None:
    assert layer_breaches() == []


def test_a_type_only_import_of_the_service_counts() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pytrix.service import PytrixService\n")
    assert "pytrix.service.PytrixService" in _imported(tree)
    assert _within("pytrix.cli.output", ("pytrix.cli",)) and not _within("pytrix.client", ("pytrix.cli",))
