"""Declared totals and required fields: gating checks on what the export says about itself."""

from __future__ import annotations

from portcheck.checks.run import run_checks
from portcheck.policy import Policy
from tests.checks.helpers import dataset, table
from tests.conftest import shared


def _check(findings, obj, cid):
    return next(c for c in findings[obj].checks if c.id == cid)


def _opps(n: int, **kw):
    return table("opportunity", opportunity_id=[f"o{i}" for i in range(n)], customer_id=["c"] * n,
                 name=["d"] * n, stage=["won"] * n, **kw)


def test_a_dump_short_of_its_declared_total_fails():
    f = run_checks(dataset(opportunity=_opps(9, declared={"declared": 10, "read": 9})), Policy(), fuzzy=False)
    check = _check(f, "opportunity", "opportunity.declared_total")
    assert (check.status, check.gating, check.observed) == ("fail", True, 0.9)
    assert f["opportunity"].declared_total == {"declared": 10, "read": 9}


def test_a_dump_matching_its_declared_total_passes():
    f = run_checks(dataset(opportunity=_opps(3, declared={"declared": 3, "read": 3})), Policy(), fuzzy=False)
    assert _check(f, "opportunity", "opportunity.declared_total").status == "pass"


def test_nothing_declared_is_not_assessed():
    f = run_checks(dataset(opportunity=_opps(3)), Policy(), fuzzy=False)
    check = _check(f, "opportunity", "opportunity.declared_total")
    assert check.status == "not_assessed" and f["opportunity"].declared_total is None


def test_records_repeated_across_pages_are_flagged_even_when_the_count_matches():
    """Offset pagination drifting: 10 declared, 10 read, but one record came twice (so one is missing)."""
    t = _opps(10, declared={"declared": 10, "read": 10}, repeated=1)
    f = run_checks(dataset(opportunity=t), Policy(), fuzzy=False)
    check = _check(f, "opportunity", "opportunity.declared_total")
    assert check.status == "fail" and "more than one API page" in check.message
    assert f["opportunity"].repeated_across_pages == 1 and f["opportunity"].notes


def test_an_unmapped_required_field_fails_required_fields():
    t = table("opportunity", opportunity_id=["o1"], name=["d"])
    f = run_checks(dataset(opportunity=t), Policy(), fuzzy=False)
    check = _check(f, "opportunity", "opportunity.required_fields")
    assert check.status == "fail" and check.gating
    assert f["opportunity"].missing_required == ["customer_id", "stage"]
    assert "customer_id, stage" in check.message


def test_the_real_salesforce_sample_is_flagged_for_its_declared_total():
    """data-import-test-org's Opportunity.json declares totalSize 10 and holds 9 records."""
    from portcheck.profiles import load_dataset
    from portcheck.readers import read_export

    ds = load_dataset(read_export(shared("real-samples/salesforce-data-import-test-org")))
    f = run_checks(ds, Policy())
    check = _check(f, "opportunity", "opportunity.declared_total")
    assert check.status == "fail" and f["opportunity"].declared_total == {"declared": 10, "read": 9}
    assert _check(f, "customer", "customer.declared_total").status == "pass"
    assert f["customer"].fuzzy == []  # United Oil & Gas Corp. / ..., UK / ..., Singapore are three companies
