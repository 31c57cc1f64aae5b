"""`portcheck --help` stays fast: it imports none of the heavy libraries (they load inside command bodies)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO

HEAVY = ["pandas", "pyarrow", "great_expectations", "cryptography"]

# Runs `python -m portcheck ARGS` in-process, then reports which heavy top-level packages were imported
# (from an exit handler: a finished check ends its process without unwinding to here).
PROBE = """
import atexit, json, runpy, sys
args, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["portcheck", *args]
code = [0]
atexit.register(lambda: print(json.dumps({"code": code[0],
                                          "heavy": sorted({m.split(".")[0] for m in sys.modules} & heavy)})))
try:
    runpy.run_module("portcheck", run_name="__main__", alter_sys=True)
except SystemExit as e:
    code[0] = e.code
"""


def _loaded(*args: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] in (0, None):  # a finished check leaves with its verdict's code itself
        result["code"] = out.returncode
    assert out.returncode == result["code"], out.stderr
    return result


@pytest.mark.parametrize("args", [["--help"], ["inspect", "--help"]])
def test_help_imports_no_heavy_library(args):
    result = _loaded(*args)
    assert result["code"] in (0, None)
    assert result["heavy"] == []


def test_the_probe_sees_pyarrow_once_a_command_reads_a_table(tmp_path):
    """The same probe reports pyarrow when inspect really reads a CSV, so the test above can fail."""
    (tmp_path / "a.csv").write_text("Id,Name\n1,Acme\n")
    result = _loaded("inspect", "--json", str(tmp_path / "a.csv"))
    assert result["code"] in (0, None)
    assert "pyarrow" in result["heavy"]


@pytest.mark.parametrize("engine,pandas_loaded", [("fast", False), ("gx", True)])
def test_a_fast_check_never_imports_pandas(tmp_path, engine, pandas_loaded):
    """pyarrow would import pandas (0.2 s) on its first list or numpy array; a fast-engine check in its own
    process keeps it out, and the GX engine, which needs it, still gets it."""
    demo = REPO / "fixtures" / "demo"
    result = _loaded("check", str(demo / "export"), "--reference", str(demo / "reference"), "-q",
                     "--engine", engine, "--out", str(tmp_path / "r"))
    assert result["code"] in (0, 1)
    assert ("pandas" in result["heavy"]) is pandas_loaded
    assert json.loads((tmp_path / "r" / "report.json").read_text())["verdict"] in ("pass", "fail")


def test_what_a_check_imports_ahead_exists_and_brings_no_other_heavy_library():
    """Every module the check imports while it reads is real (a misspelt name would only be skipped), and
    none of them brings pandas, GX or cryptography in."""
    code = ("import importlib, json, sys\nfrom portcheck.run import AHEAD_IMPORTS\n"
            "for m in AHEAD_IMPORTS: importlib.import_module(m)\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["pyarrow"]
