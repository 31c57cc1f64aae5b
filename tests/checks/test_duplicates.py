"""Exact duplicates: surplus rows per DESIGN (the first row of a key is not a duplicate, the others are)."""

from __future__ import annotations

from portcheck.checks.duplicates import exact_duplicates
from tests.checks.helpers import table


def test_surplus_rows_of_a_repeated_key_are_counted_and_listed_in_order():
    t = table("contact", contact_id=["b", "a", "a", "b", "a", "c", None, "", None, " a "],
              full_name=["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"])
    d = exact_duplicates(t.table, "contact_id")
    # a three more times (' a ' is a once trimmed), b once more; empty keys are not duplicates
    assert d.keys == 4
    assert d.key_values == ["b", "a"]


def test_identical_rows_are_counted_once_per_surplus_row_and_null_equals_empty():
    t = table("contact", contact_id=["p1", "p1", "p1", "p2", "p2"],
              full_name=["王伟", "王伟", "王伟", "李娜", "李娜"],
              email=[None, "", None, "a@b.com", "A@b.com"])
    d = exact_duplicates(t.table, "contact_id")
    assert d.rows == 2  # the three p1 rows are identical (null = ''); p2's emails differ in case
    assert d.keys == 3


def test_a_table_without_repeats_has_no_duplicates():
    t = table("customer", customer_id=["c1", "c2"], name=["A", "A"])
    d = exact_duplicates(t.table, "customer_id")
    assert (d.keys, d.rows, d.key_values) == (0, 0, [])


def test_an_empty_table_has_no_duplicates():
    t = table("customer", customer_id=[], name=[])
    assert exact_duplicates(t.table, "customer_id").keys == 0
