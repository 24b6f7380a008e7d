"""Question templates (params), instance ids and fingerprints, and fresh-first selection."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import forked_pytrix
from pytrix.curriculum.bank import Bank, load_bank
from pytrix.curriculum.params import (
    TemplateError,
    expand_entry,
    instance_id,
    split_instance_id,
)
from pytrix.curriculum.question import Difficulty, Question
from pytrix.paths import data_dir
from pytrix.practice import auto, variety
from pytrix.practice.files import practice_path, question_id_of, write_practice_file
from pytrix.practice.variety import Freshness
from pytrix.service import PytrixService
from pytrix.store import progress as db
from pytrix.store.database import Store

TEMPLATE = r"""
[[questions]]
difficulty = "beginner"
title = "{{title}}"
entry = "{{name}}"
prompt = '''
Write `{{name}}(s)` that returns `s` {{how}}.

```python
{{name}}({{example!r}})  # -> {{answer!r}}
```
'''
stub = '''
def {{name}}(s):
    pass
'''
solution = '''
def {{name}}(s):
    return {{expression}}
'''
hints = ["Think about {{how}}.", "Slices.", "Strings have methods."]
tests = [
    { call = '{{name}}({{example!r}})', expected = '{{answer!r}}' },
    { call = '{{name}}("")', expected = '""' },
    { call = '{{name}}("ab")', expected = '{{ab!r}}', hidden = true },
]

[[questions.params]]
title = "Backwards"
name = "backwards"
how = "reversed"
example = "say \"hi\""
answer = "ih\" yas"
expression = "s[::-1]"
ab = "ba"

[[questions.params]]
title = "Shout"
name = "shout"
how = "in capitals"
example = "hey"
answer = "HEY"
expression = "s.upper()"
ab = "AB"

