"""Acceptance tests: each proves one item of an issue's "Build" / "Must show" list that no other test proves,
by running the CLI as a user would (subprocesses of `python -m portcheck`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_portcheck


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def check(export: Path, out: Path, *args: str, codes=(0, 1)) -> dict:
    """`portcheck check EXPORT --out OUT ARGS`; the exit code must be in `codes`; returns report.json."""
    run = run_portcheck("check", str(export), "--out", str(out), "--force", *args)
    assert run.returncode in codes, run.stdout + run.stderr
    return json.loads((out / "report.json").read_text(encoding="utf-8"))
