"""Variety: remember which questions the learner was given and prefer fresh ones.

Every practice file Pytrix writes records the question's id, fingerprint and
template in the ``question_given`` table. Choosing a question (the manual
"next" in :meth:`pytrix.service.PytrixService.next_question`, and auto mode's
pick of a concrete question in :mod:`pytrix.practice.auto`) ranks candidates
by :class:`Freshness` against the last :data:`RECENT_WINDOW` questions given:

* ``RECENT``: the same question (same id or same fingerprint) was given recently;
* ``NEAR_DUPLICATE``: a near-duplicate of one given recently, that is another
  instance of the same bank template, or a question whose prompt shares at
  least :data:`SIMILARITY_THRESHOLD` of its words with a recent one (Jaccard
  similarity of the two prompts' sets of lower-cased words and numbers);
* ``FRESH``: neither.

Fresh beats near-duplicate beats recent; the callers' own preferences (not yet
solved, fewer attempts, curriculum order) break ties within a level.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from pydantic import ValidationError

from pytrix.curriculum.bank import Bank
from pytrix.curriculum.question import Question
from pytrix.store import variety as given_log
from pytrix.store.database import Store
from pytrix.store.questions import question_body

RECENT_WINDOW = 30
"""How many of the latest questions given count as "recent"."""
SIMILARITY_THRESHOLD = 0.7
"""Prompt word-set Jaccard similarity from which two questions are near-duplicates.

Across the bank's distinct questions the highest similarity is about 0.62 and
99.9% of pairs are under 0.4; instances of one template are usually above 0.8
(and count as near-duplicates through their template anyway).
"""
KEEP_ROWS = 1000
"""The table keeps only this many latest rows."""

_WORD_RE = re.compile(r"[a-z0-9_]+")


class Freshness(IntEnum):
    """How recently the learner met a candidate question (lower is better)."""

    FRESH = 0
    NEAR_DUPLICATE = 1
    RECENT = 2


@functools.lru_cache(maxsize=4096)
def prompt_words(prompt: str) -> frozenset[str]:
    """The set of lower-cased words and numbers of a prompt."""
    return frozenset(_WORD_RE.findall(prompt.lower()))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two prompts' word sets, from 0.0 (disjoint) to 1.0."""
    return _jaccard(prompt_words(a), prompt_words(b))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicates(a: Question, b: Question, bank: Bank) -> bool:
    """Whether two distinct questions are near-duplicates (same template, or similar prompts)."""
    template = bank.template_of(a.id)
    if template is not None and template == bank.template_of(b.id):
        return True
    return similarity(a.prompt, b.prompt) >= SIMILARITY_THRESHOLD


@dataclass(frozen=True)
class Recent:
    """The questions given lately, in the forms freshness is judged by."""

    question_ids: frozenset[str] = frozenset()
    fingerprints: frozenset[str] = frozenset()
    templates: frozenset[str] = frozenset()
    prompts: tuple[frozenset[str], ...] = ()

    def freshness(self, question: Question, bank: Bank) -> Freshness:
        if question.id in self.question_ids or question.fingerprint in self.fingerprints:
            return Freshness.RECENT
        template = bank.template_of(question.id)
        if template is not None and template in self.templates:
            return Freshness.NEAR_DUPLICATE
        words = prompt_words(question.prompt)
        if any(_jaccard(words, seen) >= SIMILARITY_THRESHOLD for seen in self.prompts):
            return Freshness.NEAR_DUPLICATE
        return Freshness.FRESH

    def __bool__(self) -> bool:
        return bool(self.question_ids)


def record_given(conn: sqlite3.Connection, question: Question, bank: Bank,
                 now: float | None = None) -> None:
    """Remember that ``question`` was given (inside the caller's write transaction)."""
    now = time.time() if now is None else now
    given_log.log_given(conn, question.id, question.fingerprint, bank.template_of(question.id),
                        question.module, now, KEEP_ROWS)


def remember(store: Store, question: Question, bank: Bank, now: float | None = None) -> None:
    """Record ``question`` as given, in its own transaction."""
    with store.transaction() as conn:
        record_given(conn, question, bank, now)


def _prompt_of(conn: sqlite3.Connection, bank: Bank, question_id: str) -> str | None:
    question = bank.questions.get(question_id)
    if question is not None:
        return question.prompt
    body = question_body(conn, question_id)
    if body is None:
        return None
    try:
        return Question.model_validate_json(body).prompt
    except ValidationError:
        return None


def recent(conn: sqlite3.Connection, bank: Bank, window: int = RECENT_WINDOW) -> Recent:
    """The last ``window`` questions given (read inside the caller's transaction)."""
    rows = given_log.last_given(conn, window)
    prompts = (_prompt_of(conn, bank, r[0]) for r in rows)
    return Recent(
        question_ids=frozenset(r[0] for r in rows),
        fingerprints=frozenset(r[1] for r in rows),
        templates=frozenset(r[2] for r in rows if r[2] is not None),
        prompts=tuple(prompt_words(p) for p in _unique(prompts) if p is not None),
    )


def _unique(items: Iterable[str | None]) -> list[str | None]:
    return list(dict.fromkeys(items))


def load_recent(store: Store, bank: Bank, window: int = RECENT_WINDOW) -> Recent:
    """:func:`recent` in its own read snapshot."""
    with store.snapshot() as conn:
        return recent(conn, bank, window)
