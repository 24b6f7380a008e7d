"""The VS Code extension declares every server setting exactly as the server's model does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pytrix.settings import Settings, editor_configuration

EXTENSION = Path(__file__).resolve().parents[2] / "vscode-extension"
sys.path.insert(0, str(EXTENSION / "scripts"))

from sync_settings import synced  # noqa: E402


def _properties() -> dict[str, dict[str, object]]:
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    properties: dict[str, dict[str, object]] = package["contributes"]["configuration"]["properties"]
    return properties


def test_package_json_is_in_sync_with_the_settings_model() -> None:
    properties = _properties()
    assert properties == synced(properties), (
        "vscode-extension/package.json drifted from pytrix.settings: run "
        "`python vscode-extension/scripts/sync_settings.py`")


def test_every_setting_is_declared_with_its_default_and_bounds() -> None:
    properties = _properties()
    declared = {key for key in properties if not key.startswith(("pytrix.server.", "pytrix.trace."))}
    assert declared == {f"pytrix.{info.alias}" for info in Settings.model_fields.values()}
    assert len(declared) >= 30  # the AI and auto-mode settings too
    generated = editor_configuration()
    assert properties["pytrix.aiDailyHints"]["default"] == 50
    assert properties["pytrix.autoReviewEvery"]["maximum"] == generated["pytrix.autoReviewEvery"]["maximum"]
    assert properties["pytrix.aiModels"]["default"] == Settings().ai_models
