"""The validated-bank cache: read only for the very same data and code, rebuilt otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytrix.curriculum import bank_cache
from pytrix.curriculum.bank import Bank, _parse_bank, load_bank
from pytrix.curriculum.bank_cache import LazyValues, cache_key, load_cached, plain_question
from pytrix.curriculum.plain import PlainQuestion, record_of
from pytrix.paths import data_dir


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTRIX_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    return root


class Builds:
    """Counts real parses, so a test can assert the cache answered (no fall-back to parsing)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, root: Path) -> Bank:
        self.count += 1
        return _parse_bank(root)


def test_the_second_load_comes_from_the_cache_and_equals_a_fresh_parse(data: Path) -> None:
    builds = Builds()
    first = load_cached(data, builds, Bank)
    second = load_cached(data, builds, Bank)
    assert builds.count == 1
    assert second is not first
    assert list(second.questions) == list(first.questions) and len(second.questions) >= 583
    assert [q.fingerprint for q in second.questions.values()] == [q.fingerprint for q in first.questions.values()]
    assert second.templates == first.templates
    question = next(iter(second.questions.values()))
    assert second.for_problem_type(question.problem_type, question.difficulty)


def test_a_cached_bank_unpickles_only_the_questions_read(data: Path) -> None:
    builds = Builds()
    load_cached(data, builds, Bank)
    cached = load_cached(data, builds, Bank)
    assert builds.count == 1 and isinstance(cached.questions, LazyValues)
    assert "string-reversal.beginner" in cached.questions and cached.questions.loaded == []
    question = cached.get("string-reversal.beginner")
    assert cached.questions.loaded == ["string-reversal.beginner"]
    assert cached.get("string-reversal.beginner") is question  # unpickled once
    assert question == load_bank(data, cached=False).get("string-reversal.beginner")


def refuse(root: Path, models: str | None = None) -> str:
    raise AssertionError("the contents were hashed again")


def test_settled_files_are_known_by_size_and_time_without_reading_them(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank_cache, "_SETTLED_NS", 0)  # every file counts as settled at once
    builds = Builds()
    load_cached(data, builds, Bank)
    monkeypatch.setattr(bank_cache, "cache_key", refuse)
    assert len(load_cached(data, builds, Bank).questions) >= 583 and builds.count == 1


def test_a_file_changed_just_now_is_read_again_next_time(data: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (data / "topics.json").touch()  # changed now: its size and time do not vouch for it yet
    builds = Builds()
    load_cached(data, builds, Bank)
    assert not list((tmp_path / "cache").glob("bank-stat-*.key"))
    hashed: list[tuple[Path, str | None]] = []
    monkeypatch.setattr(bank_cache, "cache_key",
                        lambda root, models=None: hashed.append((root, models)) or cache_key(root, models))
    load_cached(data, builds, Bank)
    # read again (for the pickle; for the plain records too unless their index could be
    # written by then, the files having settled meanwhile), and the same cached bank
    assert hashed[0] == (data, None) and set(hashed) <= {(data, None), (data, bank_cache.PLAIN)}
    assert builds.count == 1


def test_any_change_to_the_data_is_a_new_key_and_a_rebuild(data: Path) -> None:
    builds = Builds()
    load_cached(data, builds, Bank)
    before = cache_key(data)
    target = data / "bank" / "string-manipulation" / "string-reversal.toml"
    target.write_text(target.read_text(encoding="utf-8").replace("Reverse", "Reverse (edited)", 1), encoding="utf-8")
    assert cache_key(data) != before
    edited = load_cached(data, builds, Bank)
    assert builds.count == 2
    assert any("(edited)" in q.title or "(edited)" in q.prompt for q in edited.questions.values())


def test_a_damaged_cache_file_is_rebuilt_without_a_word_to_the_learner(data: Path, tmp_path: Path) -> None:
    builds = Builds()
    load_cached(data, builds, Bank)
    (cached,) = (tmp_path / "cache").glob("bank-*.pickle")
    cached.write_bytes(b"\x80\x05 not a pickle at all")
    bank = load_cached(data, builds, Bank)
    assert builds.count == 2 and len(bank.questions) >= 583
    assert load_cached(data, builds, Bank) is not None and builds.count == 2  # rewritten, read again


def test_a_bank_with_errors_is_never_cached(data: Path, tmp_path: Path) -> None:
    (data / "bank" / "string-manipulation" / "string-reversal.toml").write_text("not [valid", encoding="utf-8")
    builds = Builds()
    assert load_cached(data, builds, Bank).errors
    assert load_cached(data, builds, Bank).errors
    assert builds.count == 2
    assert not list((tmp_path / "cache").glob("bank-*.pickle"))


def test_load_bank_uses_the_cache_unless_told_not_to(data: Path, tmp_path: Path) -> None:
    assert len(load_bank(data).questions) >= 583
    assert len(list((tmp_path / "cache").glob("bank-*.pickle"))) == 1
    fresh = load_bank(data, cached=False)
    assert list(fresh.questions) == list(load_bank(data).questions)


def test_the_key_follows_the_models_loaded_in_memory(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A field added after its file was hashed still changes the key (the classes are what unpickling needs)."""
    from pytrix.curriculum import question

    before = cache_key(data)
    fields = dict(question.TestCase.model_fields)
    fields["added_later"] = fields["call"]
    monkeypatch.setattr(question.TestCase, "model_fields", fields)
    assert cache_key(data) != before


def test_records_are_written_beside_the_validated_bank_and_read_without_it(data: Path) -> None:
    assert plain_question("string-reversal.beginner", data) is None  # nothing cached yet
    bank = load_cached(data, _parse_bank, Bank)
    plain = plain_question("string-reversal.beginner", data)
    assert plain is not None
    assert plain == PlainQuestion.of(record_of(bank.get("string-reversal.beginner")) or {})
    assert plain_question("no-such.question", data) is None


def test_records_of_changed_data_are_never_read(data: Path) -> None:
    load_cached(data, _parse_bank, Bank)
    assert plain_question("string-reversal.beginner", data) is not None
    toml = next(data.glob("bank/*/string-reversal.toml"))
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert plain_question("string-reversal.beginner", data) is None  # a new key: stale records stay unread
    load_cached(data, _parse_bank, Bank)  # the validated load writes them again
    assert plain_question("string-reversal.beginner", data) is not None
