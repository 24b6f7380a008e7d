"""Versions at ``initialize``: an extension of another release is noted in the server log.

The server's own version in ``serverInfo`` is checked by tests/install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytrix import __version__

if TYPE_CHECKING:
    from conftest import Session


@pytest.mark.lsp_options(init={"extensionVersion": "0.0.1", "runtimes": []})
async def test_an_extension_of_another_release_is_noted_in_the_log(lsp: Session) -> None:
    await lsp.request("pytrix/curriculum", {})
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert "the VS Code extension is version 0.0.1 but this server is " + __version__ in log


@pytest.mark.lsp_options(init={"extensionVersion": __version__, "runtimes": []})
async def test_a_matching_extension_is_not_noted(lsp: Session) -> None:
    await lsp.request("pytrix/curriculum", {})
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert "the VS Code extension is version" not in log
