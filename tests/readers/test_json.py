"""JSON API pages in the envelopes real CRMs use, JSON Lines, folders of pages; values as literal text."""

from __future__ import annotations

import json

import pytest

from portcheck.errors import LimitExceeded, ReadError
from portcheck.readers import DeclaredTotal, read_export
from portcheck.readers.jsonfile import NoRecordList

from .conftest import column, only_table, read, rows

SALESFORCE_PAGE = """{
  "totalSize": 3, "done": false, "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-2000",
  "records": [
    {"attributes": {"type": "Account", "url": "/services/data/v59.0/sobjects/Account/001xx0000001AAAQ"},
     "Id": "001xx0000001AAAQ", "Name": "Acme", "AnnualRevenue": 1.10,
     "NumberOfEmployees": 3388926000000166021, "IsDeleted": false,
     "Owner": {"attributes": {"type": "User"}, "Name": "张三"}, "Phone": "0755-8888 1234"},
    {"attributes": {"type": "Account", "url": "/x"}, "Id": "001xx0000001AABQ", "Name": "Globex",
     "AnnualRevenue": null, "NumberOfEmployees": 7, "IsDeleted": true, "Owner": null, "Phone": null}
  ]
}"""


def test_salesforce_query_page_flattens_and_keeps_literal_numbers(write):
    t = only_table(write("Account.json", SALESFORCE_PAGE))
    assert t.name == "Account.json#records" and t.meta["json_path"] == "records"
    assert rows(t) == [
        {
            "attributes.type": "Account",
            "attributes.url": "/services/data/v59.0/sobjects/Account/001xx0000001AAAQ",
            "Id": "001xx0000001AAAQ",
            "Name": "Acme",
            "AnnualRevenue": "1.10",
            "NumberOfEmployees": "3388926000000166021",
            "IsDeleted": "false",
            "Owner.attributes.type": "User",
            "Owner.Name": "张三",
            "Phone": "0755-8888 1234",
        },
        {
            "attributes.type": "Account",
            "attributes.url": "/x",
            "Id": "001xx0000001AABQ",
            "Name": "Globex",
            "AnnualRevenue": None,
            "NumberOfEmployees": "7",
            "IsDeleted": "true",
            "Owner.attributes.type": None,
            "Owner.Name": None,
            "Phone": None,
        },
    ]
    assert t.declared == DeclaredTotal(
        total=3, done=False, next_cursor="/services/data/v59.0/query/01gD0000002HU6KIAW-2000", key="totalSize"
    )


def test_hubspot_page_with_properties_and_paging_cursor(write):
    page = {
        "results": [
            {
                "id": "51",
                "properties": {"email": "a@example.com", "firstname": "Ann", "hs_object_id": "51"},
                "createdAt": "2024-01-02T03:04:05.000Z",
                "archived": False,
                "associations": {"companies": {"results": [{"id": "9", "type": "contact_to_company"}]}},
            }
        ],
        "paging": {
            "next": {"after": "52", "link": "https://api.hubapi.com/crm/v3/objects/contacts?after=52"}
        },
    }
    t = only_table(write("contacts.json", json.dumps(page)))
    assert t.meta["json_path"] == "results"
    assert rows(t) == [
        {
            "id": "51",
            "properties.email": "a@example.com",
            "properties.firstname": "Ann",
            "properties.hs_object_id": "51",
            "createdAt": "2024-01-02T03:04:05.000Z",
            "archived": "false",
            "associations.companies.results": '[{"id": "9", "type": "contact_to_company"}]',
        }
    ]
    assert t.declared == DeclaredTotal(total=None, done=False, next_cursor="52", key=None)


def test_zoho_page_data_with_info(write):
    page = {
        "data": [
            {
                "id": "4150868000000225013",
                "Account_Name": "Zylker",
                "Owner": {"name": "Patricia", "id": "4150868000000225001"},
                "Tag": [],
                "Annual_Revenue": 1.5e6,
            }
        ],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False},
    }
    t = only_table(write("Accounts.json", json.dumps(page)))
    assert rows(t) == [
        {
            "id": "4150868000000225013",
            "Account_Name": "Zylker",
            "Owner.name": "Patricia",
            "Owner.id": "4150868000000225001",
            "Tag": "[]",
            "Annual_Revenue": "1500000.0",
        }
    ]
    assert t.declared == DeclaredTotal(total=1, done=True, next_cursor=None, key="info.count")


