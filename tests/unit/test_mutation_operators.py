"""The mutation operators of ``pytrix data mutants`` (pure AST; the runs are in tests/data)."""

from __future__ import annotations

from pytrix.curriculum.mutants import KINDS, Mutant, QuestionReport, mutants, sample, summary
from pytrix.curriculum.verify import same_code

SOURCE = '''
def window_max(xs: list[int], k: int = 2) -> list[int]:
    """Docstrings and annotations stay as they are."""
    import sys
    sys.setrecursionlimit(5000)
    if not xs:
        return []
    out = []
    for i in range(len(xs) - k + 1):
        if xs[i] < 0 and k >= 1:
            continue
        out.append(max(xs[i:i + k]))
    return out[-1:] if k == 99 else out
'''


def by_kind(found: list[Mutant]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for mutant in found:
        grouped.setdefault(mutant.kind, []).append(mutant.description)
    return grouped


def test_every_operator_finds_its_sites() -> None:
    found = mutants(SOURCE)
    kinds = by_kind(found)
    assert set(kinds) == set(KINDS)
    assert "< -> <=" in kinds["compare"] and ">= -> >" in kinds["compare"]
    assert "== -> !=" in kinds["compare"]
    assert kinds["boolean"] == ["and -> or"]
    assert kinds["minmax"] == ["max -> min"]
    assert "range stop -1" in kinds["range"] and "range stop +1" in kinds["range"]
    assert {"slice upper bound -1", "slice upper bound +1", "slice lower bound +1"} <= set(kinds["slice"])
    assert "-1 -> -2" in kinds["constant"] and "-1 -> 0" in kinds["constant"]
    assert "2 -> 3" in kinds["constant"]  # a default argument value
    assert not any("5000" in d for d in kinds["constant"])  # setrecursionlimit is left alone
    assert kinds["edge-case"] == ["dropped `if not xs: ...`", "dropped `if xs[i] < 0 and k >= 1: ...`"]


def test_each_mutant_changes_one_thing_and_compiles() -> None:
    for mutant in mutants(SOURCE):
        compile(mutant.code, "<mutant>", "exec")
        assert not same_code(mutant.code, SOURCE)
        assert "list[int]" in mutant.code and "Docstrings" in mutant.code
    dropped = next(m for m in mutants(SOURCE) if m.description == "dropped `if not xs: ...`")
    assert "if not xs" not in dropped.code and dropped.line == 6
    flipped = next(m for m in mutants(SOURCE) if m.kind == "boolean")
    assert "xs[i] < 0 or k >= 1" in flipped.code


def test_mutants_are_distinct_and_deterministic() -> None:
    first, second = mutants(SOURCE), mutants(SOURCE)
    assert first == second
    assert len({m.code for m in first}) == len(first)
    assert mutants("def f(:\n") == []
    assert mutants("def f(s):\n    return s\n") == []


def test_sample_takes_every_kind_in_turn() -> None:
    found = mutants(SOURCE)
    chosen = sample(found, len(KINDS))
    assert {m.kind for m in chosen} == set(KINDS)
    assert sample(found, 0) == found and sample(found, 10_000) == found
    assert len(sample(found, 3)) == 3


def test_summary_counts_kills_and_questions() -> None:
    from pytrix.curriculum.bank import load_bank
    from pytrix.curriculum.mutants import MutantOutcome

    question = load_bank().get("string-reversal.intermediate")
    m = Mutant("compare", 1, "< -> <=", "x")
    full = QuestionReport(question, 2, [MutantOutcome(m, True, "failed"), MutantOutcome(m, True, "timeout")])
    partial = QuestionReport(question, 2, [MutantOutcome(m, True, "failed"), MutantOutcome(m, False, "survived"),
                                           MutantOutcome(m, False, "internal")])
    skipped = QuestionReport(question, 0, [], "no mutation site in the reference solution")
    overall = summary([full, partial, skipped])
    assert overall["mutants"] == 4 and overall["killed"] == 3 and overall["kill_rate"] == 0.75
    assert overall["killed_by_timeout"] == 1
    assert overall["questions_mutated"] == 2 and overall["questions_all_killed"] == 1
    assert overall["share_all_killed"] == 0.5 and overall["questions_skipped"] == 1
    assert partial.to_json()["survivors"] == ["line 1: < -> <="]
