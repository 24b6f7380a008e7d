"""Which rules a prompt states, and whether the question's tests enforce them.

``pytrix data check`` reports the counts per module. A rule is found by the
words of the prompt (a ban, "do not modify", "ASCII", a tie-break, a
complexity or size promise) and counted as enforced when the question carries
the matching capability: ``forbid`` entries for a ban, an ``unchanged`` test
(or a given helper that checks the inputs) for "do not modify", a test input
with non-ASCII characters for "ASCII", a test named for the tie for a
tie-break, and a generated large input or a CPU budget for a size promise.
Bans, "do not modify", ASCII and tie-breaks are *strict*: one stated without
a test is a data check problem. Complexity promises are reported, so the audit
can close them one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pytrix.curriculum.question import Question
from pytrix.runner.harness import BUILDERS

STRICT_KINDS = ("ban", "unchanged", "ascii", "tie")

_PATTERNS: dict[str, re.Pattern[str]] = {
    "ban": re.compile(
        r"without (using|calling) |\*\*without\*\* (`|calling|using)|\*\*without using|"
        r"\b(do not|don't|must not) (use|call|import) (`|the three-argument|a generator)|"
        r"which you must not use|\(no `",
        re.I,
    ),
    "unchanged": re.compile(
        r"\b(do not|don't|must not) (modify|mutate|change) `|do not modify the input|"
        r"may (be changed|be modified)|\bnot .{0,12}may be (changed|modified)",
        re.I,
    ),
    "ascii": re.compile(r"\bASCII (digit|letter)", re.I),
    "tie": re.compile(r"(?<!never have a )\b(ties?|tied)\b(?! up)", re.I),
    "size": re.compile(r"\bO\((?!1\))[^)]*\)"),
}


@dataclass(frozen=True)
class StatedRule:
    """One rule a prompt states and whether a test enforces it."""

    kind: str
    enforced: bool

    @property
    def strict(self) -> bool:
        return self.kind in STRICT_KINDS


def _has_builder(question: Question) -> bool:
    return any(re.search(rf"\b({'|'.join(BUILDERS)})\(", t.call + t.expected) for t in question.tests)


def _enforced(kind: str, question: Question) -> bool:
    if kind == "ban":
        return bool(question.forbid)
    if kind == "unchanged":
        return any(t.unchanged for t in question.tests) or bool(question.given)
    if kind == "ascii":
        return any(not (t.call + (t.stdin or "")).isascii() for t in question.tests)
    if kind == "tie":
        return any("tie" in t.name.lower() for t in question.tests)
    return _has_builder(question) or any(t.budget is not None for t in question.tests)


def stated_rules(question: Question) -> list[StatedRule]:
    """The rules ``question``'s prompt states, each with whether it is enforced."""
    return [StatedRule(kind, _enforced(kind, question))
            for kind, pattern in _PATTERNS.items() if pattern.search(question.prompt)]
