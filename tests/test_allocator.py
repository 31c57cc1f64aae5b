"""`portcheck check` keeps freed memory for reuse unless told not to; a user's own settings win."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, os, sys
from portcheck.allocator import tune_for_batch
changed = tune_for_batch()
import pyarrow  # loads mimalloc after the setting
env = os.environ
print(json.dumps({"changed": changed, "purge": env.get("MIMALLOC_PURGE_DELAY"),
                  "thp": env.get("MIMALLOC_ALLOW_THP"), "blas": env.get("OPENBLAS_NUM_THREADS")}))
"""
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _probe(**env: str) -> dict:
    unset = ("MIMALLOC_PURGE_DELAY", "MIMALLOC_ALLOW_THP", "PORTCHECK_ALLOCATOR", *BLAS_VARS)
    full = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("MALLOC_")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, check=True)
    return json.loads(out.stdout)


def test_tuned_by_default():
    got = _probe()
    assert got == {"changed": True, "purge": "-1", "thp": "0", "blas": "1"}


def test_default_allocators_when_asked():
    got = _probe(PORTCHECK_ALLOCATOR="default")
    assert got == {"changed": False, "purge": None, "thp": None, "blas": None}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc tuning is Linux-only")
def test_a_users_setting_wins():
    got = _probe(MIMALLOC_PURGE_DELAY="10", MIMALLOC_ALLOW_THP="1", MALLOC_ARENA_MAX="2", OMP_NUM_THREADS="3")
    assert got == {"changed": False, "purge": "10", "thp": "1", "blas": None}


def test_check_command_runs_with_tuned_allocators(tmp_path):
    from tests.conftest import REPO

    demo = REPO / "fixtures" / "demo"
    if not demo.is_dir():
        pytest.skip("no demo fixtures")
    env = {k: v for k, v in os.environ.items() if k != "PORTCHECK_ALLOCATOR"}
    proc = subprocess.run([sys.executable, "-m", "portcheck", "check", str(demo / "export"), "--reference",
                           str(demo / "reference"), "--out", str(tmp_path / "r"), "-q"],
                          capture_output=True, text=True, env=env, cwd=REPO)
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads((tmp_path / "r" / "report.json").read_text())["verdict"] in ("pass", "fail")


REUSE = """
import json, resource, threading
from portcheck.allocator import tune_for_batch
tune_for_batch()
import numpy as np

faults = []

def work():  # a second thread's large arrays, freed and made again (as the checks' second thread does)
    for _ in range(4):
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        a = np.ones(96 << 20, np.uint8)
        faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)
        del a

t = threading.Thread(target=work)
t.start()
t.join()
print(json.dumps(faults))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc tuning is Linux-only")
@pytest.mark.parametrize("setting", ["tuned", "default"])
def test_a_second_threads_freed_arrays_are_reused(setting):
    """96 MB does not fit a thread arena's 64 MB heaps: untuned glibc maps and unmaps it every time, so each
    new array faults in (and the kernel zeroes) fresh pages; tuned, the freed block is reused."""
    env = {k: v for k, v in os.environ.items() if k != "PORTCHECK_ALLOCATOR" and not k.startswith("MALLOC_")}
    if setting == "default":
        env["PORTCHECK_ALLOCATOR"] = "default"
    out = subprocess.run([sys.executable, "-c", REUSE], capture_output=True, text=True, env=env, check=True)
    faults = json.loads(out.stdout)
    first, later = faults[0], max(faults[1:])
    assert first > 40  # the first array is fresh memory either way (48+ huge pages or 24k small ones)
    if setting == "tuned":
        assert later < first / 10, faults
    else:
        assert later > first / 2, faults


def test_the_checks_duckdb_runs_no_threads_of_its_own():
    """DuckDB's idle threads trim glibc's heap (malloc_trim): the shared database has none."""
    from portcheck.checks._arrow import duck_cursor

    cur = duck_cursor()
    try:
        threads, async_threads = cur.execute(
            "SELECT current_setting('threads'), current_setting('async_threads')").fetchone()
    finally:
        cur.close()
    assert (int(threads), int(async_threads)) == (1, 0)
