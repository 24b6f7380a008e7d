"""``python -m pytrix``: the same as the ``pytrix`` command (``serve`` starts without the rest of the CLI)."""

from pytrix.cli import run

run()
