"""Every comparison mode must also *fail*: answers just outside each tolerance are wrong.

The float mode allows a relative error of 1e-6 (and an absolute one of 1e-9
near zero); the tests sit on both sides of each edge, so a tolerance loosened
(to 10 %, or to 1e-5) or tightened fails here. The other modes get the answers
a learner most often gets almost right: one element counted twice, a tuple
for a list, ``1`` for ``True``, one printed line off.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytrix.curriculum.question import Compare, Kind, Question
from pytrix.runner.grading import Opaque, RawRun, digest, grade, values_match
from pytrix.runner.harness import DEFAULT_LIMITS, canonical
from pytrix.runner.protocol import RunStatus
from pytrix.runner.protocol import TestStatus as Status

REL = 1e-6
ABS = 1e-9


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    (1000.0, 1000.0009, True),        # relative error 9e-7: inside
    (1000.0, 1000.0011, False),       # 1.1e-6: outside
    (1000.0, 999.9989, False),        # the same below
    (-1000.0, -1000.0011, False),
    (1.0, 1.1, False),                # 10 %
    (1.0, 1.0 + 5e-6, False),         # 5e-6: a tolerance of 1e-5 would pass this
    (0.0, 0.9e-9, True),              # near zero the absolute tolerance rules
    (0.0, 1.1e-9, False),
    (0.0, -1.1e-9, False),
    (1e-12, 2e-9, False),
    (2, 2.0000025, False),            # an int expected, a float close to it but not close enough
    (2, 2.0000015, True),
    (math.inf, math.inf, True),
    (math.inf, 1e308, False),
    (math.inf, -math.inf, False),
    (math.nan, math.nan, True),
    (math.nan, 0.0, False),
    (0.0, math.nan, False),
    (1.0, True, False),               # a bool is not a number here
    (True, 1.0, False),
    (True, True, True),
    ("1.0", 1.0, False),
    ([0.5, 1.5], [0.5, 1.5000016], False),
    ([0.5, 1.5], [0.5, 1.5000014], True),
    ([0.5, 1.5], [0.5], False),
    ([0.5, 1.5], (0.5, 1.5), False),   # a tuple is not a list
    ((0.5,), (0.5000001,), True),
    ({"a": 1.0}, {"a": 1.0000011}, False),
    ({"a": 1.0}, {"a": 1.0000009}, True),
    ({"a": 1.0}, {"b": 1.0}, False),
    ({"a": [1.0, {"b": 2.0}]}, {"a": [1.0, {"b": 2.0000021}]}, False),
    ({"a": [1.0, {"b": 2.0}]}, {"a": [1.0, {"b": 2.0000019}]}, True),
    (10**400, 10**400, True),         # ints beyond any float: only the equal int
    (10**400, 10**400 + 1, False),
    (1.5, Opaque("thing", "<thing>"), False),
    ("abc", "abc", True),             # what is not a number compares exactly
    ("abc", "abd", False),
    (None, None, True),
])
def test_float_mode_at_the_edge(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.FLOAT) is ok


@given(x=st.floats(min_value=1e-3, max_value=1e12), sign=st.sampled_from([1, -1]),
       factor=st.floats(min_value=1.02, max_value=1e6))
def test_any_float_outside_the_relative_tolerance_fails(x: float, sign: int, factor: float) -> None:
    wrong = x * (1 + sign * REL * factor)
    assert not values_match(x, wrong, Compare.FLOAT)
    assert not values_match([x], [wrong], Compare.FLOAT)


@given(x=st.floats(min_value=1e-3, max_value=1e12), sign=st.sampled_from([1, -1]),
       factor=st.floats(min_value=0.0, max_value=0.98))
def test_any_float_inside_the_relative_tolerance_passes(x: float, sign: int, factor: float) -> None:
    assert values_match(x, x * (1 + sign * REL * factor), Compare.FLOAT)


@given(offset=st.floats(min_value=ABS * 1.02, max_value=1e-7))
def test_near_zero_only_the_absolute_tolerance_counts(offset: float) -> None:
    assert not values_match(0.0, offset, Compare.FLOAT)
    assert values_match(0.0, offset / 1.05 if offset / 1.05 <= ABS else ABS * 0.99, Compare.FLOAT)


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ([3, 1, 2], [1, 2, 3], True),
    ([3, 1, 2], (1, 2, 3), True),
    ([1, 1, 2], [1, 2, 2], False),    # same elements, different counts
    ([1, 2], [1, 2, 2], False),
    ([1, 2, 2], [1, 2], False),
    ([1, 2], [2], False),
    ([], [], True),
    ([], [0], False),
    ([1, 2], {1, 2}, False),           # a set is not a sequence
    ([1, 2], "12", False),
    ([1, 2], None, False),
    ([1, 2], [True, 2], False),        # True is not 1
    ([[1, 2], [3]], [[3], [1, 2]], True),
    ([[1, 2], [3]], [[3], [2, 1]], False),  # only the outer order is free
    ([0.1 + 0.2], [0.3], False),       # elements compare exactly
    (["a", "b"], ["b", "A"], False),
    ([1, 2], [2, Opaque("int", "1")], False),
])
def test_unordered_mode(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.UNORDERED) is ok


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ({1, 2}, [2, 1], True),
    ({1, 2}, [2, 1, 1], True),         # a set ignores repeats
    ({1, 2}, (1, 2), True),
    ({1, 2}, frozenset({1, 2}), True),
    ({1, 2}, {1, 2}, True),
    ({1, 2}, [1], False),
    ({1, 2}, [1, 2, 3], False),
    ({1, 2}, set(), False),
    (set(), [], True),
    ({"ab"}, "ab", False),             # a string is not a collection of answers
    ({1, 2}, None, False),
    ({1, 2}, {1: "a", 2: "b"}, False),
    ({(1, 2)}, [[1, 2]], False),       # unhashable elements: no answer, not an exception
    ({1}, [Opaque("int", "1")], False),
    ({1, 2}, [1, 2, Opaque("int", "3")], False),
])
def test_set_mode(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.SET) is ok


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    (1, 1, True),
    (1, 1.0, True),                    # numbers of either kind, equal in value
    (1, 2, False),
    (1, "1", False),
    (1, True, False),
    (False, 0, False),
    (None, 0, False),
    (0.1 + 0.2, 0.3, False),           # no tolerance
    (math.nan, 0.0, False),
    ([1, 2], [1, 2, 3], False),
    ([1, 2], [2, 1], False),
    ([1, 2], (1, 2), False),
    ((1, 2), [1, 2], False),
    ([[1, [2]]], [[1, [3]]], False),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    ({"a": 1}, {"a": 2}, False),
    ({"a": 1}, {"A": 1}, False),
    ({"a": [1, True]}, {"a": [1, 1]}, False),
    ({1, 2}, frozenset({1, 2}), False),
    ({1, 2}, {1, 2, 3}, False),
    ("abc", "abc ", False),
    (b"x", "x", False),
    (1, Opaque("int", "1"), False),
    (True, True, True),
    (True, False, False),
    ({1, 2}, {2, 1}, True),
    ({"a": [1, (2,)]}, {"a": [1, (2,)]}, True),
])
def test_exact_mode(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.EXACT) is ok


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ([1, (2, "a")], [1, (2, "a")], True),
    (1, 1.0, False),
    (1.0, 1, False),
    (True, 1, False),
    ((1,), [1], False),
    ([1, [2]], [1, [2.0]], False),
    ({1: "a"}, {1.0: "a"}, False),
    ({"a": 1}, {"a": 1.0}, False),
    ({1, 2}, {1.0, 2}, False),
    ({1, 2}, frozenset({1, 2}), False),
    ([1, 2], [1, 2, 3], False),
    ({"a": 1}, {"a": 1, "b": 1}, False),
    (math.nan, math.nan, True),
    (Opaque("x", "x"), Opaque("x", "x"), False),
    ({"a": [1], 2: (3,)}, {"a": [1], 2: (3,)}, True),
    ({1: "a"}, {True: "a"}, False),
    ({"a": 1}, {"b": 1}, False),
    ({"a": 1}, {"a": 2}, False),
    ({1, "b"}, {1, "b"}, True),
    (frozenset({2}), frozenset({2}), True),
    ({1, 2}, {1, 3}, False),
])
def test_strict_mode(expected: Any, actual: Any, ok: bool) -> None:
    assert values_match(expected, actual, Compare.STRICT) is ok


def test_digests_of_odd_values() -> None:
    assert digest(5)[0] == -1 and digest(None)[0] == -1 and digest("abc")[0] == 3
    assert digest(10**5000) == (-1, digest(10**5000)[1])  # no decimal text: a summary is hashed
    assert digest("\ud800")[0] == 1  # a lone surrogate is hashed, not an exception
    assert digest("\ud800") != digest("\ud801")


def test_digest_mode() -> None:
    value = list(range(1000))
    assert values_match(digest(value), value, Compare.DIGEST)
    assert not values_match(digest(value), [*value[:-1], 1000], Compare.DIGEST)
    assert not values_match(digest(value), value[:-1], Compare.DIGEST)
    assert not values_match(digest(value), tuple(value), Compare.DIGEST)
    assert not values_match(digest("x"), Opaque("str", "'x'"), Compare.DIGEST)


def _question(expected: str, mode: Compare, kind: Kind = Kind.FUNCTION) -> Question:
    return Question(
        id="modes.beginner", module="modes", subtopic="modes", problem_type="modes",
        difficulty="beginner", title="Modes", prompt="p", entry="f", stub="def f():\n    pass\n",
        solution="def f():\n    return 3\n", hints=["h"], kind=kind.value,
        tests=[{"call": "f()", "expected": expected, "mode": mode.value}],
    )


def _graded(question: Question, value: Any = None, stdout: str = "", truncated: bool = False) -> Any:
    event = {"event": "test", "index": 0, "outcome": "returned", "value": canonical(value, DEFAULT_LIMITS),
             "stdout": stdout, "stdout_truncated": truncated, "duration_ms": 1.0}
    result = grade(question, RawRun(events=[{"event": "ready"}, {"event": "module", "stdout": ""}, event]))
    [test] = result.tests
    assert (result.status is RunStatus.PASSED) is (test.status is Status.PASSED)
    return test


@pytest.mark.parametrize(("printed", "ok", "message"), [
    ("1\n2\n3\n", True, None),
    ("1  \n2\n3\n\n\n", True, None),                       # trailing spaces and blank lines are fine
    ("1\n2\n4\n", False, "output line 3: expected '3', printed '4'"),
    (" 1\n2\n3\n", False, "output line 1: expected '1', printed ' 1'"),  # leading spaces are not
    ("1\n2\n", False, "printed 2 lines, expected 3: line 3 should be '3'"),
    ("1\n", False, "printed 1 line, expected 3: line 2 should be '2'"),
    ("1\n2\n3\n4\n", False, "printed 4 lines, expected 3: line 4 ('4') should not be there"),
    ("1\n\n2\n3\n", False, "output line 2: expected '2', printed ''"),
    ("1 2 3\n", False, "output line 1: expected '1', printed '1 2 3'"),
    ("", False, "printed 0 lines, expected 3: line 1 should be '1'"),
])
def test_stdout_mode(printed: str, ok: bool, message: str | None) -> None:
    test = _graded(_question("'1\\n2\\n3\\n'", Compare.STDOUT), stdout=printed)
    assert (test.status is Status.PASSED) is ok
    assert (test.message or None) == message
    assert test.actual == printed
    assert test.expected == "1\n2\n3\n"


def test_truncated_stdout_never_passes() -> None:
    test = _graded(_question("'1\\n2\\n3\\n'", Compare.STDOUT), stdout="1\n2\n3\n", truncated=True)
    assert test.status is Status.FAILED
    assert "cut short" in test.message  # (grade raised IndexError here before)


@pytest.mark.parametrize(("expected", "mode", "actual", "shown"), [
    ("1.0", Compare.FLOAT, 1.1, "expected 1.0, got 1.1"),
    ("[1, 1, 2]", Compare.UNORDERED, [1, 2, 2], "expected [1, 1, 2], got [1, 2, 2]"),
    ("{1, 2}", Compare.SET, [1], "expected {1, 2}, got [1]"),
    ("[1, 2]", Compare.EXACT, (1, 2), "expected [1, 2], got (1, 2)"),
    ("1", Compare.STRICT, 1.0, "expected 1, got 1.0"),
])
def test_a_wrong_value_fails_the_graded_test_and_says_so(
    expected: str, mode: Compare, actual: Any, shown: str
) -> None:
    test = _graded(_question(expected, mode), actual)
    assert test.status is Status.FAILED
    assert shown in (test.message or "")
