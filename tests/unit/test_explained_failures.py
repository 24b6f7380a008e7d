"""Explained failures: each beginner mistake, run in the real sandbox, gets its cause at its line.

Every row of issue 17's table has a test here that checks the message and the
line, with mistakes written for these tests (not the issue's own examples).
"""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from pytrix.curriculum.question import Question
from pytrix.practice.explain import explain, syntax_sentence
from pytrix.practice.findings import Finding, findings_for
from pytrix.runner.protocol import Limits, RunResult, RunStatus
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox

LIMITS = Limits(test_timeout=0.5, run_timeout=6.0, memory_mb=256, cpu_seconds=10)
HEADER = "# pytrix: question=explain.{slug}\n"


def question(entry: str, tests: list[tuple[str, str]], **extra: Any) -> Question:
    return Question(
        id=f"explain.{entry.replace('_', '-')}", module="explain", subtopic="mistakes", problem_type="mistakes",
        difficulty="beginner", title=entry, prompt="A test question.", entry=entry,
        stub=f"def {entry}():\n    pass\n", solution=f"def {entry}():\n    pass\n", hints=["generic hint"],
        tests=[{"call": call, "expected": expected, **extra} for call, expected in tests],
    )


TOTAL = question("total_price", [("total_price([2, 5])", "7"), ("total_price([1, 1, 1])", "3"),
                                 ("total_price([4])", "4")])
LETTERS = question("count_letter_a", [('count_letter_a("banana")', "3"), ('count_letter_a("kiwi")', "0"),
                                      ('count_letter_a("Abba")', "1")])
VOWELS = question("vowel_count", [('vowel_count("education")', "5"), ('vowel_count("sky")', "0"),
                                  ('vowel_count("tree")', "2")])
EVENS = question("drop_odd", [("drop_odd([3, 5, 8])", "[8]"), ("drop_odd([1, 1, 2])", "[2]"),
                              ("drop_odd([2, 4])", "[2, 4]")])
SPAN = question("low_high", [("low_high([4, 9, 1])", "(1, 9)"), ("low_high([2])", "(2, 2)")])
INDEX = question("position_of_max", [("position_of_max([4, 9, 1])", "1"), ("position_of_max([7])", "0")])
MEAN = question("mean_of", [("mean_of([1, 2, 2])", "1.6666666666666667"), ("mean_of([3, 4])", "3.5")],
                mode="float")
SQUARES = question("odd_squares", [("odd_squares([1, 2, 3])", "[1, 9]"), ("odd_squares([])", "[]")])


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sandbox() -> AsyncIterator[SubprocessSandbox]:
    box = SubprocessSandbox(LIMITS, pool_size=2)
    await box.start()
    try:
        yield box
    finally:
        await box.close()


async def check(sandbox: SubprocessSandbox, q: Question, body: str) -> tuple[RunResult, list[Finding], str]:
    source = HEADER.format(slug=q.id.split(".", 1)[1]) + textwrap.dedent(body).lstrip("\n")
    result = await sandbox.run(q, source, "solution.py")
    return result, findings_for(result, q, source), source


def line_of(source: str, text: str) -> int:
    """0-based line of the first line containing ``text``."""
    return next(i for i, line in enumerate(source.splitlines()) if text in line)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


module_loop = pytest.mark.asyncio(loop_scope="module")


@module_loop
async def test_printed_instead_of_returned(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, TOTAL, """
        def total_price(prices):
            total = 0
            for price in prices:
                total += price
            print(total)
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "print(total)")
    first, evidence, printed = finding.message.splitlines()
    assert first == ("3 tests fail the same way: You printed 7 but returned nothing: "
                     "the tests see only what you `return`.")
    assert evidence == "total_price([2, 5]): expected 7, got None"
    assert printed == "printed: 7"
    assert finding.data["indices"] == [0, 1, 2] and finding.data["cause"] == "printed-not-returned"
    assert [r.message for r in finding.related] == [
        "total_price([2, 5]): expected 7, got None", "total_price([1, 1, 1]): expected 3, got None",
        "total_price([4]): expected 4, got None",
    ]


@module_loop
async def test_misspelt_name_keeps_pythons_did_you_mean(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, TOTAL, """
        def total_price(prices):
            subtotal = 0
            for price in prices:
                subtotal += price
            return subtotl
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "return subtotl")
    assert "raised NameError: name 'subtotl' is not defined. Did you mean: 'subtotal'?" in finding.message
    assert finding.message.startswith("3 tests fail the same way: A name is misspelt")


