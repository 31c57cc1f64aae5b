"""Referential integrity: orphans per foreign key, with the orphan records' keys listed."""

from __future__ import annotations

from portcheck.checks.run import run_checks
from portcheck.policy import Policy
from tests.checks.helpers import dataset, table

CUSTOMERS = [f"c{i}" for i in range(1, 11)]
# contact p<i> belongs to customer c<(i % 10) + 1>; p20 has no customer
CONTACT_CUSTOMER = {f"p{i}": f"c{(i % 10) + 1}" for i in range(1, 20)} | {"p20": ""}
# opportunity o<i>: customer c<(i % 10) + 1>, contact p<i> (o15's contact p99 does not exist)
OPPS = {f"o{i}": (f"c{(i % 10) + 1}", f"p{i}") for i in range(1, 15)} | {"o15": ("c1", "p99")}


def _fixture(removed_customers: tuple[str, ...] = ()):
    customers = [c for c in CUSTOMERS if c not in removed_customers]
    return dataset(
        customer=table("customer", customer_id=customers, name=[f"Company {c}" for c in customers]),
        contact=table("contact", contact_id=list(CONTACT_CUSTOMER),
                      customer_id=list(CONTACT_CUSTOMER.values()),
                      full_name=[f"Person {p}" for p in CONTACT_CUSTOMER]),
        opportunity=table("opportunity", opportunity_id=list(OPPS),
                          customer_id=[v[0] for v in OPPS.values()], contact_id=[v[1] for v in OPPS.values()],
                          name=list(OPPS), stage=["won"] * len(OPPS)))


def _check(findings, obj, cid):
    return next(c for c in findings[obj].checks if c.id == cid)


def test_removing_three_customers_yields_exactly_the_expected_orphans():
    """c2, c5 and c9 are removed: contacts p1, p11 (→c2), p4, p14 (→c5), p8, p18 (→c9) lose their customer;
    opportunities o1, o11, o4, o14, o8 likewise; o15's contact p99 never existed."""
    f = run_checks(_fixture(("c2", "c5", "c9")), Policy(), fuzzy=False)
    contact = f["contact"]
    assert contact.with_fk == {"customer_id": 19}  # p20's empty customer_id is not a link
    assert contact.orphans == {"customer_id": 6}
    assert [r["key"] for r in contact.orphan_rows] == ["p1", "p4", "p8", "p11", "p14", "p18"]
    assert {r["value"] for r in contact.orphan_rows} == {"c2", "c5", "c9"}
    assert all(r["field"] == "customer_id" for r in contact.orphan_rows)
    assert _check(f, "contact", "contact.orphans.customer_id").status == "fail"

    opp = f["opportunity"]
    assert opp.orphans == {"customer_id": 5, "contact_id": 1}
    assert [(r["key"], r["field"], r["value"]) for r in opp.orphan_rows] == [
        ("o1", "customer_id", "c2"), ("o4", "customer_id", "c5"), ("o8", "customer_id", "c9"),
        ("o11", "customer_id", "c2"), ("o14", "customer_id", "c5"), ("o15", "contact_id", "p99")]


def test_a_complete_export_has_no_orphans_except_the_dangling_contact():
    f = run_checks(_fixture(), Policy(), fuzzy=False)
    assert f["contact"].orphans == {"customer_id": 0}
    assert _check(f, "contact", "contact.orphans.customer_id").status == "pass"
    assert f["opportunity"].orphans == {"customer_id": 0, "contact_id": 1}


def test_orphan_threshold_is_compared_exactly():
    """1 orphan in 100 links is exactly 0.01: passes; 2 in 100 fails."""
    customers = table("customer", customer_id=["c1"], name=["A"])
    for orphans, status in ((1, "pass"), (2, "fail")):
        links = ["c1"] * (100 - orphans) + ["gone"] * orphans
        contacts = table("contact", contact_id=[f"p{i}" for i in range(100)], customer_id=links,
                         full_name=["x"] * 100)
        f = run_checks(dataset(customer=customers, contact=contacts), Policy(), fuzzy=False)
        check = _check(f, "contact", "contact.orphans.customer_id")
        assert (check.status, check.observed, check.gating) == (status, orphans / 100, True)


def test_an_absent_parent_object_leaves_the_check_not_assessed():
    contacts = table("contact", contact_id=["p1"], customer_id=["c1"], full_name=["x"])
    f = run_checks(dataset(contact=contacts), Policy(), fuzzy=False)
    assert f["contact"].parent_absent == {"customer_id": True}
    check = _check(f, "contact", "contact.orphans.customer_id")
    assert check.status == "not_assessed" and check.observed is None
    assert "customer" not in f  # absent objects get no findings


def test_no_links_at_all_is_not_assessed():
    f = run_checks(dataset(customer=table("customer", customer_id=["c1"], name=["A"]),
                           contact=table("contact", contact_id=["p1"], customer_id=[""], full_name=["x"])),
                   Policy(), fuzzy=False)
    check = _check(f, "contact", "contact.orphans.customer_id")
    assert (check.status, check.observed, f["contact"].with_fk["customer_id"]) == ("not_assessed", None, 0)


def test_policy_override_of_the_orphan_threshold_is_used():
    policy = Policy(overrides={"contact": {"orphans": 0.5}})
    f = run_checks(_fixture(("c2", "c5", "c9")), policy, fuzzy=False)
    check = _check(f, "contact", "contact.orphans.customer_id")
    assert check.status == "pass" and check.threshold == 0.5


def test_absent_keys_are_exact_string_comparisons():
    import random

    import pyarrow as pa

    from portcheck.checks.integrity import _absent

    rng = random.Random(5)
    pool = ["C1", "c1", "C1 ", "é", "e\u0301", "a\x00b", "a", "", "中文", "ＡＢ", "AB", "0015g00000AbCdE"]
    for _ in range(30):
        keys = rng.sample(pool, rng.randrange(0, len(pool)))
        values = [None if rng.random() < 0.2 else rng.choice(pool) for _ in range(rng.randrange(0, 60))]
        got = _absent(pa.array(values, pa.string()), pa.array(keys, pa.string())).to_pylist()
        assert got == [i for i, v in enumerate(values) if v is not None and v not in set(keys)]
