"""A third real client: Emacs with eglot (Debian's emacs-nox and elpa-eglot), driven as a user would.

Eglot connects from ``post-command-hook``, so Emacs needs a real command loop:
``emacs -nw`` runs in a tmux pane, keys arrive with ``tmux send-keys`` and the
state is read back with ``emacsclient --eval``. The shipped
``editors/emacs/pytrix.el`` (or the README's snippet) is loaded by an init file, and ``pytrix`` is found
the way a pipx or ``uv tool`` install leaves it: in ``~/.local/bin``, not on
Emacs's ``exec-path``.

Every wait is on a state (a condition polled with a deadline), never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEADLINE = 40.0
POLL = 0.1
WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''

INIT = '''
(package-initialize)                   ; activates Debian's elpa-eglot on Emacs 28
(setq inhibit-startup-screen t
      native-comp-async-report-warnings-errors 'silent
      xterm-extra-capabilities nil     ; no terminal queries whose replies could land as text
      server-socket-dir {socket_dir})
(server-start)
{config}
'''


def readme_emacs_config() -> str:
    """The elisp block of the README's Emacs section, exactly as a user would paste it."""
    section = README.read_text(encoding="utf-8").split("### Emacs (eglot)", 1)[1].split("\n### ", 1)[0]
    return section.split("```elisp\n", 1)[1].split("```", 1)[0]


CONFIGS = {
    "pytrix.el": f"(load {json.dumps(str(ROOT / 'server' / 'pytrix' / 'editors' / 'emacs' / 'pytrix.el'))})",
    "README": readme_emacs_config(),
}


def required(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"{program} is missing: apt-get install {package} (.ci/run installs it)")
    return found


