"""The canonical profile: DESIGN's file layout is passed through exactly, whatever subset of fields it has."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from portcheck.profiles import detect, load_dataset
from portcheck.schema import OBJECTS
from tests.profiles.conftest import SHARED, read

CONTRACT = SHARED / "contract-example"


@pytest.mark.parametrize("side", ["export", "reference"])
def test_contract_example_is_passed_through_exactly(side):
    ds = load_dataset(read(CONTRACT / side))
    assert ds.profile_name == "canonical"
    assert ds.detection["method"] == "auto"
    for obj in OBJECTS:
        with (CONTRACT / side / f"{obj}.csv").open(encoding="utf-8", newline="") as fh:
            expected = list(csv.DictReader(fh))
        table = ds.objects[obj]
        assert table.table.to_pylist() == expected
        assert table.unmapped_columns == []
        assert table.deleted == 0 and table.declared is None
        assert table.timezone == "UTC" and table.region is None
        assert table.row_sources == [f"{obj}.csv"] * len(expected)


def test_contract_example_inventory_maps_every_file():
    ds = load_dataset(read(CONTRACT / "export"))
    assert {(e.name, e.mapped_to) for e in ds.inventory} == {
        ("customer.csv", "customer"), ("contact.csv", "contact"), ("opportunity.csv", "opportunity")}
    assert sorted(e.rows for e in ds.inventory) == [12, 15, 30]


def test_header_only_file_is_an_object_with_zero_records(tmp_path: Path):
    (tmp_path / "customer.csv").write_text("customer_id,name\nC1,Acme\n", encoding="utf-8")
    (tmp_path / "contact.csv").write_text("contact_id,customer_id,full_name\n", encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="canonical")
    assert ds.objects["contact"] is not None
    assert ds.objects["contact"].rows == 0
    assert ds.objects["contact"].columns == ["contact_id", "customer_id", "full_name"]
    assert ds.objects["opportunity"] is None
    assert ds.objects["customer"].rows == 1


def test_subset_of_fields_and_unknown_columns_become_custom_fields(tmp_path: Path):
    (tmp_path / "customer.csv").write_text("customer_id,name,x_canary_id,Legacy Code\nC1,Acme,k-1,L01\n",
                                           encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="canonical")
    t = ds.objects["customer"]
    assert t.table.to_pylist() == [{"customer_id": "C1", "name": "Acme", "x_canary_id": "k-1",
                                    "x_legacy_code": "L01"}]
    assert t.mapped_fields == ["customer_id", "name"]
    assert t.unmapped_columns == ["x_canary_id", "Legacy Code"]


def test_canonical_values_are_not_rewritten(tmp_path: Path):
    (tmp_path / "opportunity.csv").write_text(
        "opportunity_id,customer_id,name,stage,amount,created_at,expected_close_date\n"
        "@O1,@C1,Deal,Closed Won,\"¥1,234.50\",2024-03-01 10:00:00,2024-03-01\n", encoding="utf-8")
    row = load_dataset(read(tmp_path), profile="canonical").objects["opportunity"].table.to_pylist()[0]
    assert row == {"opportunity_id": "@O1", "customer_id": "@C1", "name": "Deal", "stage": "Closed Won",
                   "amount": "¥1,234.50", "created_at": "2024-03-01 10:00:00",
                   "expected_close_date": "2024-03-01"}


def test_canonical_full_name_is_derived_only_when_the_column_is_absent(tmp_path: Path):
    (tmp_path / "contact.csv").write_text("contact_id,first_name,last_name\nP1,Amy,Taylor\nP2,伟,王\n",
                                          encoding="utf-8")
    rows = load_dataset(read(tmp_path), profile="canonical").objects["contact"].table.to_pylist()
    assert [r["full_name"] for r in rows] == ["Amy Taylor", "王伟"]
    (tmp_path / "contact.csv").write_text("contact_id,full_name,first_name,last_name\nP1,,Amy,Taylor\n",
                                          encoding="utf-8")
    rows = load_dataset(read(tmp_path), profile="canonical").objects["contact"].table.to_pylist()
    assert rows[0]["full_name"] == ""


def test_canary_folder_is_detected_as_canonical(tmp_path: Path):
    (tmp_path / "canary.json").write_text('{"seed": 1, "customers": 1}', encoding="utf-8")
    (tmp_path / "customer.csv").write_text("customer_id,name,x_canary_id\nC1,Acme,k1\n", encoding="utf-8")
    ranked = detect(read(tmp_path))
    assert ranked[0][0] == "canonical"
    ds = load_dataset(read(tmp_path))
    assert ds.profile_name == "canonical"
    assert ds.objects["customer"].table.column("x_canary_id").to_pylist() == ["k1"]


def test_profile_sha256_is_the_profile_file_digest():
    import hashlib

    from portcheck.profiles.registry import BUILTIN_DIR

    ds = load_dataset(read(CONTRACT / "export"), profile="canonical")
    assert ds.profile_sha256 == hashlib.sha256((BUILTIN_DIR / "canonical.yaml").read_bytes()).hexdigest()


def test_timezone_and_region_arguments_override_the_profile(tmp_path: Path):
    (tmp_path / "customer.csv").write_text("customer_id,name\nC1,Acme\n", encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="canonical", timezone="Asia/Shanghai", region="CN")
    assert ds.objects["customer"].timezone == "Asia/Shanghai"
    assert ds.objects["customer"].region == "CN"
