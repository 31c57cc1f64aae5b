"""The salesforce profile on the public real samples (../shared/real-samples) and on its layouts' quirks."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.profiles import detect, load_dataset
from tests.profiles.conftest import SHARED, needs_reader, read

SAMPLES = SHARED / "real-samples"
# folder -> (customers, contacts, opportunities or None, needs a JSON reader)
FOLDERS = {
    "salesforce-apex-recipes/dataloader-csv": (50, 150, 50, False),
    "salesforce-apex-recipes/data-tree-json": (50, 150, 50, True),
    "salesforce-data-import-test-org": (10, 10, 9, True),
    "salesforce-lwc-recipes/report-csv": (10, 6, None, False),
    "salesforce-lwc-recipes/data-tree-json": (10, 6, 20, True),
}


def _source(folder: str):
    path = SAMPLES / folder
    if not path.exists():
        pytest.skip(f"{path} is not present")
    if FOLDERS[folder][3]:
        needs_reader("json")
    return read(path)


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_real_sample_maps_with_every_contact_linked_to_its_account(folder):
    ds = load_dataset(_source(folder), profile="salesforce")
    customers, contacts, opportunities = (ds.objects[o] for o in ("customer", "contact", "opportunity"))
    n_cust, n_cont, n_opp, _ = FOLDERS[folder]
    assert customers.rows == n_cust and contacts.rows == n_cont
    assert (opportunities.rows if opportunities else None) == n_opp
    keys = customers.table.column("customer_id").to_pylist()
    assert len(set(keys)) == len(keys) and all(keys)
    links = contacts.table.column("customer_id").to_pylist()
    assert all(link in set(keys) for link in links)
    if opportunities is not None:
        assert all(v in set(keys) for v in opportunities.table.column("customer_id").to_pylist())
        # "Assigned dynamically" (apex-recipes) is not a Salesforce stage: it stays as written, for the
        # validity checks to report.
        assert set(opportunities.table.column("stage").to_pylist()) - {"Assigned dynamically"} <= {
            "lead", "qualification", "needs_analysis", "proposal", "negotiation", "won", "lost"}
    names = contacts.table.column("full_name").to_pylist()
    assert all(names)


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_real_sample_is_detected_as_salesforce(folder):
    assert detect(_source(folder))[0][0] == "salesforce"


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_real_sample_leaves_no_standard_field_unmapped(folder):
    """Columns left as x_ fields are ones the canonical schema has no field for."""
    ds = load_dataset(_source(folder), profile="salesforce")
    standard = {  # Salesforce columns that have a canonical home, in any spelling the samples use
        "name", "phone", "website", "industry", "description", "billingstreet", "billingcity", "billingstate",
        "billingpostalcode", "billingcountry", "rating", "type", "firstname", "lastname", "email", "title",
        "mobilephone", "accountid", "stagename", "amount", "closedate", "probability", "leadsource",
        "account: account name", "account: phone", "account: type", "contact: first name",
        "contact: last name", "contact: title", "contact: phone", "contact: email"}
    for obj, table in ds.objects.items():
        if table is None:
            continue
        left = {c.casefold() for c in table.unmapped_columns} & standard
        if obj == "contact":
            left -= {"leadsource"}  # the canonical contact has no source field
        if obj == "opportunity":
            left -= {"type"}  # New Customer / Existing Customer: no canonical field
        assert not left, (obj, left)


def test_data_loader_account_reference_is_the_nth_account_row():
    ds = load_dataset(_source("salesforce-apex-recipes/dataloader-csv"), profile="salesforce")
    accounts = ds.objects["customer"].table.to_pylist()
    first_contact = ds.objects["contact"].table.to_pylist()[0]
    assert first_contact["last_name"] == "Sinisbury"  # accountId "@AccountRef10" in the file
    assert first_contact["customer_id"] == "AccountRef10"
    assert accounts[9]["customer_id"] == "AccountRef10"


def test_data_loader_csv_and_data_tree_json_of_the_same_records_get_the_same_keys():
    csv_ds = load_dataset(_source("salesforce-apex-recipes/dataloader-csv"), profile="salesforce")
    json_ds = load_dataset(_source("salesforce-apex-recipes/data-tree-json"), profile="salesforce")
    for obj in ("customer", "contact", "opportunity"):
        pk = f"{obj}_id"
        csv_keys = csv_ds.objects[obj].table.column(pk).to_pylist()
        assert csv_keys == json_ds.objects[obj].table.column(pk).to_pylist()
    assert (csv_ds.objects["contact"].table.column("customer_id").to_pylist()
            == json_ds.objects["contact"].table.column("customer_id").to_pylist())


def test_envelope_that_claims_more_records_than_it_holds_is_declared():
    ds = load_dataset(_source("salesforce-data-import-test-org"), profile="salesforce")
    assert ds.objects["opportunity"].declared == {"declared": 10, "read": 9}
    assert ds.objects["customer"].declared == {"declared": 10, "read": 10}


def test_ref_lookups_resolve_to_the_reference_id():
    ds = load_dataset(_source("salesforce-data-import-test-org"), profile="salesforce")
    contact = ds.objects["contact"].table.to_pylist()[0]
    assert contact["customer_id"] == "ref0010S00000C1t1vQAB"  # "@ref0010S00000C1t1vQAB" in the file
    assert ds.objects["customer"].table.column("customer_id").to_pylist()[0] == "ref0010S00000C1t1vQAB"


def test_report_csv_deduplicates_accounts_by_name_and_skips_rows_without_a_contact():
    ds = load_dataset(_source("salesforce-lwc-recipes/report-csv"), profile="salesforce")
    customers = ds.objects["customer"].table.to_pylist()
    assert [c["customer_id"] for c in customers] == [c["name"] for c in customers]
    assert len({c["name"] for c in customers}) == 10
    assert customers[0] == {"customer_id": "Alpha Dynamics", "name": "Alpha Dynamics",
                            "status": "Technology Partner", "phone": "3362227000"}
    contacts = ds.objects["contact"]
    assert contacts.rows == 6
    assert contacts.unmapped_columns == ["Contact: Picture"]
    assert {e.name: e.mapped_to for e in ds.inventory} == {"Accounts-Contacts.csv": "customer,contact"}


def test_fifteen_and_eighteen_character_ids_of_one_record_are_emitted_alike(tmp_path: Path):
    (tmp_path / "Account.csv").write_text("Id,Name\n001RO00000AbCdEYAV,Acme\n", encoding="utf-8")
    (tmp_path / "Contact.csv").write_text(
        "Id,AccountId,LastName\n003RO0000035WQgYAM,001RO00000AbCdE,A\n003RO0000035WQh,001RO00000AbCdEYAV,B\n",
        encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="salesforce")
    assert ds.objects["customer"].table.column("customer_id").to_pylist() == ["001RO00000AbCdE"]
    rows = ds.objects["contact"].table.to_pylist()
    assert [r["contact_id"] for r in rows] == ["003RO0000035WQg", "003RO0000035WQh"]
    assert [r["customer_id"] for r in rows] == ["001RO00000AbCdE", "001RO00000AbCdE"]


def test_an_eighteen_character_value_with_a_wrong_checksum_is_not_cut(tmp_path: Path):
    (tmp_path / "Account.csv").write_text("Id,Name\n001RO00000AbCdEAAA,Acme\n", encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="salesforce")
    assert ds.objects["customer"].table.column("customer_id").to_pylist() == ["001RO00000AbCdEAAA"]


def test_rest_query_pages_filter_records_by_attributes_type(tmp_path: Path):
    needs_reader("json")
    (tmp_path / "query.json").write_text(
        '{"totalSize": 3, "done": true, "records": ['
        '{"attributes": {"type": "Account", "url": "/services/data/v60.0/sobjects/Account/001RO00000AbCd"},'
        ' "Id": "001RO00000AbCdEYAV", "Name": "Acme", "CreatedDate": "2024-03-01T02:00:00.000+0000"},'
        '{"attributes": {"type": "Contact", "url": "/x"}, "Id": "003RO0000035WQgYAM",'
        ' "AccountId": "001RO00000AbCdEYAV", "FirstName": "Amy", "LastName": "Taylor"},'
        '{"attributes": {"type": "Account", "url": "/y"}, "Id": "001RO00000AbCdFYAV", "Name": "Beta",'
        ' "IsDeleted": true}]}', encoding="utf-8")
    ds = load_dataset(read(tmp_path), profile="salesforce")
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "001RO00000AbCdE", "name": "Acme", "created_at": "2024-03-01T02:00:00.000+0000"}]
    assert ds.objects["customer"].deleted == 1
    assert ds.objects["contact"].table.to_pylist() == [
        {"contact_id": "003RO0000035WQg", "customer_id": "001RO00000AbCdE", "full_name": "Amy Taylor",
         "first_name": "Amy", "last_name": "Taylor"}]


def test_deleted_records_are_counted_and_kept_only_when_asked():
    from tests.profiles.conftest import FIXTURES

    source = read(FIXTURES / "salesforce" / "export")
    live = load_dataset(source, profile="salesforce")
    everything = load_dataset(source, profile="salesforce", include_deleted=True)
    assert (live.objects["customer"].rows, live.objects["customer"].deleted) == (2, 1)
    assert (everything.objects["customer"].rows, everything.objects["customer"].deleted) == (3, 1)
    assert everything.objects["customer"].table.column("name").to_pylist()[-1] == "Old Deleted Co"
