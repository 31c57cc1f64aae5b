"""run_checks: one ObjectFindings per object present, the same figures whichever validity engine runs."""

from __future__ import annotations

import json

from portcheck.checks.run import run_checks
from portcheck.policy import Policy
from tests.checks.helpers import dataset, table


def _sample():
    return dataset(
        customer=table("customer", region="CN", customer_id=["c1", "c2", "c2", "c3"],
                       name=["深圳华信科技有限公司", "深圳华信科技（有限公司）",
                             "深圳华信科技（有限公司）", "远大"],
                       phone=["0755-8888 1234", "12", "12", None], email=["a@b.cn", None, None, "bad"]),
        contact=table("contact", contact_id=["p1", "p2"], customer_id=["c1", "c9"],
                      full_name=["王伟", "李娜"]))


def test_only_present_objects_get_findings_and_figures_are_filled_in():
    f = run_checks(_sample(), Policy())
    assert set(f) == {"customer", "contact"}
    cust = f["customer"]
    assert (cust.duplicate_keys, cust.duplicate_rows, cust.duplicate_key_values) == (1, 1, ["c2"])
    assert [(c.keys, c.matched_on) for c in cust.fuzzy] == [(["c1", "c2"], ["name"])]
    assert cust.fuzzy_records == 1
    assert f["contact"].orphans == {"customer_id": 1}
    ids = [c.id for c in cust.checks]
    assert ids == ["customer.required_fields", "customer.declared_total"]
    assert all(c.id.startswith("customer.validity.") and not c.gating for c in cust.validity_checks)
    json.dumps(cust.gx_result)  # the document is plain JSON


def test_fast_and_gx_engines_give_the_same_checks_and_results():
    fast = run_checks(_sample(), Policy(), engine="fast")
    gx = run_checks(_sample(), Policy(), engine="gx")
    for obj in fast:
        fast_checks = [c.to_dict() for c in fast[obj].validity_checks]
        assert fast_checks == [c.to_dict() for c in gx[obj].validity_checks]
        assert fast[obj].gx_result["results"] == gx[obj].gx_result["results"]
        assert gx[obj].gx_result["meta"]["portcheck"]["engine"] == "gx"


def test_fuzzy_can_be_switched_off():
    assert run_checks(_sample(), Policy(), fuzzy=False)["customer"].fuzzy == []


def test_checks_on_two_threads_find_what_they_find_on_one_and_hand_back_the_other_work():
    from dataclasses import asdict

    import pytest

    from portcheck.checks.run import run_checks_alongside

    one = run_checks(_sample(), Policy())
    phases: list[str] = []
    two, other = run_checks_alongside(_sample(), Policy(), progress=phases.append, alongside=lambda: 42)
    assert other == 42
    assert {k: asdict(v) for k, v in two.items()} == {k: asdict(v) for k, v in one.items()}
    assert phases == ["checks: fuzzy duplicates", "checks: the others, and the comparison (rest)"]

    def broken():
        raise ValueError("the comparison failed")

    with pytest.raises(ValueError, match="comparison failed"):
        run_checks_alongside(_sample(), Policy(), alongside=broken)
