"""The vectorised value conversions profiles apply: date-times, dates, value maps, IDs, scaling, names."""

from __future__ import annotations

import pyarrow as pa
import pytest

from portcheck.profiles import convert


def _a(*values):
    return pa.array(list(values), pa.string())


@pytest.mark.parametrize(("value", "order", "expected"), [
    ("2024-03-01T10:00:00+08:00", "MDY", "2024-03-01T10:00:00+08:00"),  # ISO: exactly as written
    ("2024-03-01 10:00", "MDY", "2024-03-01 10:00"),
    ("2024-03-01T02:00:00.000Z", "MDY", "2024-03-01T02:00:00.000Z"),
    ("4/8/2025 17:19", "MDY", "2025-04-08T17:19:00"),
    ("4/8/2025 5:19 PM", "MDY", "2025-04-08T17:19:00"),
    ("12/1/2024 12:00 AM", "MDY", "2024-12-01T00:00:00"),
    ("4/8/2025 17:19", "DMY", "2025-08-04T17:19:00"),
    ("31.12.2024 23:59:59", "DMY", "2024-12-31T23:59:59"),
    ("2024/3/1 9:05", "MDY", "2024-03-01T09:05:00"),  # a 4-digit first part is the year, whatever the order
    ("2024年3月1日 10:00", "YMD", "2024-03-01T10:00:00"),
    ("1711962000000", "YMD", "2024-04-01T09:00:00Z"),  # epoch milliseconds, UTC
    ("1711962000123", "YMD", "2024-04-01T09:00:00.123Z"),
    ("1711962000", "YMD", "2024-04-01T09:00:00Z"),  # epoch seconds
    ("45352.5", "YMD", "2024-03-01T12:00:00"),  # Excel serial: naive, in the profile's zone
    ("13/13/2024", "MDY", "13/13/2024"),  # not a date: left for the validity checks
    ("soon", "MDY", "soon"),
    ("", "MDY", ""),
])
def test_instants_are_rewritten_only_when_not_iso(value, order, expected):
    assert convert.to_instant(_a(value), order=order).to_pylist() == [expected]


def test_null_instants_stay_null():
    assert convert.to_instant(_a(None, "4/8/2025"), order="MDY").to_pylist() == [None, "2025-04-08T00:00:00"]


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-06-30", "2024-06-30"), ("2020-12-22T21:16:01Z", "2020-12-22"), ("6/30/2024", "2024-06-30"),
    ("1719705600000", "2024-06-30"), ("45473", "2024-06-30"), ("never", "never"),
])
def test_dates_become_iso_days(value, expected):
    assert convert.to_date(_a(value), order="MDY").to_pylist() == [expected]


def test_value_map_matches_trimmed_and_case_insensitively_and_keeps_unknown_values():
    values = _a(" closed won", "CLOSED WON", "Prospecting", "Assigned dynamically", None)
    out = convert.apply_value_map(values, {"Closed Won": "won", "Prospecting": "lead"})
    assert out.to_pylist() == ["won", "won", "lead", "Assigned dynamically", None]


def test_scale_multiplies_exactly():
    assert convert.apply_scale(_a("0.2", "1.0", "0.125", "n/a", None), "100").to_pylist() == [
        "20", "100", "12.5", "n/a", None]


def test_salesforce_ids_are_cut_to_15_only_when_the_checksum_holds():
    ids = _a("003RO0000035WQgYAM", "003RO0000035WQgAAA", "003RO0000035WQg", "not-an-id", None)
    assert convert.salesforce_15(ids).to_pylist() == [
        "003RO0000035WQg", "003RO0000035WQgAAA", "003RO0000035WQg", "not-an-id", None]


def test_full_name_is_last_first_for_cjk_and_first_last_otherwise():
    first = _a("Amy", "伟", None, "Sam", "")
    last = _a("Taylor", "王", "Solo", None, "")
    assert convert.derive_full_name(first, last, 5).to_pylist() == ["Amy Taylor", "王伟", "Solo", "Sam", None]


def test_null_tokens_become_null():
    assert convert.nullify(_a("False", " (none) ", "x"), ("False", "(none)")).to_pylist() == [None, None, "x"]
