"""Concurrent appenders and killed appenders, on SQLite and PostgreSQL (real separate processes).

- 8 processes append 50 entries each to one archive they all create at once: exactly 400 entries, each
  expected envelope once, numbered 0..399, and a tree consistent with all 400 signed checkpoints.
- A process killed with SIGKILL in the middle of an append (after its entry row is written, before the
  checkpoint is, and commit) leaves the archive consistent: that entry is absent, and the archive takes
  new appends. A few more kills after random short delays do the same, wherever they land.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import pytest

from portcheck.archive import Archive
from tests.archive.conftest import make_envelope

pytestmark = pytest.mark.slow

WORKERS, PER_WORKER = 8, 50
CTX = multiprocessing.get_context("fork")


def _append_many(url: str, key: str, worker: int, go) -> None:
    go.wait(30)
    with Archive.open(url, key_path=key, create=True) as arc:
        for i in range(PER_WORKER):
            arc.append([make_envelope(worker * 1000 + i, tag=f"w{worker}")], source=f"w{worker}-{i}",
                       bundle_sha256="0" * 64)


def _append_forever(url: str, key: str, start: int, appended, in_transaction, pause: float) -> None:
    """Appends in a loop; with ``pause``, sleeps inside each transaction right after writing the entry row."""
    from sqlalchemy import event

    with Archive.open(url, key_path=key, create=True) as arc:
        if pause:
            @event.listens_for(arc._engine, "after_cursor_execute")
            def _hold(conn, cursor, statement, *args):
                if statement.lstrip().upper().startswith("INSERT INTO ARCHIVE_ENTRIES"):
                    in_transaction.set()
                    time.sleep(pause)

        for i in range(10_000):
            arc.append([make_envelope(start + i, tag="kill")], source=f"k{start + i}", bundle_sha256="0" * 64)
            appended.value = i + 1


def _expected_envelopes() -> set[bytes]:
    return {make_envelope(w * 1000 + i, tag=f"w{w}") for w in range(WORKERS) for i in range(PER_WORKER)}


def test_eight_processes_appending_fifty_each_leave_exactly_four_hundred_entries(archive_url, tmp_path):
    key = str(tmp_path / "archive.key")
    go = CTX.Event()
    procs = [CTX.Process(target=_append_many, args=(archive_url, key, w, go)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    with Archive.open(archive_url) as arc:
        snap = arc.snapshot()
        report = arc.verify()
    assert [e.index for e in snap.entries] == list(range(WORKERS * PER_WORKER))
    assert {e.envelope for e in snap.entries} == _expected_envelopes()
    assert len({e.leaf_hash for e in snap.entries}) == WORKERS * PER_WORKER
    assert report.checkpoints == report.consistency_proofs == WORKERS * PER_WORKER
    # each worker's entries are in the order it appended them
    for w in range(WORKERS):
        mine = [e.source for e in snap.entries if e.source.startswith(f"w{w}-")]
        assert mine == [f"w{w}-{i}" for i in range(PER_WORKER)]


def _kill_and_check(url: str, key: str, start: int, pause: float, delay: float) -> int:
    appended = CTX.Value("i", 0)
    in_txn = CTX.Event()
    p = CTX.Process(target=_append_forever, args=(url, key, start, appended, in_txn, pause))
    p.start()
    try:
        if pause:
            assert in_txn.wait(30), "the appender never reached its transaction"
            in_txn.clear()
            while appended.value < 1:  # let one append commit, then catch the next one mid-transaction
                time.sleep(0.01)
            assert in_txn.wait(30)
        else:
            deadline = time.time() + 30
            while appended.value < 1 and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.join(30)
    assert p.exitcode == -signal.SIGKILL
    with Archive.open(url) as arc:
        snap = arc.snapshot()
        report = arc.verify()  # consistent: no half-written entry, no entry without its checkpoint
    assert report.entries == report.checkpoints
    for e in snap.entries:
        assert e.envelope == make_envelope(int(e.source[1:]), tag="kill")
    return appended.value


def test_an_appender_killed_mid_transaction_leaves_the_archive_consistent(archive_url, tmp_path):
    key = str(tmp_path / "archive.key")
    committed = _kill_and_check(archive_url, key, 0, pause=0.5, delay=0)
    with Archive.open(archive_url) as arc:
        snap = arc.snapshot()
    # the killed append had written its entry row: it is gone, the committed ones are all there
    assert len(snap.entries) == committed
    rng = random.Random(20260520)
    start = 1000
    for _ in range(3):
        _kill_and_check(archive_url, key, start, pause=0, delay=rng.uniform(0.0, 0.15))
        start += 1000
    with Archive.open(archive_url, key_path=key) as arc:  # the archive still takes appends
        arc.append([make_envelope(99_999, tag="after")], source="after", bundle_sha256="0" * 64)
        assert arc.verify().ok
