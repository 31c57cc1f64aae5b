"""Folders: sorted reading order, every file listed with its hash, links out of the folder refused."""

from __future__ import annotations

import hashlib
import os

import pytest

from portcheck.errors import InputError, ReadError
from portcheck.readers import read_export

from .conftest import read


def test_files_are_read_in_sorted_path_order_and_all_listed(write, tmp_path):
    write("exp/b/Contact.csv", "Id\n1\n")
    write("exp/Account.csv", "Id\n1\n")
    write("exp/a/Opportunity.json", '{"records": [{"Id": "1"}]}')
    write("exp/notes.pdf", b"%PDF-1.4 ...")
    source = read_export(tmp_path / "exp")
    assert [t.name for t in source.tables] == ["Account.csv", "a/Opportunity.json#records", "b/Contact.csv"]
    assert [f.name for f in source.files] == [
        "Account.csv",
        "a/Opportunity.json",
        "b/Contact.csv",
        "notes.pdf",
    ]
    assert source.skipped == [("notes.pdf", "not a format portcheck reads (.pdf)")]
    pdf = source.files[3]
    assert pdf.sha256 == hashlib.sha256(b"%PDF-1.4 ...").hexdigest() and pdf.bytes == 12
    assert pdf.mtime == os.stat(tmp_path / "exp" / "notes.pdf").st_mtime
    assert source.root == str(tmp_path / "exp") and source.role == "export"


def test_inputs_are_not_modified(write, tmp_path):
    p = write("exp/Account.csv", "Id,Name\n1,Acme\n")
    before = (p.read_bytes(), os.stat(p).st_mtime_ns)
    read_export(tmp_path / "exp")
    assert (p.read_bytes(), os.stat(p).st_mtime_ns) == before


def test_symlink_to_a_file_outside_the_folder_is_refused(write, tmp_path):
    secret = write("secret.csv", "a\n1\n")
    write("exp/Account.csv", "Id\n1\n")
    os.symlink(secret, tmp_path / "exp" / "Contact.csv")
    with pytest.raises(InputError, match="outside the export folder"):
        read_export(tmp_path / "exp")


def test_symlink_to_a_folder_outside_is_refused(write, tmp_path):
    write("elsewhere/x.csv", "a\n1\n")
    write("exp/Account.csv", "Id\n1\n")
    os.symlink(tmp_path / "elsewhere", tmp_path / "exp" / "more")
    with pytest.raises(InputError, match="outside the export folder"):
        read_export(tmp_path / "exp")


def test_symlinks_inside_the_folder_are_allowed(write, tmp_path):
    write("exp/data/Account.csv", "Id\n1\n")
    os.symlink(tmp_path / "exp" / "data" / "Account.csv", tmp_path / "exp" / "latest.csv")
    os.symlink(tmp_path / "exp" / "data", tmp_path / "exp" / "current")
    source = read_export(tmp_path / "exp")
    assert [t.name for t in source.tables] == ["data/Account.csv", "latest.csv"]
    assert ("current", "symbolic link to a folder: not followed") in source.skipped


def test_litter_and_empty_files_in_a_folder_are_skipped_with_reasons(write, tmp_path):
    write("exp/.DS_Store", b"\0\0\0\1Bud1")
    write("exp/~$book.xlsx", b"owner")
    write("exp/Task.csv", b"")
    write("exp/Account.csv", "Id\n1\n")
    source = read_export(tmp_path / "exp")
    assert [t.name for t in source.tables] == ["Account.csv"]
    assert dict(source.skipped) == {
        ".DS_Store": "operating-system or editor litter",
        "Task.csv": "empty file (0 bytes)",
        "~$book.xlsx": "operating-system or editor litter",
    }


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist") as e:
        read(tmp_path / "nope")
    assert e.value.hint


def test_a_single_empty_file_is_refused(write):
    with pytest.raises(ReadError, match=r"empty \(0 bytes\)"):
        read(write("Account.json", b""))


def test_large_file_hash_computed_alongside_parsing_is_right(write):
    data = ("Id,Name\n" + "".join(f"{i},name {i}\n" for i in range(400_000))).encode()
    assert len(data) > 4 << 20  # hashed in a background thread
    source = read(write("big.csv", data))
    assert source.files[0].sha256 == hashlib.sha256(data).hexdigest()
    assert source.tables[0].source is source.files[0]
    assert source.tables[0].rows == 400_000
