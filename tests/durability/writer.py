"""Helper process for the durability tests: records attempts as fast as it can.

Usage: ``python writer.py DB COUNT TAG``. Each attempt goes through the same
path as a real submission (``pytrix.practice.progress.record``: attempt,
review card and auto state in one transaction); its id is printed (and
flushed) only after the commit, so a printed id is an acknowledged write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pytrix.curriculum.bank import load_bank
from pytrix.practice import progress
from pytrix.settings import Settings
from pytrix.store.database import Store

QUESTIONS = ["string-reversal.beginner", "palindrome-check.beginner", "caesar-cipher.intermediate"]


def main() -> None:
    db_path, count, tag = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    bank = load_bank()
    settings = Settings()
    store = Store(db_path)
    print("ready", flush=True)
    for n in range(count):
        question = bank.get(QUESTIONS[n % len(QUESTIONS)])
        solved = n % 3 != 0
        recorded = progress.record(
            store, bank, settings, question, passed=4 if solved else 1, total=4,
            results_json="{}", code=f"# pytrix: question={question.id}\n# {tag} {n}\n",
            hints_used=0, duration_ms=n, mode="manual",
        )
        print(recorded.attempt_id, flush=True)
    store.close()


if __name__ == "__main__":
    main()
