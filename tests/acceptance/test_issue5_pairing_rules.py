"""Issue 5: DESIGN's pairing and counting rules on a hand-made pair, figures computed by hand (below).

Reference (canonical) and export differ by exactly:

customer (reference C1, C2, C3, C3, C4, C5; export C1, C2, C3, C4, C4, C9)
- C3 repeats in the reference: both reference rows are ambiguous (records.ambiguous 2), never paired; the
  export's C3 cannot pair and is extra. C4 repeats in the export: duplicates.keys 1 (and rows 1, identical).
  C5 is not delivered (missing 1); C9 is new (extra). matched 3 (C1, C2, C4); export 6 = 3 + 2 + 1.
- C1 phone `0755-8888 1234` → `+86 755 8888 1234` (country CN): a format difference.
- C2 phone `0755-8888 1234` → `755-8888 1234`: leading_zero. C1 postal_code `02139` → `2139`: leading_zero.
- C1 notes `hello world` → `hello wo…`: truncated. C2 notes empty → `new note`: value_changed.
- C1 tax_id `3388926000000166021` → `3.38893E+18`: numeric_precision.
- `website` is not in the export at all: missing_fields, and C1's website is a missing_value.
contact (reference P1–P3; export P1–P4)
- P2 belongs to C5, which the export lacks: its customer_id is compared raw (a match) and is an orphan;
  P4 (extra) points at C7, which exists nowhere: an orphan too (orphans.customer_id 2).
- P1 email upper → lower case: format. created_at: P1 `Z` vs `+08:00` (same moment) and P2 naive (UTC, the
  canonical profile's zone) vs `+08:00` (same moment) are formats; P3 `10:00+08:00` → `10:00Z`: timezone_shift.
opportunity (reference O1, O2; export O1, O2, O3)
- O1 amount `1,234.50` → `1234.5`: format; O2 `99.995` → `100.00`: numeric_precision. O3 is extra.
- owners: Zhang owns O1 (and the extra O3), Li owns O2 — control totals count them per owner.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.conftest import check, write

REFERENCE = {
    "customer.csv": """customer_id,name,phone,country,postal_code,notes,tax_id,website
C1,Acme,0755-8888 1234,CN,02139,hello world,3388926000000166021,a.com
C2,Beta,0755-8888 1234,CN,518000,,91110000600037341L,
C3,Gamma,+44 20 7946 0958,,,x,,
C3,Gamma dup,,,,,,
C4,Delta,,,,,,
C5,Eps,,,,,,
""",
    "contact.csv": """contact_id,customer_id,full_name,email,created_at
P1,C1,王伟,Wang@X.com,2024-03-01T10:00:00Z
P2,C5,Li,li@x.com,2024-03-01T10:00:00
P3,C4,Zhao,z@x.com,2024-03-01T10:00:00+08:00
""",
    "opportunity.csv": """opportunity_id,customer_id,name,stage,amount,currency,owner
O1,C1,Deal,won,"1,234.50",CNY,Zhang
O2,C2,Deal2,lost,99.995,USD,Li
""",
}
EXPORT = {
    "customer.csv": """customer_id,name,phone,country,postal_code,notes,tax_id
C1,Acme,+86 755 8888 1234,CN,2139,hello wo…,3.38893E+18
C2,Beta,755-8888 1234,CN,518000,new note,91110000600037341L
C3,Gamma,+442079460958,,,x,
C4,Delta,,,,,
C4,Delta,,,,,
C9,Extra,,,,,
""",
    "contact.csv": """contact_id,customer_id,full_name,email,created_at
P1,C1,王伟,wang@x.com,2024-03-01T18:00:00+08:00
P2,C5,Li,li@x.com,2024-03-01T18:00:00+08:00
P3,C4,Zhao,z@x.com,2024-03-01T10:00:00Z
P4,C7,Orph,o@x.com,
""",
    "opportunity.csv": """opportunity_id,customer_id,name,stage,amount,currency,owner
