"""``pytrix/lastResult``: the latest run of a document, so a panel can follow runs it did not start."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

if TYPE_CHECKING:
    from conftest import Session

WRONG = "# pytrix: question=string-reversal.beginner\ndef reverse_string(s: str) -> str:\n    return s\n"
RIGHT = WRONG.replace("return s\n", "return s[::-1]\n")


async def test_the_latest_run_follows_typing_without_running_again(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: any(x.severity == types.DiagnosticSeverity.Error for x in d))
    first = await lsp.request("pytrix/lastResult", {"uri": uri})
    assert first["result"]["passed"] < first["result"]["total"] == 7 and first["version"] == 1
    assert first["result"]["status"] == "failed" and first["result"]["questionId"] == "string-reversal.beginner"
    assert first["result"]["tests"][0]["expected"] == "'olleh'"
    lsp.replace(uri, RIGHT)
    await lsp.diagnostics(uri, lambda d: len(d) == 1 and d[0].code == "all-passed")
    second = await lsp.request("pytrix/lastResult", {"uri": uri})
    assert second["result"]["passed"] == 7 and second["result"]["status"] == "passed" and second["version"] == 2
    assert await lsp.request("pytrix/lastResult", {"uri": uri}) == second  # asking again runs nothing new


async def test_an_unknown_document_has_no_result_and_bad_params_are_refused(lsp: Session) -> None:
    assert await lsp.request("pytrix/lastResult", {"uri": (lsp.workspace / "none.py").as_uri()}) == {
        "version": None, "result": None}
    with pytest.raises(JsonRpcInvalidParams):
        await lsp.request("pytrix/lastResult", {})
