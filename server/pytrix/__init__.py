"""Pytrix: practise Python inside your editor.

The package is split into a pygls-free core (curriculum, runner, practice,
store, ai) and a thin language-server layer (``pytrix.lsp``) plus the CLI.
"""

__version__ = "0.2.0"
