"""Layouts beyond one CSV per object: canonical workbooks, canary sets, ZIPs, Zoho and 悟空CRM API pages."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from portcheck.profiles import detect, load_dataset
from tests.profiles.conftest import FIXTURES, needs_reader, read


def test_canonical_workbook_with_object_sheets(tmp_path: Path):
    needs_reader("xlsx")
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "data.xlsx"))
    for sheet, rows in {
        "customer": [["customer_id", "name", "postal_code"], ["C1", "Acme", "02139"]],
        "contact": [["contact_id", "customer_id", "full_name", "is_primary"],
                    ["P1", "C1", "Amy Taylor", "true"]],
        "opportunity": [["opportunity_id", "customer_id", "name", "stage"]],
        "notes": [["text"], ["not an object"]],
    }.items():
        ws = book.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write_string(r, c, value)
    book.close()
    ds = load_dataset(read(tmp_path / "data.xlsx"))
    assert ds.profile_name == "canonical"
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "C1", "name": "Acme", "postal_code": "02139"}]
    assert ds.objects["contact"].table.to_pylist() == [
        {"contact_id": "P1", "customer_id": "C1", "full_name": "Amy Taylor", "is_primary": "true"}]
    assert ds.objects["opportunity"].rows == 0
    assert {e.name: e.mapped_to for e in ds.inventory}["data.xlsx#notes"] is None


def test_canary_set_is_read_as_canonical_with_its_custom_fields(tmp_path: Path):
    from portcheck.canary.generate import generate_canary

    generate_canary(tmp_path, seed=3, customers=5, fmt="csv")
    ds = load_dataset(read(tmp_path))
    assert ds.profile_name == "canonical"
    for obj in ("customer", "contact", "opportunity"):
        with (tmp_path / f"{obj}.csv").open(encoding="utf-8", newline="") as fh:
            expected = list(csv.DictReader(fh))
        table = ds.objects[obj]
        assert table.table.to_pylist() == expected
        assert "x_canary_id" in table.columns and "x_canary_id" in table.unmapped_columns


def test_salesforce_data_export_zip_maps_like_the_folder(tmp_path: Path):
    needs_reader("zip")
    folder = FIXTURES / "salesforce" / "export"
    archive = tmp_path / "WE_00D000000000001_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    from_zip = load_dataset(read(archive))
    from_folder = load_dataset(read(folder), profile="salesforce")
    assert from_zip.profile_name == "salesforce"
    for obj in ("customer", "contact", "opportunity"):
        assert from_zip.objects[obj].table.to_pylist() == from_folder.objects[obj].table.to_pylist()
    assert from_zip.objects["customer"].deleted == 1


def test_zoho_api_pages_with_lookup_objects(tmp_path: Path):
    needs_reader("json")
    (tmp_path / "Accounts.json").write_text(json.dumps({
        "data": [{"id": "3388926000000166021", "Account_Name": "Infosphere Analytics",
                  "Owner": {"name": "Priya Nair", "id": "3388926000000101001", "email": "priya@x.example"},
                  "Created_Time": "2018-10-25T11:56:25+05:30", "$approved": True}],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False}}), encoding="utf-8")
    (tmp_path / "Deals.json").write_text(json.dumps({
        "data": [{"id": "3388926000000180001", "Deal_Name": "Analytics Suite", "Stage": "Closed Won",
                  "Amount": 250000, "Closing_Date": "2024-07-31",
                  "Account_Name": {"name": "Infosphere Analytics", "id": "3388926000000166021"}}],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False}}), encoding="utf-8")
    source = read(tmp_path)
    assert detect(source)[0][0] == "zoho"
    ds = load_dataset(source, profile="zoho")
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "3388926000000166021", "name": "Infosphere Analytics", "owner": "Priya Nair",
         "created_at": "2018-10-25T11:56:25+05:30", "x_owner_id": "3388926000000101001",
         "x_owner_email": "priya@x.example"}]
    deal = ds.objects["opportunity"].table.to_pylist()[0]
    assert deal["customer_id"] == "3388926000000166021"
    assert deal["stage"] == "won" and deal["amount"] == "250000"
    assert ds.objects["customer"].declared == {"declared": 1, "read": 1}


def test_wukong_api_pages_link_by_customer_id(tmp_path: Path):
    needs_reader("json")
    (tmp_path / "customer-page1.json").write_text(json.dumps({"code": 0, "msg": "success", "data": {
        "list": [{"customerId": 101, "customerName": "杭州青禾科技有限公司", "level": "A（重点客户）",
                  "createTime": "2024-03-01 10:00:00", "ownerUserName": "张三"}],
        "totalRow": 2, "totalPage": 1}}, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "contacts-page1.json").write_text(json.dumps({"code": 0, "msg": "success", "data": {
        "list": [{"contactsId": 5001, "customerId": 101, "customerName": "杭州青禾科技有限公司",
                  "name": "王芳", "mobile": "13811112222", "policymakers": "是"}],
        "totalRow": 1, "totalPage": 1}}, ensure_ascii=False), encoding="utf-8")
    source = read(tmp_path)
    assert detect(source)[0][0] == "wukong"
    ds = load_dataset(source, profile="wukong")
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "101", "name": "杭州青禾科技有限公司", "level": "A（重点客户）", "owner": "张三",
         "created_at": "2024-03-01 10:00:00"}]
    assert ds.objects["customer"].declared == {"declared": 2, "read": 1}
    assert ds.objects["customer"].timezone == "Asia/Shanghai" and ds.objects["customer"].region == "CN"
    contact = ds.objects["contact"].table.to_pylist()[0]
    assert contact["contact_id"] == "5001" and contact["customer_id"] == "101"
    assert contact["is_primary"] == "true"
    assert contact["x_customername"] == "杭州青禾科技有限公司"


@pytest.mark.slow
def test_a_million_rows_map_with_vectorised_steps():
    """1,000,000 accounts and contacts (Excel serial and slashed 12-hour dates, links by ID) map correctly."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.profiles import get_profile
    from portcheck.profiles.engine import apply_profile
    from portcheck.readers.interface import ExportSource, RawTable, SourceFile

    n = 1_000_000
    ids = pc.cast(pa.array(np.arange(n)), pa.string())
    account_ids = pc.binary_join_element_wise("001RO000000", pc.utf8_lpad(ids, 7, "0"), "")

    def raw(name: str, cols: dict) -> RawTable:
        t = pa.table(cols)
        return RawTable(name=name, source=SourceFile(name, "0" * 64, 0), format="csv", table=t,
                        columns=t.column_names)

    accounts = raw("Account.csv", {"Id": account_ids, "Name": pc.binary_join_element_wise("Co ", ids, ""),
                                   "CreatedDate": pa.array(["4/8/2025 5:19 PM"] * n)})
    contact_ids = pc.binary_join_element_wise("003RO000000", pc.utf8_lpad(ids, 7, "0"), "")
    contacts = raw("Contact.csv", {"Id": contact_ids, "AccountId": account_ids,
                                   "FirstName": pa.array(["Amy"] * n), "LastName": pa.array(["王"] * n),
                                   "CreatedDate": pa.array(["45352.5"] * n)})
    ds = apply_profile(ExportSource("mem", "export", [], [accounts, contacts]), get_profile("salesforce"))
    customers, people = ds.objects["customer"], ds.objects["contact"]
    assert customers.rows == n and people.rows == n
    assert customers.table.slice(n - 1).to_pylist() == [
        {"customer_id": "001RO0000000999999", "name": "Co 999999", "created_at": "2025-04-08T17:19:00"}]
    assert people.table.column("created_at")[0].as_py() == "2024-03-01T12:00:00"
    assert people.table.column("full_name")[0].as_py() == "王Amy"
    assert pc.all(pc.equal(people.table.column("customer_id"), customers.table.column("customer_id"))).as_py()


def test_hubspot_xlsx_export_maps_like_its_csv_export(tmp_path: Path):
    """HubSpot's XLSX export holds the same label headers; IDs arrive as numbers and must read back exact."""
    needs_reader("xlsx")
    import xlsxwriter

    folder = FIXTURES / "hubspot" / "export"
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        book = xlsxwriter.Workbook(str(tmp_path / f"{path.stem}.xlsx"))
        ws = book.add_worksheet("Sheet1")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if r and rows[0][c] == "Record ID":
                    ws.write_number(r, c, int(value))
                elif value:
                    ws.write_string(r, c, value)
        book.close()
    from_xlsx = load_dataset(read(tmp_path))
    from_csv = load_dataset(read(folder), profile="hubspot")
    assert from_xlsx.profile_name == "hubspot"
    for obj in ("customer", "contact", "opportunity"):
        a = [{k: v or None for k, v in r.items()} for r in from_xlsx.objects[obj].table.to_pylist()]
        b = [{k: v or None for k, v in r.items()} for r in from_csv.objects[obj].table.to_pylist()]
        assert a == b, obj
