"""Start-up: build the server with every feature registered, then serve stdio or TCP.

Kept apart from :mod:`pytrix.lsp.server` (the server class) so the feature
modules can import the class while this module imports them: no circle.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pytrix.curriculum.bank import Bank, load_bank
from pytrix.curriculum.topics import Curriculum
from pytrix.errors import PytrixError
from pytrix.lsp import (
    actions,
    ai,
    commands,
    documents,
    hover,
    logs,
    next_question,
    progress,
    requests,
)
from pytrix.lsp.server import PytrixServer
from pytrix.paths import database_path, log_path
from pytrix.service import PytrixService
from pytrix.settings_file import file_settings
from pytrix.store.database import Store, StoreError


def create_server() -> PytrixServer:
    """Build the server with every feature registered; never fails on bad data."""
    problems: list[str] = []
    try:
        bank = load_bank()
    except PytrixError as exc:
        problems.append(f"The curriculum could not be loaded: {exc}")
        bank = Bank(Curriculum.model_construct(version="0", modules=[]))
    for error in bank.errors:
        problems.append(f"Skipped a broken bank file: {error}")
    try:
        store = Store(database_path())
    except StoreError as exc:
        problems.append(f"{exc} Progress is kept in memory for this session only.")
        store = Store(Path(":memory:"))
    settings, settings_problems = file_settings()
    problems.extend(settings_problems)
    server = PytrixServer(PytrixService(bank, store, settings), problems)
    server.service.use_warm_pool()
    documents.register(server)
    actions.register(server)
    hover.register(server)
    commands.register(server)
    requests.register(server)
    progress.register(server)
    ai.register(server)  # pytrix/setApiKey, pytrix/usage, pytrix.evaluate|optimize|testConnection
    next_question.register(server)  # pytrix.next
    return server


def start(tcp: str | None = None, log_level: str | None = None) -> None:
    """Start the server on stdio, or on ``HOST:PORT`` when ``tcp`` is given."""
    logs.setup(log_path(), logs.level_from(log_level) if log_level else None)
    server = create_server()
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
