"""``pytrix editor``: the shipped editor configurations, printed for a learner without the repository."""

from __future__ import annotations

import subprocess

import forked_pytrix
from pytrix.editor_setup import EDITORS, editor_file


def pytrix(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*forked_pytrix.command(), *args], capture_output=True, text=True, timeout=60)


def test_every_editor_has_its_file_and_prints_it_exactly() -> None:
    for name in EDITORS:
        done = pytrix("editor", name)
        assert done.returncode == 0, done.stderr
        assert done.stdout == editor_file(name).read_text(encoding="utf-8")
        assert "pytrix" in done.stdout and "serve" in done.stdout


def test_without_a_name_it_lists_the_editors_and_where_each_file_goes() -> None:
    done = pytrix("editor")
    assert done.returncode == 0
    for name, (_, where) in EDITORS.items():
        assert f"{name:8} {where}" in done.stdout


def test_an_unknown_editor_is_a_clear_usage_error() -> None:
    done = pytrix("editor", "vim")
    assert done.returncode == 2
    assert "no configuration for 'vim'; choose one of: neovim, helix, emacs, sublime" in done.stderr
    assert "Traceback" not in done.stderr
