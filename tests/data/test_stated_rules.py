"""The bank keeps its prompts' promises: solutions that break a stated rule fail in the real sandbox.

Each wrong solution below passes every ordinary example of its question; it is
rejected only by the rule the prompt states (inputs unchanged, no sorting, a
tie-break, ASCII digits, no ``int(s, 2)``/``bin``, a sieve for n up to 10**6).
"""

from __future__ import annotations

import asyncio

from pytrix.curriculum.bank import load_bank
from pytrix.practice.findings import findings_for
from pytrix.runner.protocol import RunResult, TestResult
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox

EMPTIES_ITS_INPUTS = '''
def merge_sorted(a, b):
    result = []
    while a and b:
        result.append(a.pop(0) if a[0] <= b[0] else b.pop(0))
    result.extend(a)
    result.extend(b)
    a.clear()
    b.clear()
    return result
'''

SORTS = '''
def merge_sorted(a, b):
    return sorted(a + b)
'''

OTHER_TIE_BREAK = '''
def merge_sorted(a, b):
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] < b[j]:          # on equal fronts this takes b first
            result.append(a[i])
            i += 1
        else:
            result.append(b[j])
            j += 1
    return result + a[i:] + b[j:]
'''

UNICODE_DIGITS = r'''
import re


def extract_numbers(text):
    return [int(run) for run in re.findall(r"\d+", text)]
'''

CONVERTS = '''
def add_binary(a, b):
    return bin(int(a, 2) + int(b, 2))[2:]
'''

TRIAL_DIVISION = '''
def primes_up_to(n):
    primes = []
    for k in range(2, n + 1):
        for p in primes:          # divide by the primes found so far, up to the square root
            if p * p > k:
                primes.append(k)
                break
            if k % p == 0:
                break
        else:
            primes.append(k)
    return primes
'''


def submit(question_id: str, code: str) -> RunResult:
    question = load_bank().get(question_id)

    async def go() -> RunResult:
        async with SubprocessSandbox() as sandbox:
            return await sandbox.run(question, code, f"{question.entry}.py", reveal_hidden=True)

    return asyncio.run(go())


def failing(result: RunResult) -> list[TestResult]:
    assert not result.all_passed
    return [t for t in result.tests if t.status is not Status.PASSED]


def test_a_merge_that_empties_its_inputs_fails_the_unchanged_tests() -> None:
    bad = failing(submit("merge-sorted-lists.beginner", EMPTIES_ITS_INPUTS))
    assert {t.call for t in bad} == {"inputs left unchanged: merge_sorted([1, 4, 9], [2, 3, 10])",
                                     "large input: merge_sorted(seq(0, 100000, 2), seq(1, 100000, 2))"}
    assert "changed its input (argument 1, argument 2)" in bad[0].message


def test_sorting_instead_of_merging_breaks_the_rule_at_its_line() -> None:
    result = submit("merge-sorted-lists.beginner", SORTS)
    bad = failing(result)
    assert [t.call for t in bad] == ["rule: no calling `sorted()`"]
    assert bad[0].message == (
        "line 3: calling `sorted()` is not allowed in this question: merge with two indices instead of sorting"
    )
    assert bad[0].error is not None and bad[0].error.line == 3
    # the diagnostic sits on the line that breaks the rule, not on the function's name
    question = load_bank().get("merge-sorted-lists.beginner")
    [finding] = [f for f in findings_for(result, question, SORTS) if "sorted()" in f.message]
    assert finding.line == 2 and finding.message.startswith("rule: no calling `sorted()`: line 3:")
    assert result.total == len(load_bank().get("merge-sorted-lists.beginner").tests) + 2


def test_the_other_tie_break_fails_the_strict_test() -> None:
    bad = failing(submit("merge-sorted-lists.beginner", OTHER_TIE_BREAK))
    assert [t.call.split(":")[0] for t in bad] == ["equal fronts"]
    assert bad[0].message == "expected [1, 1.0, 2.0, 2, 3, 3.0], got [1.0, 1, 2, 2.0, 3.0, 3]"


