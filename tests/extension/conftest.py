"""What the extension's test files share: Node and npm, the built extension, Chromium, the .vsix, code-server.

``test_vscode.py`` (vitest, the type check, the Pyodide worker in Chromium) and
``test_code_server.py`` (the .vsix in a real VS Code) are two files so that
pytest-xdist can run them on two workers at once (``--dist loadfile`` keeps a
file on one worker). Every build here goes through ``build_once``
(tests/conftest.py): once per run, whichever worker asks first. The .vsix
build rewrites ``out/`` with the production bundles, so the Chromium tests
wait for it and load that ``out/`` (the one the .vsix ships), never one being
rewritten.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from node_runs import check, run

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXTENSION = REPO / "vscode-extension"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def npm() -> str:
    path = shutil.which("npm")
    if path is None or shutil.which("node") is None:
        pytest.skip("Node.js and npm are not installed (apt-get install nodejs npm, or .ci/run)")
    return path


@pytest.fixture(scope="session")
def extension(npm: str, build_once: Callable[..., Any]) -> Path:
    """The extension with its npm dependencies installed and built (out/), once per run."""

    def build(_: Path) -> str:
        if not (EXTENSION / "node_modules" / ".package-lock.json").is_file():
            check(run([npm, "ci", "--no-audit", "--no-fund"], EXTENSION, 600), "npm ci")
        check(run([npm, "run", "-s", "build"], EXTENSION, 300), "the esbuild bundle")
        return str(EXTENSION)

    return Path(build_once("extension-bundles", build))


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


# Kept bundled/libs from earlier runs (scripts/bundle_server.py --reuse): a build
# from the same inputs on the same day copies them instead of four pip installs;
# and kept .vsix files (scripts/package.mjs): the same files copy the packed one.
KEPT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pytrix-tests"


@pytest.fixture(scope="session")
def vsix(extension: Path, npm: str, build_once: Callable[..., Any]) -> Path:
    """The platform .vsix, built once per run (its build rewrites out/ and bundled/libs)."""

    def build(_: Path) -> str:
        env = {"PYTRIX_BUNDLE_REUSE": str(KEPT / "bundled-libs"), "PYTRIX_VSIX_REUSE": str(KEPT / "vsix")}
        proc = run([npm, "run", "-s", "vsix"], extension, 900, env)
        check(proc, "the platform .vsix (scripts/package.mjs)")
        print("".join(line + "\n" for line in proc.stdout.splitlines() if line.startswith(("[package]", "[bundle]"))))
        return str(extension / "pytrix-linux-x64.vsix")

    path = Path(build_once("vsix", build))
    size = path.stat().st_size / (1024 * 1024)
    print(f"{path.name}: {size:.2f} MB")
    assert size <= 25, f"the .vsix is {size:.1f} MB, over the 25 MB goal"
    return path


@pytest.fixture(scope="session")
def code_server(build_once: Callable[..., Any]) -> Path:
    if shutil.which("rg") is None:
        pytest.skip("ripgrep is not installed (apt-get install -y ripgrep): code-server cannot be installed offline")

    def install(_: Path) -> str:
        proc = run(["bash", str(HERE / "install_code_server.sh")], REPO, 900)
        if proc.returncode != 0:
            pytest.fail(f"code-server could not be installed:\n{proc.stderr[-4000:]}")
        return proc.stdout.strip().splitlines()[-1]

    return Path(build_once("code-server", install))
