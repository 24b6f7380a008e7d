"""One choice of question for every front end: with no module, difficulty, problem type
or id, ``pytrix/newQuestion``, ``pytrix.next``, ``pytrix new`` and ``pytrix auto next``
all give auto mode's pick with its reason (the service decides, none of them does)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import forked_pytrix

if TYPE_CHECKING:
    from conftest import Session


def cli_json(home: Path, *args: str) -> Any:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    done = subprocess.run([*forked_pytrix.command(), *args], env={**env, "PYTRIX_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Auto mode: " in done.stderr  # the CLI says why, on stderr
    return json.loads(done.stdout)


async def test_no_choice_is_auto_mode_in_the_editor_and_the_terminal(lsp: Session, tmp_path: Path) -> None:
    asked = await lsp.request("pytrix/newQuestion", {"open": False})
    assert asked["auto"] is not None and asked["auto"]["questionId"] == asked["questionId"]
    first = (asked["questionId"], asked["auto"]["reason"])
    # `pytrix.next` without a choice is auto mode too
    again = await lsp.command("pytrix.next")
    assert again["auto"] is not None and again["source"] == "bank"
    # a fresh learner in the terminal gets the same first pick, with the same reason
    for index, command in enumerate((["new", "--json"], ["auto", "next", "--json"])):
        made = cli_json(tmp_path / f"home{index}", *command, "--dir", str(tmp_path / f"ws{index}"))
        assert (made["questionId"], made["auto"]["reason"]) == first, command
        assert Path(made["path"]).is_file()


async def exhaust(lsp: Session) -> list[Any]:
    """Ask for recursion/beginner questions until the choice comes round again."""
    pick = {"module": "recursion", "difficulty": "beginner", "open": False}
    reports = [await lsp.request("pytrix/newQuestion", pick)]
    while reports[-1]["notice"] is None:
        assert len(reports) < 100, "the choice never came round again"
        reports.append(await lsp.request("pytrix/newQuestion", pick))
    return reports


@pytest.mark.lsp_options(init={"runtimes": []})  # the VS Code extension shows the notice itself
async def test_the_extension_gets_the_ai_offer_as_data_and_no_message(lsp: Session) -> None:
    await lsp.request("pytrix/setApiKey", {"apiKey": "AIzaFAKE-offer-key-0123456789"})
    last = (await exhaust(lsp))[-1]
    assert "come round again" in last["notice"]
    assert last["aiOffer"] == {"problemType": last["questionId"].split(".")[0], "difficulty": "beginner"}
    assert not any("come round again" in m.message for m in lsp.client.messages)


async def test_other_editors_are_told_and_without_a_key_nothing_is_offered(lsp: Session) -> None:
    last = (await exhaust(lsp))[-1]
    assert last["aiOffer"] is None
    await lsp.message(lambda text: "come round again" in text)
