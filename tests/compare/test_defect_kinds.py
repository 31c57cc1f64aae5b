"""Each defect kind planted alone, a known number of times: exactly that count, in exactly those fields."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal

import pytest

from portcheck.testing.planter import expected_figures, plant, small_dataset, write_canonical
from tests.conftest import run_portcheck

KINDS = [
    ("customer", "missing_value", 7), ("opportunity", "numeric_precision", 6), ("opportunity", "timezone_shift", 5),
    ("customer", "leading_zero", 6), ("contact", "encoding", 5), ("contact", "truncated", 4),
    ("customer", "value_changed", 3),
]


@pytest.fixture(scope="module")
def reference():
    return small_dataset(120, seed=21)


def _run(tmp_path, reference, export, *extra):
    write_canonical(reference, tmp_path / "reference")
    write_canonical(export, tmp_path / "export")
    run = run_portcheck("check", str(tmp_path / "export"), "--profile", "canonical", "--reference",
                        str(tmp_path / "reference"), "--out", str(tmp_path / "out"), "--no-fuzzy", *extra)
    assert run.returncode in (0, 1), run.stderr
    return json.loads((tmp_path / "out" / "report.json").read_text())


@pytest.mark.parametrize("obj,kind,n", KINDS, ids=[k for _, k, _ in KINDS])
def test_planted_defects_of_one_kind_are_counted_exactly(tmp_path, reference, obj, kind, n):
    export, log = plant(reference, counts={obj: {kind: n}}, seed=n)
    report = _run(tmp_path, reference, export)
    want = expected_figures(reference, log)
    got = report["objects"][obj]
    assert got["defects"] == {**{k: 0 for k in got["defects"]}, kind: n}
    per_field = Counter(p.field for p in log.cells)
    for fname, fig in got["fidelity"]["fields"].items():
        exp = want[obj]["fidelity"]["fields"][fname]
        assert (fig["compared"], fig["matched"]) == (exp["compared"], exp["matched"]), fname
        assert fig["compared"] - fig["matched"] == per_field.get(fname, 0), fname
    others = [o for o in ("customer", "contact", "opportunity") if o != obj]
    assert all(sum(report["objects"][o]["defects"].values()) == 0 for o in others)


@pytest.mark.parametrize("variant,obj,fname", [
    ("format_email", "contact", "email"), ("format_phone", "customer", "phone"),
    ("format_instant", "opportunity", "created_at"), ("format_decimal", "opportunity", "amount"),
])
def test_format_only_variants_are_matches_counted_as_format_differences(tmp_path, reference, variant, obj, fname):
    export, log = plant(reference, counts={obj: {variant: {fname: 5}}}, seed=2)
    report = _run(tmp_path, reference, export)
    got = report["objects"][obj]
    assert sum(got["defects"].values()) == 0
    assert got["format_differences"] == {fname: 5}
    assert got["fidelity"]["fields"][fname]["rate"] == 1.0


def test_control_totals_sum_amounts_per_currency_exactly(tmp_path, reference):
    export, _ = plant(reference, counts={"opportunity": {"remove": 3}}, seed=4)
    report = _run(tmp_path, reference, export)
    totals = report["objects"]["opportunity"]["control_totals"]

    def sums(rows):
        out: dict[str, Decimal] = {}
        for r in rows:
            if r.get("amount"):
                out[r["currency"]] = out.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
        return out

    ref_s, exp_s = sums(reference["opportunity"]), sums(export["opportunity"])
    for cur, t in totals["amount_by_currency"].items():
        assert Decimal(t["reference"]) == ref_s[cur] and Decimal(t["export"]) == exp_s[cur]
    stages = totals["count_by_stage"]
    assert sum(v["reference"] or 0 for v in stages.values()) == len(reference["opportunity"])
    assert sum(v["export"] or 0 for v in stages.values()) == len(reference["opportunity"]) - 3


def test_value_map_translates_owners_before_comparing(tmp_path, reference):
    owners = sorted({r["owner"] for r in reference["contact"] if r.get("owner")})
    new = {o: f"new-{i}" for i, o in enumerate(owners)}
    export = {obj: [dict(r, owner=new.get(r.get("owner"), r.get("owner"))) for r in rows]
              for obj, rows in reference.items()}
    users = tmp_path / "users.csv"
    with open(users, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["old", "new"])
        w.writerows(new.items())
    without = _run(tmp_path / "a", reference, export)
    assert without["objects"]["contact"]["defects"]["value_changed"] > 0
    with_map = _run(tmp_path / "b", reference, export, "--value-map", f"owner={users}")
    assert sum(with_map["objects"]["contact"]["defects"].values()) == 0
    assert "value_map.owner" in with_map["options"]["files"]
