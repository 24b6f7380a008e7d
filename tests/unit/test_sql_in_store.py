"""All SQL lives in ``server/pytrix/store/``: the test fails when SQL text or a
database call appears in any other server module.

It walks each module's AST for string constants that start like a statement
(SELECT, INSERT, UPDATE, DELETE, CREATE, WITH, PRAGMA, REPLACE, ...) and for
calls of ``.execute``, ``.executemany``, ``.executescript`` or ``.query``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "pytrix"
STORE = PACKAGE / "store"
STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|PRAGMA|REPLACE|BEGIN|COMMIT|ROLLBACK)\b"
)
DATABASE_CALLS = {"execute", "executemany", "executescript", "query"}


def sql_outside_store(tree: ast.AST) -> list[str]:
    """``line: what`` for each SQL string and database call in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and STATEMENT.match(node.value):
            found.append(f"{node.lineno}: SQL text {node.value.split()[0]}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in DATABASE_CALLS):
            found.append(f"{node.lineno}: call of .{node.func.attr}")
    return sorted(found)


def test_no_sql_outside_the_store_package() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORE in path.parents:
            continue
        found = sql_outside_store(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_walk_finds_sql_text_and_database_calls() -> None:
    source = (
        'rows = store.query("SELECT 1")\n'
        "conn.executemany(STATEMENT, [])\n"
        'note = "Select a question first."\n'
        'text = """\n  WITH recent AS (SELECT 1) SELECT * FROM recent"""\n'
    )
    found = sql_outside_store(ast.parse(source))
    assert found == ["1: SQL text SELECT", "1: call of .query", "2: call of .executemany", "4: SQL text WITH"]
