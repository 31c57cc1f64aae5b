"""Every built-in profile maps its fixture exactly to the canonical tables written beside it.

A fixture is a folder ``fixtures/<profile>/[<variant>/]`` holding ``export/`` (a small export in the vendor's
documented layout) and ``expected/`` (``customer.csv``, ``contact.csv``, ``opportunity.csv`` in canonical
form — empty cells mean empty — and ``facts.json`` with the counts that are not cells: deleted records,
declared totals, the inventory). An object without an expected file must be absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portcheck.profiles import detect, load_dataset
from portcheck.schema import OBJECTS
from tests.profiles.conftest import FIXTURES, expected_rows, needs_reader, read, table_rows

PROFILES = ("salesforce", "hubspot", "zoho", "wukong")


def _cases() -> list[tuple[str, Path]]:
    out = []
    for name in PROFILES:
        for expected in sorted((FIXTURES / name).rglob("expected")):
            out.append((name, expected.parent))
    return out


CASES = _cases()
IDS = [str(case.relative_to(FIXTURES)) for _, case in CASES]


def _facts(case: Path) -> dict:
    path = case / "expected" / "facts.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _read(case: Path):
    for fmt in _facts(case).get("needs_readers", []):
        needs_reader(fmt)
    return read(case / "export")


def test_every_profile_has_a_fixture():
    assert {name for name, _ in CASES} == set(PROFILES)


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_fixture_maps_to_its_canonical_equivalent(profile, case):
    ds = load_dataset(_read(case), profile=profile)
    for obj in OBJECTS:
        path = case / "expected" / f"{obj}.csv"
        table = ds.objects[obj]
        if not path.is_file():
            assert table is None, f"{obj} should be absent"
            continue
        assert table is not None, f"{obj} is missing"
        expected = expected_rows(path)
        columns = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert table.columns == columns
        assert table_rows(table.table, columns) == expected


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_fixture_facts_deleted_declared_and_inventory(profile, case):
    facts = _facts(case)
    ds = load_dataset(_read(case), profile=profile)
    for obj, n in facts.get("deleted", {}).items():
        assert ds.objects[obj].deleted == n, obj
    for obj, declared in facts.get("declared", {}).items():
        assert ds.objects[obj].declared == declared, obj
    if "inventory" in facts:
        assert {e.name: e.mapped_to for e in ds.inventory} == facts["inventory"]


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_auto_detection_picks_the_fixture_profile(profile, case):
    source = _read(case)
    ranked = detect(source)
    assert ranked[0][0] == profile, ranked
    ds = load_dataset(source)
    assert ds.profile_name == profile
    assert ds.detection["method"] == "auto"


@pytest.mark.parametrize(("profile", "case"), CASES, ids=IDS)
def test_every_linked_record_finds_its_parent(profile, case):
    ds = load_dataset(_read(case), profile=profile)
    customers = ds.objects["customer"]
    keys = set(customers.table.column("customer_id").to_pylist()) if customers else set()
    for obj in ("contact", "opportunity"):
        t = ds.objects[obj]
        if t is None or "customer_id" not in t.columns:
            continue
        links = [v for v in t.table.column("customer_id").to_pylist() if v]
        assert links and all(v in keys for v in links), (obj, links)
