"""Helpers for the robustness tests: portcheck in a bounded subprocess, and file hashes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

LAUNCHER = Path(__file__).with_name("limited.py")


@dataclass
class Outcome:
    args: list[str]
    returncode: int | None  # None: killed by the wall-clock timeout
    stdout: str
    stderr: str
    seconds: float


def run_limited(
    args: list[str],
    *,
    cwd: Path,
    memory: int | None = None,
    cpu: int | None = None,
    fsize: int | None = None,
    timeout: float = 60,
    env: dict | None = None,
) -> Outcome:
    """``portcheck ARGS`` in a subprocess under RLIMIT_AS / _CPU / _FSIZE and a wall-clock timeout."""
    e = dict(os.environ)
    e.update(env or {})
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    for name, value in (("AS", memory), ("CPU", cpu), ("FSIZE", fsize)):
        if value is not None:
            e[f"PORTCHECK_TEST_RLIMIT_{name}"] = str(value)
    start = time.monotonic()
    try:
        p = subprocess.run(
            [sys.executable, str(LAUNCHER), *args],
            cwd=cwd,
            env=e,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return Outcome(args, p.returncode, p.stdout, p.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as t:
        out = t.stdout.decode(errors="replace") if isinstance(t.stdout, bytes) else (t.stdout or "")
        err = t.stderr.decode(errors="replace") if isinstance(t.stderr, bytes) else (t.stderr or "")
        return Outcome(args, None, out, err, time.monotonic() - start)


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256, mode and mtime of every file under ``root`` (links not followed), keyed by relative path."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        if p.is_symlink():
            out[p.relative_to(root).as_posix()] = f"link->{os.readlink(p)}"
        elif p.is_file():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[p.relative_to(root).as_posix()] = f"{digest} {oct(st.st_mode)} {st.st_mtime_ns}"
    return out


def assert_one_sentence(stderr: str) -> str:
    """stderr is exactly 'portcheck: <one sentence>' and 'hint: …' (no traceback); returns the sentence."""
    lines = stderr.rstrip("\n").splitlines()
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 2, stderr
    assert lines[0].startswith("portcheck: "), stderr
    assert lines[1].startswith("hint: "), stderr
    assert "internal error" not in lines[0], stderr
    return lines[0][len("portcheck: ") :]
