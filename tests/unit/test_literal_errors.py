"""The literal parser's answers in detail: the exact refusal a bank author reads, and the sources
it hands to the harness (argument order, keyword arguments, class steps, builders)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytrix.runner.literals import (
    ClassScript,
    LiteralError,
    ParsedCall,
    parse_call,
    parse_class_script,
    parse_literal,
)

CALL, CLASS, LITERAL = parse_call, parse_class_script, parse_literal
CLASS_SHAPE = 'a class test is a list like [["Stack"], ["push", 1], ["pop"]]'


@pytest.mark.parametrize(("parse", "source", "message"), [
    (CALL, "f(*a)", "*arguments are not allowed in a test call"),
    (CALL, "f(**a)", "**arguments are not allowed in a test call"),
    (CALL, "x", "a test call must look like name(arguments)"),
    (CALL, "obj.f(1)", "a test call must look like name(arguments)"),
    (CALL, "f(x)", "not a literal: x"),
    (CALL, "f(a=y)", "not a literal: y"),
    (CALL, "f(1 +", "syntax error: '(' was never closed"),
    (CALL, "f(seq(0, 10**9))", "not a literal: 10 ** 9"),
    (CLASS, "[]", CLASS_SHAPE),
    (CLASS, "1", CLASS_SHAPE),
    (CLASS, "[1]", "each step of a class test is a non-empty list"),
    (CLASS, "[[]]", "each step of a class test is a non-empty list"),
    (CLASS, "[[1]]", "each step of a class test starts with a name string"),
    (CLASS, '[["1a"]]', "'1a' is not a valid name"),
    (CLASS, '[["S", x]]', "not a literal: x"),
    (CLASS, '[["S"], ["push", 1, y]]', "not a literal: y"),
    (LITERAL, "x", "not a literal: x"),
    (LITERAL, "1 +", "syntax error: invalid syntax"),
    (LITERAL, "1" + "+1" * 200_000, "maximum recursion depth exceeded during ast construction"),
])
def test_refusals_say_what_is_wrong(parse: Callable[[str], object], source: str, message: str) -> None:
    with pytest.raises(LiteralError) as caught:
        parse(source)
    assert str(caught.value) == message


def test_calls_keep_every_argument_in_order() -> None:
    assert parse_call("f(1, (2,), a=1, b=[2])") == ParsedCall(
        "f", "(1, (2,), )", "{'a': 1, 'b': [2]}")
    assert parse_call("g()") == ParsedCall("g", "()", "{}")
    assert parse_call("f(seq(0, 3))").args_source == "(seq(0, 3), )"  # built in the harness


def test_class_scripts_keep_every_step_and_argument() -> None:
    assert parse_class_script('[["S", 1], ["push", 2, 3], ("pop",)]') == ClassScript(
        "S", [("S", "(1, )"), ("push", "(2, 3, )"), ("pop", "()")])


def test_builders_run_only_when_asked() -> None:
    assert parse_literal("seq(0, 3)") == [0, 1, 2]
    assert parse_literal("seq(0, 3)", build=True) == [0, 1, 2]
    assert parse_literal("seq(0, 3)", build=False) == []
