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
print(json.dumps({"changed": changed, "purge": os.environ.get("MIMALLOC_PURGE_DELAY")}))
"""


def _probe(**env: str) -> dict:
    full = {k: v for k, v in os.environ.items()
            if k not in ("MIMALLOC_PURGE_DELAY", "PORTCHECK_ALLOCATOR") and not k.startswith("MALLOC_")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, check=True)
    return json.loads(out.stdout)


def test_tuned_by_default():
    got = _probe()
    assert got == {"changed": True, "purge": "-1"}


def test_default_allocators_when_asked():
    assert _probe(PORTCHECK_ALLOCATOR="default") == {"changed": False, "purge": None}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc tuning is Linux-only")
def test_a_users_setting_wins():
    got = _probe(MIMALLOC_PURGE_DELAY="10", MALLOC_ARENA_MAX="2")
    assert got == {"changed": False, "purge": "10"}


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
