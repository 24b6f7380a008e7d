"""The built .vsix in a real VS Code (code-server) driven by Playwright.

- the whole extension end to end in one window (``e2e_code_server.mjs``);
- a fresh install with only the .vsix and the system's Python (``e2e_fresh_install.mjs``);
- Pyodide's start in the webview: fresh, then from the kept snapshot (``e2e_pyodide_start.mjs``).

and the reuse of kept ``bundled/libs`` and kept .vsix files that makes a test
run's .vsix build cheap (``scripts/bundle_server.py --reuse``,
``PYTRIX_VSIX_REUSE`` in ``scripts/package.mjs``): the .vsix under test holds
exactly the files of the tree, byte for byte, whichever way it was made.

The fixtures (the .vsix, code-server) are in ``conftest.py``; this file is apart
from ``test_vscode.py`` so that the two run on two workers at once.
Prerequisites (Node 20 + npm, Debian's chromium, code-server) are installed
by ``.ci/run``; a test skips only when one truly cannot be installed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from node_runs import check, run

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

pytestmark = pytest.mark.timeout(900)


def test_vscode_end_to_end(chromium: Path, code_server: Path, vsix: Path) -> None:
    proc = run(["node", str(HERE / "e2e_code_server.mjs"), str(vsix), str(code_server)], REPO, 900)
    print(proc.stdout)
    check(proc, "the code-server end-to-end run (screenshots and logs in test-artifacts/vscode-e2e/)")
    assert "0 failed" in proc.stdout
    shots = sorted(p.name for p in (REPO / "test-artifacts" / "vscode-e2e").glob("*.png"))
    assert shots == [
        "1-new-question.png",
        "2-wrong-solution-problems.png",
        "3-fixed-all-passing.png",
        "4-submitted.png",
        "5-practice-panel-pyodide.png",
        "5b-pyodide-diagnostics.png",
        "5c-pyodide-timeout.png",
        "6-dashboard.png",
        "7-environment-without-pytrix.png",
        "8-impostor-pytrix.png",
    ]


def _reported_run(script: str, vsix: Path, code_server: Path, tmp_path: Path, what: str, artifacts: str) -> dict[str, Any]:
    """Run an e2e script that writes a report (its steps and figures); every step must pass."""
    report_path = tmp_path / "report.json"
    proc = run(["node", str(HERE / script), str(vsix), str(code_server), str(report_path)], REPO, 600)
    print(proc.stdout)
    check(proc, f"{what} (screenshots and logs in test-artifacts/{artifacts}/)")
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    assert all(step["ok"] for step in report["steps"]), report["steps"]
    return report


def test_a_fresh_install_needs_only_the_vsix_and_the_system_python(
    chromium: Path, code_server: Path, vsix: Path, tmp_path: Path
) -> None:
    """Clean HOME, only the platform .vsix, the system's python3 (which has no Pytrix)."""
    system = Path("/usr/bin/python3")
    if not system.exists():
        pytest.skip("no system python3 at /usr/bin/python3")
    bare = subprocess.run([str(system), "-I", "-c", "import pytrix"], capture_output=True, text=True)
    assert bare.returncode != 0, "the system Python must not have Pytrix installed for this test to mean anything"
    report = _reported_run("e2e_fresh_install.mjs", vsix, code_server, tmp_path, "the fresh-install run", "vscode-fresh")
    names = [step["name"] for step in report["steps"]]
    assert "the server is the one bundled in the .vsix, run by python3 from PATH" in names
    assert "a later start brings the diagnostics back" in names
    figures = report["figures"]
    print(f"first activation -> first diagnostics {figures['firstActivationToDiagnosticsMs']} ms, "
          f"later start -> first diagnostics {figures['laterStartToDiagnosticsMs']} ms (bench/install.mjs compares them)")


def test_pyodide_starts_fresh_then_from_the_kept_snapshot(chromium: Path, code_server: Path, vsix: Path, tmp_path: Path) -> None:
    """Pyodide mode in code-server: a fresh boot after installing, the kept snapshot in a later
    window (from the page's cache), in another browser (fetched, and kept there), and a damaged
    or stale snapshot never used (figures: bench/pyodide_code_server.mjs)."""
    report = _reported_run("e2e_pyodide_start.mjs", vsix, code_server, tmp_path, "the Pyodide start run", "vscode-pyodide")
    # Which start path each window took: the restored ones must not quietly fall back to a boot.
    assert [w["path"] for w in report["windows"]] == ["fresh", "restored", "restored", "fresh"]
    assert len(report["steps"]) == 14


