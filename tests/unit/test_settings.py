"""``parse_settings`` key by key: every valid key is kept, every invalid one is reported exactly once
with its camelCase name, its reason and the default used instead; unknown keys are ignored."""

from __future__ import annotations

from pytrix.settings import Settings, by_alias_name, parse_settings


def test_none_and_an_empty_object_are_the_defaults_without_a_word() -> None:
    assert parse_settings(None) == (Settings(), [])
    assert parse_settings({}) == (Settings(), [])


def test_a_value_that_is_not_an_object_is_named() -> None:
    assert parse_settings(["nope"]) == (
        Settings(), ["The pytrix settings must be an object, not list; using defaults."])
    assert parse_settings("x")[1] == ["The pytrix settings must be an object, not str; using defaults."]


def test_every_bad_value_is_reported_and_every_good_one_kept() -> None:
    settings, problems = parse_settings({
        "unknownFirst": 0, "debounceMs": -3, "runOnChange": False, "memoryMb": 99_999, "runtime": "pyodide",
        "coachingDisabledRules": "all", "practiceDir": "drills", "unknownKey": 1,
    })
    assert (settings.run_on_change, settings.runtime, settings.practice_dir) == (False, "pyodide", "drills")
    assert (settings.debounce_ms, settings.memory_mb) == (600, 512)
    assert settings.coaching_disabled_rules == []
    assert problems == [
        "Setting pytrix.debounceMs = -3 is invalid (Input should be greater than or equal to 0); "
        "using the default 600.",
        "Setting pytrix.memoryMb = 99999 is invalid (Input should be less than or equal to 8192); "
        "using the default 512.",
        "Setting pytrix.coachingDisabledRules = 'all' is invalid (Input should be a valid list); "
        "using the default [].",
    ]


def test_snake_case_keys_are_accepted_too() -> None:
    settings, problems = parse_settings({"auto_review_every": 5, "autoFast": True, "test_timeout": 0})
    assert settings.auto_review_every == 5 and settings.auto_fast is True
    assert settings.test_timeout == 2.0
    assert problems == ["Setting pytrix.testTimeout = 0 is invalid (Input should be greater than 0); "
                        "using the default 2.0."]


def test_camel_case_names() -> None:
    assert by_alias_name("auto_review_every") == "autoReviewEvery"
    assert by_alias_name("runtime") == "runtime"
