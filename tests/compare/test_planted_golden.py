"""Golden comparisons on a realistic pair: a 1,000-customer / 3,000-contact / 2,000-opportunity reference and
an export made from it by the seeded defect planter. The expected figures are derived from the planter's log
(portcheck.testing.planter.expected_figures), never hard-coded.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction

import pytest

from portcheck.testing.planter import expected_figures, plant, small_dataset, write_canonical
from tests.conftest import run_portcheck

COUNTS = {
    "customer": {"missing_value": 4, "leading_zero": 5, "encoding": 4, "truncated": 3, "value_changed": 2,
                 "format_phone": 6, "format_email": 5, "remove": 3, "duplicate": 2, "extra": 2},
    "contact": {"missing_value": 6, "encoding": 5, "truncated": 7, "value_changed": 3, "leading_zero": 4,
                "format_email": 9, "format_instant": 5, "remove": 5, "duplicate_key": 2, "extra": 1},
    "opportunity": {"numeric_precision": 6, "timezone_shift": 5, "value_changed": 4, "missing_value": 2,
                    "format_decimal": 7, "format_instant": 4, "remove": 2, "duplicate": 1},
}


def _r5(x):
    return None if x is None else round(float(x), 5)


@pytest.fixture(scope="module")
def planted_pair(tmp_path_factory):
    base = tmp_path_factory.mktemp("golden")
    reference = small_dataset(1000, seed=11)
    assert [len(reference[o]) for o in ("customer", "contact", "opportunity")] == [1000, 3000, 2000]
    export, log = plant(reference, counts=COUNTS, seed=5)
    write_canonical(reference, base / "reference")
    write_canonical(export, base / "export")
    return base, reference, export, log


def _check(base, out, *extra):
    run = run_portcheck("check", str(base / "export"), "--profile", "canonical", "--reference",
                        str(base / "reference"), "--out", str(out), "--no-fuzzy", *extra)
    assert run.returncode in (0, 1), run.stderr
    return run, json.loads((out / "report.json").read_text())


def test_whole_objects_section_matches_the_planter_log(planted_pair, tmp_path):
    base, reference, _, log = planted_pair
    _, report = _check(base, tmp_path / "out")
    want = expected_figures(reference, log)
    for obj, exp in want.items():
        got = report["objects"][obj]
        assert {k: got["records"][k] for k in exp["records"]} == exp["records"], obj
        assert got["records"]["deleted"] == 0 and got["records"]["ambiguous"] == 0
        assert got["completeness"] == _r5(exp["completeness"])
        assert {k: got["duplicates"][k] for k in ("keys", "rows")} == exp["duplicates"], obj
        assert got["defects"] == exp["defects"], obj
        assert got["format_differences"] == exp["format_differences"], obj
        fid = got["fidelity"]
        assert (fid["compared"], fid["matched"], fid["rate"]) == (
            exp["fidelity"]["compared"], exp["fidelity"]["matched"], _r5(exp["fidelity"]["rate"])), obj
        assert fid["fields"] == {f: {"compared": v["compared"], "matched": v["matched"], "rate": _r5(v["rate"])}
                                 for f, v in exp["fidelity"]["fields"].items()}, obj
    # Every planted defect is listed, with its field and kind, in mismatches-<object>.csv.
    for obj in ("customer", "contact", "opportunity"):
        rows = (tmp_path / "out" / f"mismatches-{obj}.csv").read_text(encoding="utf-8").splitlines()[1:]
        assert len(rows) == sum(report["objects"][obj]["defects"].values())


def test_one_field_at_98_percent_fails_the_verdict_while_everything_else_passes(tmp_path):
    reference = small_dataset(1000, seed=3)
    n_titles = sum(1 for r in reference["contact"] if (r.get("title") or "").strip())
    bad = -(-2 * n_titles // 100)  # ceil(2%): the title field ends at or just under 98%
    export, _ = plant(reference, counts={"contact": {"value_changed": {"title": bad}}}, seed=1)
    write_canonical(reference, tmp_path / "reference")
    write_canonical(export, tmp_path / "export")
    run, report = _check(tmp_path, tmp_path / "out")
    assert run.returncode == 1 and report["verdict"] == "fail"
    failing = [c["id"] for c in report["checks"] if c["status"] == "fail"]
    assert failing == ["contact.fidelity.title"]
    assert Fraction(n_titles - bad, n_titles) < Fraction(99, 100)
    title = report["objects"]["contact"]["fidelity"]["fields"]["title"]
    assert title == {"compared": n_titles, "matched": n_titles - bad, "rate": _r5(Fraction(n_titles - bad, n_titles))}
    for c in report["checks"]:
        if c["id"].startswith(("customer.", "opportunity.")) or c["id"].startswith("contact.completeness"):
            assert c["status"] in ("pass", "not_assessed", "warn"), c


def _rekey(rows: dict) -> dict:
    """A migration that assigns new IDs everywhere and keeps the legacy ID in a custom column."""
    def new(old: str) -> str:
        return "N" + hashlib.sha256(old.encode()).hexdigest()[:17]

    out = {}
    for obj, recs in rows.items():
        out[obj] = []
        for r in recs:
            r2 = dict(r)
            r2["x_legacy_id"] = r[f"{obj}_id"]
            for fk in ("customer_id", "contact_id", "opportunity_id"):
                if r2.get(fk):
                    r2[fk] = new(r2[fk])
            out[obj].append(r2)
    return out


def test_rekeyed_migration_pairs_every_record_through_the_legacy_id(tmp_path):
    reference = small_dataset(200, seed=2)
    write_canonical(reference, tmp_path / "reference")
    write_canonical(_rekey(reference), tmp_path / "export")
    pairs = [a for o in ("customer", "contact", "opportunity") for a in ("--pair-on", f"{o}=x_legacy_id:{o}_id")]
    run, report = _check(tmp_path, tmp_path / "out", *pairs)
    assert run.returncode == 0, run.stdout + run.stderr
    for obj, entry in report["objects"].items():
        n = len(reference[obj])
        assert entry["records"]["matched"] == n and entry["records"]["missing"] == 0
        assert sum(entry["defects"].values()) == 0, (obj, entry["defects"])
        assert entry["fidelity"]["rate"] == 1.0
    # Foreign keys were compared, through the parent pairing, and all matched.
    assert report["objects"]["contact"]["fidelity"]["fields"]["customer_id"]["matched"] == len(reference["contact"])
    assert report["options"]["match_on"]["contact"] == "x_legacy_id:contact_id"


def test_rekeyed_migration_without_pairing_is_all_missing(tmp_path):
    reference = small_dataset(50, seed=2)
    write_canonical(reference, tmp_path / "reference")
    write_canonical(_rekey(reference), tmp_path / "export")
    run, report = _check(tmp_path, tmp_path / "out")
    assert run.returncode == 1
    assert report["objects"]["customer"]["records"]["matched"] == 0
    assert report["objects"]["customer"]["records"]["extra"] == 50


def test_crosswalk_declared_in_a_mapping_pairs_like_pair_on(tmp_path):
    reference = small_dataset(60, seed=4)
    write_canonical(reference, tmp_path / "reference")
    write_canonical(_rekey(reference), tmp_path / "export")
    mapping = tmp_path / "legacy.yaml"
    mapping.write_text("extends: canonical\nobjects:\n" + "".join(
        f"  {o}:\n    crosswalk: x_legacy_id\n" for o in ("customer", "contact", "opportunity")), encoding="utf-8")
    run, report = _check(tmp_path, tmp_path / "out", "--mapping", str(mapping))
    assert run.returncode == 0, run.stdout + run.stderr
    assert report["options"]["match_on"] == {o: f"x_legacy_id:{o}_id" for o in ("customer", "contact", "opportunity")}
    assert all(e["records"]["matched"] == len(reference[o]) for o, e in report["objects"].items())
