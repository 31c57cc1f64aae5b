"""DESIGN: a fuzzy cluster whose records all pair with distinct reference records was already in the source —
reported, not charged to uniqueness; a fuzzy duplicate the vendor introduced is charged."""

from __future__ import annotations

import json

from tests.conftest import run_portcheck

HEADER = "customer_id,name,phone,email,country,city\n"
TWINS = ("C1,深圳华信科技有限公司,0755-88881234,info@huaxin.example.cn,CN,深圳\n"
         "C2,深圳华信科技（有限公司）,+86 755 8888 1234,INFO@huaxin.example.cn,CN,深圳\n")
OTHERS = "".join(f"C{i},公司{i}号有限公司,0755-1000{i:04d},c{i}@x{i}.example.cn,CN,深圳\n" for i in range(3, 103))


def _uniqueness(tmp_path, reference: str, export: str):
    (tmp_path / "ref").mkdir()
    (tmp_path / "exp").mkdir()
    (tmp_path / "ref" / "customer.csv").write_text(HEADER + reference, encoding="utf-8")
    (tmp_path / "exp" / "customer.csv").write_text(HEADER + export, encoding="utf-8")
    run = run_portcheck("check", str(tmp_path / "exp"), "--profile", "canonical", "--reference",
                        str(tmp_path / "ref"), "--out", str(tmp_path / "out"))
    assert run.returncode in (0, 1), run.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "customer.uniqueness")
    return report["objects"]["customer"]["duplicates"], check


def test_fuzzy_twins_already_in_the_reference_are_reported_not_charged(tmp_path):
    dups, check = _uniqueness(tmp_path, TWINS + OTHERS, TWINS + OTHERS)
    assert (dups["fuzzy_clusters"], dups["fuzzy_records"]) == (1, 1)
    assert check["observed"] == 1.0 and check["status"] == "pass"


def test_a_fuzzy_twin_the_vendor_introduced_is_charged(tmp_path):
    dups, check = _uniqueness(tmp_path, TWINS.splitlines(keepends=True)[0] + OTHERS, TWINS + OTHERS)
    assert (dups["fuzzy_clusters"], dups["fuzzy_records"]) == (1, 1)
    assert check["observed"] == round(101 / 102, 5)
