"""What each vendor's layout does to values, stated one behaviour at a time (the fixtures' expected CSVs hold
every value; these tests name the traps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portcheck.profiles import get_profile, load_dataset
from portcheck.profiles.transforms import prepare
from tests.profiles_vendors.conftest import FIXTURES, column, load_case, read, read_case


def test_dynamics_api_and_excel_export_give_the_same_records():
    api = load_case(FIXTURES / "dynamics365" / "api", "dynamics365")
    excel = load_case(FIXTURES / "dynamics365" / "excel", "dynamics365")
    for obj, fields in {
        "customer": ["customer_id", "name", "industry", "status", "owner", "phone", "city"],
        "contact": ["contact_id", "customer_id", "full_name", "title", "email", "mobile"],
        "opportunity": [
            "opportunity_id",
            "customer_id",
            "contact_id",
            "name",
            "stage",
            "currency",
            "probability",
            "expected_close_date",
            "owner",
        ],
    }.items():
        for f in fields:
            assert column(api, obj, f) == column(excel, obj, f), (obj, f)
    # Option-set integers and formatted values: industrycode 7 → Consulting; statecode 1 → won.
    assert column(api, "customer", "industry")[0] == "Consulting"
    assert column(api, "opportunity", "stage") == ["proposal", "won", "lost"]
    # In the workbook, lookups are names: links resolve to the hidden GUID keys.
    assert column(excel, "contact", "customer_id") == column(api, "customer", "customer_id")


def test_odoo_quote_guard_and_false_and_tag_lines():
    ds = load_case(FIXTURES / "odoo" / "csv", "odoo")
    assert column(ds, "customer", "phone")[0] == "+33 1 25 45 78 96"
    assert column(ds, "customer", "notes")[1] == "=SUM(A1:A2) is not a formula"
    assert column(ds, "contact", "notes")[1] == "- prefers email -"
    assert column(ds, "opportunity", "expected_close_date")[2] is None  # "False"
    assert column(ds, "opportunity", "x_tags")[0] == "Design, Product, Services"
    assert ds.objects["opportunity"].rows == 3  # 5 lines, 3 records
    assert column(ds, "customer", "customer_id")[0] == "__export__.res_partner_7_3f9a1c2e"


def test_odoo_xlsx_warning_text_is_read_as_a_lost_value_with_an_issue():
    source = read_case(FIXTURES / "odoo" / "xlsx")
    prepared = prepare(source, get_profile("odoo"))
    leads = next(t for t in prepared.tables if "crm.lead" in t.name)
    assert any("1 cell(s) hold the exporter's warning" in i and "Notes (1)" in i for i in leads.issues)
    ds = load_dataset(source, profile="odoo")
    assert column(ds, "opportunity", "notes") == ["Wants a quote by Friday", None, None]


def test_odoo_xlsx_checked_against_the_csv_export_loses_exactly_the_long_note(tmp_path: Path):
    from portcheck.cli import main

    out = tmp_path / "report"
    with pytest.raises(SystemExit):
        main(
            [
                "check",
                str(FIXTURES / "odoo" / "xlsx" / "export"),
                "--profile",
                "odoo",
                "--reference",
                str(FIXTURES / "odoo" / "csv" / "export"),
                "--reference-profile",
                "odoo",
                "--out",
                str(out),
            ]
        )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    opp = report["objects"]["opportunity"]
    assert opp["records"]["matched"] == 3
    assert opp["defects"]["missing_value"] == 1
    assert sum(opp["defects"].values()) == 1
    assert opp["fidelity"]["fields"]["notes"] == {"compared": 2, "matched": 1, "rate": 0.5}
    for obj in ("customer", "contact"):
        assert sum(report["objects"][obj]["defects"].values()) == 0


def test_suitecrm_locale_numbers_dates_and_translated_picklists():
    ds = load_case(FIXTURES / "suitecrm", "suitecrm")
    assert column(ds, "opportunity", "amount") == ["25000.50", "1480000.00", "8900.00"]
    assert column(ds, "opportunity", "expected_close_date") == ["2024-09-30", "2024-06-28", "2024-05-15"]
    assert column(ds, "opportunity", "stage") == ["proposal", "won", "lost"]
    assert column(ds, "opportunity", "source") == ["Existing Customer", "Trade Show", "Cold Call"]
    assert column(ds, "customer", "status") == ["Customer", "Prospect"]
    assert column(ds, "customer", "industry") == ["Machinery", "Transportation"]
    assert column(ds, "customer", "created_at")[0] == "2024-03-01T11:00:00"
    assert ds.objects["customer"].timezone == "Europe/Berlin"
    assert all(len(k) == 36 for k in column(ds, "contact", "contact_id"))


def test_suitecrm_month_first_users_override_the_date_order(tmp_path: Path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "Opportunities.csv").write_text(
        '"ID","Opportunity Name","Sales Stage","Opportunity Amount","Expected Close Date"\r\n'
        '"f3a4b5c6-d7e8-4f90-a1b2-c3d4e5f6a7b8","Deal","Closed Won","25,000.50","09/30/2024"\r\n',
        encoding="utf-8",
    )
    m = tmp_path / "us.yaml"
    m.write_text("profile: 1\nextends: suitecrm\ndates: {order: MDY}\n", encoding="utf-8")
    ds = load_dataset(read(export), mapping=m)
    assert column(ds, "opportunity", "expected_close_date") == ["2024-09-30"]
    assert column(ds, "opportunity", "amount") == ["25,000.50"]  # comma-delimited: numbers as written


def test_fxiaoke_epoch_times_are_utc_instants_and_close_dates_are_tenant_days():
    ds = load_case(FIXTURES / "fxiaoke" / "api", "fxiaoke")
    assert column(ds, "customer", "created_at")[0] == "2024-03-01T02:00:00Z"  # 10:00 in Shanghai
    assert column(ds, "opportunity", "expected_close_date") == ["2024-09-30", "2024-06-30", "2024-12-31"]
    assert column(ds, "opportunity", "amount")[0] == "128000.50"
    assert column(ds, "customer", "x_field_8kd2x__c")[0] == "91330106MA2B0QH01X"  # a __c custom field
    assert ds.objects["customer"].deleted == 1
    assert all(len(k) == 24 for k in column(ds, "contact", "contact_id"))


def test_xiaoshouyi_long_integer_ids_stay_exact_text():
    ds = load_case(FIXTURES / "xiaoshouyi" / "api", "xiaoshouyi")
    assert column(ds, "contact", "contact_id") == ["1525001234567890123", "1525001234567890124"]
    assert column(ds, "opportunity", "opportunity_id")[0] == "1526770011223344556"
    assert column(ds, "opportunity", "stage") == ["proposal", "won"]  # through the tenant's mapping
    assert column(ds, "opportunity", "probability") == ["60", "100"]
    assert column(ds, "customer", "x_dbcvarchar1")[0] == "91330106MA2B0QH01X"


def test_xiaoshouyi_stage_ids_stay_as_written_without_the_tenant_mapping():
    ds = load_dataset(read_case(FIXTURES / "xiaoshouyi" / "api"), profile="xiaoshouyi")
    assert column(ds, "opportunity", "stage") == ["1390853", "1390855"]


def test_kingdee_query_arrays_take_the_profile_field_keys():
    ds = load_case(FIXTURES / "kingdee" / "api", "kingdee")
    assert column(ds, "customer", "customer_id") == ["CUST0001", "CUST0002", "CUST0003"]  # two pages joined
    assert column(ds, "customer", "x_fcustid") == ["100231", "100232", "100233"]
    assert column(ds, "customer", "owner") == ["张三", "李四", "张三"]
    assert column(ds, "contact", "customer_id") == ["CUST0001", "CUST0002"]


def test_kingdee_api_and_list_export_agree_on_customers():
    api = load_case(FIXTURES / "kingdee" / "api", "kingdee")
    excel = load_case(FIXTURES / "kingdee" / "excel", "kingdee")
    for f in ("customer_id", "name", "owner", "phone", "address"):
        assert column(api, "customer", f) == column(excel, "customer", f), f
    assert column(api, "contact", "customer_id") == column(excel, "contact", "customer_id")


def test_yonyou_codes_keep_their_leading_zeros_in_api_and_excel():
    for variant in ("u8", "yonbip", "excel"):
        ds = load_case(FIXTURES / "yonyou" / variant, "yonyou")
        assert column(ds, "customer", "customer_id")[:2] == ["0000000017", "0000000018"], variant


def test_yonbip_names_are_read_in_chinese_falling_back_to_english():
    ds = load_case(FIXTURES / "yonyou" / "yonbip", "yonyou")
    assert column(ds, "customer", "name") == [
        "杭州青禾科技有限公司",
        "Shenzhen Lianchuang Electronics Co., Ltd.",
    ]
    assert not any(c.startswith("x_name") for c in ds.objects["customer"].columns)
