"""Build ``pytrix/runTests`` params for the browser tests and the benchmark.

The Pyodide worker must receive exactly what the server sends, so the params
are built by the server's own code (``build_request`` and the harness source)
from a real bank question and a set of learner programs: correct, wrong,
endless loop, ``time.sleep``, a top-level loop, a syntax error, printing.

Usage: ``python tests/extension/harness_cases.py [--test-timeout S] [--run-timeout S]``
prints ``{"questionId", "cases": {name: {"code", "params"}}}`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pytrix.curriculum.bank import load_bank
from pytrix.runner.client_backend import HARNESS_SOURCE
from pytrix.runner.protocol import Limits, build_request

QUESTION_ID = "string-reversal.beginner"

PROGRAMS: dict[str, str] = {
    "solution": "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
    "wrong": "def reverse_string(s: str) -> str:\n    return s\n",
    "raises": "def reverse_string(s: str) -> str:\n    return s[0] + 1\n",
    "prints": "print('loaded')\ndef reverse_string(s: str) -> str:\n    print('called with', s)\n    return s[::-1]\n",
    "loop": "def reverse_string(s: str) -> str:\n    while True:\n        pass\n",
    "loop_after_first": (
        "def reverse_string(s: str) -> str:\n"
        "    if s != 'hello':\n"
        "        while True:\n"
        "            pass\n"
        "    return s[::-1]\n"
    ),
    "sleep": "import time\ndef reverse_string(s: str) -> str:\n    time.sleep(30)\n    return s\n",
    "top_level_loop": "while True:\n    pass\ndef reverse_string(s):\n    return s\n",
    "syntax_error": "def reverse_string(s) -> str\n    return s\n",
    "recursion": "def reverse_string(s: str) -> str:\n    return reverse_string(s)\n",
    "memory": "def reverse_string(s: str) -> str:\n    return str(len([0] * 10**9))\n",
}


def build(test_timeout: float, run_timeout: float) -> dict[str, Any]:
    bank = load_bank()
    question = bank.questions[QUESTION_ID]
    limits = Limits(test_timeout=test_timeout, run_timeout=run_timeout)
    cases: dict[str, Any] = {}
    for name, code in PROGRAMS.items():
        cases[name] = {
            "code": code,
            "params": {
                "request": build_request(question, code, "reverse.py", limits),
                "harness": HARNESS_SOURCE,
                "testTimeout": test_timeout,
                "runTimeout": run_timeout,
            },
        }
    # Ten tests for the warm-run benchmark: the question's tests, cycled.
    ten = question.model_copy(update={"tests": [question.tests[i % len(question.tests)] for i in range(10)]})
    cases["ten_tests"] = {
        "code": PROGRAMS["solution"],
        "params": {
            "request": build_request(ten, PROGRAMS["solution"], "reverse.py", limits),
            "harness": HARNESS_SOURCE,
            "testTimeout": test_timeout,
            "runTimeout": run_timeout,
        },
    }
    return {"questionId": QUESTION_ID, "cases": cases}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test-timeout", type=float, default=1.0)
    parser.add_argument("--run-timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    json.dump(build(args.test_timeout, args.run_timeout), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
