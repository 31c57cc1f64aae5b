"""Issue 3: "Every command that reads an export takes `--profile` and `--mapping`; with neither, portcheck
picks the profile that fits best and says which and why"."""

from __future__ import annotations

import json

import pytest

from tests.acceptance.conftest import check
from tests.conftest import FIXTURES, run_portcheck

HUBSPOT = FIXTURES / "hubspot" / "export"


def test_issue3_check_records_the_detected_profile_and_why(tmp_path):
    report = check(HUBSPOT, tmp_path / "out")
    assert report["options"]["profile"] == "hubspot"
    assert report["detection"]["method"] == "auto" and report["detection"]["profile"] == "hubspot"
    assert "3 of 3 tables match" in report["detection"]["reason"]


def test_issue3_check_says_on_the_terminal_which_profile_it_picked(tmp_path):
    run = run_portcheck("check", str(HUBSPOT), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert "hubspot" in (run.stdout + run.stderr).lower()


def test_issue3_inspect_takes_profile_and_mapping(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("extends: hubspot\n", encoding="utf-8")
    run = run_portcheck("inspect", str(HUBSPOT), "--profile", "hubspot", "--mapping", str(mapping), "--json")
    assert run.returncode == 0, run.stderr
    assert "hubspot" in json.dumps(json.loads(run.stdout))
