"""``pytrix data check --sample N``: which questions a sampled check proves by execution.

The install tests prove a sample of each installed bank (the whole bank is
proved once, by ``make data-check``); the sample must be the same every time,
spread over the bank rather than its first module, and whole when N covers it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.check import sample_of

SAMPLE = 40  # what tests/install asks for


def test_the_install_sample_reaches_every_module_and_is_fixed() -> None:
    questions = load_bank().ordered()
    sample = sample_of(questions, SAMPLE)
    assert len(sample) == SAMPLE == len({q.id for q in sample})
    assert {q.module for q in sample} == {q.module for q in questions}
    assert [q.id for q in sample_of(load_bank().ordered(), SAMPLE)] == [q.id for q in sample]
    assert sample[0] is questions[0]
    assert [questions.index(q) for q in sample] == sorted(questions.index(q) for q in sample)


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=80))
def test_a_sample_is_distinct_in_order_and_whole_when_it_covers_everything(total: int, size: int) -> None:
    items = list(range(total))
    sample = sample_of(items, size)
    assert len(sample) == min(size, total)
    assert sample == sorted(set(sample))
    if size >= total:
        assert sample == items