O1,C1,Deal,won,1234.5,CNY,Zhang
O2,C2,Deal2,lost,100.00,USD,Li
O3,C1,Deal3,lead,5,CNY,Zhang
""",
}
NO_DEFECTS = dict.fromkeys(("missing_value", "numeric_precision", "timezone_shift", "leading_zero", "encoding",
                            "truncated", "value_changed"), 0)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("pair")
    for name, text in REFERENCE.items():
        write(base / "reference", name, text)
    for name, text in EXPORT.items():
        write(base / "export", name, text)
    out = base / "out"
    rep = check(base / "export", out, "--reference", str(base / "reference"), "--profile", "canonical",
                "--show-values", "--no-fuzzy", codes=(1,))
    rep["_out"] = out
    return rep


def _csv(out: Path, name: str) -> list[str]:
    return (out / name).read_text(encoding="utf-8").splitlines()[1:]


def test_issue5_reference_key_repeated_is_ambiguous_and_never_paired(report):
    rec = report["objects"]["customer"]["records"]
    assert rec == {"reference": 6, "export": 6, "matched": 3, "missing": 1, "extra": 2, "deleted": 0,
                   "ambiguous": 2}
    assert report["objects"]["customer"]["duplicates"] == {"keys": 1, "rows": 1, "fuzzy_clusters": 0,
                                                           "fuzzy_records": 0}
    assert report["objects"]["customer"]["completeness"] == 0.5
    assert sorted(_csv(report["_out"], "extra-customer.csv")) == ["C3", "C9"]
    assert _csv(report["_out"], "missing-customer.csv") == ["C5"]


def test_issue5_each_defect_in_hand_computed_cells(report):
    cust = report["objects"]["customer"]
    assert cust["defects"] == {**NO_DEFECTS, "leading_zero": 2, "missing_value": 1, "numeric_precision": 1,
                               "truncated": 1, "value_changed": 1}
    assert cust["format_differences"] == {"phone": 1}
    assert cust["missing_fields"] == ["website"]
    fields = {f: (v["compared"], v["matched"]) for f, v in cust["fidelity"]["fields"].items()}
    assert fields == {"name": (3, 3), "phone": (2, 1), "country": (2, 2), "postal_code": (2, 1),
                      "notes": (2, 0), "tax_id": (2, 1), "website": (1, 0)}
    assert (cust["fidelity"]["compared"], cust["fidelity"]["matched"]) == (14, 8)
    mism = sorted(tuple(r.split(",")[:3]) for r in _csv(report["_out"], "mismatches-customer.csv"))
    assert mism == [("C1", "notes", "truncated"), ("C1", "postal_code", "leading_zero"),
                    ("C1", "tax_id", "numeric_precision"), ("C1", "website", "missing_value"),
                    ("C2", "notes", "value_changed"), ("C2", "phone", "leading_zero")]
    opp = report["objects"]["opportunity"]
    assert opp["defects"] == {**NO_DEFECTS, "numeric_precision": 1}
    assert opp["format_differences"] == {"amount": 1}
    assert opp["records"]["extra"] == 1 and opp["records"]["matched"] == 2


def test_issue5_foreign_key_of_an_undelivered_parent_is_compared_raw_and_counted_as_orphan(report):
    con = report["objects"]["contact"]
    assert con["records"]["matched"] == 3 and con["records"]["extra"] == 1
    assert con["fidelity"]["fields"]["customer_id"] == {"compared": 3, "matched": 3, "rate": 1}
    assert con["orphans"] == {"customer_id": 2}
    assert sorted(_csv(report["_out"], "orphans-contact.csv")) == ["P2,customer_id,C5", "P4,customer_id,C7"]
    assert con["defects"] == {**NO_DEFECTS, "timezone_shift": 1}
    assert con["format_differences"] == {"created_at": 2, "email": 1}


def test_issue5_control_totals_count_records_per_owner_and_stage(report):
    totals = report["objects"]["opportunity"]["control_totals"]
    assert totals["count_by_owner"] == {"Li": {"reference": 1, "export": 1},
                                        "Zhang": {"reference": 1, "export": 2}}
    assert totals["count_by_stage"] == {"lead": {"reference": None, "export": 1},
                                        "lost": {"reference": 1, "export": 1},
                                        "won": {"reference": 1, "export": 1}}
    assert totals["amount_by_currency"] == {"CNY": {"reference": "1234.5", "export": "1239.5"},
                                            "USD": {"reference": "99.995", "export": "100"}}


def _to18(id15: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for chunk in range(3):
        flags = sum(1 << b for b in range(5) if id15[chunk * 5 + b].isupper())
        suffix += alphabet[flags]
    return id15 + suffix


def test_issue5_fifteen_and_eighteen_character_salesforce_ids_of_one_record_pair(tmp_path):
    ids = ["001Dn00000AbCdE", "001Dn00000XyZwQ", "001Dn00000QQQQQ"]
    write(tmp_path / "ref", "customer.csv", "customer_id,name\n" + "".join(f"{_to18(i)},N{n}\n" for n, i in enumerate(ids)))
    write(tmp_path / "exp", "customer.csv", "customer_id,name\n" + "".join(f"{i},N{n}\n" for n, i in enumerate(ids)))
    write(tmp_path / "ref", "contact.csv", "contact_id,customer_id,full_name\n"
          + "".join(f"003Dn0000000{n:03d},{_to18(i)},P{n}\n" for n, i in enumerate(ids)))
    write(tmp_path / "exp", "contact.csv", "contact_id,customer_id,full_name\n"
          + "".join(f"003Dn0000000{n:03d},{i},P{n}\n" for n, i in enumerate(ids)))
    rep = check(tmp_path / "exp", tmp_path / "out", "--reference", str(tmp_path / "ref"), "--profile", "canonical")
    cust, con = rep["objects"]["customer"], rep["objects"]["contact"]
    assert cust["records"]["matched"] == 3 and cust["records"]["missing"] == 0 and cust["records"]["extra"] == 0
    # the contacts' customer_id (18 characters in the reference, 15 in the export) is one record: a match
    assert con["fidelity"]["fields"]["customer_id"] == {"compared": 3, "matched": 3, "rate": 1}
    assert sum(con["defects"].values()) == 0 and con["orphans"] == {"customer_id": 0}
