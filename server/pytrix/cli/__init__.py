"""The ``pytrix`` command line: every terminal front end of the application layer.

``app`` parses the command line and holds the question commands, ``progress``
the progress commands, ``ai`` the AI commands and ``practice`` the practice
loop; all of them open the service through ``service.open_service`` and print
through ``output``. Nothing outside this package imports it (``python -m
pytrix`` and the ``pytrix`` console script enter through :func:`run`).

``serve`` is dispatched here, before the rest of the command line is imported,
so the language server answers ``initialize`` without loading rich, the other
commands or the core (see :mod:`pytrix.lsp.startup`). ``check`` takes its lean path
here when it can (:mod:`pytrix.cli.lean`: no asyncio, pydantic or rich); otherwise it
starts its sandbox process here, before the rest is imported
(:func:`pytrix.cli.service.start_sandbox`).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run one ``pytrix`` command line; its exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"]:
        from pytrix.lsp.startup import main as serve

        serve(args[1:])
        return 0
    if args[:1] == ["check"] and not {"-h", "--help"} & set(args):
        # The lean path first (no asyncio, pydantic or rich); None: the full path answers.
        from pytrix.cli.lean import lean_check

        code = lean_check(args[1:])
        if code is not None:
            return code
        # The run's sandbox process starts now, on another core, while the rest imports.
        from pytrix.cli.service import start_sandbox

        start_sandbox()
    from pytrix.cli.app import main as app_main

    return app_main(argv)


def run() -> None:
    sys.exit(main())


__all__ = ["main", "run"]