[[questions]]
difficulty = "intermediate"
title = "Plain"
entry = "plain"
prompt = "Return s. Braces like {{this}} are left alone in a plain question."
stub = "def plain(s):\n    pass\n"
solution = "def plain(s):\n    return s\n"
hints = ["a", "b", "c"]
tests = [{ call = 'plain("x")', expected = '"x"' }]
"""


def given_ids(store: Store, limit: int = variety.RECENT_WINDOW) -> list[str]:
    """The ids of the latest questions given, newest first."""
    rows = store.query("SELECT question_id FROM question_given ORDER BY id DESC LIMIT ?", (limit,))
    return [str(r[0]) for r in rows]


@pytest.fixture(scope="module")
def shipped() -> Bank:
    return load_bank()


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "bank" / "string-manipulation").mkdir(parents=True)
    shutil.copy(data_dir() / "topics.json", root / "topics.json")
    return root


def write_bank(root: Path, text: str) -> Path:
    path = root / "bank" / "string-manipulation" / "string-reversal.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- templates -----------------------------------------------------------------------


def test_a_template_expands_into_instances(data_root: Path) -> None:
    write_bank(data_root, TEMPLATE)
    bank = load_bank(data_root)
    assert bank.errors == []
    first, second = bank.for_problem_type("string-reversal", Difficulty.BEGINNER)
    assert (first.id, second.id) == ("string-reversal.beginner", "string-reversal.beginner~2")
    assert bank.templates == {"string-reversal.beginner": [first.id, second.id]}
    assert bank.template_of(second.id) == "string-reversal.beginner" and bank.variant_of(second.id) == 2
    assert bank.template_of("string-reversal.intermediate") is None
    assert bank.variant_of("string-reversal.intermediate") is None
    # plain substitution, and !r as a double-quoted Python literal (escapes included)
    assert first.entry == "backwards" and first.title == "Backwards"
    assert first.tests[0].call == 'backwards("say \\"hi\\"")'
    assert first.tests[0].expected_value() == 'ih" yas'
    assert second.solution.strip().endswith("return s.upper()")
    assert second.hints[0] == "Think about in capitals."
    assert second.tests[2].hidden and second.tests[2].expected == '"AB"'
    assert first.fingerprint != second.fingerprint
    assert "{{this}}" in bank.get("string-reversal.intermediate").prompt


def test_instance_ids() -> None:
    assert instance_id("a-b.beginner", 1) == "a-b.beginner"
    assert instance_id("a-b.beginner.2", 3) == "a-b.beginner.2~3"
    assert split_instance_id("a-b.beginner.2~3") == ("a-b.beginner.2", 3)
    assert split_instance_id("a-b.beginner") == ("a-b.beginner", 1)
    base = {
        "module": "m", "subtopic": "s", "problem_type": "a-b", "difficulty": "beginner",
        "title": "t", "prompt": "p", "entry": "f", "stub": "def f(): pass\n",
        "solution": "def f(): return 1\n", "hints": ["h"], "tests": [{"call": "f()", "expected": "1"}],
    }
    assert Question.model_validate({**base, "id": "a-b.beginner~2"}).id == "a-b.beginner~2"
    for bad in ("a-b.beginner~", "a-b.beginner~x", "a-b~2.beginner"):
        with pytest.raises(ValueError):
            Question.model_validate({**base, "id": bad})


ENTRY = {
    "difficulty": "beginner", "title": "T {{n}}", "prompt": "P", "entry": "f",
    "stub": "def f(): pass\n", "solution": "def f(): return {{n}}\n", "hints": ["h"],
    "tests": [{"call": "f()", "expected": "{{n}}"}],
}


@pytest.mark.parametrize(
    ("change", "location", "fragment"),
    [
        ({"params": []}, "params", "non-empty list"),
        ({"params": [{"n": 1}, {"m": 2}]}, "params.1", "lacks n"),
        ({"params": [{"n": 1}, {"n": 2, "extra": 3}]}, "params.1", "adds extra"),
        ({"params": [{"n": True}]}, "params.0.n", "string or a number"),
        ({"params": [{"n": [1]}]}, "params.0.n", "string or a number"),
        ({"params": [{"N": 1}]}, "params.0.N", "lower-case"),
        ({"params": [{"n": 1, "unused": "x"}]}, "params", "unused defined but never used"),
        ({"params": [{"n": 1}], "prompt": "P {{m}}"}, "prompt", "{{m}} is not defined"),
        ({"params": [{"n": 1}], "prompt": "P {{ n + 1 }}"}, "prompt", "is not a placeholder"),
        ({"params": [{"n": 1}], "difficulty": "{{n}}"}, "difficulty", "placeholders work only in"),
        (
            {"params": [{"n": 1}], "tests": [{"call": "f()", "expected": "{{n}}", "mode": "{{n}}"}]},
            "tests.0.mode", "placeholders work only in",
        ),
    ],
)
def test_template_errors_name_the_place(change: dict[str, object], location: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as caught:
        expand_entry({**ENTRY, **change})
    assert caught.value.location == location
    assert fragment in caught.value.problem


def test_template_problems_in_a_bank_file_are_reported_with_file_and_variant(data_root: Path) -> None:
    path = write_bank(data_root, TEMPLATE.replace('name = "shout"', 'name = "not a name"'))
    bank = load_bank(data_root)
    assert len(bank.errors) == 1 and bank.errors[0].path == path
    assert bank.errors[0].location.startswith("questions.0 (variant 2).entry")
    write_bank(data_root, TEMPLATE.replace('expression = "s.upper()"', 'expression = "s[::-1]"')
               .replace('"Shout"', '"Backwards"').replace('"shout"', '"backwards"')
               .replace('"in capitals"', '"reversed"').replace('"hey"', '"say \\"hi\\""')
               .replace('"HEY"', '"ih\\" yas"').replace('"AB"', '"ba"'))
    bank = load_bank(data_root)
    assert "variants 1 and 2 make the same question" in str(bank.errors[0])
    write_bank(data_root, TEMPLATE.replace('title = "Plain"', 'title = "Plain"\nid = "string-reversal.intermediate~2"'))
    bank = load_bank(data_root)
    assert "reserved" in str(bank.errors[0])


def test_the_shipped_templates(shipped: Bank) -> None:
    bank = shipped
    for template in ("string-reversal.beginner", "character-counting.beginner"):
        instances = [bank.get(i) for i in bank.templates[template]]
        assert [q.id for q in instances] == [template, f"{template}~2", f"{template}~3"]
        assert len({q.fingerprint for q in instances}) == 3
        assert len({q.entry for q in instances}) == 3
    # the first variant is the question that existed before it became a template
    assert bank.get("string-reversal.beginner").entry == "reverse_string"
    assert bank.get("character-counting.beginner").entry == "count_vowels"


def test_data_list_json_names_the_template(tmp_path: Path) -> None:
    done = subprocess.run(
        [*forked_pytrix.command(), "data", "list", "--json"], capture_output=True, text=True,
        env={"PYTRIX_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120, check=True,
    )
    rows = {r["id"]: r for r in json.loads(done.stdout)}
    assert rows["string-reversal.beginner~3"]["template"] == "string-reversal.beginner"
    assert rows["string-reversal.beginner~3"]["variant"] == 3
    assert rows["string-reversal.intermediate"]["template"] is None


def test_practice_files_for_instances(tmp_path: Path, shipped: Bank) -> None:
    bank = shipped
    question = bank.get("string-reversal.beginner~2")
    path = write_practice_file(question, bank.curriculum, tmp_path)
    assert path.name == "string_reversal_beginner_v2.py"
    assert question_id_of(path.read_text(encoding="utf-8")) == "string-reversal.beginner~2"
    assert practice_path(bank.get("string-reversal.beginner"), tmp_path).name == "string_reversal_beginner.py"


# --- near-duplicates and the given table -------------------------------------------------


def test_near_duplicates_by_template_and_by_prompt(shipped: Bank) -> None:
    bank = shipped
    a, b = bank.get("string-reversal.beginner"), bank.get("string-reversal.beginner~2")
    assert variety.near_duplicates(a, b, bank)
    other = bank.get("string-reversal.intermediate")
    assert not variety.near_duplicates(a, other, bank)
    copy = other.model_copy(update={"id": "string-reversal.intermediate.ai-1",
                                    "prompt": other.prompt + "\nReturn a string."})
    assert variety.similarity(copy.prompt, other.prompt) >= variety.SIMILARITY_THRESHOLD
    assert variety.near_duplicates(copy, other, bank)
    recent = variety.Recent(prompts=(variety.prompt_words(other.prompt),))
    assert recent.freshness(copy, bank) is Freshness.NEAR_DUPLICATE
    assert recent.freshness(a, bank) is Freshness.FRESH


def test_given_questions_are_recorded_once_in_a_row_and_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped: Bank,
) -> None:
    bank = shipped
    store = Store(tmp_path / "p.db")
    question = bank.get("string-reversal.beginner")
    variety.remember(store, question, bank, now=1.0)
    variety.remember(store, question, bank, now=2.0)
    assert given_ids(store) == ["string-reversal.beginner"]
    monkeypatch.setattr(variety, "KEEP_ROWS", 3)
    for qid in ("string-reversal.beginner~2", "string-reversal.intermediate", "string-reversal.advanced"):
        variety.remember(store, bank.get(qid), bank)
    assert given_ids(store, 10) == [
        "string-reversal.advanced", "string-reversal.intermediate", "string-reversal.beginner~2",
    ]
    recent = variety.load_recent(store, bank)
    assert recent.freshness(bank.get("string-reversal.advanced"), bank) is Freshness.RECENT
    assert recent.freshness(bank.get("string-reversal.beginner~3"), bank) is Freshness.NEAR_DUPLICATE
    assert recent.freshness(bank.get("case-conversion.beginner"), bank) is Freshness.FRESH
    with store.transaction() as conn:
        db.delete_question_progress(conn, "string-reversal.advanced")
    assert "string-reversal.advanced" not in given_ids(store)
    with store.transaction() as conn:
        db.delete_module_progress(conn, "string-manipulation", [])
    assert given_ids(store) == []
    store.close()


# --- selection -------------------------------------------------------------------------


def test_manual_next_walks_fresh_questions_before_template_siblings(
    tmp_path: Path, shipped: Bank,
) -> None:
    service = PytrixService(shipped, Store(tmp_path / "p.db"))
    bank = service.bank
    beginners = [q for q in bank.for_module("string-manipulation", Difficulty.BEGINNER)]
    templates = {bank.template_of(q.id) or q.id for q in beginners}
    given: list[str] = []
    for _ in range(len(beginners)):
        question = service.next_question(module="string-manipulation", difficulty=Difficulty.BEGINNER)
        service.new_practice_file(question, tmp_path / "ws")
        given.append(question.id)
    assert len(set(given)) == len(beginners)  # nobody got the same question twice
    first_round = [bank.template_of(i) or i for i in given[: len(templates)]]
    assert len(set(first_round)) == len(templates)  # one instance per template first
    assert set(given[len(templates):]) == {
        "string-reversal.beginner~2", "string-reversal.beginner~3",
        "character-counting.beginner~2", "character-counting.beginner~3",
    }
    service.close()


def test_manual_next_for_one_problem_type_offers_another_variant(
    tmp_path: Path, shipped: Bank,
) -> None:
    service = PytrixService(shipped, Store(tmp_path / "p.db"))
    pick = {"problem_type": "string-reversal", "difficulty": Difficulty.BEGINNER}
    first = service.next_question(**pick)  # type: ignore[arg-type]
    assert first.id == "string-reversal.beginner"
    service.new_practice_file(first, tmp_path / "ws")
    second = service.next_question(**pick)  # type: ignore[arg-type]
    assert second.id == "string-reversal.beginner~2"
    service.new_practice_file(second, tmp_path / "ws")
    assert service.next_question(**pick).id == "string-reversal.beginner~3"  # type: ignore[arg-type]
    service.close()


def test_auto_mode_prefers_fresh_instances(tmp_path: Path, shipped: Bank) -> None:
    bank = shipped
    store = Store(tmp_path / "p.db")
    located = bank.curriculum.locate("string-reversal")
    assert located is not None
    subtopic = located[1]

    def pick() -> str:
        with store.snapshot() as conn:
            recent = variety.recent(conn, bank)
        chosen = auto.question_in_subtopic(
            bank, subtopic, Difficulty.BEGINNER, {}, set(), "string-reversal", recent
        )
        assert chosen is not None
        return chosen.id

    assert pick() == "string-reversal.beginner"
    variety.remember(store, bank.get("string-reversal.beginner"), bank)
    variety.remember(store, bank.get("string-reversal.beginner~2"), bank)
    assert pick() == "string-reversal.beginner~3"
    # without a problem type, the subtopic's fresh questions beat the template's siblings
    with store.snapshot() as conn:
        recent = variety.recent(conn, bank)
    chosen = auto.question_in_subtopic(bank, subtopic, Difficulty.BEGINNER, {}, set(), None, recent)
    assert chosen is not None and bank.template_of(chosen.id) != "string-reversal.beginner"
    store.close()


def test_auto_next_records_nothing_until_a_file_is_written(tmp_path: Path, shipped: Bank) -> None:
    service = PytrixService(shipped, Store(tmp_path / "p.db"))
    pick = service.auto_next()
    assert given_ids(service.store) == []
    service.new_practice_file(pick.question, tmp_path / "ws")
    assert given_ids(service.store) == [pick.question.id]
    service.close()
