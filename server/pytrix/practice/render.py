"""Markdown views of questions for ``pytrix:`` virtual documents and hovers."""

from __future__ import annotations

from pytrix.curriculum.question import Compare, Kind, Question
from pytrix.curriculum.topics import Curriculum


def question_markdown(question: Question, curriculum: Curriculum, hints_shown: int = 0) -> str:
    """The question as a markdown document: where it sits, the prompt, the examples."""
    lines = [f"# {question.title}", ""]
    located = curriculum.locate(question.problem_type)
    if located:
        module, subtopic, problem = located
        lines.append(
            f"*{module.name} › {subtopic.section_number} {subtopic.name} › {problem.name}*"
            f" · **{question.difficulty.value}** · `{question.id}`"
        )
        lines.append("")
    lines += [question.prompt.strip(), "", "## Tests you can see", ""]
    visible = question.visible_tests()
    for test in visible:
        if question.kind is Kind.PROGRAM:
            lines.append(f"- input `{(test.stdin or '').strip()!r}` → prints `{test.expected}`")
        else:
            mode = "" if test.mode is Compare.EXACT else f" ({test.mode.value})"
            lines.append(f"- `{test.call}` → `{test.expected}`{mode}")
    hidden = len(question.tests) - len(visible)
    if hidden:
        lines.append(f"- …and {hidden} hidden test{'s' if hidden > 1 else ''}, shown once you solve it")
    if hints_shown:
        lines += ["", "## Hints so far", ""]
        lines += [f"{n}. {hint}" for n, hint in enumerate(question.hints[:hints_shown], start=1)]
    lines.append("")
    return "\n".join(lines)
