"""The structured output asked of the model, one pydantic model per task.

The same models are sent as the response schema and used to validate the
reply: anything that does not fit is a ``bad_response``. Generated questions
are then validated again as :class:`pytrix.curriculum.question.Question`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GeneratedTest(_Reply):
    call: str = Field(description="A call of the entry function with literal arguments only, "
                      "for example: count_vowels(\"banana\")")
    expected: str = Field(description="The exact return value written as a Python literal, "
                          "for example: 3 or 'abc' or [1, 2]")
    hidden: bool = Field(False, description="True for edge cases kept back until submission")


class GeneratedQuestion(_Reply):
    title: str = Field(min_length=3, max_length=120)
    prompt: str = Field(min_length=20, max_length=6000,
                        description="Markdown: the task, two examples in a python block, constraints")
    entry: str = Field(pattern=r"^[a-z_][a-z0-9_]*$", description="The function the learner writes")
    stub: str = Field(min_length=5, description="The signature with type hints and a body of pass")
    solution: str = Field(min_length=5, description="A correct, clear reference solution")
    optimal: str | None = Field(None, description="A faster or leaner solution, if one exists")
    complexity: str | None = Field(None, description="Time and space of the best solution, "
                                   "for example: O(n) time, O(1) space")
    hints: list[str] = Field(min_length=3, max_length=3,
                             description="Three hints, weakest first, none containing the solution")
    tests: list[GeneratedTest] = Field(min_length=4, max_length=20)


class HintReply(_Reply):
    hint: str = Field(min_length=3, max_length=1500,
                      description="One hint in markdown for this rung of the ladder; no full solution")


class SolutionReply(_Reply):
    solution: str = Field(min_length=5, description="A complete, correct solution")
    explanation: str = Field(min_length=3, max_length=4000, description="How it works, in markdown")


class ReviewNote(_Reply):
    line: int | None = Field(None, description="1-based line of the learner's file, or null")
    severity: Literal["information", "hint"] = "information"
    message: str = Field(min_length=3, max_length=600)


class ReviewReply(_Reply):
    verdict: Literal["correct", "partly correct", "incorrect"]
    correctness: str = Field(min_length=3, max_length=3000, description="What works, what does not")
    style: str = Field(min_length=3, max_length=3000, description="Readability, naming, idioms")
    complexity: str = Field(min_length=3, max_length=1000, description="Time and space, with why")
    suggestions: list[ReviewNote] = Field(default_factory=list, max_length=20)


class OptimizeReply(_Reply):
    solution: str = Field(min_length=5, description="The improved solution, same entry point")
    time_complexity: str = Field(min_length=1, max_length=200)
    space_complexity: str = Field(min_length=1, max_length=200)
    explanation: str = Field(min_length=3, max_length=4000,
                             description="What changed and why it is faster, in markdown")
