"""The learner's own tests: ``# test:`` comment lines in a practice file.

A learner adds a test with one comment line anywhere in the file::

    # test: add(2, 3) == 5                                   (function questions)
    # test: [["Stack"], ["push", 1], ["pop"]] == [None, None, 1]   (class questions)
    # test: input "1 2" -> output "3"                        (program questions)

Lines are read with ``ast`` only (:mod:`pytrix.runner.literals`): the call is a
name applied to literals, the expected value a literal; nothing is evaluated
in the server. A line that cannot be read is an :class:`Unreadable` (a warning
for the learner), never an error that stops the run.

:func:`with_own_tests` appends the readable ones (at most :data:`MAX_OWN_TESTS`)
to a copy of the question as tests of the question's own kind (a pydantic
:class:`~pytrix.curriculum.question.TestCase`, or a
:class:`~pytrix.curriculum.plain.PlainTest` on ``pytrix check``'s lean path) with ``own_line`` set, so both runtimes run them after the question's
tests and the grader marks their results ``own`` and leaves them out of the
pass count. They are compared the way the question's tests are (``unordered``,
``set``, ``float`` or ``strict`` when all of its tests use that mode), else
exactly, or closely when the expected value holds a float.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from pytrix.curriculum.plain import Compare, Kind

if TYPE_CHECKING:  # a pydantic Question or a PlainQuestion alike
    from pytrix.curriculum.plain import QuestionLike as Question
    from pytrix.curriculum.plain import TestLike as TestCase
from pytrix.runner.literals import LiteralError, parse_call, parse_class_script, parse_literal

MAX_OWN_TESTS = 20
"""How many of the learner's tests one run takes; later ones are reported as left out."""

OWN_TEST_LINE = re.compile(r"^\s*#\s*test:(.*)$")
_PROGRAM = re.compile(r"^input\s(.*)$", re.DOTALL)
_SHARED_MODES = (Compare.UNORDERED, Compare.SET, Compare.FLOAT, Compare.STRICT)

class OwnTest(NamedTuple):
    """One readable ``# test:`` line (``line`` is 1-based)."""

    line: int
    case: TestCase


class Unreadable(NamedTuple):
    """A ``# test:`` line that does not run, with the learner's message (``line`` is 1-based)."""

    line: int
    message: str


class OwnTests(NamedTuple):
    """What a practice file's ``# test:`` lines hold."""

    tests: tuple[OwnTest, ...] = ()
    problems: tuple[Unreadable, ...] = ()


EXAMPLE_CHARS = 72


def own_test_example(question: Question) -> str:
    """A ``# test:`` line for ``question``, always built from the question itself.

    A function question: its first visible test that fits in :data:`EXAMPLE_CHARS`
    (else its shortest). A class question: the first steps of a visible script
    (the constructor and at least one method, as many as fit) with their results,
    which are the first results of the whole script. A program: its first visible
    test with an input, the same way. Only a question without such a test gets a
    call of its entry.
    """
    lines: list[str] = []
    for test in (t for t in question.tests if not t.hidden):
        if question.kind is Kind.PROGRAM:
            if (test.stdin or "").strip():  # an empty input teaches little
                lines.append(f"# test: input {test.stdin!r} -> output {test.expected}")
        elif question.kind is Kind.CLASS:
            lines.extend(_class_examples(test.call or "", test.expected))
        else:
            lines.append(f"# test: {test.call} == {test.expected}")
    lines = [line for line in lines if "\n" not in line]
    short = [line for line in lines if len(line) <= EXAMPLE_CHARS]
    if short:
        return short[0]
    if lines:
        return min(lines, key=len)
    if question.kind is Kind.CLASS:
        return f'# test: [["{question.entry}"]] == [None]'
    if question.kind is Kind.PROGRAM:
        return '# test: input "1 2\\n" -> output "3\\n"'
    return f"# test: {question.entry}() == None"


