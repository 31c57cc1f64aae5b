"""Every vendor profile of part 2 maps its fixtures exactly to the canonical tables written beside them.

See conftest.py for the case layout. An object without an expected file must be absent.
"""

from __future__ import annotations

import pytest

from portcheck.schema import OBJECTS
from tests.profiles_vendors.conftest import (
    VENDORS,
    case_id,
    cases,
    expected_rows,
    facts,
    load_case,
    table_rows,
)

CASES = cases()
IDS = [case_id(case) for _, case in CASES]


def test_every_vendor_profile_has_a_fixture():
    assert {name for name, _ in CASES} == set(VENDORS)


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_fixture_maps_to_its_canonical_equivalent(profile, case):
    ds = load_case(case, profile)
    for obj in OBJECTS:
        path = case / "expected" / f"{obj}.csv"
        table = ds.objects[obj]
        if not path.is_file():
            assert table is None, f"{obj} should be absent"
            continue
        assert table is not None, f"{obj} is missing"
        columns = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert table.columns == columns
        assert table_rows(table.table, columns) == expected_rows(path)


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_fixture_facts_deleted_declared_and_inventory(profile, case):
    f = facts(case)
    ds = load_case(case, profile)
    for obj, n in f.get("deleted", {}).items():
        assert ds.objects[obj].deleted == n, obj
    for obj, declared in f.get("declared", {}).items():
        assert ds.objects[obj].declared == declared, obj
    assert {e.name: e.mapped_to for e in ds.inventory} == f["inventory"]
    zone = f.get("options", {}).get("timezone")
    if zone:
        assert {t.timezone for t in ds.objects.values() if t is not None} == {zone}


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_every_linked_record_finds_its_parent(profile, case):
    ds = load_case(case, profile)
    customers = ds.objects["customer"]
    keys = set(customers.table.column("customer_id").to_pylist())
    contacts = ds.objects["contact"]
    contact_keys = set(contacts.table.column("contact_id").to_pylist()) if contacts else set()
    linked = 0
    for obj in ("contact", "opportunity"):
        t = ds.objects[obj]
        if t is None:
            continue
        if "customer_id" in t.columns:
            links = [v for v in t.table.column("customer_id").to_pylist() if v]
            assert all(v in keys for v in links), (obj, links)
            linked += len(links)
        if "contact_id" in t.columns:
            links = [v for v in t.table.column("contact_id").to_pylist() if v]
            assert all(v in contact_keys for v in links), (obj, links)
    if ds.objects["contact"] is not None or ds.objects["opportunity"] is not None:
        assert linked > 0


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_keys_are_unique_strings(profile, case):
    ds = load_case(case, profile)
    for obj, t in ds.objects.items():
        if t is None:
            continue
        keys = t.table.column(f"{obj}_id").to_pylist()
        assert all(isinstance(k, str) and k for k in keys), obj
        assert len(set(keys)) == len(keys), obj