@module_loop
async def test_removing_from_the_list_being_looped_over(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, EVENS, """
        def drop_odd(numbers):
            for n in numbers:
                if n % 2 == 1:
                    numbers.remove(n)
            return numbers
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "numbers.remove(n)")
    assert finding.message.splitlines()[0].endswith(
        "Removing from the list you loop over makes the loop skip items; build a new list instead.")
    assert "drop_odd([3, 5, 8]): expected [8], got [5, 8]" in finding.message
    assert not [f for f in findings if "set" in f.message]  # no distracting advice


@module_loop
async def test_constant_or_operand(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, VOWELS, """
        def vowel_count(word):
            found = 0
            for letter in word:
                if letter == "a" or "e" or "i" or "o" or "u":
                    found += 1
            return found
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, 'if letter == "a"')
    assert '`"e"` on its own is always true' in finding.message
    assert '`letter in "aeiou"`' in finding.message
    assert "vowel_count(\"education\"): expected 5, got 9" in finding.message


@module_loop
async def test_comparison_as_a_statement(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, LETTERS, """
        def count_letter_a(text):
            seen = 0
            for ch in text.lower():
                if ch == "a":
                    seen == seen + 1
            return seen
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "seen == seen + 1")
    assert "`seen == seen + 1` compares and throws the result away; to change `seen`, write `seen += 1`." \
        in finding.message
    assert finding.message.startswith("2 tests fail the same way")  # "kiwi" passes by luck


@module_loop
async def test_return_inside_the_loop(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, TOTAL, """
        def total_price(prices):
            total = 0
            for price in prices:
                total += price
                return total
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "return total")
    assert "The function returns after the first item of the loop; dedent the `return`" in finding.message


@module_loop
async def test_while_loop_that_never_advances_points_at_the_while(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, LETTERS, """
        def count_letter_a(text):
            seen = 0
            k = 0
            while k < len(text):
                if text[k] == "a":
                    seen += 1
            return seen
    """)
    [finding] = errors(findings)
    assert finding.code == "timeout"
    assert finding.line == line_of(source, "while k < len(text)")
    assert finding.message.startswith("`k` never changes inside this loop")
    assert "timed out" in finding.message


@module_loop
async def test_timeout_points_at_the_line_that_was_running(sandbox: SubprocessSandbox) -> None:
    result, findings, source = await check(sandbox, TOTAL, """
        def total_price(prices):
            total = 0
            for price in prices:
                total += price
            step = 1
            while step > 0:
                step = step + 1
            return total
    """)
    timed_out = result.tests[0]
    assert timed_out.status is Status.TIMEOUT
    assert timed_out.error is None and timed_out.stopped_line is not None
    assert timed_out.stopped_line - 1 in (line_of(source, "while step"), line_of(source, "step = step + 1"))
    [finding] = errors(findings)
    assert finding.line == line_of(source, "while step > 0")
    assert finding.message.startswith("The test was stopped while this loop was running")


@module_loop
async def test_list_where_a_tuple_is_expected(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, SPAN, """
        def low_high(values):
            if not values:
                return None
            return [min(values), max(values)]
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "return [min")
    assert finding.message.splitlines() == [
        "2 tests fail the same way: You returned a list with the right items; a tuple is expected.",
        "low_high([4, 9, 1]): expected (1, 9), got [1, 9]",
    ]


@module_loop
async def test_text_where_a_number_is_expected(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, INDEX, """
        def position_of_max(values):
            best = 0
            for i, value in enumerate(values):
                if value > values[best]:
                    best = i
            return str(best)
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "return str(best)")
    assert finding.message.startswith(
        "2 tests fail the same way: You returned the text '1'; the tests want a whole number (int), 1.")


@module_loop
async def test_floor_division_where_a_float_is_expected(sandbox: SubprocessSandbox) -> None:
    _result, findings, source = await check(sandbox, MEAN, """
        def mean_of(values):
            size = len(values)
            return sum(values) // size
    """)
    [finding] = errors(findings)
    assert finding.line == line_of(source, "//")
    assert "`//` drops the fraction; use `/` to keep it." in finding.message


@module_loop
async def test_assignment_in_a_comprehension_condition(sandbox: SubprocessSandbox) -> None:
    result, findings, source = await check(sandbox, SQUARES, """
        def odd_squares(values):
            return [v * v for v in values if v % 2 = 1]
    """)
    assert result.status is RunStatus.COMPILE_ERROR
    [finding] = findings
    assert finding.line == line_of(source, "if v % 2 = 1")
    assert finding.message == "SyntaxError: invalid syntax\n`=` stores a value; to compare two values, use `==`."


