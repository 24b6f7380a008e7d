"""The bundled curriculum is big, well ordered and complete; broken topic files fail clearly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pytrix.curriculum.topics import Curriculum, load_curriculum
from pytrix.errors import DataFileError
from pytrix.paths import data_dir

MIN_MODULES = 12
MIN_SUBTOPICS = 50
MIN_PROBLEM_TYPES = 180


@pytest.fixture(scope="module")
def topics_path() -> Path:
    return data_dir() / "topics.json"


@pytest.fixture(scope="module")
def curriculum(topics_path: Path) -> Curriculum:
    return load_curriculum(topics_path)


@pytest.fixture(scope="module")
def raw_topics(topics_path: Path) -> dict[str, Any]:
    return json.loads(topics_path.read_text(encoding="utf-8"))


# --- the real curriculum -----------------------------------------------------------------


def test_minimum_sizes(curriculum: Curriculum) -> None:
    subtopics = [s for m in curriculum.modules for s in m.subtopics]
    assert len(curriculum.modules) >= MIN_MODULES
    assert len(subtopics) >= MIN_SUBTOPICS
    assert len(curriculum.problem_type_ids()) >= MIN_PROBLEM_TYPES


def test_problem_type_ids_are_unique(curriculum: Curriculum) -> None:
    ids = curriculum.problem_type_ids()
    assert len(ids) == len(set(ids))
    for problem_id in ids:
        assert curriculum.locate(problem_id) is not None


def test_modules_are_ordered_one_to_n_without_gaps(curriculum: Curriculum) -> None:
    orders = sorted(m.order for m in curriculum.modules)
    assert orders == list(range(1, len(curriculum.modules) + 1))


def test_first_module_is_string_manipulation(curriculum: Curriculum) -> None:
    first = curriculum.ordered_modules[0]
    assert first.id == "string-manipulation"
    assert first.order == 1


def test_section_numbers_match_module_order_and_are_unique(curriculum: Curriculum) -> None:
    seen: set[str] = set()
    for module in curriculum.modules:
        for subtopic in module.subtopics:
            major, _, minor = subtopic.section_number.partition(".")
            assert int(major) == module.order, (
                f"subtopic {subtopic.id} has section {subtopic.section_number} "
                f"but its module {module.id} has order {module.order}"
            )
            assert int(minor) >= 1, subtopic.section_number
            assert subtopic.section_number not in seen, (
                f"section {subtopic.section_number} is used twice"
            )
            seen.add(subtopic.section_number)


def test_every_module_has_overview_considerations_and_archetypes(
    curriculum: Curriculum,
) -> None:
    for module in curriculum.modules:
        assert module.overview.strip(), module.id
        assert module.python_considerations, module.id
        assert all(c.strip() for c in module.python_considerations), module.id
        assert module.problem_archetypes, module.id
        assert all(a.strip() for a in module.problem_archetypes), module.id


def test_every_subtopic_and_problem_type_is_described(curriculum: Curriculum) -> None:
    for module in curriculum.modules:
        for subtopic in module.subtopics:
            assert subtopic.description.strip(), subtopic.id
            for problem in subtopic.problem_types:
                assert problem.description.strip(), problem.id


# --- broken topic files ------------------------------------------------------------------


def _write(tmp_path: Path, data: dict[str, Any] | str) -> Path:
    path = tmp_path / "topics.json"
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        load_curriculum(path)
    assert str(path) in str(info.value), "the message should name the file"
    assert info.value.path == path
    return info.value


def test_bad_section_number_names_file_and_location(
    tmp_path: Path, raw_topics: dict[str, Any]
) -> None:
    data = copy.deepcopy(raw_topics)
    data["modules"][0]["subtopics"][0]["section_number"] = "1-1"
    err = _load_error(_write(tmp_path, data))
    assert err.location == "modules.0.subtopics.0.section_number"
    assert "modules.0.subtopics.0.section_number" in str(err)


def test_bad_problem_type_id_names_file_and_location(
    tmp_path: Path, raw_topics: dict[str, Any]
) -> None:
    data = copy.deepcopy(raw_topics)
    data["modules"][2]["subtopics"][1]["problem_types"][0]["id"] = "Not_Kebab_Case"
    err = _load_error(_write(tmp_path, data))
    assert "modules.2.subtopics.1.problem_types.0.id" in str(err)


def test_missing_field_names_file_and_location(tmp_path: Path, raw_topics: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_topics)
    del data["modules"][1]["overview"]
    err = _load_error(_write(tmp_path, data))
    assert "modules.1.overview" in str(err)


def test_duplicate_id_names_file_and_id(tmp_path: Path, raw_topics: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_topics)
    duplicated = data["modules"][0]["subtopics"][0]["problem_types"][0]["id"]
    data["modules"][1]["subtopics"][0]["problem_types"][0]["id"] = duplicated
    err = _load_error(_write(tmp_path, data))
    assert repr(duplicated) in str(err)


def test_duplicate_module_order_is_rejected(tmp_path: Path, raw_topics: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_topics)
    data["modules"][1]["order"] = data["modules"][0]["order"]
    err = _load_error(_write(tmp_path, data))
    assert "order" in str(err)


def test_invalid_json_names_file_and_position(tmp_path: Path) -> None:
    err = _load_error(_write(tmp_path, '{"version": "1.0.0",\n  "modules": [,]\n}\n'))
    assert "line 2 column" in str(err)


def test_missing_file_names_file(tmp_path: Path) -> None:
    _load_error(tmp_path / "does-not-exist.json")
