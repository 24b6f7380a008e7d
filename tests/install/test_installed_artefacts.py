"""Pytrix as a learner installs it: the built wheel and sdist, each in a fresh venv.

The artefacts are built from the repository with ``python -m build``, installed
into venvs of their own, and used from a folder outside the repository:
``pytrix data check``, ``new``, ``check``, ``submit``, and an LSP session
(``pytrix serve`` through pytest-lsp) up to the first diagnostics. Each step
also checks that the installed copy ran, not the source tree.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from pytrix import __version__
from pytrix.paths import data_dir, editors_dir

REPO = Path(__file__).resolve().parents[2]
QUESTION = "string-reversal.beginner"
SOLUTION = "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
SAMPLE = 40  # questions proved by execution in each installed copy (tests/unit/test_check_sample.py)

pytestmark = pytest.mark.timeout(900)


def _bank_files() -> set[str]:
    root = data_dir()
    return {"topics.json"} | {str(p.relative_to(root)) for p in (root / "bank").rglob("*.toml")}


def _editor_files() -> set[str]:
    return {str(p.relative_to(editors_dir())) for p in editors_dir().rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def artefacts(build_once: Callable[..., Any]) -> dict[str, Path]:
    """The wheel and the sdist, built once per run (``python -m build`` writes build/ in the tree)."""

    def build(out: Path) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(REPO)],
            capture_output=True, text=True, timeout=600,
        )
        assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        (wheel,) = out.glob("pytrix_practice-*.whl")
        (sdist,) = out.glob("pytrix_practice-*.tar.gz")
        return {"wheel": str(wheel), "sdist": str(sdist)}

    return {kind: Path(path) for kind, path in build_once("dist", build).items()}


def test_the_wheel_and_the_sdist_carry_the_curriculum_and_the_bank(artefacts: dict[str, Path]) -> None:
    expected = _bank_files()
    assert len(expected) == 194  # topics.json and one TOML file per problem type
    with zipfile.ZipFile(artefacts["wheel"]) as wheel:
        names = wheel.namelist()
        shipped = {n.removeprefix("pytrix/data/") for n in names if n.startswith("pytrix/data/")}
        editors = {n.removeprefix("pytrix/editors/") for n in names if n.startswith("pytrix/editors/")}
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert shipped == expected
    assert editors == _editor_files() and len(editors) == 4
    assert "Name: pytrix-practice" in metadata
    assert f"Version: {__version__}" in metadata
    assert "License-Expression: MIT" in metadata or "License: MIT" in metadata
    assert "Classifier: Topic :: Education" in metadata
    assert "Project-URL:" in metadata
    with tarfile.open(artefacts["sdist"]) as sdist:
        members = sdist.getnames()
    prefix = f"pytrix_practice-{__version__}/server/pytrix/data/"
    assert {m.removeprefix(prefix) for m in members if m.startswith(prefix) and not m.endswith("/")} >= expected
    assert f"pytrix_practice-{__version__}/LICENSE" in members


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTRIX", "VIRTUAL_ENV"))}
    env.pop("GEMINI_API_KEY", None)
    env.pop("GOOGLE_API_KEY", None)
    env["PYTRIX_HOME"] = str(home)
    return env


class Installed:
    """A fresh venv holding one artefact, used from a folder outside the repository."""

    def __init__(self, venv: Path, outside: Path, env: dict[str, str]) -> None:
        self.venv = venv
        self.outside = outside
        self.env = env
        self.pytrix = venv / "bin" / "pytrix"

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.pytrix), *args], cwd=self.outside, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )


@pytest.fixture(scope="module", params=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest, artefacts: dict[str, Path],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp(f"installed-{request.param}")
    venv, outside = root / "venv", root / "elsewhere"
    outside.mkdir()
    env = _clean_env(root / "pytrix-home")
    # No pip of its own (ensurepip costs seconds per venv): the suite's pip installs into it (--python).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
         str(artefacts[request.param])],
        cwd=outside, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"pip install of the {request.param} failed:\n{done.stderr[-3000:]}"
    yield Installed(venv, outside, env)


def test_the_installed_package_is_the_one_that_runs(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c",
         "import pytrix, pytrix.paths as p; print(pytrix.__file__); print(p.data_dir())"],
        cwd=installed.outside, env=installed.env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    module, data = done.stdout.split()
    site = str(installed.venv / "lib")
    assert module.startswith(site) and data.startswith(site), done.stdout
    assert str(REPO) not in done.stdout
    version = installed.run("--version")
    assert version.stdout.strip() == f"pytrix {__version__}"
    emacs = installed.run("editor", "emacs")
    assert emacs.returncode == 0
    assert emacs.stdout == (editors_dir() / "emacs" / "pytrix.el").read_text(encoding="utf-8")


def test_data_check_proves_the_installed_bank(installed: Installed) -> None:
    """The installed bank is the source bank, byte for byte, and a sample of it runs installed.

    ``make data-check`` proves every question of the source tree by execution;
    proving all of them again in each installed copy (about a minute each)
    would prove the same bytes twice more. What an install can break is which
    data files ship and whether the installed harness and sandbox run them: so
    every installed data file is compared with the source tree's (a missing,
    extra or changed file fails), ``data check`` still loads and validates every
    file, and it proves by execution ``SAMPLE`` questions spread over every
    module with the installed copy (a broken harness, sandbox or data path
    fails them all).
    """
    where = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import pytrix.paths as p; print(p.data_dir())"],
        cwd=installed.outside, env=installed.env, capture_output=True, text=True, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    shipped, source = Path(where.stdout.strip()), data_dir()
    assert shipped != source and not shipped.is_relative_to(REPO)
    names = _bank_files()
    assert {str(p.relative_to(shipped)) for p in (shipped / "bank").rglob("*.toml")} | {"topics.json"} == names
    changed = [n for n in sorted(names) if (shipped / n).read_bytes() != (source / n).read_bytes()]
    assert changed == [], f"installed data files differ from the source tree: {changed}"

    done = installed.run("data", "check", "--sample", str(SAMPLE), "--json", timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["questions"] >= 583 and report["files"] == 193
    assert report["proved"] == SAMPLE and report["runs"] >= SAMPLE


def test_new_check_submit_from_outside_the_repository(installed: Installed) -> None:
    made = installed.run("new", "--question", QUESTION, "--dir", "practice")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip().splitlines()[-1])
    if not path.is_absolute():
        path = installed.outside / path
    assert path.is_file() and installed.outside in path.parents

    failing = installed.run("check", str(path))
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "0/7 tests passed" in failing.stdout

    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{header}\n{SOLUTION}", encoding="utf-8")
    passing = installed.run("check", str(path))
    assert passing.returncode == 0, passing.stdout + passing.stderr
    submitted = installed.run("submit", str(path))
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert (Path(installed.env["PYTRIX_HOME"]) / "pytrix.db").is_file()


def test_an_lsp_session_reaches_first_diagnostics(installed: Installed) -> None:
    practice = installed.outside / "lsp" / "reverse.py"
    practice.parent.mkdir()
    practice.write_text(f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n    return s\n",
                        encoding="utf-8")

    async def session() -> list[types.Diagnostic]:
        config = ClientServerConfig(server_command=[str(installed.pytrix), "serve"], server_env=installed.env)
        client = await config.start()
        assert isinstance(client, LanguageClient)
        try:
            result = await client.initialize_session(types.InitializeParams(
                capabilities=client_capabilities("neovim"),
                root_uri=practice.parent.as_uri(),
            ))
            assert result.server_info is not None and result.server_info.version == __version__
            uri = practice.as_uri()
            client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=practice.read_text(encoding="utf-8"))))
            async with asyncio.timeout(60):
                while not client.diagnostics.get(uri):
                    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            return client.diagnostics[uri]
        finally:
            await client.shutdown_session()
            await client.stop()

    diagnostics = asyncio.run(session())
    assert any("expected" in d.message for d in diagnostics), [d.message for d in diagnostics]
