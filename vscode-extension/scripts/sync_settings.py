"""Write the server's settings into the extension's ``contributes.configuration``.

Every ``pytrix.*`` setting the server understands is declared from the
server's own model (``pytrix.settings.editor_configuration``): type, default,
description and bounds. Client-only keys (``pytrix.server.*``,
``pytrix.trace.server``) and hand-written extras of a setting
(``enumDescriptions``, ``markdownDescription``, ``order``) are kept.
``tests/unit/test_vscode_settings.py`` fails when package.json drifts.

Usage: python scripts/sync_settings.py   (from vscode-extension/, with pytrix importable)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytrix.settings import editor_configuration

PACKAGE = Path(__file__).resolve().parents[1] / "package.json"
CLIENT_ONLY = ("pytrix.server.", "pytrix.trace.")
KEPT_EXTRAS = ("enumDescriptions", "markdownDescription", "order")


def synced(properties: dict[str, Any]) -> dict[str, Any]:
    """The configuration properties with every server setting as the model declares it."""
    result = {key: value for key, value in properties.items() if key.startswith(CLIENT_ONLY)}
    for key, generated in editor_configuration().items():
        extras = {name: value for name, value in properties.get(key, {}).items() if name in KEPT_EXTRAS}
        result[key] = {**generated, **extras}
    return result


def main() -> None:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    configuration = package["contributes"]["configuration"]
    configuration["properties"] = synced(configuration["properties"])
    PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{PACKAGE}: {len(configuration['properties'])} settings")


if __name__ == "__main__":
    main()
