"""Prompts for each task. The learner's code goes to the model; the key never does."""

from __future__ import annotations

from collections.abc import Sequence

from pytrix.curriculum.question import Difficulty, Question
from pytrix.curriculum.topics import Curriculum
from pytrix.runner.protocol import RunResult

SYSTEM = (
    "You are Pytrix, a patient Python tutor inside the learner's code editor. "
    "You write correct, idiomatic Python 3.11 that uses the standard library only. "
    "Answer with JSON that matches the response schema exactly, and nothing else."
)

_LEVELS = {
    Difficulty.BEGINNER: "one idea, a few lines, no tricky edge cases beyond empty input",
    Difficulty.INTERMEDIATE: "two or three ideas combined, real edge cases",
    Difficulty.ADVANCED: "an efficient algorithm matters; inputs may be large",
}


def _where(curriculum: Curriculum, problem_type: str) -> str:
    located = curriculum.locate(problem_type)
    if located is None:
        return f"Problem type: {problem_type}"
    module, subtopic, problem = located
    return (f"Module: {module.name}\nSubtopic: {subtopic.name}\n"
            f"Problem type: {problem.name}: {problem.description}")


def numbered(source: str) -> str:
    return "\n".join(f"{n:>4}| {line}" for n, line in enumerate(source.splitlines(), start=1))


def results_text(result: RunResult | None, limit: int = 8) -> str:
    if result is None:
        return "(the tests have not run yet)"
    if result.compile_error is not None:
        err = result.compile_error
        return f"Syntax error on line {err.line}: {err.type}: {err.message}"
    if result.module_error is not None:
        err = result.module_error
        return f"The file fails to load (line {err.line}): {err.type}: {err.message}"
    lines = [f"{result.passed}/{result.total} tests pass."]
    for test in [t for t in result.tests if t.status.value != "passed" and not t.own][:limit]:  # own: never counted
        if test.hidden and test.expected is None:
            lines.append(f"- a hidden test fails ({test.status.value})")
            continue
        detail = test.message or (f"expected {test.expected}, got {test.actual}"
                                  if test.expected is not None else test.status.value)
        lines.append(f"- {test.call}: {test.status.value}: {detail}")
    return "\n".join(lines)


def question_prompt(
    curriculum: Curriculum, problem_type: str, difficulty: Difficulty,
    avoid: Sequence[Question], problems: Sequence[str] = (),
) -> str:
    parts = [
        "Write one new Python practice question.",
        _where(curriculum, problem_type),
        f"Difficulty: {difficulty.value} ({_LEVELS[difficulty]}).",
        "",
        "Rules:",
        "- The learner writes one function, `entry`, that returns its answer (no print, no input()).",
        "- prompt: markdown with the task, two examples in a ```python block, and constraints.",
        "- stub: the signature with type hints and a body of `pass`; it must fail the tests.",
        "- solution: a correct, clear reference solution; optimal: a faster one if it exists.",
        "- tests: 6 to 12; `call` calls the entry with literal arguments only (numbers, strings, "
        "lists, tuples, dicts, sets, True/False/None); `expected` is the exact return value as "
        "a Python literal; mark 1 to 3 edge cases hidden.",
        "- hints: exactly three, from a gentle nudge to a near-complete plan, with no solution code.",
        "- Standard library only; no files, network, randomness or time-dependent results.",
    ]
    if avoid:
        parts += ["", "Do not repeat any of these existing questions; make something different:"]
        for q in list(avoid)[:15]:
            first = q.prompt.strip().splitlines()[0][:140] if q.prompt.strip() else ""
            parts.append(f"- {q.title} (`{q.entry}`): {first}")
    if problems:
        parts += ["", "Your previous attempt was rejected when its tests were run:"]
        parts += [f"- {p[:400]}" for p in problems]
        parts.append("Check every expected value by hand this time.")
    return "\n".join(parts)


def _question_block(question: Question) -> str:
    tests = "\n".join(f"- {t.call} -> {t.expected}" for t in question.visible_tests()[:8])
    return (f"Question: {question.title}\n\n{question.prompt.strip()}\n\n"
            f"Entry point: `{question.entry}`\nSome tests:\n{tests}")


def hint_prompt(question: Question, source: str, result: RunResult | None, level: int, total: int,
                given: Sequence[str]) -> str:
    strength = {1: "a gentle nudge: which idea or tool to think about",
                2: "a clearer direction: the approach, step by step, in words"}.get(
        level, "a near-complete plan in words, still without the finished code")
    earlier = "\n".join(f"{n}. {h}" for n, h in enumerate(given, start=1)) or "(none yet)"
    return (
        f"{_question_block(question)}\n\nThe learner's code (line numbers on the left):\n"
        f"{numbered(source)}\n\nTest results:\n{results_text(result)}\n\n"
        f"Hints already given:\n{earlier}\n\n"
        f"Write hint {level} of {total}: {strength}. Build on the learner's own code and the "
        "failing tests. Never give the full solution or a complete function; at most a one-line "
        "fragment of code."
    )


def reveal_prompt(question: Question, source: str, result: RunResult | None) -> str:
    return (
        f"{_question_block(question)}\n\nThe learner's attempt:\n{numbered(source)}\n\n"
        f"Test results:\n{results_text(result)}\n\n"
        f"The learner asked to see a solution. Write a complete, correct `{question.entry}` "
        "that stays as close to the learner's approach as a correct solution can, and explain "
        "where their attempt went wrong."
    )


def review_prompt(question: Question, source: str, result: RunResult | None) -> str:
    return (
        f"{_question_block(question)}\n\nThe learner's code (line numbers on the left):\n"
        f"{numbered(source)}\n\nTest results:\n{results_text(result)}\n\n"
        "Review this code like a kind senior engineer: correctness (with the tests in mind), "
        "style and idioms, time and space complexity. Give up to 8 concrete suggestions, each "
        "at the 1-based line it concerns (null when it is about the whole file). Do not rewrite "
        "the whole solution."
    )


def optimize_prompt(question: Question, source: str) -> str:
    return (
        f"{_question_block(question)}\n\nThe learner's solution:\n{numbered(source)}\n\n"
        f"Write a better `{question.entry}`: lower time complexity if possible, otherwise "
        "leaner and more idiomatic. It must keep the same behaviour on every test. Give its "
        "time and space complexity and explain the improvement over the learner's version."
    )


CONNECTION_PROMPT = "Reply with the single word OK."
