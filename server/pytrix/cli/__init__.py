"""The ``pytrix`` command line: every terminal front end of the application layer.

``app`` parses the command line and holds the question commands, ``progress``
the progress commands, ``ai`` the AI commands and ``practice`` the practice
loop; all of them open the service through ``service.open_service`` and print
through ``output``. Nothing outside this package imports it (``python -m
pytrix`` and the ``pytrix`` console script enter through :func:`run`).
"""

from pytrix.cli.app import main, run

__all__ = ["main", "run"]
