"""Start-up: answer ``initialize`` first, load the core in the background, serve stdio or TCP.

What lies on the path to ``initialize`` is only pygls, lsprotocol and the thin
``lsp`` modules (none imports the core at its top). The core (service, bank,
store, settings file, pydantic models, runner, coach) is built by
:func:`load_core` in a background thread that :class:`~pytrix.lsp.server.PytrixServer`
starts once ``initialize`` is answered; every later message waits on one event
until it is there. Nothing of the AI stack is imported until its first action.

The core's imports run with the cyclic garbage collector paused
(:func:`collector_paused`): they make tens of thousands of objects that live as
long as the process (modules, classes, functions) and almost no garbage (under a
thousand objects), yet the collections that growth sets off took about a sixth of
the core's CPU time. The objects are then frozen (no later collection scans them
again) and the collector runs as before, so the bank and everything after it are
collected as usual.

Kept apart from :mod:`pytrix.lsp.server` (the server class) so the feature
modules can import the class while this module imports them: no circle. This
module itself imports pygls only when a server is made, so the CLI's parser
takes ``serve``'s options from :func:`add_arguments` for nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytrix.lsp.server import PytrixServer
    from pytrix.service import PytrixService
    from pytrix.store.database import Store


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Import without the cyclic collector, then freeze what was made and collect again
    (see the module's docstring); nothing changes when the collector is already off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _open_store() -> tuple[Store, str | None]:
    """The learner's database, else one in memory and the problem to tell."""
    from pathlib import Path

    from pytrix.paths import database_path
    from pytrix.store.database import Store, StoreError

    try:
        return Store(database_path()), None
    except StoreError as exc:
        return Store(Path(":memory:")), f"{exc} Progress is kept in memory for this session only."


def load_core() -> tuple[PytrixService, list[str]]:
    """The service over the bank, the store and the settings file, and the problems to
    tell the learner; never fails on bad data (a broken bank or database is a problem)."""
    from concurrent.futures import ThreadPoolExecutor

    # The database opens in its own thread: a new one waits on the disk (migrations,
    # fsync) for tens of milliseconds, which the imports below use instead.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pytrix-store") as opener:
        opening = opener.submit(_open_store)
        with collector_paused():
            from pytrix.curriculum.bank import Bank, load_bank
            from pytrix.curriculum.topics import Curriculum
            from pytrix.errors import PytrixError
            from pytrix.service import PytrixService
            from pytrix.settings_file import file_settings

        problems: list[str] = []
        try:
            bank = load_bank()
        except PytrixError as exc:
            problems.append(f"The curriculum could not be loaded: {exc}")
            bank = Bank(Curriculum.model_construct(version="0", modules=[]))
        for error in bank.errors:
            problems.append(f"Skipped a broken bank file: {error}")
        store, store_problem = opening.result()
    if store_problem is not None:
        problems.append(store_problem)
    settings, settings_problems = file_settings()
    problems.extend(settings_problems)
    service = PytrixService(bank, store, settings)
    service.use_warm_pool()
    return service, problems


def warm_up() -> None:
    """Import what a first run needs after its result (findings, explanations) and coaching:
    run in the core's thread beside that run, which waits on the sandbox process meanwhile
    (with the collector on: what the run has in flight then is not frozen with it)."""
    import pytrix.lsp.coaching
    import pytrix.practice.findings  # noqa: F401


def register_features(server: PytrixServer) -> None:
    """Register every feature module (each imports the core only inside its handlers)."""
    from pytrix.lsp import (
        actions,
        ai,
        commands,
        documents,
        hover,
        next_question,
        progress,
        requests,
    )

    documents.register(server)
    actions.register(server)
    hover.register(server)
    commands.register(server)
    requests.register(server)
    progress.register(server)
    ai.register(server)  # pytrix/setApiKey, pytrix/usage, pytrix.evaluate|optimize|testConnection
    next_question.register(server)  # pytrix.next


def create_server() -> PytrixServer:
    """The server with every feature registered and its core loaded now; never fails on bad data."""
    from pytrix.lsp.server import PytrixServer

    service, problems = load_core()
    server = PytrixServer(service, problems)
    register_features(server)
    return server


def start(tcp: str | None = None, log_level: str | None = None) -> None:
    """Start the server on stdio, or on ``HOST:PORT`` when ``tcp`` is given.

    The core is loaded after ``initialize`` is answered (see the module's docstring).
    """
    from pytrix.lsp import logs
    from pytrix.lsp.server import PytrixServer
    from pytrix.paths import log_path

    logs.setup(log_path(), logs.level_from(log_level) if log_level else None)
    server = PytrixServer(load_core=load_core, warm_up=warm_up)
    register_features(server)
    if tcp:
        host, _, port = tcp.rpartition(":")
        # Say on stderr where we listen (port 0 picks a free one), once bound.
        announce = logging.StreamHandler()
        announce.setFormatter(logging.Formatter("pytrix: %(message)s"))
        announce.setLevel(logging.INFO)
        logging.getLogger("pygls.server").addHandler(announce)
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pytrix serve`` (the CLI's subcommand and :func:`main` share them)."""
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (port 0: any free port)")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING"], type=str.upper,
                        help="server.log detail; DEBUG adds message bodies (default INFO, or $PYTRIX_LOG_LEVEL)")


def main(argv: list[str]) -> None:
    """``pytrix serve [options]`` without the rest of the CLI on the start-up path."""
    parser = argparse.ArgumentParser(prog="pytrix serve", description="run the language server (stdio by default)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    start(tcp=args.tcp, log_level=args.log_level)
