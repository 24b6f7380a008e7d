"""Each test capability of the bank format on its own: builders, rules, modes, labels, stubs.

In-process checks of the parsing and grading halves; the sandbox and Pyodide
halves are in ``test_rule_runtimes.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pytrix.curriculum.audit import stated_rules
from pytrix.curriculum.question import Compare, Question
from pytrix.curriculum.rules import Forbidden, broken_rules
from pytrix.curriculum.stubs import stub_problems
from pytrix.runner.grading import RawRun, digest, grade, stdout_difference, values_match
from pytrix.runner.harness import BUILD_LIMIT, _splitmix, eval_literal
from pytrix.runner.literals import LiteralError, parse_call, parse_literal
from pytrix.runner.protocol import Limits, build_request
from pytrix.runner.protocol import TestStatus as Status

# -- input builders -----------------------------------------------------------------


def test_builders_make_the_values_they_name() -> None:
    assert eval_literal("seq(0, 5)") == [0, 1, 2, 3, 4]
    assert eval_literal("seq(10, 0, -3)") == [10, 7, 4, 1]
    assert eval_literal('repeat("ab", 3)') == "ababab"
    assert eval_literal("repeat(7, 3)") == [7, 7, 7]
    copies = eval_literal("repeat([1], 2)")
    copies[0].append(2)
    assert copies == [[1, 2], [1]]  # separate lists, as if written out
    assert eval_literal('concat(seq(0, 2), [9], seq(5, 6))') == [0, 1, 9, 5]
    assert eval_literal('concat("a", rand_str(3, "z", 1))') == "azzz"
    assert eval_literal("[seq(0, 2), {'k': seq(1, 3)}]") == [[0, 1], {"k": [1, 2]}]
    assert eval_literal("zip_lists(seq(0, 3), seq(10, 13))") == [(0, 10), (1, 11), (2, 12)]
    assert eval_literal('chars(rand_str(3, "x", 0))') == ["x", "x", "x"]
    with pytest.raises(ValueError, match="same length"):  # sizes are known only once built: data check runs it
        eval_literal("zip_lists(seq(0, 2), seq(0, 3))")


def test_random_builders_are_the_same_from_the_same_seed_and_differ_across_seeds() -> None:
    first = eval_literal("rand_ints(1000, -5, 5, 42)")
    assert first == eval_literal("rand_ints(1000, -5, 5, 42)")
    assert first != eval_literal("rand_ints(1000, -5, 5, 43)")
    assert set(first) == set(range(-5, 6))
    # pinned: a change in the generator would silently change every bank test built from it
    draw = _splitmix(0)
    assert [draw(), draw()] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]  # splitmix64's reference outputs
    assert eval_literal("rand_ints(5, 0, 99, 7)") == [87, 4, 46, 3, 74]
    assert eval_literal('rand_str(8, "ab", 3)') == "bbbbabaa"


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 300), low=st.integers(-10**6, 10**6), width=st.integers(0, 10**6),
       seed=st.integers(-2**70, 2**70))
def test_rand_ints_stay_in_range_with_the_asked_size(n: int, low: int, width: int, seed: int) -> None:
    values = eval_literal(f"rand_ints({n}, {low}, {low + width}, {seed})")
    assert len(values) == n and all(low <= v <= low + width for v in values)


@pytest.mark.parametrize("source", [
    "seq(0)", "seq(0, 1, 0)", "seq(0, 1.5)", f"seq(0, {BUILD_LIMIT + 1})", 'repeat("ab", -1)',
    f'repeat("ab", {BUILD_LIMIT})', "rand_ints(3, 5, 1, 0)", 'rand_str(3, "", 0)',
    'concat([1], "a")', "concat()", "seq(0, n)", "seq(start=0, stop=1)", "open('x')",
    "zip_lists()", 'zip_lists("ab", "cd")', "chars(3)", 'chars("a", "b")',
])
def test_bad_builder_calls_are_refused_when_the_bank_loads(source: str) -> None:
    with pytest.raises(LiteralError):
        parse_literal(source, build=False)


def test_validation_checks_builders_without_building_them() -> None:
    assert parse_literal(f"seq(0, {BUILD_LIMIT})", build=False) == []
    assert parse_literal('rand_str(10, "ab", 1)', build=False) == ""
    assert parse_call("f(seq(0, 10), rand_ints(5, 0, 1, 2))").args_source == "(seq(0, 10), rand_ints(5, 0, 1, 2), )"


# -- forbidden constructs -----------------------------------------------------------


def _rule(**kind: Any) -> Forbidden:
    return Forbidden.model_validate(kind)


@pytest.mark.parametrize(("rule", "code", "line"), [
    ({"call": "sorted"}, "x = 1\ny = sorted(x)\n", 2),
    ({"call": "sorted"}, "y = builtins.sorted(x)\n", 1),
    ({"call": "sorted"}, "y = x.sorted_items()\n", None),
    ({"call": "int", "args": 2}, "a = int(s)\nb = int(s, 2)\n", 2),
    ({"call": "int", "args": 2}, "b = int(s, base=2)\n", 1),
    ({"name": "bin"}, "f = bin\nf(3)\n", 1),
    ({"name": "bin"}, "from builtins import bin as b\n", 1),
    ({"name": "bin"}, "binary = 3\n", None),
    ({"attribute": "sort"}, "xs.sort()\n", 1),
    ({"attribute": "sort"}, "\ngetattr(xs, 'sort')()\n", 2),
    ({"import": "itertools"}, "import os\nimport itertools.chain as c\n", 2),
    ({"import": "itertools"}, "from itertools import permutations\n", 1),
    ({"import": "itertools"}, "m = __import__('itertools')\n", 1),
    ({"import": "itertools"}, "import itertoolsx\n", None),
    ({"syntax": "Lambda"}, "def f():\n    return lambda: 1\n", 2),
    ({"syntax": "In"}, "for x in xs:\n    if x in ys:\n        pass\n", 2),
    ({"syntax": "NotIn"}, "for x in xs:\n    pass\n", None),
    ({"syntax": "Pow"}, "y = 2\ny **= 3\n", 2),
])
def test_a_rule_finds_the_first_use_of_its_construct(rule: dict[str, Any], code: str, line: int | None) -> None:
    found = broken_rules(code, [_rule(**rule)])
    assert found is not None
    assert (found[0].line if found[0] else None) == line


def test_code_that_does_not_parse_breaks_no_rule_it_cannot_be_checked() -> None:
    assert broken_rules("def f(:\n", [_rule(call="sorted")]) is None


@pytest.mark.parametrize("bad", [
    {}, {"call": "sorted", "name": "bin"}, {"name": "bin", "args": 2}, {"syntax": "Nope"},
    {"syntax": "literal_eval"}, {"call": "a b"}, {"call": "sorted", "colour": "red"},
])
def test_malformed_rules_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Forbidden.model_validate(bad)


# -- comparison modes and labels ---------------------------------------------------------


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ([1, 1.0], [1, 1.0], True), ([1, 1.0], [1.0, 1], False), (1, True, False), ((1,), [1], False),
    ({"a": [1]}, {"a": [1.0]}, False), ({1: "x"}, {1.0: "x"}, False), ({1, 2}, {2, 1}, True),
    (float("nan"), float("nan"), True), ("a", "a", True),
])
def test_strict_mode_needs_the_same_types_at_every_level(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.STRICT) is ok
    assert values_match(expected, actual, Compare.EXACT) or not ok


def test_digest_mode_compares_length_and_hash_of_the_repr() -> None:
    expected = digest(list(range(1000)))
    assert expected[0] == 1000 and len(expected[1]) == 16
    assert values_match(expected, list(range(1000)), Compare.DIGEST)
    assert not values_match(expected, [*range(999), 1000], Compare.DIGEST)


def test_stdout_differences_are_told_line_by_line() -> None:
    assert stdout_difference("a\nb\nc", "a\nx\nc") == "output line 2: expected 'b', printed 'x'"
    assert stdout_difference("a\nb", "a") == "printed 1 line, expected 2: line 2 should be 'b'"
    assert stdout_difference("a", "a\nzz") == "printed 2 lines, expected 1: line 2 ('zz') should not be there"


def _question(**changes: Any) -> Question:
    base: dict[str, Any] = {
        "id": "p.beginner", "module": "m", "subtopic": "s", "problem_type": "p", "difficulty": "beginner",
        "title": "t", "prompt": "p", "entry": "f", "stub": "def f(x):\n    # TODO\n    pass\n",
        "solution": "def f(x):\n    return x\n", "hints": ["h"],
        "tests": [{"call": "f([1])", "expected": "[1]"},
                  {"call": "f([2])", "expected": "[2]", "hidden": True, "name": "second list"}],
    }
    return Question.model_validate({**base, **changes})


def _event(index: int, value: Any, **extra: Any) -> dict[str, Any]:
    return {"event": "test", "index": index, "outcome": "returned", "value": value, "stdout": "", **extra}


def test_a_hidden_test_is_shown_by_its_name_only_until_revealed() -> None:
    question = _question()
    raw = RawRun(events=[_event(0, ["list", [["int", "1"]]]), _event(1, ["list", [["int", "3"]]])])
    hidden = grade(question, raw).tests[1]
    assert (hidden.call, hidden.expected, hidden.actual, hidden.message) == (
        "second list", None, None, "hidden test failed")
    shown = grade(question, raw, reveal_hidden=True).tests[1]
    assert shown.call == "second list: f([2])" and shown.expected == "[2]"
    unnamed = _question(tests=[{"call": "f([2])", "expected": "[2]", "hidden": True}])
    [test] = grade(unnamed, RawRun()).tests
    assert (test.call, test.label) == ("hidden", "hidden test 1")
    assert hidden.label == "hidden test 2 (second list)"


def test_program_labels_keep_blank_lines_visible_and_mark_cuts() -> None:
    question = _question(kind="program", tests=[
        {"stdin": "", "expected": '""', "mode": "stdout"},
        {"stdin": "\n3 4\n", "expected": '"7"', "mode": "stdout"},
        {"stdin": "x" * 200, "expected": '"1"', "mode": "stdout", "name": "a long line"},
    ])
    calls = [t.call for t in grade(question, RawRun()).tests]
    assert calls[0] == "program with empty input"
    assert calls[1] == "program with input '\\n3 4\\n'"
    assert calls[2].startswith("a long line: program with input 'xxx") and calls[2].endswith("…")
    assert len(calls[2]) < 120


def test_an_unchanged_test_fails_when_the_harness_reports_a_changed_argument() -> None:
    question = _question(tests=[{"call": "f([1])", "expected": "[1]", "unchanged": True}])
    ok = grade(question, RawRun(events=[_event(0, ["list", [["int", "1"]]])]))
    assert ok.tests[0].status is Status.PASSED
    bad = grade(question, RawRun(events=[_event(0, ["list", [["int", "1"]]], changed=[0])]))
    assert bad.tests[0].status is Status.FAILED
    assert bad.tests[0].message.startswith("the call changed its input (argument 1)")
    assert build_request(question, "", "f.py", Limits())["tests"][0]["unchanged"] is True


def test_a_budgeted_test_fails_over_its_cpu_time_scaled_to_the_machine() -> None:
    question = _question(tests=[{"call": "f([1])", "expected": "[1]", "budget": 0.5}])
    value = ["list", [["int", "1"]]]
    within = grade(question, RawRun(events=[_event(0, value, cpu_ms=400.0, calibration_ms=9.0)]))
    assert within.tests[0].status is Status.PASSED and within.tests[0].cpu_budget_ms == 500.0
    over = grade(question, RawRun(events=[_event(0, value, cpu_ms=600.0, calibration_ms=9.0)]))
    assert over.tests[0].status is Status.FAILED
    assert over.tests[0].message.startswith("too slow for this input: it used 0.60 s")
    slow_machine = grade(question, RawRun(events=[_event(0, value, cpu_ms=600.0, calibration_ms=18.0)]))
    assert slow_machine.tests[0].status is Status.PASSED  # twice as slow: twice the budget
    fast_machine = grade(question, RawRun(events=[_event(0, value, cpu_ms=600.0, calibration_ms=3.0)]))
    assert fast_machine.tests[0].status is Status.FAILED  # the budget never shrinks


def test_rules_are_checks_after_the_tests_and_pass_when_kept() -> None:
    question = _question(forbid=[{"call": "sorted", "why": "walk it yourself"}, {"syntax": "Lambda"}])
    kept = grade(question, RawRun(), code="def f(x):\n    return x\n")
    assert [t.call for t in kept.tests[2:]] == ["rule: no calling `sorted()`", "rule: no `Lambda` syntax"]
    assert [t.status for t in kept.tests[2:]] == [Status.PASSED, Status.PASSED]
    assert kept.total == 4
    broken = grade(question, RawRun(), code="def f(x):\n    return sorted(x)\n")
    assert broken.tests[2].status is Status.FAILED and broken.tests[2].error is not None
    assert broken.tests[2].error.line == 2
    assert broken.tests[2].message.endswith("is not allowed in this question: walk it yourself")
    assert len(grade(question, RawRun(), code="def f(:").tests) == 2  # a syntax error is reported alone


def test_unchanged_is_for_function_questions_only() -> None:
    with pytest.raises(ValidationError, match="unchanged is for function questions"):
        _question(kind="program", tests=[{"stdin": "1", "expected": '"1"', "mode": "stdout", "unchanged": True}])


# -- stubs ----------------------------------------------------------------------------


@pytest.mark.parametrize("stub", [
    "def f(x: int) -> int:\n    '''Return x.'''\n    # TODO: write f()\n    raise NotImplementedError\n",
    "import re\n\n\ndef f(x):\n    # TODO\n    ...\n",
    "from dataclasses import dataclass, field\n\n\n@dataclass\nclass P:\n    x: int\n    tags: list = field(default_factory=list)\n\n"
    "    def total(self) -> int:\n        # TODO: write total()\n        pass\n",
    "import sys\n\n\ndef main() -> None:\n    # TODO: write the program\n    raise NotImplementedError\n\n\nmain()\n",
    "def main():\n    # TODO\n    raise NotImplementedError('write me')\n\n\nif __name__ == '__main__':\n    main()\n",
])
def test_skeletons_are_accepted(stub: str) -> None:
    assert stub_problems(stub) == []


@pytest.mark.parametrize(("stub", "problem"), [
    ("def f(a, b):\n    # TODO\n    return a + b\n", "the body of f() must be only"),
    ("def f(n):\n    return []\n", "no '# TODO' comment"),
    ("def f(xs):\n    # TODO\n    for x in xs:\n        pass\n", "the body of f() must be only"),
    ("# TODO\nimport sys\nfor line in sys.stdin:\n    print(line)\n", "not code that computes"),
    ("class C:\n    # TODO\n    size = compute()\n", "class C may hold only"),
    ("# TODO\nX = 1\n", "the stub defines nothing"),
    ("def f(:\n", "syntax error"),
])
def test_near_solutions_are_refused(stub: str, problem: str) -> None:
    assert any(problem in p for p in stub_problems(stub))


# -- the audit of stated rules ------------------------------------------------------------


def test_the_audit_finds_stated_rules_and_whether_tests_enforce_them() -> None:
    banned = _question(prompt="Reverse it **without** `reversed` or slicing, in O(n) time.")
    assert [(r.kind, r.enforced) for r in stated_rules(banned)] == [("ban", False), ("size", False)]
    enforced = _question(
        prompt="Reverse it **without** `reversed`; do not modify `xs`. ASCII digits only. On a tie, the first.",
        forbid=[{"name": "reversed"}],
        tests=[{"call": "f([1])", "expected": "[1]", "unchanged": True},
               {"call": "f(['\u0663'])", "expected": "['\u0663']", "name": "a tie: first wins"},
               {"call": "f(seq(0, 3))", "expected": "seq(0, 3)"}],
    )
    assert {r.kind: r.enforced for r in stated_rules(enforced)} == {
        "ban": True, "unchanged": True, "ascii": True, "tie": True}
    assert [r.kind for r in stated_rules(enforced) if not r.strict] == []
    assert [r.kind for r in stated_rules(banned) if not r.strict] == ["size"]


def test_every_ban_do_not_modify_ascii_and_tie_rule_in_the_bank_is_enforced() -> None:
    from pytrix.curriculum.bank import load_bank

    loose = [(q.id, r.kind) for q in load_bank().questions.values() for r in stated_rules(q)
             if r.strict and not r.enforced]
    assert loose == []


# -- fuzzing: no text makes the rule checker or the literal parser fail with anything else ----------

_RULES = [Forbidden.model_validate(r) for r in (
    {"call": "sorted"}, {"call": "int", "args": 2}, {"name": "bin"}, {"attribute": "sort"},
    {"import": "itertools"}, {"syntax": "In"}, {"syntax": "Lambda"}, {"syntax": "Pow"},
)]
_SNIPPETS = ["sorted(x)", "int(s, 2)", "bin", "x.sort()", "import itertools", "a in b", "lambda: 0",
             "2 ** 3", "f(", "def f():", "    return 1", "\n", "'''", "#", "x = [1, 2]"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS) | st.text(max_size=12), max_size=8))
def test_the_rule_checker_answers_any_text(parts: list[str]) -> None:
    code = "\n".join(parts)
    found = broken_rules(code, _RULES)
    assert found is None or len(found) == len(_RULES)
    for breach in found or []:
        assert breach is None or (breach.line >= 1 and breach.message.startswith(f"line {breach.line}: "))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["seq", "repeat", "rand_ints", "rand_str", "concat", "zip_lists", "chars", "set", "frozenset",
                        "float"]),
       st.lists(st.integers(-5, 5) | st.text(max_size=3) | st.just("seq(0, 3)") | st.floats(), max_size=4))
def test_builder_calls_are_values_or_literal_errors(name: str, args: list[Any]) -> None:
    source = f"{name}({', '.join(a if isinstance(a, str) and a.startswith('seq') else repr(a) for a in args)})"
    try:
        checked = parse_literal(source, build=False)
        built = parse_literal(source)
    except LiteralError:
        return
    assert type(checked) is type(built) or checked in ([], "")
