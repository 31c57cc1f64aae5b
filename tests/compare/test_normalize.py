"""Normalisers against their oracles (phonenumbers for phones, Decimal for amounts)."""

from __future__ import annotations

from decimal import Decimal

import phonenumbers
import pytest

from portcheck.compare import normalize as nz


@pytest.mark.parametrize("value,region", [
    ("0755-88881234", "CN"), ("+86 755 8888 1234", None), ("(415) 555-5541", "US"), ("+1 415 555 5541", "US"),
    ("010 1234 5678", "CN"), ("13123394024", "CN"), ("+49 30 1234567", None),
])
def test_phone_normalisation_agrees_with_phonenumbers(value, region):
    oracle = phonenumbers.format_number(phonenumbers.parse(value, region), phonenumbers.PhoneNumberFormat.E164)
    assert nz.phone(value, region) == oracle


def test_phone_without_plus_or_region_has_no_e164_form():
    assert nz.phone("0755-88881234", None) is None


@pytest.mark.parametrize("text,value", [
    ("1234.5", "1234.5"), ("1,234.50", "1234.50"), ("¥1,234.50", "1234.50"), ("1.234,50", "1234.50"),
    ("-12", "-12"), ("80%", "80"), ("3.38893E+18", "3.38893E+18"), ("CNY 99.50", "99.50"),
])
def test_numbers_read_as_decimals(text, value):
    assert nz.number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "12-34", "2024-01-01", "1,2,3", "NaN", "Infinity"])
def test_non_numbers_are_not_numbers(text):
    assert nz.number(text) is None


def test_instants_with_offsets_are_the_same_moment():
    assert nz.instant("2024-03-01T10:00:00+08:00") == nz.instant("2024-03-01T02:00:00.000Z")
    assert nz.instant("2024-03-01T10:00:00+0800") == nz.instant("2024-03-01 02:00:00Z")


def test_naive_instant_takes_the_zone_given():
    assert nz.instant("2024-03-01 10:00:00", "Asia/Shanghai") == nz.instant("2024-03-01T02:00:00Z")


def test_empty_means_null_blank_or_null_token():
    assert nz.is_empty(None) and nz.is_empty("   ") and nz.is_empty("False", frozenset({"False"}))
    assert not nz.is_empty("0")


def test_text_is_nfc_and_trimmed():
    assert nz.text(" e\u0301 ") == "\u00e9"
