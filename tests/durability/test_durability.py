"""Durability with real processes: kill -9 mid-burst loses no acknowledged attempt; two
writers at once lose nothing (attempts, aggregates, and the read-modify-write review cards).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

WRITER = Path(__file__).with_name("writer.py")


def start_writer(db: Path, count: int, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(count), tag],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )


def read_ids(proc: subprocess.Popen[str], wanted: int | None = None) -> list[int]:
    """Ids the writer acknowledged: up to ``wanted``, or all until it exits."""
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    ids: list[int] = []
    for line in proc.stdout:
        ids.append(int(line))
        if wanted is not None and len(ids) >= wanted:
            break
    return ids


def check_database(db: Path) -> sqlite3.Connection:
    """The database opens, passes integrity_check, and its aggregates match a recount."""
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    total = conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    assert conn.execute("SELECT COALESCE(SUM(attempts), 0) FROM stat_cells").fetchone()[0] == total
    assert conn.execute("SELECT COALESCE(SUM(attempts), 0) FROM question_progress").fetchone()[0] == total
    per_type = dict(conn.execute("SELECT problem_type, COUNT(*) FROM attempts GROUP BY problem_type"))
    reviews = dict(conn.execute("SELECT problem_type, reviews FROM review_cards"))
    assert reviews == per_type  # every attempt updated its card exactly once
    return conn


def test_kill_9_during_a_burst_keeps_every_acknowledged_attempt(tmp_path: Path) -> None:
    db = tmp_path / "pytrix.db"
    acknowledged: list[int] = []
    for round_number, kill_after in enumerate((150, 40, 300)):
        proc = start_writer(db, 1_000_000, f"round{round_number}")
        try:
            ids = read_ids(proc, kill_after)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        acknowledged.extend(ids)
        conn = check_database(db)
        present = {row[0] for row in conn.execute("SELECT id FROM attempts")}
        conn.close()
        missing = sorted(set(acknowledged) - present)
        assert not missing, f"acknowledged but lost: {missing[:10]}"
        # the writer may have committed a few more than it printed, never fewer
        assert len(present) >= len(acknowledged)


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "pytrix.db"
    count = 250
    procs = [start_writer(db, count, tag) for tag in ("left", "right")]
    try:
        results = [read_ids(p) for p in procs]
        for p in procs:
            assert p.wait(timeout=120) == 0, p.stderr.read() if p.stderr else ""
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    left, right = results
    assert len(left) == len(right) == count
    assert not set(left) & set(right)
    conn = check_database(db)
    assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 2 * count
    for tag in ("left", "right"):
        rows = conn.execute("SELECT COUNT(*) FROM attempts WHERE code LIKE ?", (f"%# {tag} %",)).fetchone()
        assert rows[0] == count
    conn.close()
