"""Property tests of grade(): whatever a backend sends, grading answers without an exception.

Values come from two sources: real Python values turned into canonical trees by
the harness (what an honest run sends), and arbitrary trees that pass the event
validator (what a forged event can carry). ``PYTRIX_FUZZ_EXAMPLES`` raises the
example budget (``make fuzz``).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytrix.curriculum.question import Compare, Question
from pytrix.runner.events import Caps, RunBudget, clean_test, valid_tree
from pytrix.runner.grading import RawRun, grade
from pytrix.runner.harness import DEFAULT_LIMITS, canonical
from pytrix.runner.protocol import Limits, RunStatus
from pytrix.runner.protocol import TestStatus as Status

EXAMPLES = int(os.environ.get("PYTRIX_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 200,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CAPS = Caps.of(Limits())

EXPECTED = ["3", "-1", "0", "1.5", "1e308", "1" + "0" * 400, "float('inf')", "float('nan')", "'abc'",
            "[1, 2, 3]", "[1.0, 2.5]", "(1, 'a')", "{1, 2}", "{'a': [1]}", "None", "True", "b'x'",
            "frozenset({1})", "[[1, 2], [3]]", "[]"]
MODES = [Compare.EXACT, Compare.FLOAT, Compare.UNORDERED, Compare.SET]

floats = st.floats(allow_nan=True, allow_infinity=True)
ints = st.one_of(st.integers(), st.integers(min_value=10**300, max_value=10**5000),
                 st.sampled_from([10**400, -(10**400), 2**63, -(2**63), 2**1024]))
leaves = st.one_of(st.none(), st.booleans(), ints, floats, st.text(max_size=20),
                   st.binary(max_size=8), st.complex_numbers(allow_nan=True))
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.lists(inner, max_size=5).map(tuple),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=5), floats), max_size=5),
        st.sets(st.one_of(st.integers(), st.text(max_size=5)), max_size=5),
        st.dictionaries(st.one_of(st.integers(), st.text(max_size=5), floats), inner, max_size=4),
    ),
    max_leaves=20,
)


def _hex_int(n: int) -> str:
    return format(n, "x")


raw_leaves = st.one_of(
    st.just(["none"]), st.booleans().map(lambda b: ["bool", b]),
    ints.map(lambda n: ["int", _hex_int(n)]),
    floats.map(lambda f: ["float", f.hex()]),
    st.text(max_size=10).map(lambda s: ["str", s]),
    st.binary(max_size=6).map(lambda b: ["bytes", b.hex()]),
    st.tuples(floats, floats).map(lambda p: ["complex", p[0].hex(), p[1].hex()]),
    st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda p: ["opaque", p[0], p[1]]),
)
raw_trees = st.recursive(
    raw_leaves,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["list", "tuple", "set", "frozenset"]),
                  st.lists(inner, max_size=5)).map(list),
        st.lists(st.tuples(inner, inner).map(list), max_size=4).map(lambda items: ["dict", items]),
    ),
    max_leaves=20,
)


def _question(expected: str, mode: Compare) -> Question:
    return Question(
        id="prop.beginner", module="prop", subtopic="prop", problem_type="prop",
        difficulty="beginner", title="Property", prompt="p", entry="f", stub="def f():\n    pass\n",
        solution="def f():\n    return 3\n", hints=["h"], tests=[{"call": "f()", "expected": expected,
                                                              "mode": mode.value}],
    )


def _grade_tree(tree: Any, expected: str, mode: Compare) -> None:
    question = _question(expected, mode)
    event = clean_test({"event": "test", "index": 0, "outcome": "returned", "value": tree,
                        "stdout": "", "duration_ms": 1.0}, 0, CAPS, RunBudget())
    result = grade(question, RawRun(events=[{"event": "ready"}, {"event": "module", "stdout": ""},
                                            event]), reveal_hidden=True)
    assert result.status in (RunStatus.PASSED, RunStatus.FAILED)
    [test] = result.tests
    assert test.status in (Status.PASSED, Status.FAILED, Status.ERROR)
    if test.status is not Status.PASSED:
        assert test.message


@FUZZ
@given(value=values, expected=st.sampled_from(EXPECTED), mode=st.sampled_from(MODES))
def test_grade_never_raises_on_honest_values(value: Any, expected: str, mode: Compare) -> None:
    _grade_tree(canonical(value, DEFAULT_LIMITS), expected, mode)


@FUZZ
@given(tree=raw_trees, expected=st.sampled_from(EXPECTED), mode=st.sampled_from(MODES))
def test_grade_never_raises_on_forged_trees(tree: Any, expected: str, mode: Compare) -> None:
    assert valid_tree(tree, CAPS)
    _grade_tree(tree, expected, mode)


def test_a_huge_int_on_a_float_question_is_a_plain_failure() -> None:
    """The red team's case: ``return 10 ** 400`` on a float-mode question."""
    question = _question("1.5", Compare.FLOAT)
    event = {"event": "test", "index": 0, "outcome": "returned",
             "value": canonical(10**400, DEFAULT_LIMITS), "stdout": "", "duration_ms": 0.0}
    result = grade(question, RawRun(events=[event]))
    assert result.status is RunStatus.FAILED
    assert result.tests[0].status is Status.FAILED
    assert "expected 1.5" in result.tests[0].message
