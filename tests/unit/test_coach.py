"""Tests for the coaching diagnostics (``pytrix.coach``): every rule, fixes, robustness."""

from __future__ import annotations

import ast
import importlib.util
import random
import textwrap
import warnings
from pathlib import Path

import pytest

import pytrix.coach.engine as engine
from pytrix.coach import (
    MAX_SOURCE_CHARS,
    RULES,
    Edit,
    Finding,
    RuleInfo,
    Span,
    apply_edits,
    coach,
)

ALL_IDS = frozenset(RULES)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that crashes is normally skipped silently; in tests it must fail."""
    monkeypatch.setattr(engine, "_RAISE_INTERNAL_ERRORS", True)


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def only(rule: str, source: str) -> list[Finding]:
    """Findings of ``rule`` alone; also checks every fix of every rule on the way."""
    assert rule in RULES
    findings = coach(source, disabled=ALL_IDS - {rule})
    assert all(f.rule == rule for f in findings)
    assert findings == [f for f in coach(source) if f.rule == rule]
    for finding in findings:
        check_finding(source, finding)
    return findings


def check_finding(source: str, finding: Finding, *, full_compile: bool = True) -> None:
    info = RULES[finding.rule]
    assert finding.severity == info.severity
    assert finding.message
    assert (finding.fix_title is None) == (not finding.edits)
    if finding.edits:
        assert info.fixable
        result = apply_edits(source, finding.edits)
        ast.parse(result)
        if full_compile and compiles(source):  # also the compiler's later checks (scopes...)
            compile(result, "<fixed>", "exec", dont_inherit=True)


def compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "<source>", "exec", dont_inherit=True)
        except SyntaxError:
            return False
    return True


def lines(rule: str, source: str) -> list[int]:
    """0-based start lines of the findings of ``rule``."""
    return [f.span.start_line for f in only(rule, source)]


def fixed(rule: str, source: str, index: int = 0) -> str:
    """``source`` after applying the fix of the ``index``-th finding of ``rule``."""
    finding = only(rule, source)[index]
    assert finding.edits, f"expected a fix: {finding}"
    result = apply_edits(source, finding.edits)
    ast.parse(result)
    if compiles(source):
        compile(result, "<fixed>", "exec", dont_inherit=True)
    return result


def no_fix(rule: str, source: str, index: int = 0) -> Finding:
    finding = only(rule, source)[index]
    assert finding.edits == () and finding.fix_title is None
    return finding


def segment(source: str, span: Span) -> str:
    text_lines = source.splitlines()
    if span.start_line == span.end_line:
        return text_lines[span.start_line][span.start_col : span.end_col]
    parts = [text_lines[span.start_line][span.start_col :]]
    parts += text_lines[span.start_line + 1 : span.end_line]
    parts.append(text_lines[span.end_line][: span.end_col])
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# API and metadata


def test_rules_table() -> None:
    assert list(RULES) == [
        "range-len",
        "mutable-default",
        "none-comparison",
        "bare-except",
        "str-concat-loop",
        "quadratic-in-loop",
        "builtin-shadowing",
        "bool-return",
        "while-unchanged",
        "comparison-statement",
        "constant-or",
        "return-in-loop",
        "mutate-iterated",
        "print-not-return",
    ]
    fixable = {rule for rule, info in RULES.items() if info.fixable}
    assert fixable == {
        "range-len",
        "mutable-default",
        "none-comparison",
        "bare-except",
        "bool-return",
        "comparison-statement",
        "constant-or",
        "return-in-loop",
        "mutate-iterated",
        "print-not-return",
    }
    for rule, info in RULES.items():
        assert isinstance(info, RuleInfo)
        assert info.id == rule
        assert info.severity in ("hint", "information")
        assert info.title and info.description
    with pytest.raises(TypeError):
        RULES["new"] = RULES["range-len"]  # type: ignore[index]


def test_findings_are_sorted_and_frozen() -> None:
    source = src(
        """
        def f(xs=[]):
            try:
                pass
            except:
                pass
            return xs == None
        """
    )
    findings = coach(source)
    assert [f.rule for f in findings] == ["mutable-default", "bare-except", "none-comparison"]
    keys = [(f.span.start_line, f.span.start_col) for f in findings]
    assert keys == sorted(keys)
    with pytest.raises(AttributeError):
        findings[0].rule = "x"  # type: ignore[misc]
    assert findings[0].fixable


def test_span_validation() -> None:
    assert Span.point(2, 3) == Span(2, 3, 2, 3)
    with pytest.raises(ValueError):
        Span(1, 0, 0, 5)
    with pytest.raises(ValueError):
        Span(0, -1, 0, 0)


def test_apply_edits() -> None:
    text = "ab\ncd\r\nef"
    assert apply_edits(text, [Edit(Span(1, 0, 1, 2), "XY")]) == "ab\nXY\r\nef"
    assert apply_edits(text, [Edit(Span(0, 1, 2, 1), "-")]) == "a-f"
    # two insertions at one point keep their order
    edits = [Edit(Span.point(0, 0), "1"), Edit(Span.point(0, 0), "2")]
    assert apply_edits(text, edits) == "12" + text
    with pytest.raises(ValueError):
        apply_edits(text, [Edit(Span(0, 0, 0, 2), ""), Edit(Span(0, 1, 0, 2), "")])
    with pytest.raises(ValueError):
        apply_edits(text, [Edit(Span(0, 3, 0, 3), "")])  # past the end of the line
    with pytest.raises(ValueError):
        apply_edits(text, [Edit(Span(5, 0, 5, 0), "")])


def test_disabled() -> None:
    source = "try:\n    x = 1 == None\nexcept:\n    pass\n"
    assert {f.rule for f in coach(source)} == {"none-comparison", "bare-except"}
    assert {f.rule for f in coach(source, disabled=frozenset({"bare-except"}))} == {
        "none-comparison"
    }
    assert coach(source, disabled={"no-such-rule"}) == coach(source)
    assert coach(source, disabled=ALL_IDS) == []
    assert coach(source, disabled=["bare-except", "none-comparison"]) == []
    assert [f.rule for f in coach(source, disabled="bare-except")] == ["none-comparison"]


# ---------------------------------------------------------------------------
# range-len


def test_range_len_basic_fix() -> None:
    source = src(
        """
        def show(xs):
            for i in range(len(xs)):
                print(xs[i])
        """
    )
    (finding,) = only("range-len", source)
    assert finding.span == Span(1, 13, 1, 27)
    assert segment(source, finding.span) == "range(len(xs))"
    assert "enumerate" in finding.message
    assert fixed("range-len", source) == src(
        """
        def show(xs):
            for i, x in enumerate(xs):
                print(x)
        """
    )


def test_range_len_keeps_other_index_uses() -> None:
    source = src(
        """
        for i in range(len(names)):
            print(i, names[i], ages[i])
            if i == 0 or names[i] in seen:
                print("first", names[i])
        """
    )
    assert fixed("range-len", source) == src(
        """
        for i, name in enumerate(names):
            print(i, name, ages[i])
            if i == 0 or name in seen:
                print("first", name)
        """
    )


@pytest.mark.parametrize(
    ("seq", "name"),
    [
        ("nums", "num"),
        ("entries", "entry"),
        ("boxes", "box"),
        ("data", "item"),
        ("lst", "item"),
        ("lists", "item"),  # "list" would shadow the builtin
        ("ifs", "item"),  # "if" is a keyword
        ("status", "item"),
    ],
)
def test_range_len_new_name(seq: str, name: str) -> None:
    source = f"for i in range(len({seq})):\n    print({seq}[i])\n"
    assert fixed("range-len", source) == f"for i, {name} in enumerate({seq}):\n    print({name})\n"


def test_range_len_attribute_sequence() -> None:
    source = src(
        """
        class Basket:
            def total(self):
                t = 0
                for i in range(len(self.items)):
                    t = t + self.items[i].price
                return t
        """
    )
    assert lines("range-len", source) == [3]
    assert "for i, item in enumerate(self.items):" in fixed("range-len", source)
    assert "t = t + item.price" in fixed("range-len", source)


def test_range_len_avoids_names_in_scope() -> None:
    source = src(
        """
        def f(xs):
            x = 10
            for i in range(len(xs)):
                print(xs[i] * x)
        """
    )
    result = fixed("range-len", source)
    assert "for i, item in enumerate(xs):" in result
    assert "print(item * x)" in result


def test_range_len_nested_loops_get_distinct_names() -> None:
    source = src(
        """
        for i in range(len(xs)):
            for j in range(len(xs)):
                print(xs[i], xs[j])
        """
    )
    outer, inner = only("range-len", source)
    both = apply_edits(source, [*outer.edits, *inner.edits])
    ast.parse(both)
    assert both == src(
        """
        for i, x in enumerate(xs):
            for j, item in enumerate(xs):
                print(x, item)
        """
    )


def test_range_len_sequential_loops_may_share_a_name() -> None:
    source = (
        "for i in range(len(xs)):\n    print(xs[i])\nfor k in range(len(xs)):\n    print(xs[k])\n"
    )
    first, second = only("range-len", source)
    assert first.edits[0].new_text == "i, x"
    assert second.edits[0].new_text == "k, x"


def test_range_len_attribute_root_rebound() -> None:
    source = "for i in range(len(self.items)):\n    print(self.items[i])\n    self = other\n"
    assert lines("range-len", source) == [0]
    no_fix("range-len", source)


def test_range_len_fstring() -> None:
    source = 'for i in range(len(xs)):\n    print(f"{i}: {xs[i]!r}")\n'
    assert fixed("range-len", source) == 'for i, x in enumerate(xs):\n    print(f"{i}: {x!r}")\n'


@pytest.mark.parametrize(
    "body",
    [
        "xs[i] = xs[i] * 2",  # element write
        "xs[i] += xs[i]",
        "print(xs[i])\n    del xs[i]",
        "print(xs[i])\n    xs[0] = 1",
        "print(xs[i])\n    xs.append(0)",  # the list changes while looping
        "print(xs[i])\n    xs = []",
        "print(xs[i], helper(xs))",
        'print(f"{xs[i]=}")',  # self-documenting f-string: the text would change
        "print(xs[i], [xs[i] for i in range(3)])",  # a different i
        "print(xs[i], lambda i: i)",
        "print(xs[i])\n    xs[j] = 0",
    ],
)
def test_range_len_unsafe_rewrite_has_no_fix(body: str) -> None:
    source = f"for i in range(len(xs)):\n    {body}\n"
    assert lines("range-len", source) == [0]
    no_fix("range-len", source)


@pytest.mark.parametrize(
    "source",
    [
        # the index is used arithmetically: neighbours, parity, offsets
        "for i in range(len(xs)):\n    print(xs[i] - xs[i - 1])\n",
        "for i in range(len(xs)):\n    if i % 2:\n        print(xs[i])\n",
        "for i in range(len(xs)):\n    total += i\n    print(xs[i])\n",
        "for i in range(len(xs)):\n    print(xs[i], xs[-i])\n",
        # the index is reassigned
        "for i in range(len(xs)):\n    i = 0\n    print(xs[i])\n",
        # no xs[i] read
        "for i in range(len(xs)):\n    print(i)\n",
        "for i in range(len(xs)):\n    print(ys[i])\n",
        "for i in range(len(xs)):\n    xs[i] = 0\n",
        "for i in range(len(xs)):\n    xs[i] += 1\n",
        # not range(len(x))
        "for i in range(1, len(xs)):\n    print(xs[i])\n",
        "for i in range(len(xs) - 1):\n    print(xs[i])\n",
        "for i in range(n):\n    print(xs[i])\n",
        "for i, x in enumerate(xs):\n    print(x)\n",
        "for a, b in range(len(xs)):\n    pass\n",
    ],
)
def test_range_len_not_triggered(source: str) -> None:
    assert only("range-len", source) == []


# ---------------------------------------------------------------------------
# mutable-default


def test_mutable_default_fix() -> None:
    source = src(
        """
        def add(item, bucket=[]):
            bucket.append(item)
            return bucket
        """
    )
    (finding,) = only("mutable-default", source)
    assert finding.span == Span(0, 21, 0, 23)
    assert "shared" in finding.message
    assert fixed("mutable-default", source) == src(
        """
        def add(item, bucket=None):
            if bucket is None:
                bucket = []
            bucket.append(item)
            return bucket
        """
    )


def test_mutable_default_after_docstring_in_method() -> None:
    source = src(
        '''
        class Register:
            def __init__(self, name, marks={}):
                """Create a register.

                Marks are optional.
                """
                # keep the name
                self.name = name
                self.marks = marks
        '''
    )
    assert lines("mutable-default", source) == [1]
    assert fixed("mutable-default", source) == src(
        '''
        class Register:
            def __init__(self, name, marks=None):
                """Create a register.

                Marks are optional.
                """
                # keep the name
                if marks is None:
                    marks = {}
                self.name = name
                self.marks = marks
        '''
    )


def test_mutable_default_docstring_only_body() -> None:
    source = 'def f(xs=set()):\n    """Nothing yet."""  # todo\n'
    assert fixed("mutable-default", source) == (
        'def f(xs=None):\n    """Nothing yet."""\n    if xs is None:\n        xs = set()  # todo\n'
    )


def test_mutable_default_inline_body() -> None:
    source = "def f(xs=[]): return xs\n"
    assert fixed("mutable-default", source) == (
        "def f(xs=None): \n    if xs is None:\n        xs = []\n    return xs\n"
    )


def test_mutable_default_keyword_only_and_tabs() -> None:
    source = "def f(a, *, cache=dict(), seen={1, 2}):\n\treturn cache, seen\n"
    assert lines("mutable-default", source) == [0, 0]
    assert fixed("mutable-default", source, 0) == (
        "def f(a, *, cache=None, seen={1, 2}):\n\tif cache is None:\n\t\tcache = dict()\n"
        "\treturn cache, seen\n"
    )
    assert fixed("mutable-default", source, 1) == (
        "def f(a, *, cache=dict(), seen=None):\n\tif seen is None:\n\t\tseen = {1, 2}\n"
        "\treturn cache, seen\n"
    )


def test_mutable_default_annotation_gets_none() -> None:
    source = "def f(xs: list[int] = [], ys: Optional[list] = []):\n    return xs + ys\n"
    assert fixed("mutable-default", source, 0).startswith(
        "def f(xs: list[int] | None = None, ys: Optional[list] = []):\n"
        "    if xs is None:\n        xs = []\n"
    )
    assert fixed("mutable-default", source, 1).startswith(
        "def f(xs: list[int] = [], ys: Optional[list] = None):\n"
    )


def test_mutable_default_keeps_crlf_and_multiline_default() -> None:
    source = "def f(\r\n    table={\r\n        'a': 1,\r\n    },\r\n):\r\n    return table\r\n"
    assert fixed("mutable-default", source) == (
        "def f(\r\n    table=None,\r\n):\r\n    if table is None:\r\n"
        "        table = {\r\n        'a': 1,\r\n    }\r\n    return table\r\n"
    )


def test_mutable_default_without_fix() -> None:
    # a lambda has no body to put the guard in
    no_fix("mutable-default", "key = lambda x, acc=[]: acc\n")
    # the default reads a variable: evaluating it at call time could differ
    no_fix("mutable-default", "def f(xs=[DEFAULT]):\n    return xs\n")
    # the first statement shares the docstring's line
    no_fix("mutable-default", 'def f(xs=[]):\n    """Doc."""; return xs\n')
    # a backslash joins the body to the ``def`` line
    no_fix("mutable-default", "def f(xs=[]):\\\n    return xs\n")


def test_mutable_default_annotation_that_allows_none_is_kept() -> None:
    source = "def f(xs: list | None = [], ys: 'list' = {}):\n    pass\n"
    assert fixed("mutable-default", source, 0).startswith("def f(xs: list | None = None, ys")
    assert fixed("mutable-default", source, 1).startswith(
        "def f(xs: list | None = [], ys: 'list' = None):\n"
    )


@pytest.mark.parametrize(
    "signature",
    ["xs=None", "xs=()", "n=0", "s=''", "xs=tuple()", "xs=frozenset()", "f=list", "*args"],
)
def test_mutable_default_not_triggered(signature: str) -> None:
    assert only("mutable-default", f"def f({signature}):\n    pass\n") == []


# ---------------------------------------------------------------------------
# none-comparison


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("if x == None:\n    pass\n", "if x is None:\n    pass\n"),
        ("if x != None:\n    pass\n", "if x is not None:\n    pass\n"),
        ("ok = x==None\n", "ok = x is None\n"),
        ("ok = x!=None\n", "ok = x is not None\n"),
        ("ok = None == x\n", "ok = None is x\n"),
        ("ok = (f(x)) == None\n", "ok = (f(x)) is None\n"),
        ("ok = (x\n      == None)\n", "ok = (x\n      is None)\n"),
        ('print(f"{x == None}")\n', 'print(f"{x is None}")\n'),
    ],
)
def test_none_comparison_fix(before: str, after: str) -> None:
    assert fixed("none-comparison", before) == after


def test_none_comparison_span_and_message() -> None:
    source = "def check(value):\n    return value != None\n"
    (finding,) = only("none-comparison", source)
    assert finding.span == Span(1, 11, 1, 24)
    assert segment(source, finding.span) == "value != None"
    assert "is not None" in finding.message


def test_none_comparison_chain_and_no_fix_cases() -> None:
    assert lines("none-comparison", "ok = a == None == b\n") == [0, 0]
    no_fix("none-comparison", "ok = (x  # the value\n      == None)\n")
    no_fix("none-comparison", 'print(f"{x == None=}")\n')


@pytest.mark.parametrize(
    "source",
    [
        "ok = x is None\n",
        "ok = x is not None\n",
        "ok = x == 0\n",
        "ok = x == 'None'\n",
        "ok = None\n",
        "ok = x in (None, 1)\n",
    ],
)
def test_none_comparison_not_triggered(source: str) -> None:
    assert only("none-comparison", source) == []


# ---------------------------------------------------------------------------
# bare-except


def test_bare_except_fix() -> None:
    source = src(
        """
        try:
            n = int(text)
        except:
            n = 0
        """
    )
    (finding,) = only("bare-except", source)
    assert finding.span == Span(2, 0, 2, 6)
    assert "KeyboardInterrupt" in finding.message
    assert fixed("bare-except", source) == source.replace("except:", "except Exception:")


def test_bare_except_unusual_spacing_and_nesting() -> None:
    source = "def f():\n    try:\n        pass\n    except ValueError:\n        pass\n    except :\n        pass\n"
    assert lines("bare-except", source) == [5]
    assert "    except Exception :\n" in fixed("bare-except", source)


@pytest.mark.parametrize(
    "handler",
    [
        "except ValueError:\n    pass\n",
        "except (KeyError, IndexError):\n    pass\n",
        "except Exception as exc:\n    pass\n",
        "except BaseException:\n    pass\n",
        "except:\n    cleanup()\n    raise\n",  # clean up, then re-raise: catching all is the point
    ],
)
def test_bare_except_not_triggered(handler: str) -> None:
    assert only("bare-except", "try:\n    work()\n" + handler) == []


# ---------------------------------------------------------------------------
# str-concat-loop


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("s = ''\nfor w in words:\n    s += w\n", 2),
        ('s = f"{a}"\nwhile more():\n    s += next_part()\n', 2),
        ("s: str = ''\nfor w in words:\n    if w:\n        s += w\n", 3),
        ("def f(s: str, n):\n    for _ in range(n):\n        s += '-'\n    return s\n", 2),
        ("for w in words:\n    out += w + ', '\n", 1),  # value obviously a str
        ("for w in words:\n    out += str(w)\n", 1),
        ("for w in words:\n    out += f'{w};'\n", 1),
        ("s = ', '.join(a)\nfor w in words:\n    s += w\n", 2),
        ("s: str\nfor w in words:\n    s += w\n", 2),
    ],
)
def test_str_concat_loop(source: str, line: int) -> None:
    (finding,) = only("str-concat-loop", source)
    assert finding.span.start_line == line
    assert "join" in finding.message
    assert not finding.edits


@pytest.mark.parametrize(
    "source",
    [
        "s = ''\ns += 'x'\n",  # not in a loop
        "total = 0\nfor x in xs:\n    total += x\n",  # a number
        "parts = []\nfor w in words:\n    parts += 'ab'\n",  # a list
        "for line in lines:\n    line += '\\n'\n",  # the loop variable, not a str we know
        "s = ''\nfor w in words:\n    s = 0\n    s += 1\n",  # rebound to a number
        "for w in words:\n    def g():\n        s = ''\n        s += 'x'\n",  # new function
        "s = ''\nfor w in words:\n    s.x += 'x'\n",  # attributes are not tracked
        "s = ''\nfor w in words:\n    s *= 2\n",
        "s = ''\nfor w in words:\n    pass\nelse:\n    s += w\n",  # ``else`` runs once
        "s = ''\nwhile more():\n    pass\nelse:\n    s += 'x'\n",
    ],
)
def test_str_concat_loop_not_triggered(source: str) -> None:
    assert only("str-concat-loop", source) == []


# ---------------------------------------------------------------------------
# quadratic-in-loop


@pytest.mark.parametrize(
    ("source", "line", "needle"),
    [
        ("out = []\nfor x in xs:\n    out.insert(0, x)\n", 2, "deque"),
        ("for x in xs:\n    self.out.insert(0, x)\n", 1, "appendleft"),
        ("while queue:\n    node = queue.pop(0)\n", 1, "popleft"),
        ("seen = []\nfor x in xs:\n    if x not in seen:\n        seen.append(x)\n", 2, "set"),
        ("seen = list(a)\nwhile x in seen:\n    x += 1\n", 1, "set"),
        ("seen = [y for y in ys]\ngood = [x for x in xs if x in seen]\n", 1, "set"),
    ],
)
def test_quadratic_in_loop(source: str, line: int, needle: str) -> None:
    (finding,) = only("quadratic-in-loop", source)
    assert finding.span.start_line == line
    assert needle in finding.message
    assert not finding.edits


def test_quadratic_in_loop_spans() -> None:
    source = "seen = []\nfor x in xs:\n    if x in seen:\n        out.insert(0, x)\n"
    membership, insert = only("quadratic-in-loop", source)
    assert segment(source, membership.span) == "x in seen"
    assert segment(source, insert.span) == "out.insert(0, x)"


@pytest.mark.parametrize(
    "source",
    [
        "out = []\nout.insert(0, 1)\n",  # not in a loop
        "for x in xs:\n    out.insert(1, x)\n",
        "for x in xs:\n    out.insert(len(out), x)\n",
        "for x in xs:\n    out.pop()\n",
        "q = deque()\nfor x in xs:\n    q.insert(0, x)\n",
        "seen = set()\nfor x in xs:\n    if x in seen:\n        pass\n",
        "seen = {1, 2}\nfor x in xs:\n    if x in seen:\n        pass\n",
        "seen = []\nseen = set(seen)\nfor x in xs:\n    if x in seen:\n        pass\n",
        "def f(seen):\n    for x in xs:\n        if x in seen:\n            pass\n",
        "seen = []\nif x in seen:\n    pass\n",  # not in a loop
        "seen = []\ndef f():\n    for x in xs:\n        if x in seen:\n            pass\n",
        "for c in word:\n    if c in 'aeiou':\n        pass\n",
    ],
)
def test_quadratic_in_loop_not_triggered(source: str) -> None:
    assert only("quadratic-in-loop", source) == []


# ---------------------------------------------------------------------------
# builtin-shadowing


@pytest.mark.parametrize(
    ("source", "span"),
    [
        ("list = [1, 2]\n", Span(0, 0, 0, 4)),
        ("def average(values, sum):\n    return sum / len(values)\n", Span(0, 20, 0, 23)),
        ("def max(xs):\n    pass\n", Span(0, 4, 0, 7)),
        ("async  def  input():\n    pass\n", Span(0, 12, 0, 17)),
        ("class str:\n    pass\n", Span(0, 6, 0, 9)),
        ("for id in ids:\n    pass\n", Span(0, 4, 0, 6)),
        ("a, (b, type) = f()\n", Span(0, 7, 0, 11)),
        ("with open(p) as dict:\n    pass\n", Span(0, 16, 0, 20)),
        ("if (min := 3):\n    pass\n", Span(0, 4, 0, 7)),
        ("f = lambda iter: iter\n", Span(0, 11, 0, 15)),
        ("try:\n    pass\nexcept ValueError as  hash:\n    pass\n", Span(2, 22, 2, 26)),
        ("größe = 1; sum = größe\n", Span(0, 11, 0, 14)),
    ],
)
def test_builtin_shadowing(source: str, span: Span) -> None:
    (finding,) = only("builtin-shadowing", source)
    assert finding.span == span
    assert not finding.edits


def test_builtin_shadowing_message_and_dedupe() -> None:
    source = "list = []\nlist = [1]\ndef f(list):\n    list = 2\n"
    findings = only("builtin-shadowing", source)
    assert [f.span.start_line for f in findings] == [0, 2]  # once per scope
    assert "`items`" in findings[0].message
    method = "class A:\n    def m(self, id):\n        pass\n"
    assert lines("builtin-shadowing", method) == [1]


@pytest.mark.parametrize(
    "source",
    [
        "n = len(xs) + max(xs)\n",  # builtins only called
        "self.list = []\nobj.type = 'a'\nd['id'] = 1\n",
        "class Point:\n    id: int = 0\n    type = 'point'\n    def format(self):\n        pass\n",
        "from math import pow\nimport json as json\n",
        "input_ = input()\nmy_list = list()\n",
        "del x\n",
        "def f(*, key=len):\n    pass\n",
    ],
)
def test_builtin_shadowing_not_triggered(source: str) -> None:
    assert only("builtin-shadowing", source) == []


# ---------------------------------------------------------------------------
# bool-return


@pytest.mark.parametrize(
    ("body", "result"),
    [
        ("if n > 0:\n        return True\n    else:\n        return False", "return n > 0"),
        ("if n > 0:\n        return True\n    return False", "return n > 0"),
        ("if n > 0:\n        return False\n    else:\n        return True", "return not (n > 0)"),
        ("if n > 0:\n        return False\n    return True", "return not (n > 0)"),
        ("if n:\n        return False\n    return True", "return not n"),
        ("if isinstance(n, int):\n        return True\n    return False", "return isinstance(n, int)"),
        ("if a > 0 and not b:\n        return True\n    return False", "return a > 0 and not b"),
        ("if s.isdigit():\n        return True\n    return False", "return s.isdigit()"),
        ("if is_prime(n):\n        return True\n    return False", "return is_prime(n)"),
        ("if n:\n        return True\n    return False", "return bool(n)"),
        ("if n or m:\n        return True\n    return False", "return bool(n or m)"),
        ("if (k := n % 2):\n        return True\n    return False", "return bool((k := n % 2))"),
        ("if a or b:\n        return False\n    return True", "return not (a or b)"),
        # exactly invertible comparisons are inverted, double negation is avoided
        ("if a == b:\n        return False\n    return True", "return a != b"),
        ("if a!=b:\n        return False\n    return True", "return a==b"),
        ("if n in s:\n        return False\n    return True", "return n not in s"),
        ("if n not  in s:\n        return False\n    return True", "return n in s"),
        ("if (n) is None:\n        return False\n    return True", "return (n) is not None"),
        ("if n is not None:\n        return False\n    return True", "return n is None"),
        ("if not s.isdigit():\n        return False\n    return True", "return s.isdigit()"),
        ("if not m:\n        return False\n    return True", "return bool(m)"),
        ("if (a > 0\n            and b > 0):\n        return True\n    return False",
         "return (a > 0\n            and b > 0)"),
    ],
)  # fmt: skip
def test_bool_return_fix(body: str, result: str) -> None:
    source = f"def f(n, m, a, b, s):\n    {body}\n"
    (finding,) = only("bool-return", source)
    assert finding.span.start_line == 1
    assert fixed("bool-return", source) == f"def f(n, m, a, b, s):\n    {result}\n"


def test_bool_return_keeps_surroundings() -> None:
    source = src(
        """
        def valid(word):
            word = word.strip()
            if len(word) >= 3:
                return True
            return False  # trailing comment stays


        print(valid("abc"))
        """
    )
    (finding,) = only("bool-return", source)
    assert finding.span == Span(2, 4, 2, 21)
    assert segment(source, finding.span) == "if len(word) >= 3"
    assert "`return len(word) >= 3`" in finding.message
    assert fixed("bool-return", source) == src(
        """
        def valid(word):
            word = word.strip()
            return len(word) >= 3  # trailing comment stays


        print(valid("abc"))
        """
    )


def test_bool_return_comment_inside_condition_is_kept() -> None:
    source = "def f(a, b):\n    if (a  # left\n            == b):\n        return False\n    return True\n"
    assert fixed("bool-return", source) == (
        "def f(a, b):\n    return not (a  # left\n            == b)\n"
    )


def test_bool_return_comment_inside_means_no_fix() -> None:
    source = "def f(n):\n    if n > 0:  # positive\n        return True\n    return False\n"
    no_fix("bool-return", source)


@pytest.mark.parametrize(
    "body",
    [
        "if n > 0:\n        return True",  # nothing after
        "if n > 0:\n        return True\n    return None",
        "if n > 0:\n        return 1\n    return 0",
        "if n > 0:\n        return True\n    return True",
        "if n > 0:\n        print(n)\n        return True\n    return False",
        "if n > 0:\n        return True\n    elif n < -5:\n        return True\n    else:\n        return False",
        "if n > 0:\n        return True\n    print(n)\n    return False",
        "if n > 0:\n        return False\n    elif n < 0:\n        return True\n    else:\n        return False",
    ],
)
def test_bool_return_not_triggered(body: str) -> None:
    assert only("bool-return", f"def f(n):\n    {body}\n") == []


# ---------------------------------------------------------------------------
# Robustness


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n   \n",
        "# just a comment\n",
        "def f(:\n",
        "for i in range(len(xs)):\nprint(xs[i])\n",  # indentation error
        "x = 1\0\n",
        "x = '\ud800'\n",  # lone surrogate: cannot even be encoded
        "x = (" * 300 + "1" + ")" * 300,
        "x = " + " + ".join(["1"] * 5000) + "\n",
        "not " * 50_000 + "x\n",
        "lambda: " * 5000 + "1\n",
        "x = [" * 1000 + "]" * 1000 + "\n",
        "".join("    " * d + "if x == None:\n" for d in range(101)) + "    " * 101 + "pass\n",
    ],
)
def test_robust_against_bad_sources(source: str) -> None:
    assert coach(source) == []


def test_not_a_string() -> None:
    assert coach(None) == []  # type: ignore[arg-type]
    assert coach(b"x == None") == []  # type: ignore[arg-type]


def test_too_large_source_is_skipped() -> None:
    line = "x = y == None\n"
    source = line * (MAX_SOURCE_CHARS // len(line) + 1)
    assert len(source) > MAX_SOURCE_CHARS
    assert coach(source) == []


def test_deeply_nested_statements() -> None:
    # 90 nested blocks: deep, but within the parser's 100-level indentation limit
    depth = 90
    source = "".join("    " * d + f"for i{d} in x:\n" for d in range(depth))
    source += "    " * depth + "s += 'x'\n"
    source = "s = ''\n" + source
    assert lines("str-concat-loop", source) == [depth + 1]


def test_unicode_positions_are_characters() -> None:
    # 😀 is one character (two UTF-16 units, four UTF-8 bytes)
    source = 'def f(größe):\n    s = "😀"; return größe == None\n'
    (finding,) = only("none-comparison", source)
    assert finding.span == Span(1, 20, 1, 33)
    assert segment(source, finding.span) == "größe == None"
    assert fixed("none-comparison", source) == 'def f(größe):\n    s = "😀"; return größe is None\n'


def test_ascii_line_in_unicode_file() -> None:
    source = "name = 'Zoë'\nok = name == None\n"
    (finding,) = only("none-comparison", source)
    assert finding.span == Span(1, 5, 1, 17)


def test_unicode_range_len() -> None:
    source = "for i in range(len(größen)):\n    print('é', größen[i])\n"
    assert fixed("range-len", source) == "for i, item in enumerate(größen):\n    print('é', item)\n"
    source = "for i in range(len(wörtchens)):\n    print(wörtchens[i])\n"
    assert fixed("range-len", source).startswith("for i, wörtchen in enumerate(wörtchens):")


def test_cr_only_line_endings() -> None:
    source = "x = 1\rif x == None:\r    pass\r"
    assert fixed("none-comparison", source) == "x = 1\rif x is None:\r    pass\r"


def test_syntax_warnings_are_silenced(recwarn: pytest.WarningsRecorder) -> None:
    findings = coach('p = "\\d"\nok = p == None\n')  # invalid escape: a warning when compiled
    assert [f.span.start_line for f in findings] == [1]
    assert not recwarn.list


def test_rule_crash_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_RAISE_INTERNAL_ERRORS", False)

    def boom(self: object, node: object, parent: object) -> None:
        raise RuntimeError("bug in a rule")

    from pytrix.coach.rules.none_comparison import NoneComparison

    monkeypatch.setattr(NoneComparison, "_on_compare", boom)
    findings = coach("try:\n    ok = x == None\nexcept:\n    pass\n")
    assert [f.rule for f in findings] == ["bare-except"]


# ---------------------------------------------------------------------------
# The benchmark's learner file: every rule fires, every fix is valid


def _load_bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_coach", REPO / "bench" / "coach.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_file_triggers_every_rule() -> None:
    bench = _load_bench()
    source: str = bench.learner_file()  # type: ignore[attr-defined]
    assert 280 <= source.count("\n") <= 340
    findings = coach(source, entry=bench.ENTRY)  # type: ignore[attr-defined]
    assert {f.rule for f in findings} == ALL_IDS
    for finding in findings:
        check_finding(source, finding)


def test_mangled_sources_never_crash() -> None:
    """Truncations and random deletions of a realistic file: no rule may raise."""
    source: str = _load_bench().learner_file()  # type: ignore[attr-defined]
    text_lines = source.splitlines(keepends=True)
    rng = random.Random(1234)
    variants = ["".join(text_lines[:n]) for n in range(0, len(text_lines), 13)]
    for _ in range(40):
        start = rng.randrange(len(source))
        variants.append(source[:start] + source[start + rng.randrange(1, 40) :])
    for variant in variants:
        for finding in coach(variant):  # strict mode: a crashing rule raises here
            check_finding(variant, finding, full_compile=False)
