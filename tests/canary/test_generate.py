"""`portcheck canary`: deterministic files, every trap present many times, valid codes, exact read-back."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from portcheck.canary.dataset import build_canary
from portcheck.canary.generate import generate_canary, load_canary_meta

OBJECTS = ("customer", "contact", "opportunity")
KEYS = {"customer": "customer_id", "contact": "contact_id", "opportunity": "opportunity_id"}


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def full_set(tmp_path_factory):
    """The default size (500 customers), both formats."""
    out = tmp_path_factory.mktemp("canary500")
    info = generate_canary(out, seed=0, customers=500, fmt="both")
    return out, info


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_seed_gives_byte_identical_files_in_both_formats(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_canary(a, seed=42, customers=30, fmt="both")
    generate_canary(b, seed=42, customers=30, fmt="both")
    generate_canary(c, seed=43, customers=30, fmt="both")
    ha, hb, hc = _hashes(a), _hashes(b), _hashes(c)
    assert set(ha) == {
        "csv/customer.csv",
        "csv/contact.csv",
        "csv/opportunity.csv",
        "csv/canary.json",
        "xlsx/canary.xlsx",
        "xlsx/canary.json",
    }
    assert ha == hb
    assert ha["csv/customer.csv"] != hc["csv/customer.csv"]
    assert ha["xlsx/canary.xlsx"] != hc["xlsx/canary.xlsx"]


def test_canary_json_names_each_data_file_with_its_hash_and_the_sizes(full_set):
    out, info = full_set
    for folder in (out / "csv", out / "xlsx"):
        meta = load_canary_meta(folder)
        assert meta is not None and meta["canary_version"] == 1 and meta["seed"] == 0
        assert meta["sizes"] == {"customer": 500, "contact": 1500, "opportunity": 1000}
        for entry in meta["files"]:
            data = (folder / entry["name"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
        assert "generated_at" not in json.dumps(meta)


def test_every_trap_kind_is_present_many_times(full_set):
    out, _ = full_set
    meta = load_canary_meta(out / "csv")
    per_kind = Counter()
    for trap in meta["traps"]:
        assert trap["count"] == len(trap["records"]) == len(trap["keys"])
        assert trap["label"] and trap["label_zh"]
        per_kind[trap["trap"]] += trap["count"]
    from portcheck.canary.catalog import TRAP_KINDS

    assert set(per_kind) == {k.trap for k in TRAP_KINDS}
    assert min(per_kind.values()) >= 30, per_kind.most_common()[-5:]


def test_trap_records_really_carry_their_trap(full_set):
    """Checked against the files as written, with rules written independently of the catalogue."""
    out, _ = full_set
    meta = load_canary_meta(out / "csv")
    rows = {obj: {r[KEYS[obj]]: r for r in _read_csv(out / "csv" / f"{obj}.csv")} for obj in OBJECTS}
    rules = {
        "leading_zero_phone": lambda v: v.lstrip("(").startswith("0"),
        "leading_zero_postal_code": lambda v: v[0] == "0",
        "long_digit_code": lambda v: v.isdigit() and 16 <= len(v) <= 19,
        "numeric_uscc": lambda v: v.isdigit() and len(v) == 18,
        "text_256": lambda v: len(v) == 256,
        "text_1001": lambda v: len(v) == 1001,
        "text_4000": lambda v: len(v) == 4000,
        "text_32767": lambda v: len(v) == 32767,
        "text_33000": lambda v: len(v) == 33000,
        "carriage_returns": lambda v: "\r\n" in v,
        "formula_prefix": lambda v: v[0] in "=+-@",
        "emoji": lambda v: any(ord(c) >= 0x1F000 for c in v),
        "non_bmp_characters": lambda v: any(ord(c) > 0xFFFF for c in v),
        "email_plus_tag": lambda v: "+" in v.split("@")[0],
        "decomposed_unicode": lambda v: unicodedata.normalize("NFC", v) != v,
        "empty_field": lambda v: v == "",
        "amount_over_1e12": lambda v: float(v) >= 1e12,
        "before_1970": lambda v: int(v[:4]) < 1970,
    }
    checked = set()
    for trap in meta["traps"]:
        rule = rules.get(trap["trap"])
        if rule is None:
            continue
        for key in trap["keys"]:
            assert rule(rows[trap["object"]][key][trap["field"]]), (trap["id"], key)
        checked.add(trap["trap"])
    assert checked == set(rules)


def test_the_32767_character_notes_fit_an_excel_cell_and_longer_ones_are_csv_only(full_set):
    out, _ = full_set
    notes = [r["notes"] for r in _read_csv(out / "csv" / "contact.csv")]
    at_limit = [n for n in notes if len(n) == 32767]
    assert at_limit and all(len(n.encode("utf-16-le")) // 2 == 32767 for n in at_limit)
    for n in (n for n in notes if len(n) in (256, 1001, 4000, 32767, 33000)):
        assert all(ch in n for ch in (",", '"', "\n", "\t")) and "\r" not in n
        astral = any(ord(c) > 0xFFFF for c in n)
        assert astral == (len(n) != 32767)
    xlsx_traps = {t["trap"] for t in load_canary_meta(out / "xlsx")["traps"]}
    assert "text_33000" not in xlsx_traps and "text_32767" in xlsx_traps


def test_long_notes_carry_commas_quotes_line_breaks_tabs_emoji_and_non_bmp(full_set):
    out, _ = full_set
    notes = [
        r["notes"] for r in _read_csv(out / "csv" / "opportunity.csv") if len(r["notes"]) in (4000, 33000)
    ]
    assert notes
    for n in notes:
        assert all(ch in n for ch in (",", '"', "\n", "\t"))
        assert any(0x1F000 <= ord(c) <= 0x1FAFF for c in n) and any(ord(c) >= 0x20000 for c in n)


def test_chinese_customers_carry_valid_unified_social_credit_codes(full_set):
    from stdnum.cn import uscc

    out, _ = full_set
    codes = [r["tax_id"] for r in _read_csv(out / "csv" / "customer.csv") if r["country"] == "CN"]
    assert len(codes) > 200
    assert all(uscc.is_valid(c) for c in codes)
    assert sum(c.isdigit() for c in codes) >= 20  # all-digit codes: the spreadsheet trap


def test_uscc_check_characters_match_python_stdnum():
    import random

    from stdnum.cn import uscc

    from portcheck.canary.codes import make_uscc, uscc_check_char

    rng = random.Random(5)
    for _ in range(300):
        code = make_uscc(rng, "440305")
        assert uscc.calc_check_digit(code[:17]) == uscc_check_char(code[:17]) == code[17]


def test_keys_are_unique_and_every_foreign_key_has_its_parent(full_set):
    out, _ = full_set
    rows = {obj: _read_csv(out / "csv" / f"{obj}.csv") for obj in OBJECTS}
    for obj, natural in (("customer", "name"), ("contact", "email"), ("opportunity", "name")):
        for field in (KEYS[obj], "x_canary_id", natural):
            values = [r[field] for r in rows[obj]]
            assert len(set(values)) == len(values), (obj, field)
    customers = {r["customer_id"] for r in rows["customer"]}
    contacts = {r["contact_id"]: r["customer_id"] for r in rows["contact"]}
    assert all(r["customer_id"] in customers for r in rows["contact"])
    for r in rows["opportunity"]:
        assert contacts[r["contact_id"]] == r["customer_id"]
    assert Counter(r["customer_id"] for r in rows["contact"]) == Counter({c: 3 for c in customers})
    assert {r["stage"] for r in rows["opportunity"]} == {
        "lead",
        "qualification",
        "needs_analysis",
        "proposal",
        "negotiation",
        "won",
        "lost",
    }


def test_csv_reads_back_exactly_with_python_csv_and_portcheck_reader(tmp_path):
    from portcheck.readers import read_export

    generate_canary(tmp_path, seed=9, customers=80, fmt="csv")
    data = build_canary(9, 80, "mixed")
    for obj in OBJECTS:
        raw = (tmp_path / f"{obj}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
        assert _read_csv(tmp_path / f"{obj}.csv") == data.rows[obj]
    source = read_export(tmp_path)
    tables = {t.name: t.table.to_pylist() for t in source.tables}
    for obj in OBJECTS:
        assert tables[f"{obj}.csv"] == data.rows[obj]
    crlf = [r["notes"] for r in data.rows["contact"] if "\r\n" in r["notes"]]
    assert crlf  # carriage returns survive the CSV round trip


def test_xlsx_cells_are_text_and_read_back_exactly(tmp_path):
    import openpyxl
    from python_calamine import CalamineWorkbook

    generate_canary(tmp_path, seed=9, customers=80, fmt="xlsx")
    data = build_canary(9, 80, "mixed")
    wb = openpyxl.load_workbook(tmp_path / "canary.xlsx")
    assert wb.sheetnames == list(OBJECTS)
    formula_cells = [
        c
        for row in wb["contact"].iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert formula_cells and all(c.data_type == "s" for c in formula_cells)
    codes = [
        c
        for row in wb["opportunity"].iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and re.fullmatch(r"\d{16,19}", c.value)
    ]
    assert codes and all(c.data_type == "s" for c in codes)
    assert not any(isinstance(c.value, (int, float)) for ws in wb for row in ws.iter_rows() for c in row)
    book = CalamineWorkbook.from_path(str(tmp_path / "canary.xlsx"))
    for obj in OBJECTS:
        sheet = book.get_sheet_by_name(obj).to_python()
        header, body = sheet[0], sheet[1:]
        assert tuple(header) == data.columns[obj]
        expected = [[("" if len(r[c]) > 32767 else r[c]) for c in header] for r in data.rows[obj]]
        assert [[str(v) for v in row] for row in body] == expected


def test_lang_sets_the_language_of_names_and_picklists(tmp_path):
    def cjk_share(lang):
        rows = build_canary(1, 60, lang).rows["customer"]
        return sum(bool(re.search(r"[\u4e00-\u9fff]", r["industry"])) for r in rows) / len(rows)

    assert cjk_share("zh") > 0.7 > 0.3 > cjk_share("en")
    mixed = cjk_share("mixed")
    assert 0.3 < mixed < 0.7


def test_cli_writes_a_set_and_prints_the_next_step(tmp_path):
    from click.testing import CliRunner

    from portcheck.cli import cli

    out = tmp_path / "drill"
    result = CliRunner().invoke(cli, ["canary", "--out", str(out), "--customers", "12", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "portcheck check EXPORT --reference" in result.output
    assert "36 contacts" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "canary.json",
        "contact.csv",
        "customer.csv",
        "opportunity.csv",
    ]


def test_cli_refuses_a_non_empty_folder_without_force(tmp_path):
    import subprocess
    import sys

    (tmp_path / "keep.txt").write_text("mine")
    cmd = [sys.executable, "-m", "portcheck", "canary", "--out", str(tmp_path), "--customers", "5"]
    refused = subprocess.run(cmd, capture_output=True, text=True)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "customer.csv").exists()
    forced = subprocess.run(cmd + ["--force", "--format", "both"], capture_output=True, text=True)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert (tmp_path / "csv" / "canary.json").is_file() and (tmp_path / "xlsx" / "canary.xlsx").is_file()


def test_meta_loader_ignores_folders_that_are_not_canary_sets(tmp_path):
    assert load_canary_meta(tmp_path) is None
    (tmp_path / "canary.json").write_text(json.dumps({"something": "else"}))
    assert load_canary_meta(tmp_path) is None
