"""Every file in ../shared/real-samples/ (public Salesforce sample data, CC0), read with exact figures.

The samples' quirks are the point: a report CSV whose contact-less rows omit their trailing fields, a BOM,
multi-line addresses, descriptions such as ``-1E02`` and ``⁰⁴⁵`` that spreadsheet tools "fix", and an
envelope (Opportunity.json) that declares 10 records but holds 9.
"""

from __future__ import annotations

import pytest

from portcheck.readers import DeclaredTotal, read_export

from ..conftest import shared
from .conftest import column, only_table, rows

# file -> (table name suffix, rows, columns, declared total)
EXPECTED = {
    "salesforce-apex-recipes/dataloader-csv/Accounts.csv": ("", 50, 18, None),
    "salesforce-apex-recipes/dataloader-csv/Contacts.csv": ("", 150, 6, None),
    "salesforce-apex-recipes/dataloader-csv/Opportunities.csv": ("", 50, 6, None),
    "salesforce-apex-recipes/data-tree-json/Accounts.json": ("#records", 50, 20, None),
    "salesforce-apex-recipes/data-tree-json/Contacts.json": ("#records", 150, 8, None),
    "salesforce-apex-recipes/data-tree-json/Opportunities.json": ("#records", 50, 8, None),
    "salesforce-data-import-test-org/Account.json": ("#records", 10, 27, 10),
    "salesforce-data-import-test-org/Contact.json": ("#records", 10, 28, 10),
    "salesforce-data-import-test-org/Opportunity.json": ("#records", 9, 12, 10),
    "salesforce-lwc-recipes/data-tree-json/Accounts.json": ("#records", 10, 6, None),
    "salesforce-lwc-recipes/data-tree-json/Contacts.json": ("#records", 6, 9, None),
    "salesforce-lwc-recipes/data-tree-json/Opportunities.json": ("#records", 20, 7, None),
    "salesforce-lwc-recipes/report-csv/Accounts-Contacts.csv": ("", 14, 9, None),
}


def test_every_sample_file_is_known_to_this_test():
    root = shared("real-samples")
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "README.md"}
    assert found == set(EXPECTED)


def test_the_whole_folder_reads_into_one_table_per_file():
    source = read_export(shared("real-samples"))
    assert [t.name for t in source.tables] == [f + EXPECTED[f][0] for f in sorted(EXPECTED)]
    assert [t.rows for t in source.tables] == [EXPECTED[f][1] for f in sorted(EXPECTED)]
    assert source.skipped == [("README.md", "not a format portcheck reads (.md)")]
    assert len(source.files) == len(EXPECTED) + 1
    assert all(len(f.sha256) == 64 and f.bytes > 0 for f in source.files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_rows_columns_and_declared_total(name):
    suffix, n_rows, n_cols, declared = EXPECTED[name]
    t = only_table(shared(f"real-samples/{name}"))
    assert t.rows == n_rows
    assert len(t.table.column_names) == n_cols == len(t.columns)
    assert (t.declared.total if t.declared else None) == declared


def test_report_csv_keeps_the_contactless_rows_padded():
    t = only_table(shared("real-samples/salesforce-lwc-recipes/report-csv/Accounts-Contacts.csv"))
    assert t.meta["encoding"] == "utf-8-sig"
    assert t.columns[0] == "Account: Account Name"  # the BOM is not part of the name
    assert column(t, "Account: Account Name") == [
        "Alpha Dynamics",
        "Alpha Dynamics",
        "Alpha Dynamics",
        "Madison Investments",
        "Madison Investments",
        "Madison Investments",
        "Burlington Textiles",
        "GenePoint",
        "OpenFloor Furniture",
        "Express Logistics",
        "Jefferson Management",
        "Northern Trail Travel",
        "United Productions",
        "Edge Communications",
    ]
    assert rows(t)[7] == {
        "Account: Account Name": "GenePoint",
        "Account: Type": "Customer - Direct",
        "Account: Phone": "7819662255",
        "Contact: First Name": None,
        "Contact: Last Name": None,
        "Contact: Title": None,
        "Contact: Phone": None,
        "Contact: Email": None,
        "Contact: Picture": None,
    }
    assert column(t, "Contact: Email")[:6] == [
        "amy@demo.net",
        "jennifer@demo.net",
        "caroline@demo.net",
        "michael@demo.net",
        "anup@demo.net",
        "jonathan@demo.net",
    ]
    assert t.meta["ragged"] == {"short": 8, "long": 0, "lines": [8, 9, 10, 11, 12, 13, 14, 15]}


def test_dataloader_csv_values_spreadsheets_like_to_fix_stay_as_written():
    t = only_table(shared("real-samples/salesforce-apex-recipes/dataloader-csv/Opportunities.csv"))
    assert rows(t)[1] == {
        "amount": "15065.74",
        "closedate": "2021-01-19T00:30:44Z",
        "description": "-1E02",
        "name": "Pelican, great white",
        "StageName": "Negotiation/Review",
        "accountId": "@AccountRef35",
    }
    assert column(t, "description")[2] == "⁰⁴⁵"
    accounts = only_table(shared("real-samples/salesforce-apex-recipes/dataloader-csv/Accounts.csv"))
    assert rows(accounts)[1]["shippingpostalcode"] == "2203"
    assert rows(accounts)[-1]["name"] != "" and accounts.rows == 50  # last line has no newline


def test_data_tree_json_quirks_survive():
    t = only_table(shared("real-samples/salesforce-apex-recipes/data-tree-json/Opportunities.json"))
    assert column(t, "description")[:5] == ['"', "-1E02", "⁰⁴⁵", '""', "사회과학원 어학연구소"]
    assert column(t, "attributes.referenceId")[0] == "OpportunityRef1"
    contacts = only_table(shared("real-samples/salesforce-apex-recipes/data-tree-json/Contacts.json"))
    assert rows(contacts)[0] == {
        "lastName": "Sinisbury",
        "firstName": "Lianna",
        "email": "lsinisbury0@dropbox.com",
        "accountId": "@AccountRef10",
        "title": "Statistician I",
        "phone": "5624081052",
        "attributes.type": "Contact",
        "attributes.referenceId": "ContactRef1",
    }


def test_opportunity_envelope_declares_ten_but_holds_nine():
    t = only_table(shared("real-samples/salesforce-data-import-test-org/Opportunity.json"))
    assert t.declared == DeclaredTotal(total=10, done=True, next_cursor=None, key="totalSize")
    assert t.rows == 9
    assert rows(t)[0] == {
        "attributes.type": "Opportunity",
        "attributes.referenceId": "ref0060S000006FFuEQAW",
        "AccountId": "@ref0010S00000C1t21QAB",
        "IsPrivate": "false",
        "Name": "Express Logistics Standby Generator",
        "StageName": "Closed Won",
        "Amount": "220000",
        "Probability": "100",
        "CloseDate": "2018-06-27",
        "Type": "New Customer",
        "LeadSource": "Trade Show",
        "ForecastCategoryName": "Closed",
    }


def test_multiline_addresses_in_json_are_kept_whole():
    t = only_table(shared("real-samples/salesforce-data-import-test-org/Account.json"))
    assert column(t, "BillingStreet")[0] == "312 Constitution Place\nAustin, TX 78767\nUSA"
    assert column(t, "Name")[0] == "Edge Communications"
    assert column(t, "AnnualRevenue")[0] == "139000000"
