"""The coach engine's caches start cold in a fresh process: analysing with an empty field cache
gives the same findings as with a warm one, and fills the cache with the child fields of each
node class (leaf classes have none)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import pytrix.coach.engine as engine
from pytrix.coach import coach

REPO = Path(__file__).resolve().parents[2]


def learner_file() -> tuple[str, str]:
    spec = importlib.util.spec_from_file_location("bench_coach", REPO / "bench" / "coach.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.learner_file(), module.ENTRY


def test_a_cold_field_cache_gives_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    source, entry = learner_file()
    warm = coach(source, entry=entry)
    cold: dict[type, tuple[str, ...]] = {}
    monkeypatch.setattr(engine, "_FIELD_CACHE", cold)
    assert coach(source, entry=entry) == warm
    assert cold, "the walk did not use the field cache"
    assert cold[ast.BinOp] == ("right", "left")  # reversed (the walk pops from the end), no operator
    assert cold[ast.Name] == () or "ctx" not in cold[ast.Name]
    for cls, fields in cold.items():
        if issubclass(cls, ast.expr_context | ast.operator | ast.cmpop | ast.unaryop | ast.boolop):
            assert fields == (), cls
        assert set(fields) <= set(getattr(cls, "_fields", ())), cls


@pytest.mark.parametrize(("body", "found"), [
    ("    for a in xs:\n        for b in xs:\n            pass\n        s += 'x'\n", [5]),   # after an inner loop
    ("    while xs:\n        while xs:\n            xs.pop()\n        s += 'x'\n", [5]),
    ("    for a in xs:\n        ys = [[b for b in a] for c in xs]\n        s += 'x'\n", [4]),  # after comprehensions
    ("    for a in xs:\n        pass\n    s += 'x'\n", []),                                 # after the loop
    ("    ys = [b for b in xs]\n    s += 'x'\n", []),                                       # after a comprehension
    ("    ys = [[b for b in a] for a in xs]\n    s += f'{s=}'\n", []),
])
def test_the_loop_depth_is_exact_after_nested_loops_and_comprehensions(body: str, found: list[int]) -> None:
    source = "def f(xs):\n    s = ''\n" + body + "    return s\n"
    assert [f.span.start_line for f in coach(source) if f.rule == "str-concat-loop"] == found