def _class_examples(call: str, expected: str) -> list[str]:
    """``# test:`` lines for the prefixes of one class script, longest that fits first, then the rest."""
    try:
        script = ast.parse(call.strip(), mode="eval").body
        results = ast.parse(expected.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    if not (isinstance(script, ast.List) and isinstance(results, ast.List)
            and len(script.elts) == len(results.elts) >= 2):
        return []
    steps = [ast.get_source_segment(call.strip(), node) or ast.unparse(node) for node in script.elts]
    values = [ast.get_source_segment(expected.strip(), node) or ast.unparse(node) for node in results.elts]
    lines = [f"# test: [{', '.join(steps[:count])}] == [{', '.join(values[:count])}]"
             for count in range(len(steps), 1, -1)]
    fitting = [line for line in lines if len(line) <= EXAMPLE_CHARS]
    return [*fitting[:1], min(lines, key=len)]


def _mode(question: Question, expected: ast.expr) -> Compare:
    modes = {test.mode for test in question.tests}
    if len(modes) == 1 and (shared := modes.pop()) in _SHARED_MODES:
        return shared
    has_float = any(isinstance(node, ast.Constant) and isinstance(node.value, float)
                    for node in ast.walk(expected))
    return Compare.FLOAT if has_float else Compare.EXACT


def _comparison(text: str) -> tuple[str, str, ast.expr]:
    """Split ``<call> == <expected>`` into the two sources (and the expected node)."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise LiteralError(f"it is not valid Python ({exc.msg})") from None
    except (ValueError, MemoryError, RecursionError):
        raise LiteralError("it is not valid Python") from None
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)):
        raise LiteralError("it needs one `==` between the call and the value it should give")
    left = ast.get_source_segment(text.strip(), node.left) or ast.unparse(node.left)
    right = ast.get_source_segment(text.strip(), node.comparators[0]) or ast.unparse(node.comparators[0])
    return left, right, node.comparators[0]


def _expected(source: str) -> str:
    try:
        parse_literal(source, build=False)
    except LiteralError as exc:
        raise LiteralError(f"the expected value is not a plain value ({exc})") from None
    return source


def _read_call(text: str, question: Question) -> TestCase:
    left, right, node = _comparison(text)
    try:
        if question.kind is Kind.CLASS:
            parse_class_script(left)
        else:
            parse_call(left)
    except LiteralError as exc:
        raise LiteralError(f"the call must use plain values only ({exc})") from None
    return _new_case(question, call=left, expected=_expected(right), mode=_mode(question, node))


def _string(source: str) -> str | None:
    try:
        value = parse_literal(source, build=False)
    except LiteralError:
        return None
    return value if isinstance(value, str) else None


def _new_case(question: Question, **fields: Any) -> TestCase:
    """A test of the kind the question's own tests are (it validates the fields its way)."""
    made: TestCase = type(question.tests[0])(**fields)
    return made


def _read_program(text: str, question: Question) -> TestCase:
    match = _PROGRAM.match(text.strip())
    if match is None:
        raise LiteralError("a program test starts with `input`")
    rest = match.group(1)
    for cut in (m.start() for m in re.finditer("->", rest)):
        given, wanted = rest[:cut].strip(), rest[cut + 2:].strip()
        if not wanted.startswith("output"):
            continue
        stdin, output = _string(given), _string(wanted.removeprefix("output"))
        if stdin is not None and output is not None:
            return _new_case(question, expected=repr(output), mode=Compare.STDOUT, stdin=stdin)
    raise LiteralError("the input and the output must each be a quoted string")


class _FileFacts(NamedTuple):
    """What the file's AST says about its ``# test:`` lines (None for a file that does not parse)."""

    inside_strings: frozenset[int]
    """The 1-based lines that start inside a string spanning lines (the prompt's docstring, say)."""
    defined: frozenset[str] | None
    """The names the file defines (assigns, imports, ``def``, ``class``); None when any name
    could be (``import *``) or the file defines no function or class at all."""


def _file_facts(source: str) -> _FileFacts | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # a file that does not parse: every "# test:" line is taken as written
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant | ast.JoinedStr) and (node.end_lineno or 0) > node.lineno:
            inside.update(range(node.lineno + 1, (node.end_lineno or 0) + 1))
    defined: set[str] = set()
    functions = False
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
            functions = True
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.alias):
            if node.name == "*":
                return _FileFacts(frozenset(inside), None)
            defined.add(node.asname or node.name.split(".")[0])
    # A file defining no function or class at all (a bare snippet) is not checked for names.
    return _FileFacts(frozenset(inside), frozenset(defined) if functions else None)


def _called_name(case: TestCase, question: Question) -> str | None:
    if question.kind is Kind.PROGRAM or case.call is None:
        return None
    try:
        return parse_class_script(case.call).class_name if question.kind is Kind.CLASS else parse_call(case.call).name
    except LiteralError:
        return None


def read_own_tests(source: str, question: Question) -> OwnTests:
    """Every ``# test:`` comment line of ``source``: the readable tests and the unreadable lines.

    A line inside a string spanning lines (a docstring quoting one) is text, not a
    test; a test calling a name the file does not define (``len``, say) is unreadable
    too: an own test checks the learner's code.
    """
    tests: list[OwnTest] = []
    problems: list[Unreadable] = []
    example = own_test_example(question)
    facts: _FileFacts | None = None
    parsed = False
    for number, line in enumerate(source.splitlines(), start=1):
        match = OWN_TEST_LINE.match(line)
        if match is None:
            continue
        if not parsed:  # parsed only for a file that has a "# test:" line
            facts, parsed = _file_facts(source), True
        if facts is not None and number in facts.inside_strings:
            continue
        text = match.group(1)
        try:
            if not text.strip():
                raise LiteralError("it is empty")
            case = _read_call(text, question) if question.kind is not Kind.PROGRAM else _read_program(text, question)
        except (LiteralError, ValueError) as exc:  # a TestCase refusing its expected value too
            reason = str(exc).split("\n")[0][:200]
            problems.append(Unreadable(number, f"Your test on line {number} could not be read: {reason}. "
                                               f"Write it as `{example}`."))
            continue
        called = _called_name(case, question)
        if called is not None and facts is not None and facts.defined is not None and called not in facts.defined:
            kind = "class" if question.kind is Kind.CLASS else "function"
            problems.append(Unreadable(number, f"Your test on line {number} calls `{called}`, which your file "
                                               f"does not define: an own test calls a {kind} your file "
                                               f"defines, like `{example}`."))
            continue
        if len(tests) == MAX_OWN_TESTS:
            problems.append(Unreadable(number, f"Your test on line {number} is left out: a run takes "
                                               f"the first {MAX_OWN_TESTS} of your tests."))
            continue
        tests.append(OwnTest(number, case.model_copy(update={"own_line": number})))
    return OwnTests(tuple(tests), tuple(problems))


Q = TypeVar("Q", bound="Question")


def with_own_tests(question: Q, source: str) -> Q:
    """``question`` with the learner's readable tests of ``source`` after its own tests.

    The copy is for one run only (it is not validated again: an own test may call
    any name the file defines). Calling it on a copy that has own tests already
    replaces them.
    """
    base = [test for test in question.tests if test.own_line is None]
    own = [test.case for test in read_own_tests(source, question).tests]
    if not own and len(base) == len(question.tests):
        return question
    return question.model_copy(update={"tests": base + own})
