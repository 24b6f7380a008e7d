"""Test calls and literals are parsed without eval; grading compares rebuilt values."""

from __future__ import annotations

import math

import pytest

from pytrix.curriculum.question import Compare
from pytrix.runner.grading import Opaque, decode, normalise_stdout, values_match
from pytrix.runner.harness import canonical
from pytrix.runner.literals import LiteralError, parse_call, parse_class_script, parse_literal


def repr_id(value: object) -> str:
    return type(value).__name__


LIMITS = {"stdout_chars": 100, "repr_chars": 50, "value_chars": 10_000, "depth": 50}


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("[1, 2, (3, 'a')]", [1, 2, (3, "a")]),
        ("{'a': {1, 2}}", {"a": {1, 2}}),
        ("set()", set()),
        ("frozenset([1, 2])", frozenset({1, 2})),
        ("-5", -5),
        ("None", None),
        ("b'xy'", b"xy"),
    ],
)
def test_literals(source: str, value: object) -> None:
    assert parse_literal(source) == value


def test_float_words() -> None:
    assert parse_literal("float('inf')") == math.inf
    assert math.isnan(parse_literal('float("nan")'))


@pytest.mark.parametrize(
    "source", ["__import__('os').system('x')", "len([1])", "x", "[*a]", "{**d}", "1 +", "lambda: 1"]
)
def test_non_literals_are_refused(source: str) -> None:
    with pytest.raises(LiteralError):
        parse_literal(source)


def test_calls() -> None:
    call = parse_call("f(1, 'a', key=[2])")
    assert call.name == "f"
    assert parse_literal(call.args_source) == (1, "a")
    assert parse_literal(call.kwargs_source) == {"key": [2]}
    for bad in ("f(g(1))", "obj.f(1)", "f(*xs)", "f(**kw)", "1"):
        with pytest.raises(LiteralError):
            parse_call(bad)


def test_class_scripts() -> None:
    script = parse_class_script('[["Stack"], ["push", 1], ["pop"]]')
    assert script.class_name == "Stack"
    assert script.steps == [("Stack", "()"), ("push", "(1, )"), ("pop", "()")]
    for bad in ("[]", '[["not a name"]]', "[[1]]", '["Stack"]'):
        with pytest.raises(LiteralError):
            parse_class_script(bad)


@pytest.mark.parametrize(
    "value",
    [0, -(2**20000), 1.5, -0.0, math.inf, "héllo", b"\x00\xff", None, True, [1, (2, {3})],
     {"k": [1, 2]}, frozenset({1}), 3 + 4j],
    ids=repr_id,
)
def test_canonical_round_trip(value: object) -> None:
    assert decode(canonical(value, LIMITS)) == value
    assert type(decode(canonical(value, LIMITS))) is type(value)


def test_rigged_equality_arrives_opaque_and_equals_nothing() -> None:
    class Sneaky(str):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = str.__hash__

    tree = canonical(Sneaky("x"), LIMITS)
    assert tree[0] == "opaque"
    assert not values_match("x", decode(tree), Compare.EXACT)
    assert not values_match(["x"], decode(canonical([Sneaky("x")], LIMITS)), Compare.EXACT)


def test_cycles_and_depth_do_not_explode() -> None:
    loop: list[object] = []
    loop.append(loop)
    assert isinstance(decode(canonical(loop, LIMITS))[0], Opaque)
    deep: list[object] = []
    cursor = deep
    for _ in range(500):
        nxt: list[object] = []
        cursor.append(nxt)
        cursor = nxt
    assert "too deep" in repr(decode(canonical(deep, LIMITS)))


@pytest.mark.parametrize(
    ("expected", "actual", "mode", "ok"),
    [
        (1, 1, Compare.EXACT, True),
        (1, True, Compare.EXACT, False),
        (True, 1, Compare.EXACT, False),
        ([1, 2], (1, 2), Compare.EXACT, False),
        (0.1 + 0.2, 0.3, Compare.EXACT, False),
        (0.1 + 0.2, 0.3, Compare.FLOAT, True),
        ([0.5, [1.0]], [0.5000000001, [1.0]], Compare.FLOAT, True),
        ([3, 1, 2], [1, 2, 3], Compare.UNORDERED, True),
        ([3, 1, 1], [1, 3, 3], Compare.UNORDERED, False),
        ([[1, 2], "a"], ["a", [1, 2]], Compare.UNORDERED, True),
        ({1, 2}, [2, 1], Compare.SET, True),
        ({1, 2}, [2, 1, 3], Compare.SET, False),
        (math.nan, math.nan, Compare.EXACT, True),
        ({"a": 1}, {"a": 1.0}, Compare.EXACT, True),
    ],
)
def test_comparison_modes(expected: object, actual: object, mode: Compare, ok: bool) -> None:
    assert values_match(expected, actual, mode) is ok


def test_stdout_normalisation() -> None:
    assert normalise_stdout("a  \nb\n\n") == normalise_stdout("a\nb")
    assert normalise_stdout("a\n b") != normalise_stdout("a\nb")


async def test_special_literals_work_as_call_arguments_in_the_sandbox() -> None:
    from pytrix.curriculum.question import Question
    from pytrix.runner.sandbox import SubprocessSandbox

    question = Question.model_validate({
        "id": "special-args.beginner", "module": "m", "subtopic": "s", "problem_type": "special-args",
        "difficulty": "beginner", "title": "T", "prompt": "P", "entry": "f",
        "stub": "def f(x):\n    return None\n", "solution": "def f(x):\n    return repr(x)\n",
        "hints": ["h"],
        "tests": [
            {"call": "f(float('inf'))", "expected": "'inf'"},
            {"call": "f(set())", "expected": "'set()'"},
            {"call": "f(frozenset([1]))", "expected": "'frozenset({1})'"},
        ],
    })
    result = await SubprocessSandbox().run(question, question.solution, "f.py")
    assert result.all_passed, result.model_dump_json(indent=1)


def test_show_summarises_huge_integers_anywhere() -> None:
    from pytrix.runner.grading import show

    assert show(2**5000) == "<int with 5001 bits>"
    assert show([1, 2**5000]) == "[1, <int with 5001 bits>]"
    assert show({"k": (2**5000,)}) == "{'k': (<int with 5001 bits>,)}"
