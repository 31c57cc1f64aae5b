"""Row sources are kept as runs, read like the per-row list they stand for, and count keys across pages."""

from __future__ import annotations

import pyarrow as pa
import pytest

from portcheck.canonical import RowSources
from portcheck.profiles.engine import _repeated


def test_reads_like_the_list():
    rows = RowSources([("a.csv", 2), ("b.csv", 0), ("b.csv", 3), ("a.csv", 1)])
    as_list = ["a.csv"] * 2 + ["b.csv"] * 3 + ["a.csv"]
    assert len(rows) == 6 and list(rows) == as_list and rows == as_list
    assert [rows[i] for i in range(-6, 6)] == as_list + as_list
    assert rows[1:4] == as_list[1:4] and rows[::-2] == as_list[::-2]
    assert rows.runs == [("a.csv", 2), ("b.csv", 3), ("a.csv", 1)]
    assert rows.names() == ["a.csv", "b.csv"]
    assert rows != as_list[:-1] and rows != ["a.csv"] * 6
    with pytest.raises(IndexError):
        rows[6]
    assert RowSources([]) == [] and len(RowSources([])) == 0


def test_keys_on_more_than_one_page_are_counted():
    table = pa.table({"id": ["1", "2", "3", "1", "4", "4", None, None]})
    # "1" is on page 1 and page 2; "4" twice on page 2 only; nulls never count
    assert _repeated(table, "id", RowSources([("p1.json", 3), ("p2.json", 5)])) == 1
    # the same page name in two runs is one page: nothing is repeated across pages
    assert _repeated(table, "id", RowSources([("p1.json", 1), ("p2.json", 2), ("p1.json", 5)])) == 0
    assert _repeated(table, "id", RowSources([("p1.json", 8)])) == 0
    assert _repeated(table, "missing", RowSources([("p1.json", 3), ("p2.json", 5)])) == 0