@module_loop
async def test_no_return_off_by_one_and_order(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, TOTAL, """
        def total_price(prices):
            total = 0
            for price in prices:
                total += price
    """)
    [finding] = errors(findings)
    assert "`total_price` ends without a `return`, so it gives back None." in finding.message
    assert finding.line == line_of(source, "for price in prices")
    _, findings, source = await check(sandbox, SQUARES, """
        def odd_squares(values):
            out = [v * v for v in values if v % 2 == 1]
            return out[:-1]
    """)
    [finding] = errors(findings)
    assert "Your result misses the last item, 9" in finding.message
    _, findings, source = await check(sandbox, EVENS, """
        def drop_odd(numbers):
            return sorted([n for n in numbers if n % 2 == 0], reverse=True)
    """)
    [finding] = errors(findings)
    assert finding.message.startswith("Your result is in reverse order.")


@module_loop
async def test_unexplained_failures_are_still_grouped(sandbox: SubprocessSandbox) -> None:
    _, findings, _source = await check(sandbox, TOTAL, """
        def total_price(prices):
            return 42
    """)
    [finding] = errors(findings)
    assert finding.message.startswith("3 tests give a wrong answer, for example total_price([2, 5]): "
                                      "expected 7, got 42")
    assert len(finding.related) == 3 and "cause" not in finding.data