def test_dynamics_odata_value_with_count_and_next_link(write):
    text = (
        '{"@odata.context": "https://org.crm.dynamics.com/api/data/v9.2/$metadata#accounts", '
        '"@odata.count": 5000, "value": [{"@odata.etag": "W/\\"1\\"", "accountid": "a1b2", '
        '"name": "Fabrikam",'
        ' "revenue": 100000.00}], '
        '"@odata.nextLink": "https://org.crm.dynamics.com/api/data/v9.2/accounts?$skiptoken=abc"}'
    )
    t = only_table(write("accounts.json", text))
    assert rows(t) == [
        {"@odata.etag": 'W/"1"', "accountid": "a1b2", "name": "Fabrikam", "revenue": "100000.00"}
    ]
    assert t.declared.total == 5000 and t.declared.key == "@odata.count"
    assert t.declared.done is False and t.declared.next_cursor.endswith("$skiptoken=abc")


def test_kingdee_arrays_of_arrays_take_given_names_else_numbered(write):
    text = '[["CUST0001", "深圳市腾讯", 0.10, null], ["CUST0002", "字节跳动", 2, true]]'
    path = write("kingdee.json", text)
    t = only_table(path)
    assert t.columns == ["col_1", "col_2", "col_3", "col_4"]
    assert rows(t)[0] == {"col_1": "CUST0001", "col_2": "深圳市腾讯", "col_3": "0.10", "col_4": None}
    named = only_table(path, column_names=["FNumber", "FName", "FAmount", "FForbid"])
    assert named.columns == ["FNumber", "FName", "FAmount", "FForbid"]
    assert column(named, "FForbid") == [None, "true"]


def test_fxiaoke_data_datalist_with_total(write):
    doc = {
        "errorCode": 0,
        "errorMessage": "OK",
        "data": {
            "total": 2,
            "dataList": [
                {"_id": "5f1", "name": "腾讯", "tel": "0755-86013388"},
                {"_id": "5f2", "name": "字节", "tel": "010"},
            ],
        },
    }
    t = only_table(write("fx.json", json.dumps(doc, ensure_ascii=False)))
    assert t.meta["json_path"] == "data.dataList"
    assert column(t, "tel") == ["0755-86013388", "010"]
    assert t.declared.total == 2 and t.declared.key == "data.total"


def test_wukong_data_list_with_total_row(write):
    doc = {
        "code": 0,
        "msg": "success",
        "data": {
            "totalRow": 12,
            "pageNumber": 1,
            "list": [{"customerId": 1001, "customerName": "腾讯", "mobile": "013800138000"}],
        },
    }
    t = only_table(write("wk.json", json.dumps(doc, ensure_ascii=False)))
    assert t.meta["json_path"] == "data.list"
    assert rows(t) == [{"customerId": "1001", "customerName": "腾讯", "mobile": "013800138000"}]
    assert t.declared.total == 12 and t.declared.key == "data.totalRow"


def test_bare_list_and_lists_of_scalars_become_json_text(write):
    t = only_table(write("bare.json", '[{"id": "1", "tags": ["vip", "华南", 3, 1.50, true, null]}]'))
    assert t.name == "bare.json" and t.meta["json_path"] == "$"
    assert rows(t) == [{"id": "1", "tags": '["vip", "华南", 3, 1.50, true, null]'}]
    assert t.declared is None


def test_jsonl_records_one_per_line(write):
    t = only_table(write("c.jsonl", '{"id": 1, "n": "a"}\n\n{"id": 2, "x": {"y": 0.50}}\n'))
    assert t.format == "jsonl"
    assert rows(t) == [{"id": "1", "n": "a", "x.y": None}, {"id": "2", "n": None, "x.y": "0.50"}]


def test_json_named_file_with_one_value_per_line_is_read_as_jsonl(write):
    t = only_table(write("c.json", '{"id": 1}\n{"id": 2}\n'))
    assert t.format == "jsonl" and column(t, "id") == ["1", "2"]


