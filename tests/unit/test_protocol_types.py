"""The extension's generated protocol types and docs/PROTOCOL.md's model reference never drift from the models."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pytrix.responses import markdown_reference

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "vscode-extension"
GENERATED = EXTENSION / "src" / "generated"


def check_types(*extra: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to compile the generated types"
    return subprocess.run(
        [node, "scripts/generate_types.mjs", "--check", *extra], cwd=EXTENSION, capture_output=True,
        text=True, timeout=300, env={"PATH": str(Path(node).parent), "PYTHON": sys.executable},
    )


def test_the_committed_schema_and_types_match_the_models() -> None:
    done = check_types()
    assert done.returncode == 0, done.stderr


def test_a_stale_generated_file_fails_the_check_with_the_fix(tmp_path: Path) -> None:
    stale = tmp_path / "generated"
    shutil.copytree(GENERATED, stale)
    types = stale / "protocol.ts"
    types.write_text(types.read_text(encoding="utf-8").replace("attemptId: number;", "attemptId: string;"),
                     encoding="utf-8")
    done = check_types("--generated", str(stale))
    assert done.returncode == 1
    assert "protocol.ts" in done.stderr and "npm run generate-types" in done.stderr
    assert "protocol.schema.json" not in done.stderr  # only the file that differs is named


def test_protocol_md_lists_the_current_models() -> None:
    text = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    block = text.split("<!-- responses:begin -->\n", 1)[1].split("<!-- responses:end -->", 1)[0]
    assert block == markdown_reference(), "run: python vscode-extension/scripts/export_schema.py"
