"""Records a vendor marks deleted or archived are counted apart, and compared on both sides only when asked."""

from __future__ import annotations

import json

from tests.conftest import REPO, run_portcheck

API = REPO / "fixtures" / "hubspot" / "api" / "export"  # one archived company among four


def _records(tmp_path, *extra):
    out = tmp_path / "out"
    run = run_portcheck("check", str(API), "--profile", "hubspot", "--reference", str(API), "--reference-profile",
                        "hubspot", "--out", str(out), "--force", *extra)
    assert run.returncode in (0, 1), run.stderr
    return json.loads((out / "report.json").read_text())["objects"]["customer"]["records"]


def test_archived_records_are_left_out_of_both_sides_by_default(tmp_path):
    r = _records(tmp_path)
    assert (r["reference"], r["export"], r["matched"], r["extra"], r["deleted"]) == (3, 3, 3, 0, 1)


def test_include_deleted_compares_archived_records_on_both_sides(tmp_path):
    r = _records(tmp_path, "--include-deleted")
    assert (r["reference"], r["export"], r["matched"], r["extra"], r["deleted"]) == (4, 4, 4, 0, 1)
