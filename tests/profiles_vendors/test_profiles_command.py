"""`portcheck profiles` lists the thirteen built-in profiles with the formats each reads."""

from __future__ import annotations

from portcheck.profiles import list_profiles

BUILTINS = {
    "canonical",
    "salesforce",
    "hubspot",
    "zoho",
    "wukong",
    "dynamics365",
    "odoo",
    "suitecrm",
    "fxiaoke",
    "xiaoshouyi",
    "jiandaoyun",
    "kingdee",
    "yonyou",
}


def test_there_are_thirteen_builtin_profiles_each_with_vendor_and_formats():
    profiles = list_profiles()
    assert {p.name for p in profiles} == BUILTINS
    assert len(profiles) == 13
    assert all(p.vendor and p.formats and p.objects for p in profiles)


def test_profiles_command_lists_every_builtin_with_its_formats(capsys):
    from portcheck.cli import main

    try:
        main(["profiles"])
    except SystemExit as e:  # click's standalone mode exits 0
        assert e.code in (0, None)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].split()[:3] == ["NAME", "VENDOR", "FORMATS"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == BUILTINS
    for p in list_profiles():
        assert p.vendor in rows[p.name]
        assert ", ".join(p.formats) in rows[p.name]
    assert "ExecuteBillQuery" in rows["kingdee"]
    assert "batch_get" in rows["yonyou"]
    assert "OData" in rows["dynamics365"]


def test_each_format_is_one_whole_entry():
    for p in list_profiles():
        for fmt in p.formats:
            assert fmt.count("(") == fmt.count(")"), (p.name, fmt)


def test_hidden_bases_are_not_listed():
    names = {p.name for p in list_profiles()}
    assert "_zh_labels" not in names and "_common" not in names
