"""An exhausted choice cycles through its questions, the one given longest ago first, and says so once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import forked_pytrix


def test_questions_come_round_again_instead_of_repeating_one(tmp_path: Path) -> None:
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home")}
    names: list[str] = []
    notices: list[str] = []
    for _ in range(13):
        done = subprocess.run(
            [*forked_pytrix.command(), "new", "--module", "recursion", "--difficulty", "beginner",
             "--dir", str(tmp_path / "practice")],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        names.append(Path(done.stdout.strip().splitlines()[-1]).stem.removesuffix("_2"))
        notices.append(done.stderr)
    first_round = names[:10]
    assert len(set(first_round)) == 10
    assert names[10:] == first_round[:3]  # the one given longest ago first, then the next
    said = [n for n in notices if "come round again" in n]
    assert len(said) == 1 and "all 10 questions" in said[0]
    assert "come round again" in notices[10]
