"""Learner settings (the ``pytrix`` section of the editor configuration).

Each setting is validated on its own: an invalid value is replaced by its
default and reported, so one typo never disables the rest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
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
    practice_dir: str = Field(
        "pytrix", description="Folder for practice files, relative to the workspace (no '..', not absolute)."
    )
    pool_size: int = Field(2, ge=0, le=16, description="Warm sandbox processes kept ready.")
    coaching: bool = Field(True, description="Show coaching hints while typing.")
    coaching_disabled_rules: list[str] = Field(
        default_factory=list, description="Coaching rule ids to turn off."
    )
    # -- auto mode and spaced review (server/pytrix/practice) -------------------
    auto_curriculum_module: str = Field(
        "string-manipulation", description="Module of the mini-curriculum new learners start with."
    )
    auto_curriculum_length: int = Field(
        12, ge=0, le=200, description="Questions in the mini-curriculum (0 skips it)."
    )
    auto_promote_after: int = Field(
        3, ge=1, le=50, description="Correct answers in a row that raise a subtopic's difficulty."
    )
    auto_fast: bool = Field(False, description="Fast setting: promote after autoFastPromoteAfter.")
    auto_fast_promote_after: int = Field(
        2, ge=1, le=50, description="Correct answers in a row that promote in the fast setting."
    )
    auto_remediation_count: int = Field(
        2, ge=0, le=10, description="Beginner questions injected after a failure or 'slow down'."
    )
    auto_decay_hours: float = Field(
        24.0, ge=0, le=24 * 365, description="Idle hours after which a streak halves (0: never)."
    )
    auto_weak_below_percent: int = Field(
        70, ge=0, le=100, description="Success rate under which a subtopic counts as weak."
    )
    auto_review_every: int = Field(
        3, ge=0, le=100,
        description="At most one due review in every N auto-mode questions (0: no reviews).",
    )
    review_desired_retention: float = Field(
        0.9, gt=0.5, lt=1.0, description="FSRS target recall probability for spaced review."
    )
    review_maximum_interval_days: int = Field(
        365, ge=1, le=36_500, description="Longest gap (days) between two reviews."
    )
    # -- AI tutor (server/pytrix/ai) ------------------------------------------
    ai_enabled: bool = Field(True, description="Use Gemini when an API key is set.")
    ai_models: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/-]+$")]] = Field(
        default_factory=lambda: ["gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash"],
        min_length=1, max_length=10,
        description="Models to try in order; rate limits and overload move to the next.",
    )
    ai_base_url: str = Field(
        "", description="Gemini API endpoint; empty uses the SDK's (or GOOGLE_GEMINI_BASE_URL)."
    )
    ai_timeout: float = Field(45.0, gt=0, le=600, description="Seconds one model call may take.")
    ai_backoff: float = Field(1.0, ge=0, le=60, description="First wait (s) before the next model.")
    ai_max_backoff: float = Field(
        20.0, ge=0, le=600, description="Longest wait (s) between attempts, retry-after included."
    )
    ai_session_calls: int = Field(200, ge=0, le=100_000, description="AI calls per session.")
    ai_daily_questions: int = Field(80, ge=0, le=100_000, description="AI questions per day.")
    ai_daily_hints: int = Field(50, ge=0, le=100_000, description="AI hints per day.")
    ai_daily_optimizations: int = Field(30, ge=0, le=100_000, description="AI optimisations per day.")
    ai_daily_evaluations: int = Field(100, ge=0, le=100_000, description="AI reviews per day.")
    ai_prefetch: int = Field(2, ge=0, le=5, description="Questions auto mode keeps ready.")

    @field_validator("practice_dir")
    @classmethod
    def _inside_the_workspace(cls, value: str) -> str:
        """The practice folder stays inside the workspace: relative, without ``..``."""
        from pathlib import PurePosixPath, PureWindowsPath

        as_windows = PureWindowsPath(value)  # splits on "/" and "\\" both
        if not value.strip():
            raise ValueError("it must name a folder inside the workspace, such as 'pytrix'")
        if PurePosixPath(value).is_absolute() or as_windows.root or as_windows.drive or value.startswith("~"):
            raise ValueError("it must be a folder relative to the workspace, not an absolute path")
        if ".." in as_windows.parts:
            raise ValueError("'..' would leave the workspace; name a folder inside it")
        return value


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
    settings = Settings.model_validate(accepted)
    return settings, problems + disabled_rule_problems(settings.coaching_disabled_rules)


def disabled_rule_problems(rules: list[str]) -> list[str]:
    """A warning for each name in ``coachingDisabledRules`` that is no coaching rule, with
    the closest rule and the list of them (the names are kept: they turn nothing off)."""
    if not rules:
        return []
    import difflib

    from pytrix.coach import RULES

    known = list(RULES)
    problems = []
    for rule in rules:
        if rule in RULES:
            continue
        close = difflib.get_close_matches(rule, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        problems.append(f"pytrix.coachingDisabledRules: there is no coaching rule {rule!r}.{hint} "
                        f"The rules are: {', '.join(known)}.")
    return problems


def by_alias_name(name: str) -> str:
    return to_camel(name)


_SCHEMA_KEYS = ("type", "description", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                "enum", "items", "minItems", "maxItems")


def editor_configuration() -> dict[str, dict[str, Any]]:
    """Every setting as an editor's configuration schema (``pytrix.<camelCase>`` keys).

    The VS Code extension's ``contributes.configuration`` is generated from this
    (``vscode-extension/scripts/sync_settings.py``), and a test fails when the two drift.
    """
    schema = Settings.model_json_schema(by_alias=True)["properties"]
    defaults = Settings().model_dump(by_alias=True)
    properties: dict[str, dict[str, Any]] = {}
    for key, spec in schema.items():
        entry = {name: spec[name] for name in _SCHEMA_KEYS if name in spec}
        entry["default"] = defaults[key]
        properties[f"pytrix.{key}"] = entry
    return properties
