"""The coach engine's depth bookkeeping: leaving an f-string debug field or a comprehension
restores the depth, so the rules after it behave as anywhere else."""

from __future__ import annotations

from pytrix.coach import coach


def _found(source: str) -> list[tuple[str, int, str | None]]:
    return [(f.rule, f.span.start_line, f.fix_title) for f in coach(source)]


def test_rules_fire_again_after_an_fstring_debug_field() -> None:
    source = 'def f(x):\n    print(f"{x=}")\n    x == 1\n    return x\n'
    assert [(rule, line) for rule, line, _ in _found(source)] == [("comparison-statement", 2)]


def test_a_comparison_shown_by_a_debug_field_gets_no_fix_but_a_plain_one_does() -> None:
    shown = _found('def f(x):\n    print(f"{x == None =}")\n    return x\n')
    plain = _found('def f(x):\n    print(x == None)\n    return x\n')
    assert shown == [("none-comparison", 1, None)]
    assert plain[0][:2] == ("none-comparison", 1) and plain[0][2]


def test_a_comprehension_inside_a_loop_does_not_hide_the_loop_index() -> None:
    source = 'def f(xs):\n    for i in range(len(xs)):\n        ys = [y for y in range(3)]\n        print(xs[i], ys)\n'
    assert _found(source) == [("range-len", 1, "Loop over enumerate(xs)")]
