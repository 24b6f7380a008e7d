"""Document lifecycle handlers: open, change, save, close, and configuration."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from pytrix import __version__
from pytrix.lsp.convert import plain

if TYPE_CHECKING:
    from pytrix.lsp.server import PytrixServer


def register(server: PytrixServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: PytrixServer, params: types.InitializeParams) -> None:
        ls.init_options = plain(params.initialization_options)
        # The VS Code extension sends its version; the server's goes back in serverInfo.
        options = ls.init_options
        theirs = options.get("extensionVersion") if isinstance(options, dict) else None
        if isinstance(theirs, str) and theirs != __version__:
            logging.getLogger(__name__).warning(
                "the VS Code extension is version %.40s but this server is %s: "
                "use the server bundled with the extension, or upgrade pytrix-practice", theirs, __version__)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: PytrixServer, params: types.InitializedParams) -> None:
        options = ls.init_options
        if isinstance(options, dict) and isinstance(options.get("settings"), dict):
            ls.apply_settings(options["settings"])
        if isinstance(options, dict) and "pyodide" in (options.get("runtimes") or []):
            ls.enable_client_runtime()
        for problem in ls.startup_problems:
            ls.notify_user(problem, types.MessageType.Warning)
        try:
            await ls.refresh_settings()
        finally:
            ls.settings_ready.set()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: PytrixServer, params: None) -> None:
        for state in ls.documents.values():
            state.cancel_run()
        await ls.close_sandbox()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: PytrixServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("pytrix"), dict):
            ls.apply_settings(settings["pytrix"])
        else:
            await ls.refresh_settings()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PytrixServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.languages[uri] = params.text_document.language_id
        if ls.is_python(uri):
            ls.schedule_run(uri)

        def coach() -> None:
            if ls.open_document(uri) is not None:  # not closed meanwhile
                ls.after_open(uri)

        # After the run's first step, which sends its request: coaching overlaps the run.
        asyncio.get_running_loop().call_soon(coach)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PytrixServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if not ls.is_python(uri):
            return
        ls.after_change(uri)
        if ls.settings.run_on_change:
            ls.schedule_run(uri, ls.settings.debounce_ms / 1000)
        else:
            # Results no longer match the text: drop the stale run in flight.
            ls.state(uri).cancel_run()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PytrixServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.is_python(uri) and ls.settings.run_on_save:
            ls.schedule_run(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PytrixServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state = ls.documents.pop(uri, None)
        ls.languages.pop(uri, None)
        if state is not None:
            state.cancel_run()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
