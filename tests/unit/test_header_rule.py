"""One header rule: the server and the VS Code extension read the same cases the same way.

The cases live in tests/fixtures/header_cases.json; the extension's vitest reads
the same file, so the two implementations cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from pytrix.practice.files import question_id_of

CASES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "header_cases.json").read_text(encoding="utf-8"))


def test_the_server_reads_every_shared_header_case() -> None:
    assert len(CASES["cases"]) >= 10
    for case in CASES["cases"]:
        assert question_id_of(case["text"]) == case["id"], case
