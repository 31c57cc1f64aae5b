"""DESIGN's worked example (../shared/contract-example): report.json must show exactly the expected figures.

The pair differs by one case of every defect kind (see that folder's README); expected-figures.json holds
the figures DESIGN's counting rules give for it under the default policy.
"""

from __future__ import annotations

import json

from tests.conftest import run_portcheck, shared


def _flatten(d, prefix=""):
    for k, v in d.items():
        p = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from _flatten(v, p)
        else:
            yield p, v


def _lookup(d, path):
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return "<absent>"
        d = d[part]
    return d


def test_contract_example_figures_hold(tmp_path):
    example = shared("contract-example")
    expected = json.loads((example / "expected-figures.json").read_text())
    out = tmp_path / "out"
    run = run_portcheck("check", str(example / "export"), "--profile", "canonical",
                        "--reference", str(example / "reference"), "--out", str(out))
    assert run.returncode == 1, run.stderr  # the verdict is fail: exit 1
    report = json.loads((out / "report.json").read_text())
    wrong = {p: (want, _lookup(report, p)) for p, want in _flatten(expected) if _lookup(report, p) != want}
    assert wrong == {}


def test_contract_example_defects_sum_to_the_cells_that_differ(tmp_path):
    example = shared("contract-example")
    out = tmp_path / "out"
    run_portcheck("check", str(example / "export"), "--profile", "canonical",
                  "--reference", str(example / "reference"), "--out", str(out))
    report = json.loads((out / "report.json").read_text())
    for obj, entry in report["objects"].items():
        fid = entry["fidelity"]
        assert sum(entry["defects"].values()) == fid["compared"] - fid["matched"], obj
        assert entry["records"]["export"] == (entry["records"]["matched"] + entry["records"]["extra"]
                                              + entry["duplicates"]["keys"]), obj
    mism = (out / "mismatches-contact.csv").read_text().splitlines()
    assert mism[0] == "key,field,defect,reference,export"
    assert any(",notes,truncated," in line for line in mism)
    assert (out / "missing-contact.csv").read_text().splitlines()[1:] != []
