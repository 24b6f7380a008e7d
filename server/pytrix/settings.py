"""Learner settings (the ``pytrix`` section of the editor configuration).

Each setting is validated on its own: an invalid value is replaced by its
default and reported, so one typo never disables the rest.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel


class Settings(BaseModel):
    """Every setting with its default; keys are camelCase in editor configs."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    run_on_change: bool = Field(True, description="Run the tests while typing (debounced).")
    debounce_ms: int = Field(600, ge=0, le=10_000, description="Pause after typing before a run.")
    run_on_save: bool = Field(True, description="Run the tests on save.")
    reveal_after_failures: int = Field(
        3, ge=0, le=100, description="Failed submissions before the solution can be revealed."
    )
    test_timeout: float = Field(2.0, gt=0, le=60, description="Seconds each test may take.")
    run_timeout: float = Field(10.0, gt=0, le=300, description="Seconds a whole run may take.")
    memory_mb: int = Field(512, ge=64, le=8192, description="Memory limit of a run in MB.")
    runtime: Literal["subprocess", "pyodide"] = Field(
        "subprocess", description="Where tests run: the server's sandbox or the client's Pyodide."
    )
    practice_dir: str = Field("pytrix", description="Folder (in the workspace) for practice files.")
    pool_size: int = Field(2, ge=0, le=16, description="Warm sandbox processes kept ready.")
    coaching: bool = Field(True, description="Show coaching hints while typing.")
    coaching_disabled_rules: list[str] = Field(
        default_factory=list, description="Coaching rule ids to turn off."
    )


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Validate ``raw`` key by key; return settings and messages about rejected values."""
    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        return Settings(), [f"The pytrix settings must be an object, not {type(raw).__name__}; using defaults."]
    problems: list[str] = []
    accepted: dict[str, Any] = {}
    fields = Settings.model_fields
    by_alias = {info.alias or name: name for name, info in fields.items()}
    for key, value in raw.items():
        name = by_alias.get(key, key if key in fields else None)
        if name is None:
            continue
        try:
            Settings.model_validate({name: value})
        except ValidationError as exc:
            default = fields[name].get_default(call_default_factory=True)
            reason = exc.errors()[0]["msg"]
            problems.append(
                f"Setting pytrix.{by_alias_name(name)} = {value!r} is invalid ({reason}); "
                f"using the default {default!r}."
            )
            continue
        accepted[name] = value
    return Settings.model_validate(accepted), problems


def by_alias_name(name: str) -> str:
    return to_camel(name)