def test_syntax_sentences() -> None:
    assert syntax_sentence("TabError", "inconsistent use of tabs and spaces in indentation", "") \
        == "This file mixes tabs and spaces for indentation; indent with spaces only (4 per level)."
    assert syntax_sentence("SyntaxError", "expected ':'", "for x in y").startswith(  # type: ignore[union-attr]
        "A line that starts a block")
    assert "never closed" in syntax_sentence(  # type: ignore[operator]
        "SyntaxError", "'[' was never closed", "x = [1,") or ""
    assert syntax_sentence("SyntaxError", "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                           "if a = 1:") == "`=` stores a value; to compare two values, use `==`."
    assert syntax_sentence("SyntaxError", "invalid syntax", "x = = 2") is None


@module_loop
async def test_syntax_errors_from_the_compiler_get_their_sentence(sandbox: SubprocessSandbox) -> None:
    for body, sentence in [
        ("def total_price(prices)\n    return 0\n", "must end with a colon"),
        ("def total_price(prices):\n    return sum(prices\n", "never closed"),
        ("def total_price(prices):\n\tx = 1\n        return x\n", "mixes tabs and spaces"),
    ]:
        result, findings, _ = await check(sandbox, TOTAL, body)
        assert result.status is RunStatus.COMPILE_ERROR
        [finding] = findings
        assert sentence in finding.message.splitlines()[1], finding.message


def test_explain_never_raises_on_unparsable_source() -> None:
    result = RunResult(question_id=TOTAL.id, status=RunStatus.FAILED, total=1)
    assert explain(result, TOTAL, "def (:") == {}


@module_loop
async def test_an_untouched_stub_is_not_explained(sandbox: SubprocessSandbox) -> None:
    result, findings, source = await check(sandbox, TOTAL, TOTAL.stub)
    assert result.status is RunStatus.FAILED
    assert explain(result, TOTAL, source) == {}
    assert all("cause" not in f.data for f in findings)
    edited = source.replace("def total_price():\n    pass\n", "def total_price(prices):\n    print(1)\n")
    result = await sandbox.run(TOTAL, edited, "solution.py")
    assert explain(result, TOTAL, edited)  # once the learner writes something, it is explained


def test_grading_keeps_the_line_a_stopped_test_was_running() -> None:
    from pytrix.runner.grading import RawRun, grade

    begin = [{"event": "ready"}, {"event": "module", "stdout": ""}, {"event": "begin", "index": 0}]
    sandbox = RawRun(events=[*begin, {"event": "where", "index": 0, "line": 4}], timed_out={0: 0.5},
                     skipped_after_timeout=True)
    assert grade(TOTAL, sandbox).tests[0].stopped_line == 4
    interrupted = {"event": "test", "index": 0, "outcome": "raised", "stdout": "",
                   "error": {"type": "KeyboardInterrupt", "message": "", "line": 6}}
    pyodide = RawRun(events=[*begin, interrupted], timed_out={0: 0.5}, backend="pyodide")
    graded = grade(TOTAL, pyodide).tests[0]
    assert graded.status is Status.TIMEOUT and graded.stopped_line == 6 and graded.error is None
    silent = RawRun(events=begin, timed_out={0: 0.5})
    assert grade(TOTAL, silent).tests[0].stopped_line is None


GREETING = question("greet", [('greet("ada")', "'Hello, Ada!'"), ('greet("bo")', "'Hello, Bo!'")])
IS_EVEN = question("is_even", [("is_even(4)", "True"), ("is_even(7)", "False"), ("is_even(0)", "True")])


@module_loop
async def test_letter_case_spaces_and_opposite_answers(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, GREETING, """
        def greet(name):
            return "hello, " + name.title() + "!"
    """)
    [finding] = errors(findings)
    assert finding.message.startswith(
        "2 tests fail the same way: Your text is right except for upper and lower case letters.")
    _, findings, source = await check(sandbox, GREETING, """
        def greet(name):
            return "Hello, " + name.title() + "! "
    """)
    [finding] = errors(findings)
    assert "right except for spaces or line breaks at its start or end" in finding.message
    _, findings, source = await check(sandbox, IS_EVEN, """
        def is_even(n):
            return n % 2 == 1
    """)
    [finding] = errors(findings)
    assert finding.message.startswith("3 tests fail the same way: Here your function answers")
    assert finding.line == line_of(source, "def is_even")


POWER = question("power_mod", [("power_mod(7, 0, 1)", "0"), ("power_mod(2, 3, 5)", "3")])
MIDDLE = question("middle", [('middle("a  b")', "'  '"), ('middle("abcd")', "'bc'")])
DEPTH = question("depth", [("depth(5000)", "5000")])


@module_loop
async def test_no_cause_is_claimed_by_coincidence(sandbox: SubprocessSandbox) -> None:
    """A constant equal to an argument is not "the input unchanged"; whitespace-only text is not "spaces"."""
    _, findings, _ = await check(sandbox, POWER, """
        def power_mod(base, exp, mod):
            if exp == 0:
                return 1
            return base ** exp % mod
    """)
    assert not any("returned the input" in f.message for f in errors(findings))
    _, findings, _ = await check(sandbox, MIDDLE, """
        def middle(s):
            return s[len(s) // 2 - 1:len(s) // 2]
    """)
    assert not any("spaces or line breaks" in f.message for f in errors(findings))


@module_loop
async def test_deep_recursion_names_both_causes(sandbox: SubprocessSandbox) -> None:
    _, findings, _ = await check(sandbox, DEPTH, """
        def depth(n):
            if n == 0:
                return 0
            return 1 + depth(n - 1)
    """)
    [finding] = errors(findings)
    assert "more than about 1000 levels deep" in finding.message and "halve it" in finding.message


AVERAGE = question("average_floor", [("average_floor([1, 2, 4])", "2"), ("average_floor([5])", "5")])
REVERSE = question("reverse_text", [('reverse_text("hello")', "'olleh'"), ('reverse_text("ab")', "'ba'")])


@module_loop
async def test_a_float_from_slash_and_a_list_of_characters_are_explained(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, AVERAGE, """
        def average_floor(xs):
            return sum(xs) / len(xs)
    """)
    [finding] = errors(findings)
    assert "`/` always gives a float" in finding.message and "`//`" in finding.message
    assert finding.line == line_of(source, "sum(xs) / len(xs)")
    _, findings, _ = await check(sandbox, REVERSE, """
        def reverse_text(s):
            return list(reversed(s))
    """)
    [finding] = errors(findings)
    assert "of strings that would be right joined together" in finding.message
    assert "''.join(...)" in finding.message


ASK = question("double", [("double(2)", "4")])


@module_loop
async def test_input_in_a_function_question_is_explained(sandbox: SubprocessSandbox) -> None:
    _, findings, _ = await check(sandbox, ASK, """
        def double(n):
            n = int(input("number? "))
            return n * 2
    """)
    [finding] = errors(findings)
    assert "`input()` found nothing to read" in finding.message


DISTANCE = question("edit_steps", [('edit_steps("cat", "cut")', "1"), ('edit_steps("ab", "ba")', "2")])
COUNT_PAIRS = question("count_pairs", [('count_pairs("aabb")', "2"), ('count_pairs("aaa")', "2")])
TAIL = question("without_first", [("without_first([4, 5, 6])", "[5, 6]"), ("without_first([1, 2])", "[2]")])
JOIN = question("joined", [('joined(["ab", "c"])', '"abc"'), ('joined(["x"])', '"x"')])


@module_loop
async def test_one_off_names_the_loop_only_when_a_loop_could_be_it(sandbox: SubprocessSandbox) -> None:
    _, findings, _ = await check(sandbox, DISTANCE, """
        def edit_steps(a, b):
            if not a or not b:
                return len(a) + len(b)
            if a[0] == b[0]:
                return edit_steps(a[1:], b[1:])
            return 1 + min(edit_steps(a[1:], b), edit_steps(a, b[1:]))  # no substitution rule
    """)
    [finding] = errors(findings)
    assert finding.message.startswith("Your answer is one more than expected: look for the case your code "
                                      "counts once too often or misses.")
    assert "loop" not in finding.message and "range" not in finding.message
    _, findings, source = await check(sandbox, COUNT_PAIRS, """
        def count_pairs(text):
            count = 0
            for i in range(1, len(text) - 1):
                if text[i] == text[i - 1]:
                    count += 1
            return count
    """)
    [finding] = errors(findings)
    assert "check where a loop or `range` starts and stops" in finding.message
    _, findings, source = await check(sandbox, TAIL, """
        def without_first(values):
            return values[2:]
    """)
    [finding] = errors(findings)
    assert finding.message.startswith("2 tests fail the same way: Your result misses the first item, 5: check "
                                      "the bounds of this slice (`a[i:j]` stops just before `j`).")
    assert finding.line == line_of(source, "values[2:]")


@module_loop
async def test_sum_over_text_gets_the_sum_sentence(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, JOIN, """
        def joined(parts):
            total = sum(parts)
            return total
    """)
    [finding] = errors(findings)
    assert finding.message.startswith('2 tests fail the same way: `sum()` adds numbers; to join text use '
                                      '`"".join(...)`.')
    assert "Text and numbers" not in finding.message
    assert finding.line == line_of(source, "sum(parts)")


@module_loop
async def test_a_renamed_function_is_named_at_its_def(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, TOTAL, """
        def helper(x):
            return x

        def total(prices):
            return sum(prices)

        # my notes
    """)
    [finding] = errors(findings)
    assert finding.message.startswith(
        "3 tests fail the same way: The question calls `total_price(...)`, but your file defines no function "
        "`total_price`; did you rename it? (you have `total`)")
    assert "used before anything was stored" not in finding.message
    assert finding.line == line_of(source, "def total(prices)")
    _, findings, source = await check(sandbox, TOTAL, "# nothing yet\n")
    [finding] = errors(findings)
    assert "your file defines no function `total_price`; did you rename it?\n" in finding.message
    assert finding.line == 0


IN_PLACE = Question(
    id="explain.move-zeros", module="explain", subtopic="mistakes", problem_type="mistakes",
    difficulty="beginner", title="move zeros", prompt="Move the zeros to the end, in place.",
    entry="check_move_zeros", given=["check_move_zeros"],
    stub="def move_zeros(nums):\n    pass\n\n\ndef check_move_zeros(nums):\n    return move_zeros(nums), nums\n",
    solution="def move_zeros(nums):\n    nums.sort(key=lambda x: x == 0)\n\n\n"
             "def check_move_zeros(nums):\n    return move_zeros(nums), nums\n",
    hints=["generic hint"],
    tests=[{"call": "check_move_zeros([0, 1, 0, 3, 12])", "expected": "(None, [1, 3, 12, 0, 0])"},
           {"call": "check_move_zeros([0, 2])", "expected": "(None, [2, 0])"}],
)


@module_loop
async def test_rebinding_the_list_of_an_in_place_question_is_named(sandbox: SubprocessSandbox) -> None:
    _, findings, source = await check(sandbox, IN_PLACE, """
        def move_zeros(nums):
            nums = [x for x in nums if x != 0] + [0] * nums.count(0)


        def check_move_zeros(nums):
            return move_zeros(nums), nums
    """)
    [finding] = errors(findings)
    assert finding.message.startswith(
        "2 tests fail the same way: `nums = …` makes a new list; the caller's list is unchanged. "
        "Change it in place: `nums[:] = …` or modify items.")
    assert finding.line == line_of(source, "nums = [x for x")
    _, findings, _ = await check(sandbox, IN_PLACE, """
        def move_zeros(nums):
            nums[:] = [x for x in nums if x != 0]  # in place, but the zeros are lost


        def check_move_zeros(nums):
            return move_zeros(nums), nums
    """)
    assert not any("makes a new list" in f.message for f in errors(findings))
