"""Shared test helpers: where the repository, the shared contract material and the fixtures are."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "fixtures"


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own portcheck config dir, so the masking secret never touches the user's."""
    cfg = tmp_path_factory.mktemp("portcheck-config")
    monkeypatch.setenv("PORTCHECK_CONFIG_DIR", str(cfg))
    return cfg


def shared(path: str) -> Path:
    """A path under ../shared, or skip the test with the reason when the shared folder is absent."""
    p = SHARED / path
    if not p.exists():
        pytest.skip(f"{p} is not present (the shared folder sits beside the repository)")
    return p


def run_portcheck(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None,
                  timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `python -m portcheck ARGS` in a subprocess, as a user would."""
    e = dict(os.environ)
    e.update(env or {})
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "portcheck", *args], capture_output=True, text=True,
                          cwd=cwd, env=e, timeout=timeout)
