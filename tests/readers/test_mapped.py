"""Large delimited text files are mapped, not read: same tables, nothing left mapped or open afterwards."""

from __future__ import annotations

import mmap
import os
import sys
from pathlib import Path

import pytest

import portcheck.readers as readers
from portcheck.readers.csvfile import _count_byte
from tests.readers.conftest import only_table, rows


def test_text_files_are_mapped_and_others_read(write, file_access):
    csv_path = write("a.csv", "id,name\n1,王伟\n")
    json_path = write("a.json", '[{"id": 1}]')
    got = readers._read_file(csv_path, "a.csv")
    assert isinstance(got, mmap.mmap) == (file_access == "mapped")
    assert bytes(got[:]) == csv_path.read_bytes()
    assert isinstance(readers._read_file(json_path, "a.json"), bytes)


def test_mapped_and_read_files_give_the_same_table(write, file_access):
    text = 'id,name,note\n1,王伟,"two\nlines"\n2,"O\'Brien, Ltd","say ""hi"""\n3,,\n'
    t = only_table(write("c.csv", text))
    assert rows(t) == [
        {"id": "1", "name": "王伟", "note": "two\nlines"},
        {"id": "2", "name": "O'Brien, Ltd", "note": 'say "hi"'},
        {"id": "3", "name": "", "note": ""},
    ]
    assert t.source.sha256 and t.source.bytes == len(text.encode())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_nothing_stays_mapped_or_open(write, file_access):
    path = write("big.csv", "id,v\n" + "".join(f"{i},{i * 7}\n" for i in range(5000)))
    t = only_table(path)
    assert t.table.num_rows == 5000
    del t
    import gc

    gc.collect()
    assert str(path) not in Path("/proc/self/maps").read_text()
    fds = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
           if os.path.exists(f"/proc/self/fd/{fd}")]
    assert str(path) not in fds
    path.write_text("id\n")  # the input can be changed again: nothing holds it
    assert only_table(path).table.num_rows == 0


def test_a_workbook_named_csv_is_read_as_a_workbook(write, file_access, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["id", "name"])
    wb.active.append(["1", "王伟"])
    wb.save(tmp_path / "book.xlsx")
    path = write("book.csv", (tmp_path / "book.xlsx").read_bytes())
    source = readers.read_export(path)
    assert [r["name"] for r in rows(source.tables[0])] == ["王伟"]
    assert any("Excel workbook" in i for i in source.tables[0].issues)


@pytest.mark.parametrize("start,end", [(0, None), (3, None), (0, 5), (5, 5), (7, 1000), (2, -1)])
def test_count_byte_counts_a_slice(start, end):
    data = b'a"b\n"c\n\n"d"' * 3
    assert _count_byte(data, 0x0A, start, end) == data[start:end].count(b"\n")
