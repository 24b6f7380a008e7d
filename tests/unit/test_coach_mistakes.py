"""The coaching rules for beginners' logic mistakes: each must trigger, must not trigger, fixes."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

import pytrix.coach.engine as engine
from pytrix.coach import RULES, Finding, apply_edits, coach


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_RAISE_INTERNAL_ERRORS", True)


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def found(rule: str, source: str, entry: str | None = None) -> list[Finding]:
    """The findings of ``rule`` alone; every fix must give code that compiles."""
    findings = coach(source, disabled=frozenset(RULES) - {rule}, entry=entry)
    assert all(f.rule == rule for f in findings)
    for finding in findings:
        assert finding.severity == RULES[rule].severity
        if finding.edits:
            compile(apply_edits(source, finding.edits), "fixed.py", "exec")
    return findings


def fixed(finding: Finding, source: str) -> str:
    assert finding.edits, finding
    return apply_edits(source, finding.edits)


# -- while-unchanged -------------------------------------------------------------

def test_while_unchanged_names_the_counter_at_the_while_line() -> None:
    source = src('''
        def count_digits(text):
            digits = 0
            pos = 0
            while pos < len(text):
                if text[pos].isdigit():
                    digits += 1
            return digits
    ''')
    [finding] = found("while-unchanged", source)
    assert finding.span.start_line == 3
    assert finding.message.startswith("`pos` never changes inside this loop")
    assert "`pos += 1`" in finding.message
    assert not finding.edits


def test_while_unchanged_counts_down_and_several_names() -> None:
    source = src('''
        def f(n, limit):
            while n > limit:
                print("waiting")
    ''')
    [finding] = found("while-unchanged", source)
    assert "`n -= 1`" in finding.message
    source = src('''
        def g(a, b):
            while a and b:
                print(a)
    ''')
    [finding] = found("while-unchanged", source)
    assert finding.message.startswith("`a` and `b` never change")


@pytest.mark.parametrize(
    "body",
    [
        "while True:\n    if ready():\n        break\n",  # no name in the condition
        "while i < 10:\n    i += 1\n",
        "while stack:\n    stack.pop()\n",  # a method call may change it
        "while queue:\n    handle(queue)\n",  # any non-builtin call may change anything
        "while node is not None:\n    node = node.next\n",
        "while not done():\n    pass\n",  # the condition calls a function
        "while (line := read()) != '':\n    print(line)\n",
        "while total < 10:\n    global_step()\n",
        "while grid[0] < 3:\n    grid[0] += 1\n",
        "while x < 5:\n    x, y = y, x + 1\n",
        "while stack:\n    print(next(stack))\n",
        "while stack:\n    stack.sort()\n",
    ],
)
def test_while_unchanged_stays_quiet_when_the_loop_may_advance(body: str) -> None:
    source = "def f(i, stack, queue, node, total, grid, x, y):\n" + textwrap.indent(body, "    ")
    assert found("while-unchanged", source) == []


# -- comparison-statement --------------------------------------------------------

def test_comparison_statement_fix_becomes_augmented_assignment() -> None:
    source = src('''
        def count_positive(numbers):
            count = 0
            for n in numbers:
                if n > 0:
                    count == count + 1
            return count
    ''')
    [finding] = found("comparison-statement", source)
    assert finding.span.start_line == 4
    assert "compares and throws the result away" in finding.message
    assert "`count += 1`" in finding.message
    assert "            count += 1\n" in fixed(finding, source)


def test_comparison_statement_plain_assignment_and_no_fix_for_other_operators() -> None:
    source = "best = 0\nbest == max(best, 3)\nbest < 4\n"
    first, second = found("comparison-statement", source)
    assert fixed(first, source).splitlines()[1] == "best = max(best, 3)"
    assert second.span.start_line == 2 and not second.edits


@pytest.mark.parametrize(
    "source",
    [
        "ok = a == b\n",
        "assert a == b\n",
        "if a == b:\n    pass\n",
        "print(a == b)\n",
        "def f(a, b):\n    return a == b\n",
    ],
)
def test_comparison_statement_ignores_used_comparisons(source: str) -> None:
    assert found("comparison-statement", source) == []


# -- constant-or ---------------------------------------------------------------

def test_constant_or_explains_and_fixes_the_vowel_test() -> None:
    source = src('''
        def vowels(word):
            total = 0
            for letter in word:
                if letter == "a" or "e" or "i" or "o" or "u":
                    total += 1
            return total
    ''')
    [finding] = found("constant-or", source)
    assert finding.span.start_line == 3
    assert finding.message.startswith('`"e"` on its own is always true')
    assert '`letter in "aeiou"`' in finding.message
    assert 'if letter in ("a", "e", "i", "o", "u"):' in fixed(finding, source)


def test_constant_or_with_numbers_and_mixed_subjects() -> None:
    [finding] = found("constant-or", "if n == 1 or 2:\n    pass\n")
    assert "`n in (1, 2)`" in finding.message
    assert fixed(finding, "if n == 1 or 2:\n    pass\n").startswith("if n in (1, 2):")
    [finding] = found("constant-or", "if a == 1 or b == 2 or 3:\n    pass\n")
    assert not finding.edits  # two different subjects: no rewrite is provably right


@pytest.mark.parametrize(
    "source",
    [
        "name = given or 'anonymous'\n",  # a default value, not a comparison
        "ok = a == 1 or b == 2\n",
        "ok = a == 1 or ''\n",  # an empty constant is false: no always-true condition
        "ok = a == 1 or None\n",
        "ok = a == 1 and 'x'\n",
    ],
)
def test_constant_or_ignores_defaults_and_real_comparisons(source: str) -> None:
    assert found("constant-or", source) == []


# -- return-in-loop --------------------------------------------------------------

def test_return_in_loop_dedents_the_return() -> None:
    source = src('''
        def total_length(words):
            size = 0
            for word in words:
                size += len(word)
                return size
    ''')
    [finding] = found("return-in-loop", source)
    assert finding.span.start_line == 4
    assert "returns after the first item" in finding.message
    assert fixed(finding, source).splitlines()[4] == "    return size"


@pytest.mark.parametrize(
    "source",
    [
        "def f(xs):\n    for x in xs:\n        return x\n",  # the first-item idiom
        "def f(xs):\n    for x in xs:\n        if x:\n            return x\n    return None\n",
        "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n",
        "for x in [1, 2]:\n    y = x\n    print(y)\n",  # not in a function
    ],
)
def test_return_in_loop_ignores_conditional_and_after_loop_returns(source: str) -> None:
    assert found("return-in-loop", source) == []


def test_return_in_loop_without_fix_when_the_return_spans_lines() -> None:
    source = "def f(xs):\n    for x in xs:\n        y = x\n        return (y,\n                x)\n"
    [finding] = found("return-in-loop", source)
    assert not finding.edits


# -- mutate-iterated ---------------------------------------------------------------

def test_mutate_iterated_remove_with_copy_fix() -> None:
    source = src('''
        def without_duplicates(numbers):
            kept = list(numbers)
            for number in kept:
                if kept.count(number) > 1:
                    kept.remove(number)
            return kept
    ''')
    [finding] = found("mutate-iterated", source)
    assert finding.span.start_line == 4
    assert "makes the loop skip the item after each one removed" in finding.message
    assert "for number in kept[:]:" in fixed(finding, source)


def test_mutate_iterated_parameter_and_append_without_fix() -> None:
    source = "def f(items):\n    for x in items:\n        items.append(x * 2)\n"
    [finding] = found("mutate-iterated", source)
    assert "endless" in finding.message and not finding.edits
    source = "def f(items):\n    for x in items:\n        del items[0]\n"
    assert len(found("mutate-iterated", source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "def f(items):\n    for x in items[:]:\n        items.remove(x)\n",
        "def f(items):\n    for x in list(items):\n        items.remove(x)\n",
        "def f(items):\n    out = []\n    for x in items:\n        out.append(x)\n",
        "def f(items, t):\n    for x in items:\n        if x == t:\n            items.remove(x)\n            break\n",
    ],
)
def test_mutate_iterated_ignores_copies_other_lists_and_break(source: str) -> None:
    assert found("mutate-iterated", source) == []


# -- print-not-return ----------------------------------------------------------------

def test_print_not_return_on_the_entry_only() -> None:
    source = src('''
        def area(width, height):
            size = width * height
            print(size)
    ''')
    [finding] = found("print-not-return", source, entry="area")
    assert finding.span.start_line == 2
    assert finding.message.startswith("`area` prints `size` but never returns it")
    assert fixed(finding, source).splitlines()[2] == "    return size"
    assert found("print-not-return", source) == []  # no entry known: helpers may print
    assert found("print-not-return", source, entry="volume") == []


@pytest.mark.parametrize(
    "source",
    [
        "def area(w, h):\n    print(w)\n    return w * h\n",
        "def area(w, h):\n    return w * h\n",
        "def area(w, h):\n    def show():\n        print(w)\n    show()\n",  # nested helper
    ],
)
def test_print_not_return_ignores_functions_that_return(source: str) -> None:
    assert found("print-not-return", source, entry="area") == []


def test_print_not_return_without_fix_when_code_follows() -> None:
    source = "def area(w, h):\n    print(w * h)\n    w = 0\n"
    [finding] = found("print-not-return", source, entry="area")
    assert not finding.edits


# -- existing rules do not suggest the learner's own names ----------------------------

def test_builtin_shadowing_never_suggests_a_parameter_name() -> None:
    source = src('''
        def doubled(items):
            list = []
            for x in items:
                list.append(x * 2)
            return list
    ''')
    [finding] = found("builtin-shadowing", source)
    assert "`items`" not in finding.message
    assert "`values`" in finding.message
    source = "def doubled(values, items):\n    list = []\n    return list\n"
    [finding] = found("builtin-shadowing", source)
    assert "`values`" not in finding.message and "`elements`" in finding.message


def test_range_len_suggestion_avoids_taken_names_without_fix() -> None:
    source = src('''
        def f(words, word):
            for i in range(len(words)):
                print(words[i], i * 2)
                words = []
    ''')
    findings = found("range-len", source)
    for finding in findings:
        assert "`word`" not in finding.message.replace("`words", "")


def test_every_new_rule_has_must_trigger_examples_here() -> None:
    names = {"while-unchanged", "comparison-statement", "constant-or", "return-in-loop",
             "mutate-iterated", "print-not-return"}
    assert names <= set(RULES)
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    tested = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert names <= tested


# A function with a logic mistake (it removes from the list it walks) and a speed problem.
UNIQUE = src('''
    def unique(words):
        seen = []
        for w in words:
            if w in seen:
                words.remove(w)
            seen.append(w)
        return words
''')


def test_speed_and_style_advice_waits_while_the_function_has_a_mistake() -> None:
    source = UNIQUE + "\n\n" + src('''
        def tidy(words):
            seen = []
            for w in words:
                if w not in seen:
                    seen.append(w)
            return seen
    ''')
    rules = [(f.rule, f.span.start_line) for f in coach(source)]
    assert ("mutate-iterated", 4) in rules
    assert ("quadratic-in-loop", 3) not in rules  # a distraction while the loop is wrong
    assert ("quadratic-in-loop", 12) in rules  # the other function is fine: the advice stays


def test_advice_waits_in_functions_nested_in_any_block() -> None:
    """The function around a mistake is found in every kind of block (if/else, for/else, while,
    with, try/except/finally, match, a class)."""
    for head in ("if ok:\n    pass\nelse:\n", "for i in x:\n    pass\nelse:\n", "while ok:\n",
                 "with ctx:\n", "try:\n    pass\nexcept E:\n", "try:\n    pass\nfinally:\n",
                 "match v:\n    case 1:\n", "class Box:\n"):
        indent = "    " * (head.count("case ") + 1)
        source = head + textwrap.indent(UNIQUE, indent)
        ast.parse(source)
        line = next(n for n, text in enumerate(source.splitlines()) if "seen = []" in text)
        rules = [(f.rule, f.span.start_line) for f in coach(source)]
        assert ("mutate-iterated", line + 3) in rules, source
        assert ("quadratic-in-loop", line + 2) not in rules, source