def test_the_vsix_holds_exactly_the_files_vsce_would_pack_now(vsix: Path, extension: Path) -> None:
    """A kept .vsix is reused only for the same files: what it holds is what the tree holds."""
    listed = run(["node", str(extension / "node_modules" / "@vscode" / "vsce" / "vsce"), "ls", "--no-dependencies"], extension, 120)
    check(listed, "vsce ls")
    files = sorted(line for line in listed.stdout.splitlines() if line)
    assert len(files) > 100 and "out/extension.js" in files and "bundled/libs/manifest.json" in files
    with zipfile.ZipFile(vsix) as archive:
        packed = {name.removeprefix("extension/"): name for name in archive.namelist() if name.startswith("extension/")}
        packed["README.md"] = packed.pop("readme.md")  # vsce's one rename
        assert sorted(packed) == files
        changed = [name for name in files if archive.read(packed[name]) != (extension / name).read_bytes()]
    assert changed == [], f"the .vsix differs from the tree in {changed[:10]}"


def _bundler() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bundle_server", REPO / "vscode-extension" / "scripts" / "bundle_server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wheel(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_a_kept_bundle_is_reused_only_for_the_same_inputs(tmp_path: Path) -> None:
    """The key follows every file of the wheel (not the zip's times or order) and the target;
    a kept bundle is copied whole, and earlier days' bundles are dropped."""
    bundler = _bundler()
    files = {"pytrix/__init__.py": "x = 1\n", "pytrix/data/bank.json": "{}"}
    key = bundler.bundle_key(_wheel(tmp_path / "a.whl", files), "linux-x64")
    same = bundler.bundle_key(_wheel(tmp_path / "b.whl", dict(reversed(files.items()))), "linux-x64")
    assert same == key
    assert bundler.bundle_key(_wheel(tmp_path / "c.whl", {**files, "pytrix/data/bank.json": "{ }"}), "linux-x64") != key
    assert bundler.bundle_key(_wheel(tmp_path / "d.whl", {**files, "pytrix/new.py": ""}), "linux-x64") != key
    assert bundler.bundle_key(tmp_path / "a.whl", "linux-arm64") != key
    libs = tmp_path / "libs"
    (libs / "cp311" / "pydantic_core").mkdir(parents=True)
    (libs / "cp311" / "pydantic_core" / "core.so").write_bytes(b"\x7fELF")
    (libs / "manifest.json").write_text("{}", encoding="utf-8")
    reuse = tmp_path / "reuse"
    (reuse / "19990101-linux-x64-0123").mkdir(parents=True)
    bundler.keep(libs, reuse, key)
    assert sorted(p.name for p in reuse.iterdir()) == [key]
    kept = sorted(str(p.relative_to(reuse / key)) for p in (reuse / key).rglob("*"))
    assert kept == sorted(str(p.relative_to(libs)) for p in libs.rglob("*"))
    assert (reuse / key / "cp311" / "pydantic_core" / "core.so").read_bytes() == b"\x7fELF"


def test_the_bundle_forgets_where_the_wheel_was_installed_from(tmp_path: Path, vsix: Path) -> None:
    """pip's PEP 610 record names the build's temporary wheel path: it is dropped with its RECORD
    line (a fake install here), and the built .vsix holds none."""
    bundler = _bundler()
    info = tmp_path / "pytrix_practice-0.2.0.dist-info"
    info.mkdir()
    (info / "direct_url.json").write_text('{"url": "file:///tmp/pytrix-bundle-x/wheel/pytrix_practice-0.2.0-py3-none-any.whl"}')
    (info / "RECORD").write_text(
        "pytrix/__init__.py,sha256=abc,10\n"
        "pytrix_practice-0.2.0.dist-info/direct_url.json,sha256=def,90\n"
        "pytrix_practice-0.2.0.dist-info/RECORD,,\n",
        encoding="utf-8",
    )
    other = tmp_path / "pydantic-2.0.dist-info"
    other.mkdir()
    (other / "direct_url.json").write_text("{}")  # another project's record is not ours to change
    bundler.forget_wheel_path(tmp_path)
    assert not (info / "direct_url.json").exists() and (other / "direct_url.json").exists()
    assert (info / "RECORD").read_text(encoding="utf-8") == "pytrix/__init__.py,sha256=abc,10\npytrix_practice-0.2.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(vsix) as archive:
        names = archive.namelist()
        records = [name for name in names if name.endswith(".dist-info/RECORD") and "/pytrix_practice-" in name]
        assert records, "no Pytrix dist-info in the bundle"
        assert not [name for name in names if "/pytrix_practice-" in name and name.endswith("direct_url.json")]
        assert all(b"direct_url.json" not in archive.read(name) for name in records)