def test_backslash_d_matches_digits_of_other_scripts_and_fails() -> None:
    bad = failing(submit("regex-findall-extraction.beginner", UNICODE_DIGITS))
    named = [t for t in bad if t.call.startswith("digits of other scripts are not numbers")]
    assert len(named) == 1 and named[0].message == "expected [12], got [3, 45, 12]"


def test_converting_with_int_and_bin_breaks_both_rules() -> None:
    bad = failing(submit("binary-string-conversion.intermediate", CONVERTS))
    assert [t.call for t in bad] == ["rule: no calling `int()` with 2 or more arguments",
                                     "rule: no the name `bin`"]
    assert bad[0].message.startswith("line 3: calling `int()` with 2 or more arguments is not allowed")


def test_trial_division_is_too_slow_where_a_sieve_is_asked() -> None:
    # the fastest trial division (primes only, up to the square root) still breaks the CPU budget
    bad = failing(submit("sieve-of-eratosthenes.beginner", TRIAL_DIVISION))
    assert [t.call for t in bad] == ["n = 10**6, as fast as a sieve: primes_up_to(1000000)"]
    assert bad[0].status is Status.FAILED and bad[0].message.startswith("too slow for this input: it used ")


# The other tie-break of every question whose prompt states one: a change to the reference.
OTHER_TIES = {
    "top-k-frequent.beginner": ("count > counts[best]", "count >= counts[best]"),
    "list-aggregation.advanced": ("current > best[0]", "current >= best[0]"),
    "star-unpacking.intermediate": ("avg > best_avg", "avg >= best_avg"),
    "recursive-sequence-processing.advanced": ("key=lambda r: (-r[0], r[1], r[2])", "key=lambda r: (-r[0], -r[1], r[2])"),
    "merge-sort.beginner": ("left[i] <= right[j]", "left[i] < right[j]"),
    "stable-sort-ranking.beginner": ("ranks[i] = ranks[order[position - 1]]", "ranks[i] = position + 1"),
    "stable-sort-ranking.intermediate": ("entries.sort(key=lambda e: e[0])\n", ""),
    "stable-sort-ranking.advanced": ("ordered.sort(key=lambda r: r[column], reverse=descending)",
                                     "ordered.sort(key=lambda r: r[column])\n        if descending:\n"
                                     "            ordered.reverse()"),
    "log-line-summaries.intermediate": ("n > counts[best]", "n >= counts[best]"),
    "log-line-summaries.advanced": ("key=lambda m: (-counts[m], m)", "key=lambda m: (-counts[m], [-ord(c) for c in m])"),
    "stdin-line-processing.advanced": ("key=lambda item: (-item[1], item[0])", "key=lambda item: -item[1]"),
    "word-wrap-justify.advanced": ("cost <= choice[0]", "cost < choice[0]"),
}


def test_the_other_tie_break_fails_a_test_named_for_the_tie_in_every_question() -> None:
    from pytrix.curriculum.audit import stated_rules

    bank = load_bank()
    stating = {q.id for q in bank.questions.values() if any(r.kind == "tie" for r in stated_rules(q))}
    assert stating == set(OTHER_TIES)

    async def go() -> dict[str, list[str]]:
        caught = {}
        async with SubprocessSandbox() as sandbox:
            for question_id, (old, new) in OTHER_TIES.items():
                question = bank.get(question_id)
                assert old in question.solution
                code = question.solution.replace(old, new)
                result = await sandbox.run(question, code, "tie.py", reveal_hidden=True)
                caught[question_id] = [t.call for t in result.tests
                                       if t.status is not Status.PASSED and t.call.startswith("tie: ")]
        return caught

    assert [qid for qid, names in asyncio.run(go()).items() if not names] == []
