"""Trial drills: do to a canary set what real vendors do, and check that the drill report attributes each loss
to the right trap and defect kind.

Fixture: one canary set (seed 5, 40 customers, 120 contacts, 80 opportunities) in both formats. Each test
writes an "export" with one real transformation and derives, from the canary values themselves, which
trap records that transformation must break; every other trap must come back intact.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portcheck.canary.generate import load_canary_meta

from .canary_drill import KEYS, OBJECTS, make_canary, read_rows, run_drill, traps_by_id, write_csv

NUMERIC = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture(scope="module")
def canary(tmp_path_factory) -> Path:
    return make_canary(tmp_path_factory.mktemp("drill") / "canary")


@pytest.fixture(scope="module")
def rows(canary):
    return read_rows(canary / "csv")


def _transform(rows, fn):
    return {obj: [{k: fn(obj, k, v) for k, v in r.items()} for r in rs] for obj, rs in rows.items()}


def _expected(meta, rows, lost_kind):
    """trap id -> {kind: n}, by ``lost_kind(object, field, value) -> kind | None`` on each record."""
    by_key = {obj: {r[KEYS[obj]]: r for r in rows[obj]} for obj in OBJECTS}
    out = {}
    for trap in meta["traps"]:
        kinds: dict[str, int] = {}
        for key in trap["keys"]:
            kind = lost_kind(trap["object"], trap["field"], by_key[trap["object"]][key][trap["field"]])
            if kind:
                kinds[kind] = kinds.get(kind, 0) + 1
        out[trap["id"]] = kinds
    return out


def _assert_traps(report, expected):
    traps = traps_by_id(report)
    assert set(traps) == set(expected)
    wrong = {
        tid: (traps[tid]["defects"], want) for tid, want in expected.items() if traps[tid]["defects"] != want
    }
    assert not wrong
    for tid, t in traps.items():
        assert t["lost"] == sum(expected[tid].values()) and t["survived"] == t["planted"] - t["lost"]
    assert any(expected.values())  # the transformation did break something


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_clean_round_trip_is_accepted_with_full_fidelity_and_no_lost_trap(canary, fmt):
    report = run_drill(canary / fmt, canary / fmt)
    assert report["verdict"] == "pass"
    for obj in OBJECTS:
        o = report["objects"][obj]
        assert o["records"]["matched"] == o["records"]["reference"] > 0
        assert o["fidelity"]["compared"] == o["fidelity"]["matched"] > 0
        assert not any(o["defects"].values())
    traps = report["traps"]
    assert len(traps) == len(load_canary_meta(canary / fmt)["traps"])
    assert all(t["lost"] == 0 and t["survived"] == t["planted"] > 0 for t in traps)


def test_excel_number_handling_is_attributed_to_leading_zero_and_numeric_precision_traps(canary, tmp_path):
    """A vendor exports with openpyxl, writing every numeric-looking text as a number (Excel keeps 15 digits).

    openpyxl also writes carriage returns raw, which XML reading folds into LF: those notes change too."""
    import openpyxl

    rows = read_rows(canary / "xlsx")

    def as_excel(v: str):
        f = float(f"{float(v):.15g}")
        return int(f) if f.is_integer() and abs(f) < 1e15 else f

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for obj, records in rows.items():
        ws = wb.create_sheet(obj)
        columns = list(records[0])
        ws.append(columns)
        for r in records:
            ws.append([as_excel(r[c]) if NUMERIC.fullmatch(r[c]) else (r[c] or None) for c in columns])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    (tmp_path / "export").mkdir()
    wb.save(tmp_path / "export" / "export.xlsx")

    def lost(obj, field, v):
        if NUMERIC.fullmatch(v):
            if Decimal(v) != Decimal(repr(as_excel(v))):
                return "numeric_precision"
            return "leading_zero" if re.match(r"-?0\d", v) else None
        return "value_changed" if "\r" in v else None

    expected = _expected(load_canary_meta(canary / "xlsx"), rows, lost)
    assert expected["customer.postal_code.leading_zero_postal_code"]["leading_zero"] >= 5
    assert expected["customer.x_erp_code.long_digit_code"]["numeric_precision"] >= 5
    _assert_traps(run_drill(tmp_path / "export", canary / "xlsx"), expected)


def test_gbk_only_export_loses_exactly_the_characters_gbk_lacks(canary, rows, tmp_path):
    """A GBK-only system writes '?' for every character GBK cannot encode (emoji, 𠀀, ë, ☎ …)."""
    write_csv(rows, tmp_path / "export", encoding="gbk", errors="replace")

    def unencodable(v):
        return v.encode("gbk", errors="replace").decode("gbk") != v

    report = run_drill(tmp_path / "export", canary / "csv")
    expected = _expected(
        load_canary_meta(canary / "csv"), rows, lambda o, f, v: "lost" if unencodable(v) else None
    )
    traps = traps_by_id(report)
    assert {tid: sum(want.values()) for tid, want in expected.items()} == {
        tid: t["lost"] for tid, t in traps.items()
    }
    assert traps["contact.notes.emoji"]["defects"] == {"encoding": traps["contact.notes.emoji"]["planted"]}
    assert (
        traps["contact.full_name.non_bmp_characters"]["lost"]
        == traps["contact.full_name.non_bmp_characters"]["planted"]
        > 0
    )


def test_gbk_lossy_replacement_is_classified_as_encoding_everywhere(canary, rows, tmp_path):
    write_csv(rows, tmp_path / "export", encoding="gbk", errors="replace")
    report = run_drill(tmp_path / "export", canary / "csv")

    def lost(obj, field, v):
        return "encoding" if v.encode("gbk", errors="replace").decode("gbk") != v else None

    _assert_traps(report, _expected(load_canary_meta(canary / "csv"), rows, lost))


def test_truncation_at_255_characters_is_attributed_to_the_long_text_traps(canary, rows, tmp_path):
    write_csv(_transform(rows, lambda o, k, v: v[:255]), tmp_path / "export")
    expected = _expected(
        load_canary_meta(canary / "csv"), rows, lambda o, f, v: "truncated" if len(v) > 255 else None
    )
    assert {tid for tid, want in expected.items() if want} == {
        f"{obj}.notes.text_{n}"
        for obj in OBJECTS
        for n in (256, 1001, 4000, 32767, 33000)
        if f"{obj}.notes.text_{n}" in expected
    }
    _assert_traps(run_drill(tmp_path / "export", canary / "csv"), expected)


def _naive_shanghai(rows):
    zone = ZoneInfo("Asia/Shanghai")

    def fn(obj, k, v):
        if k in ("created_at", "updated_at") and v:
            return (
                datetime.fromisoformat(v.replace("Z", "+00:00"))
                .astimezone(zone)
                .strftime("%Y-%m-%d %H:%M:%S")
            )
        return v

    return _transform(rows, fn)


def test_naive_datetimes_in_the_users_zone_are_a_timezone_shift_when_read_as_utc(canary, rows, tmp_path):
    write_csv(_naive_shanghai(rows), tmp_path / "export")
    expected = _expected(
        load_canary_meta(canary / "csv"),
        rows,
        lambda o, f, v: "timezone_shift" if f in ("created_at", "updated_at") and v else None,
    )
    report = run_drill(tmp_path / "export", canary / "csv", timezone="UTC")
    _assert_traps(report, expected)
    assert traps_by_id(report)["contact.created_at.dst_edge"]["lost"] > 0
    # system-managed fields are informational in a drill: the shift is reported, not gating
    assert report["verdict"] == "pass"


def test_naive_datetimes_read_in_the_users_zone_match(canary, rows, tmp_path):
    write_csv(_naive_shanghai(rows), tmp_path / "export")
    report = run_drill(tmp_path / "export", canary / "csv", timezone="Asia/Shanghai")
    assert all(t["lost"] == 0 for t in report["traps"])
    for obj in OBJECTS:
        o = report["objects"][obj]
        assert not any(o["defects"].values())
        assert o["format_differences"]["created_at"] == o["records"]["reference"]


def test_odoo_quote_prefix_is_attributed_to_values_starting_with_plus_minus_equals(canary, rows, tmp_path):
    write_csv(
        _transform(rows, lambda o, k, v: "'" + v if v[:1] in ("+", "-", "=") else v), tmp_path / "export"
    )
    expected = _expected(
        load_canary_meta(canary / "csv"),
        rows,
        lambda o, f, v: "value_changed" if v[:1] in ("+", "-", "=") else None,
    )
    traps = {tid for tid, want in expected.items() if want}
    assert {tid.rsplit(".", 1)[1] for tid in traps} == {"formula_prefix", "international_phone"}
    report = run_drill(tmp_path / "export", canary / "csv")
    _assert_traps(report, expected)
    notes = traps_by_id(report)["contact.notes.formula_prefix"]
    assert 0 < notes["lost"] < notes["planted"]  # '@' values are left alone


def test_carriage_returns_replaced_by_spaces_are_attributed_to_the_cr_trap(canary, rows, tmp_path):
    write_csv(_transform(rows, lambda o, k, v: v.replace("\r", " ")), tmp_path / "export")
    expected = _expected(
        load_canary_meta(canary / "csv"), rows, lambda o, f, v: "value_changed" if "\r" in v else None
    )
    assert {tid.rsplit(".", 1)[1] for tid, want in expected.items() if want} == {"carriage_returns"}
    _assert_traps(run_drill(tmp_path / "export", canary / "csv"), expected)


def test_dropped_4_byte_characters_are_an_encoding_loss_of_emoji_and_non_bmp_traps(canary, rows, tmp_path):
    """A MySQL 'utf8' (3-byte) column silently drops characters outside the BMP."""

    def drop(v):
        return "".join(c for c in v if ord(c) <= 0xFFFF)

    write_csv(_transform(rows, lambda o, k, v: drop(v)), tmp_path / "export")
    expected = _expected(
        load_canary_meta(canary / "csv"), rows, lambda o, f, v: "encoding" if drop(v) != v else None
    )
    kinds = {tid.rsplit(".", 1)[1] for tid, want in expected.items() if want}
    assert {"emoji", "non_bmp_characters", "text_4000"} <= kinds and "text_32767" not in kinds
    _assert_traps(run_drill(tmp_path / "export", canary / "csv"), expected)


def _rekey(rows, keep_canary_id: bool):
    """New IDs on import (foreign keys follow); optionally the canary-ID custom field is not created."""
    new = {
        obj: {
            r[KEYS[obj]]: f"00{obj[:2].upper()}{i * 7919 % 100000:05d}X" for i, r in enumerate(rows[obj], 1)
        }
        for obj in OBJECTS
    }
    parent = {"customer_id": "customer", "contact_id": "contact", "opportunity_id": "opportunity"}
    out = {}
    for obj, records in rows.items():
        out[obj] = []
        for r in records:
            r2 = {k: (new[parent[k]][v] if k in parent and v else v) for k, v in r.items()}
            if not keep_canary_id:
                del r2["x_canary_id"]
            out[obj].append(r2)
    return out


def test_new_ids_assigned_on_import_pair_by_the_canary_id_with_no_false_loss(canary, rows, tmp_path):
    write_csv(_rekey(rows, keep_canary_id=True), tmp_path / "export")
    report = run_drill(tmp_path / "export", canary / "csv")
    assert report["verdict"] == "pass"
    assert set(report["options"]["match_on"].values()) == {"x_canary_id:x_canary_id"}
    for obj in OBJECTS:
        o = report["objects"][obj]
        assert o["records"]["matched"] == o["records"]["reference"]
        assert not any(o["defects"].values())
    assert all(t["lost"] == 0 for t in report["traps"])


def test_new_ids_without_the_canary_id_pair_by_natural_keys(canary, rows, tmp_path):
    write_csv(_rekey(rows, keep_canary_id=False), tmp_path / "export")
    report = run_drill(tmp_path / "export", canary / "csv")
    assert report["options"]["match_on"] == {
        "customer": "name:name",
        "contact": "email:email",
        "opportunity": "name:name",
    }
    for obj in OBJECTS:
        o = report["objects"][obj]
        assert o["records"]["matched"] == o["records"]["reference"]
        assert o["missing_fields"] == ["x_canary_id"]
        assert o["defects"]["missing_value"] == o["records"]["reference"]  # the custom field itself
    traps = report["traps"]
    assert all(t["lost"] == 0 for t in traps)
    on_key = [t for t in traps if t["field"] == "name" and t["object"] in ("customer", "opportunity")]
    assert on_key and not any(t["assessed"] for t in on_key)


def test_a_record_the_vendor_did_not_return_counts_as_lost_in_every_trap_it_carries(canary, rows, tmp_path):
    gone = {r["customer_id"] for r in rows["customer"] if r["notes"] == ""}
    kept = {
        obj: [r for r in rs if not (obj == "customer" and r["customer_id"] in gone)]
        for obj, rs in rows.items()
    }
    write_csv(kept, tmp_path / "export")
    report = run_drill(tmp_path / "export", canary / "csv")
    traps = traps_by_id(report)
    empty_notes = traps["customer.notes.empty_field"]
    assert (
        empty_notes["defects"] == {"missing_record": len(gone)}
        and empty_notes["lost"] == empty_notes["planted"]
    )
    assert report["objects"]["customer"]["records"]["missing"] == len(gone)


def test_check_against_a_canary_folder_reports_the_traps_and_lists_the_lost_ones(canary, rows, tmp_path):
    import json
    import os
    import subprocess
    import sys

    write_csv(_transform(rows, lambda o, k, v: v[:255]), tmp_path / "export")
    env = {**os.environ, "PORTCHECK_CONFIG_DIR": str(tmp_path / "config")}
    cmd = [
        sys.executable,
        "-m",
        "portcheck",
        "check",
        str(tmp_path / "export"),
        "--reference",
        str(canary / "csv"),
    ]
    done = subprocess.run(cmd + ["--out", str(tmp_path / "report")], capture_output=True, text=True, env=env)
    assert done.returncode == 1, done.stderr
    traps = traps_by_id(json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8")))
    assert traps["contact.notes.text_4000"]["defects"] == {
        "truncated": traps["contact.notes.text_4000"]["planted"]
    }
    assert "Text of 4,000 characters (contact.notes)" in done.stdout
    clean = subprocess.run(
        cmd[:4] + [str(canary / "csv")] + cmd[5:] + ["--out", str(tmp_path / "clean")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
