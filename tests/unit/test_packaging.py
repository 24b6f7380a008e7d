"""Release metadata agrees: the distribution name, the versions, and no install of the other `pytrix`."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from pytrix import __version__

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "vscode-extension"


def test_the_distribution_is_pytrix_practice_with_the_pytrix_command() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "pytrix-practice"
    assert project["scripts"] == {"pytrix": "pytrix.cli:run"}
    assert "version" in project["dynamic"]


def test_the_extension_and_the_server_share_one_version() -> None:
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert package["version"] == __version__


def test_no_code_path_installs_the_unrelated_pytrix_package() -> None:
    sources = [*EXTENSION.joinpath("src").rglob("*.ts"), *REPO.joinpath("server", "pytrix").rglob("*.py"),
               REPO / "README.md", *REPO.joinpath("editors").rglob("*")]
    offenders = []
    for path in sources:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"(pip|pipx|uv tool|uv pip) install(?: -U| --upgrade)? pytrix\b(?!-practice)", text):
            offenders.append(f"{path.relative_to(REPO)}: {match.group(0)}")
    assert offenders == []


def test_the_bundled_launcher_and_the_extension_agree_on_the_distribution() -> None:
    interpreter = (EXTENSION / "src" / "lib" / "interpreter.ts").read_text(encoding="utf-8")
    launcher = (EXTENSION / "bundled" / "tool" / "pytrix_launch.py").read_text(encoding="utf-8")
    assert 'DISTRIBUTION = "pytrix-practice"' in interpreter
    assert '"pytrix-practice"' in launcher
