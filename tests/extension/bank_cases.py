"""Build the ``pytrix/runTests`` params for every bank question's own solutions.

For each question: its reference solution, and its optimal solution when it has
one that differs; first, one stuck solution (an endless loop) that the run must
stop at the time limit. The requests are built by the server's own code
(``build_request`` and the harness source), exactly what the server sends the
editor, so ``bank_pyodide.mjs`` runs in Pyodide what the sandbox runs.

Usage: ``python tests/extension/bank_cases.py [--only ID ...]`` prints
``{"harness", "testTimeout", "runTimeout", "cases": [{"id", "label", "code",
"filename", "request"}]}`` as JSON (the harness once, not per case).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pytrix.curriculum.bank import load_bank
from pytrix.curriculum.question import Question
from pytrix.runner.client_backend import HARNESS_SOURCE
from pytrix.runner.protocol import Limits, build_request

LIMITS = Limits()
"""The server's default limits: what a learner's editor receives."""
CANARY_ID = "string-reversal.beginner"
CANARY = "def reverse_string(s):\n    while True:\n        pass\n"
"""A stuck solution run first: the run must stop it at the time limit and carry on."""


def solutions(question: Question) -> list[tuple[str, str]]:
    """``(label, code)`` of the question's reference solution and its distinct optimal one."""
    found = [("reference", question.solution)]
    if question.optimal is not None and question.optimal.strip() != question.solution.strip():
        found.append(("optimal", question.optimal))
    return found


def filename(question: Question) -> str:
    """The file name ``data check`` runs the question's solutions under."""
    return f"{question.entry}.py"


def build(only: list[str] | None = None) -> dict[str, Any]:
    bank = load_bank()
    canary = bank.questions[CANARY_ID]
    cases: list[dict[str, Any]] = [{
        "id": CANARY_ID, "label": "stuck", "code": CANARY, "filename": filename(canary),
        "request": build_request(canary, CANARY, filename(canary), LIMITS),
    }]
    for qid in sorted(bank.questions):
        if only and qid not in only:
            continue
        question = bank.questions[qid]
        for label, code in solutions(question):
            name = filename(question)
            cases.append({
                "id": qid, "label": label, "code": code, "filename": name,
                "request": build_request(question, code, name, LIMITS),
            })
    return {
        "harness": HARNESS_SOURCE,
        "testTimeout": LIMITS.test_timeout,
        "runTimeout": LIMITS.run_timeout,
        "cases": cases,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="question ids (default: the whole bank)")
    args = parser.parse_args(argv)
    json.dump(build(args.only), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
