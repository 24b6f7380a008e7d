"""Offline answers: the static review (AST only) and the growth measurement's pieces."""

from __future__ import annotations

from pytrix.ai.growth import Series, describe_exponent, scaled_question
from pytrix.ai.offline import note_findings, static_review
from pytrix.curriculum.bank import Bank

MESSY = '''# pytrix: question=string-reversal.intermediate
def reverse_words(sentence, seen=[]):
    list = sentence.split()
    out = ""
    for i in range(len(list)):
        for j in range(len(list)):
            if list[j] == None:
                pass
        out += list[i]
    try:
        print(out)
    except:
        pass
    return out
'''


def test_static_review_finds_the_usual_suspects(bank: Bank) -> None:
    question = bank.get("string-reversal.intermediate")
    review = static_review(question, MESSY, None)
    assert review.verdict == "not run"
    assert review.complexity == "about O(n^2) time (2 nested loops)"
    by_line: dict[int | None, list[str]] = {}
    for note in review.notes:
        by_line.setdefault(note.line, []).append(note.message)
    text = "\n".join(m for ms in by_line.values() for m in ms)
    assert any("mutable default" in m for m in by_line[2])
    assert any("hides the built-in list()" in m for m in by_line[3])
    assert any("range(len(...))" in m for m in by_line[5])
    assert any("is not" in m for m in by_line[7])
    assert any("''.join()" in m for m in by_line[9])
    assert any("bare except" in m for m in by_line[12])
    assert "print() output" in text


def test_an_unwritten_stub_and_a_syntax_error(bank: Bank) -> None:
    question = bank.get("string-reversal.beginner")
    review = static_review(question, question.stub, None)
    assert any("not written yet" in n.message for n in review.notes)
    broken = static_review(question, "def reverse_string(s:\n", None)
    assert broken.complexity.startswith("unknown") and broken.notes == []


def test_findings_land_on_their_lines_with_the_review_source(bank: Bank) -> None:
    question = bank.get("string-reversal.intermediate")
    findings = note_findings(static_review(question, MESSY, None).notes, MESSY, "static-review")
    loop = next(f for f in findings if "range(len" in f.message)
    assert (loop.line, loop.start, loop.source, loop.code) == (4, 4, "pytrix-ai", "static-review")
    assert all(f.severity in ("information", "hint") for f in findings)


def test_growth_inputs_are_scaled_from_the_tests(bank: Bank) -> None:
    question = bank.get("string-reversal.beginner")
    built = scaled_question(question, [250, 500, 1000, 2000])
    assert built is not None
    scaled, sizes, description = built
    assert sizes == [250, 500, 1000, 2000] and description.startswith("the str arguments")
    assert len(scaled.tests) == 4 * 3  # three runs per size
    assert all(t.call.startswith("reverse_string(") for t in scaled.tests)
    assert len(scaled.tests[-1].call) > 2000


def test_growth_exponents() -> None:
    sizes = [1000, 2000, 4000, 8000]
    linear = Series("a", [1.0, 2.0, 4.0, 8.0])
    quadratic = Series("b", [1.0, 4.0, 16.0, 64.0])
    assert abs((linear.exponent(sizes) or 0) - 1.0) < 1e-9
    assert abs((quadratic.exponent(sizes) or 0) - 2.0) < 1e-9
    assert "about linear" in describe_exponent(linear.exponent(sizes))
    assert "about quadratic" in describe_exponent(quadratic.exponent(sizes))
    assert Series("c", [0.001, 0.001, None, None]).exponent(sizes) is None
    assert describe_exponent(None) == "too fast or too few points to tell"
