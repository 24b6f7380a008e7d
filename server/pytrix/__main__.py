"""``python -m pytrix``: the same as the ``pytrix`` command."""

from pytrix.cli import run

run()