def test_json_path_option_finds_records_anywhere(write):
    doc = {"payload": {"items": [{"a": 1}], "other": [{"b": 2}]}}
    path = write("x.json", json.dumps(doc))
    with pytest.raises(NoRecordList, match="several lists"):
        read(path)
    t = only_table(path, json_path="payload.items")
    assert t.name == "x.json#payload.items" and rows(t) == [{"a": "1"}]
    with pytest.raises(NoRecordList, match="--json-path 'payload.nothing'") as e:
        read(path, json_path="payload.nothing")
    assert "payload.items" in e.value.hint


def test_single_unknown_list_is_found_without_help(write):
    t = only_table(write("y.json", '{"status": "ok", "result": {"customers": [{"id": "1"}]}}'))
    assert t.meta["json_path"] == "result.customers" and rows(t) == [{"id": "1"}]


def test_json_without_a_record_list_is_refused(write):
    with pytest.raises(NoRecordList, match="holds no list of records") as e:
        read(write("meta.json", '{"status": "ok", "count": 3}'))
    assert "--json-path" in e.value.hint


def test_json_without_records_inside_a_folder_is_skipped_and_listed(write, tmp_path):
    write("exp/sfdx-project.json", '{"packageDirectories": "force-app", "sourceApiVersion": "59.0"}')
    write("exp/Account.json", '{"records": [{"Name": "Acme"}]}')
    source = read_export(tmp_path / "exp")
    assert [t.name for t in source.tables] == ["Account.json#records"]
    assert source.skipped[0][0] == "sfdx-project.json"


def test_hundred_thousand_deep_json_is_a_limit_not_a_crash(write):
    with pytest.raises(LimitExceeded, match="max_json_depth") as e:
        read(write("deep.json", "[" * 100_000 + "]" * 100_000))
    assert "--max-json-depth" in e.value.hint


def test_records_nested_deeper_than_the_limit_are_refused(write):
    deep = "1"
    for _ in range(70):
        deep = '{"a": ' + deep + "}"
    path = write("d.json", '{"records": [' + deep + "]}")
    with pytest.raises(LimitExceeded, match="64 levels"):
        read(path)
    assert only_table(path, max_json_depth=100).rows == 1


def test_invalid_json_says_where(write):
    with pytest.raises(ReadError, match=r"not valid JSON \(line 2, column 9"):
        read(write("bad.json", '{"records": [\n  {"a": }]}'))


def test_gbk_encoded_json_is_decoded(write):
    text = json.dumps(
        {"data": [{"客户名称": "深圳市腾讯计算机系统有限公司", "手机": "0755-86013388"}]}, ensure_ascii=False
    )
    t = only_table(write("gbk.json", text, encoding="gbk"))
    assert t.meta["encoding"] == "gb18030"
    assert rows(t) == [{"客户名称": "深圳市腾讯计算机系统有限公司", "手机": "0755-86013388"}]


def test_numbered_api_pages_in_a_folder_become_one_table_in_numeric_order(write, tmp_path):
    def page(ids, after=None):
        doc = {"results": [{"id": str(i), "properties": {"email": f"u{i}@example.com"}} for i in ids]}
        if after:
            doc["paging"] = {"next": {"after": after}}
        doc["total"] = 5
        return json.dumps(doc)

    write("api/contacts-page-1.json", page([1, 2], after="3"))
    write("api/contacts-page-2.json", page([3, 4], after="5"))
    write("api/contacts-page-10.json", page([5]))
    write("api/companies.json", '{"results": [{"id": "c1"}]}')
    source = read_export(tmp_path / "api")
    assert [t.name for t in source.tables] == ["companies.json#results", "contacts-page-*.json#results"]
    t = source.tables[1]
    assert column(t, "id") == ["1", "2", "3", "4", "5"]
    assert [p.name for p in t.parts] == [
        "contacts-page-1.json",
        "contacts-page-2.json",
        "contacts-page-10.json",
    ]
    assert t.declared == DeclaredTotal(total=5, done=None, next_cursor=None, key="total", pages=3)
    assert len(source.files) == 4


def test_pages_whose_last_page_still_points_further_are_not_done(write, tmp_path):
    for n, more in ((1, True), (2, True)):
        doc = {"data": [{"id": f"{n}"}], "info": {"count": 1, "page": n, "more_records": more}}
        write(f"zoho/Leads_{n}.json", json.dumps(doc))
    t = only_table(tmp_path / "zoho")
    assert t.rows == 2
    assert t.declared == DeclaredTotal(total=2, done=False, next_cursor=None, key="info.count", pages=2)
