"""The ready-made editor configurations that ship inside the package.

``pytrix editor NAME`` prints one (Neovim, Helix, Emacs, Sublime Text), so a
learner who installed with pipx or uv has them without the repository.
"""

from __future__ import annotations

from pathlib import Path

from pytrix.errors import PytrixError
from pytrix.paths import editors_dir

# editor name -> (file inside the editors folder, where the learner puts it)
EDITORS: dict[str, tuple[str, str]] = {
    "neovim": ("neovim/pytrix.lua", "~/.config/nvim/plugin/pytrix.lua"),
    "helix": ("helix/languages.toml", "~/.config/helix/languages.toml (merge it with yours)"),
    "emacs": ("emacs/pytrix.el", "anywhere, then (load \"/path/to/pytrix.el\") in your init file"),
    "sublime": ("sublime/LSP.sublime-settings", "Preferences > Package Settings > LSP > Settings"),
}


def editor_file(name: str) -> Path:
    """The shipped configuration file of ``name``."""
    try:
        relative, _ = EDITORS[name]
    except KeyError:
        raise PytrixError(f"no configuration for {name!r}; choose one of: {', '.join(EDITORS)}") from None
    return editors_dir() / relative


def editor_config(name: str) -> str:
    """The text of the shipped configuration of ``name``."""
    return editor_file(name).read_text(encoding="utf-8")
