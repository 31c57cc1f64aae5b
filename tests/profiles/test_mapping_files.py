"""User mapping files: extending a built-in profile, standing alone, TOML, and refusing bad files (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.errors import ProfileError
from portcheck.profiles import load_dataset, resolve_profile
from tests.profiles.conftest import FIXTURES, read


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_extends_a_builtin_profile_with_a_spelling_a_value_map_and_a_crosswalk(tmp_path: Path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "Account.csv").write_text(
        "Id,Name,Legacy_Code__c,Tier__c\n001RO00000AbCdEYAV,Acme,OLD-7,Gold\n", encoding="utf-8")
    mapping = _write(tmp_path, "m.yaml", """
objects:
  customer:
    fields:
      level: [Tier__c]
      x_legacy_id: [Legacy_Code__c]
    crosswalk: x_legacy_id
    value_maps:
      level: {Gold: A}
""")
    ds = load_dataset(read(export), profile="salesforce", mapping=mapping)
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "001RO00000AbCdE", "name": "Acme", "level": "A", "x_legacy_id": "OLD-7"}]
    assert ds.natural_keys["customer"][0] == "x_legacy_id"
    assert ds.detection["crosswalk"] == {"customer": "x_legacy_id"}
    assert ds.profile_name == "salesforce+m.yaml"


def test_profile_sha256_covers_the_mapping_file(tmp_path: Path):
    import hashlib

    from portcheck.profiles.registry import BUILTIN_DIR

    mapping = _write(tmp_path, "m.yaml", "timezone: Asia/Shanghai\n")
    prof = resolve_profile("salesforce", mapping)
    digest = hashlib.sha256()
    for part in (BUILTIN_DIR / "_common.yaml", BUILTIN_DIR / "salesforce.yaml", mapping):
        digest.update(part.read_bytes())
    assert prof.sha256 == digest.hexdigest()
    assert prof.timezone == "Asia/Shanghai"


def test_mapping_spellings_win_over_the_builtin_ones(tmp_path: Path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "Account.csv").write_text("Id,Name,Legal_Name__c\nA1,Acme,Acme Holdings Ltd\n",
                                        encoding="utf-8")
    mapping = _write(tmp_path, "m.yaml", "objects:\n  customer:\n    fields:\n      name: [Legal_Name__c]\n")
    ds = load_dataset(read(export), profile="salesforce", mapping=mapping)
    row = ds.objects["customer"].table.to_pylist()[0]
    assert row["name"] == "Acme Holdings Ltd"
    assert row["x_name"] == "Acme"


def test_standalone_mapping_maps_an_unknown_vendor(tmp_path: Path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "客户表.csv").write_text("编号,公司全称,签约日期,是否VIP\nK001,青禾科技,2024/3/1 9:05,是\n",
                                       encoding="utf-8")
    (export / "跟进记录.csv").write_text("编号,内容\n1,电话沟通\n", encoding="utf-8")
    mapping = _write(tmp_path, "vendor.yaml", """
name: acme-crm
timezone: Asia/Shanghai
dates: {order: YMD}
objects:
  customer:
    tables:
      - files: ["客户表*"]
    fields:
      customer_id: 编号
      name: 公司全称
      created_at: 签约日期
      x_vip: 是否VIP
    value_maps:
      x_vip: {是: "true", 否: "false"}
""")
    ds = load_dataset(read(export), mapping=mapping)
    assert ds.profile_name == "acme-crm"
    assert ds.objects["customer"].table.to_pylist() == [
        {"customer_id": "K001", "name": "青禾科技", "created_at": "2024-03-01T09:05:00", "x_vip": "true"}]
    assert ds.objects["customer"].timezone == "Asia/Shanghai"
    assert ds.objects["contact"] is None and ds.objects["opportunity"] is None
    assert {e.name: e.mapped_to for e in ds.inventory} == {"客户表.csv": "customer", "跟进记录.csv": None}


def test_standalone_mapping_without_table_rules_claims_tables_by_their_headers(tmp_path: Path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "dump1.csv").write_text("CustNo,CustName,Tel\nC1,Acme,123\n", encoding="utf-8")
    mapping = _write(tmp_path, "m.yaml", """
objects:
  customer:
    fields: {customer_id: CustNo, name: CustName, phone: Tel}
""")
    ds = load_dataset(read(export), mapping=mapping)
    assert ds.objects["customer"].table.to_pylist() == [{"customer_id": "C1", "name": "Acme", "phone": "123"}]


def test_toml_mapping_is_accepted(tmp_path: Path):
    mapping = _write(tmp_path, "m.toml", """