class Emacs:
    """``emacs -nw`` in a tmux pane: keys in through tmux, state out through emacsclient."""

    def __init__(self, tmp: Path, workspace: Path, file_name: str, config: str) -> None:
        self.tmp = tmp
        self.tmux = [required("tmux", "tmux"), "-L", f"pytrix-{os.getpid()}-{id(self)}", "-f", "/dev/null"]
        self.client = required("emacsclient", "emacs-nox")
        self.socket = tmp / "sock" / "server"
        self.out = tmp / "eval.json"
        home = tmp / "home"
        (home / ".emacs.d").mkdir(parents=True)
        (home / ".local" / "bin").mkdir(parents=True)
        # Where pipx / uv tool put the command; deliberately not on PATH.
        (home / ".local" / "bin" / "pytrix").symlink_to(Path(sys.executable).parent / "pytrix")
        (tmp / "sock").mkdir(mode=0o700)
        (home / ".emacs.d" / "init.el").write_text(INIT.format(
            socket_dir=json.dumps(str(tmp / "sock")), config=config,
        ), encoding="utf-8")
        env = {
            "HOME": str(home), "PYTRIX_HOME": str(tmp / "pytrix-home"), "TERM": "xterm-256color",
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        }
        command = "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command += f" {shlex.quote(required('emacs', 'emacs-nox'))} -nw {shlex.quote(file_name)}"
        subprocess.run([*self.tmux, "new-session", "-d", "-x", "160", "-y", "48", "-c", str(workspace), command],
                       check=True, timeout=10)

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([*self.tmux, "send-keys", *(["-l"] if literal else []), *keys], check=True, timeout=10)

    def eval(self, expression: str) -> Any:
        """Evaluate in Emacs; the value comes back as JSON (nil → None)."""
        self.out.unlink(missing_ok=True)
        wrapped = (f'(let ((coding-system-for-write (quote utf-8)) (value {expression}))'
                   f' (require (quote json))'
                   f' (with-temp-file {json.dumps(str(self.out))} (insert (json-encode value))) t)')
        done = subprocess.run([self.client, "-s", str(self.socket), "--eval", wrapped],
                              capture_output=True, text=True, timeout=10)
        if done.returncode != 0 or not self.out.is_file():
            return None
        text = self.out.read_text(encoding="utf-8")
        return None if text == "null" else json.loads(text)

    def wait(self, expression: str, what: str, nudge: tuple[str, ...] = (), every: float = 0.5) -> Any:
        """Poll ``expression`` until it is non-nil; ``nudge``: keys sent ``every`` seconds meanwhile."""
        deadline = time.monotonic() + DEADLINE
        last_nudge = 0.0
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            if nudge and time.monotonic() - last_nudge > every:
                self.keys(*nudge)  # commands, so that post-command-hook runs
                last_nudge = time.monotonic()
            time.sleep(POLL)
        screen = subprocess.run([*self.tmux, "capture-pane", "-p"], capture_output=True, text=True).stdout
        messages = self.eval('(with-current-buffer "*Messages*" (buffer-string))')
        pytest.fail(f"Emacs: no {what} within {DEADLINE:.0f} s.\nScreen:\n{screen}\n*Messages*:\n{messages}")

    def close(self) -> None:
        subprocess.run([self.client, "-s", str(self.socket), "--eval", "(kill-emacs)"],
                       capture_output=True, timeout=10)
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture(params=sorted(CONFIGS))
def emacs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Emacs, Path]]:
    """Emacs set up with the shipped pytrix.el, or with the README's snippet."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    practice = workspace / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")
    editor = Emacs(tmp_path, workspace, practice.name, CONFIGS[request.param])
    try:
        yield editor, practice
    finally:
        editor.close()


# Vectors, not lists: json-encode takes a list of lists for an alist.
DIAGNOSTICS = '''(with-current-buffer "rev.py"
  (vconcat (mapcar (lambda (d) (vector (line-number-at-pos (flymake-diagnostic-beg d))
                                       (flymake-diagnostic-text d)))
                   (flymake-diagnostics))))'''
MINIBUFFER = '''(let ((w (active-minibuffer-window)))
  (and w (with-current-buffer (window-buffer w) (vector (minibuffer-prompt) (minibuffer-contents)))))'''
MESSAGES = '(with-current-buffer "*Messages*" (buffer-string))'
HOVER = '''(or (and (boundp 'eldoc--doc-buffer) (buffer-live-p eldoc--doc-buffer)
         (with-current-buffer eldoc--doc-buffer
           (and (string-match-p "Latest run" (buffer-string)) (buffer-string))))
    (let ((m (current-message))) (and m (string-match-p "Latest run" m) m)))'''


def test_emacs_eglot_diagnostics_hint_fix_and_hover(emacs: tuple[Emacs, Path]) -> None:
    editor, practice = emacs
    # Eglot connects once a command has run in the buffer.
    editor.wait('(with-current-buffer "rev.py" (and (eglot-current-server) t))', "eglot connection", ("C-l",))

    # 1. Diagnostics: the failing tests at the entry function (line 4). Flymake shows
    #    what eglot received once a command runs, so C-l nudges it, as moving about would.
    diagnostics = editor.wait(f'(let ((d {DIAGNOSTICS})) (and (cl-some (lambda (x) (string-prefix-p '
                              f'"pytrix [test-failed]" (aref x 1))) d) d))', "failing-test diagnostics", ("C-l",))
    found = [d for d in diagnostics if d[1].startswith("pytrix [test-failed]")]
    assert all(line == 4 for line, _ in found)
    assert any("expected 'olleh', got 'hello'" in text for _, text in found)

    # 2. The hint action, picked from M-x eglot-code-actions as a user would.
    editor.keys("M-x")
    editor.keys("eglot-code-actions", literal=True)
    editor.keys("Enter")
    editor.wait(f'(let ((m {MINIBUFFER})) (and m (string-match-p "Pick an action" (aref m 0))))',
                "code-action menu")
    editor.keys("Pytrix: next", literal=True)
    editor.keys("Tab")
    picked = editor.wait(f'(let ((m {MINIBUFFER})) (and m (string-prefix-p "Pytrix: next hint" (aref m 1)) m))',
                         "completed hint action")
    assert picked[1] == "Pytrix: next hint (1/3)"
    editor.keys("Enter")
    messages = editor.wait(f'(let ((m {MESSAGES})) (and (string-match-p "Hint 1/3: " m) m))', "hint message")
    hint = messages.split("Hint 1/3: ", 1)[1].split("\n", 1)[0]
    assert hint and "`" not in hint

    # 3. Hover on the entry function: plain text (eglot asks for it without markdown-mode).
    editor.eval('(with-current-buffer "rev.py" (goto-char (point-min)) (forward-line 3) (forward-char 6) t)')
    # Eldoc asks for the hover after a motion command and its idle delay: nudge with C-f C-b.
    hover = editor.wait(HOVER, "hover with the latest results", ("C-f", "C-b"), every=1.5)
    assert "reverse_string(" in hover and "3/7" in hover
    for markup in ("###", "**", "`"):
        assert markup not in hover, f"markdown {markup!r} shown raw in the hover:\n{hover}"

    # 4. Fix, save with C-x C-s, and see every test pass.
    editor.eval('(with-current-buffer "rev.py" (goto-char (point-min)) (search-forward "return s") '
                '(insert "[::-1]") t)')
    editor.keys("C-x", "C-s")
    passed = editor.wait(f'(let ((d {DIAGNOSTICS})) (and (cl-some (lambda (x) (string-match-p '
                         f'"All 7 tests passed" (aref x 1))) d) d))', "all-passing diagnostic", ("C-l",))
    assert [line for line, text in passed if "All 7 tests passed" in text] == [4]
    assert "return s[::-1]" in practice.read_text(encoding="utf-8")