extends = "wukong"
timezone = "Asia/Hong_Kong"
[objects.opportunity.value_maps.stage]
"商务洽谈" = "negotiation"
""")
    prof = resolve_profile(None, mapping)
    assert prof.timezone == "Asia/Hong_Kong"
    assert prof.objects["opportunity"].value_maps["stage"]["商务洽谈"] == "negotiation"
    assert prof.objects["opportunity"].value_maps["stage"]["赢单"] == "won"


def test_value_map_keys_keep_their_exact_spelling(tmp_path: Path):
    mapping = _write(tmp_path, "m.yaml", """
objects:
  contact:
    value_maps:
      is_primary: {01: "true", Yes: "true", No: "false", on: "true", 0.50: "false"}
""")
    prof = resolve_profile("canonical", mapping)
    assert set(prof.objects["contact"].value_maps["is_primary"]) == {"01", "Yes", "No", "on", "0.50"}


# ------------------------------------------------------------------------------------------- bad files

BAD = {
    "unknown_field": ("objects:\n  customer:\n    fields:\n      name: Name\n      nmae: Other\n",
                      ["bad.yaml", "line 5", "unknown canonical field 'nmae'"]),
    "unknown_object": ("objects:\n  lead:\n    fields: {name: Name}\n",
                       ["bad.yaml", "line 2", "unknown object 'lead'"]),
    "malformed_yaml": ("objects:\n  customer:\n    fields: [name: Name\n  contact: {}\n",
                       ["bad.yaml", "line 4", "not valid YAML"]),
    "value_map_not_a_mapping": ("objects:\n  opportunity:\n    value_maps:\n      stage: [won, lost]\n",
                                ["bad.yaml", "line 4", "value map of 'stage' must be a mapping"]),
    "alias_bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n",
                   ["bad.yaml", "line 2", "aliases"]),
    "stage_not_canonical": ("objects:\n  opportunity:\n    value_maps:\n      stage: {Closed Won: closed}\n",
                            ["bad.yaml", "line 4", "not a canonical stage"]),
    "unknown_link": ("objects:\n  customer:\n    links: {owner: {by: [name]}}\n",
                     ["bad.yaml", "line 3", "'owner' is not a link of customer"]),
    "top_level_list": ("- a\n- b\n", ["bad.yaml", "must be a mapping"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_mapping_file_is_refused_naming_file_line_and_problem(tmp_path: Path, case: str):
    text, expected = BAD[case]
    mapping = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(ProfileError) as err:
        resolve_profile("salesforce", mapping)
    assert err.value.exit_code == 2
    for part in expected:
        assert part in err.value.message
    assert err.value.hint


def test_malformed_toml_is_refused_with_its_line(tmp_path: Path):
    mapping = _write(tmp_path, "bad.toml", 'timezone = "UTC"\n[objects.customer\nfields = 1\n')
    with pytest.raises(ProfileError) as err:
        resolve_profile(None, mapping)
    assert "bad.toml" in err.value.message and "line 2" in err.value.message
    assert "not valid TOML" in err.value.message


def test_toml_with_an_unknown_field_is_refused(tmp_path: Path):
    mapping = _write(tmp_path, "bad.toml", '[objects.contact.fields]\nfull_nmae = "Name"\n')
    with pytest.raises(ProfileError) as err:
        resolve_profile(None, mapping)
    assert "bad.toml" in err.value.message and "unknown canonical field 'full_nmae'" in err.value.message


def test_missing_mapping_file_and_unknown_profile_are_profile_errors(tmp_path: Path):
    with pytest.raises(ProfileError, match="not found"):
        resolve_profile(None, tmp_path / "nope.yaml")
    with pytest.raises(ProfileError, match="no built-in profile named 'sap'"):
        resolve_profile("sap", None)


def test_bad_mapping_exits_2_from_the_command_line(tmp_path: Path, capsys):
    from portcheck.cli import main

    mapping = _write(tmp_path, "bad.yaml", BAD["unknown_field"][0])
    with pytest.raises(SystemExit) as exit_:
        main(["profiles", "show", "salesforce", "--mapping", str(mapping)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "bad.yaml, line 5: unknown canonical field 'nmae'" in err
    assert "Traceback" not in err


def test_every_builtin_profile_is_valid_and_loads():
    from portcheck.profiles import list_profiles

    names = [p.name for p in list_profiles()]
    assert names[0] == "canonical"
    assert {"canonical", "hubspot", "salesforce", "wukong", "zoho"} <= set(names)
    assert all(p.sha256 and p.objects for p in list_profiles())
    assert FIXTURES.is_dir()
