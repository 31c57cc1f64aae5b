"""Inputs hashed ahead of their reading (``readers.hash_ahead``): the digest is always of the bytes parsed,
each file is hashed once, and nothing is left registered or mapped."""

from __future__ import annotations

import hashlib
import threading

import pytest

import portcheck.readers as readers
from portcheck.readers import _ahead
from tests.readers.conftest import read


@pytest.fixture(autouse=True)
def clean_registry():
    _ahead.forget()
    yield
    _ahead.forget()


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder(write):
    a = write("exp/contact.csv", "id,name\n" + "".join(f"{i},王伟{i}\n" for i in range(3000)))
    b = write("exp/customer.csv", "id,name\n1,甲公司\n")
    write("exp/notes.json", '[{"id": 1}]')
    return a.parent, a, b


def _count_hashes(monkeypatch) -> list[int]:
    """Every SHA-256 computed from now on, by size: a file hashed twice shows twice."""
    calls: list[int] = []
    real = hashlib.sha256

    def counting(data=b""):
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(hashlib, "sha256", counting)
    return calls


def test_digests_hashed_ahead_are_the_files_and_each_is_hashed_once(write, file_access, monkeypatch):
    root, a, b = _folder(write)
    want = {"contact.csv": _sha(a), "customer.csv": _sha(b)}
    calls = _count_hashes(monkeypatch)
    readers.hash_ahead([root])
    registered = set(_ahead._FILES)
    source = read(root)
    digests = {f.name: f.sha256 for f in source.files}
    assert digests["contact.csv"] == want["contact.csv"] and digests["customer.csv"] == want["customer.csv"]
    if file_access == "mapped":  # every text file is large enough to be hashed ahead
        assert len(registered) == 2
    else:
        assert not registered
    assert not _ahead._FILES and not _ahead._TAKEN  # all taken
    sizes = sorted(calls)
    assert sizes == sorted([a.stat().st_size, b.stat().st_size, (root / "notes.json").stat().st_size])


def test_a_file_changed_after_it_was_registered_is_read_and_hashed_as_it_is_now(write, monkeypatch):
    monkeypatch.setattr(readers, "MAP_MIN", 1)
    root, a, _ = _folder(write)
    gate = threading.Event()
    real = _ahead._hash_all
    monkeypatch.setattr(_ahead, "_hash_all", lambda files: (gate.wait(10), real(files)))
    readers.hash_ahead([root])
    old = _ahead._FILES[str(a.resolve())]
    # another size: another file (the thread waits meanwhile: cutting a file short under a map that is
    # being read ends the process with SIGBUS, as the readers' docstring says)
    a.write_text("id,name\n1,changed\n2,too\n", encoding="utf-8")
    result = {}
    reader = threading.Thread(target=lambda: result.setdefault("source", read(root)))
    reader.start()
    for _ in range(500):  # until the reader has come to the changed file
        if old.claimed:
            break
        reader.join(0.01)
    gate.set()
    reader.join(10)
    source = result["source"]
    assert {f.name: f.sha256 for f in source.files}["contact.csv"] == _sha(a)
    table = next(t for t in source.tables if t.name == "contact.csv")
    assert table.table.column("name").to_pylist() == ["changed", "too"]


def test_a_file_no_thread_will_come_to_is_hashed_by_its_reader_once(write, monkeypatch):
    monkeypatch.setattr(readers, "MAP_MIN", 1)
    root, a, b = _folder(write)
    files = _ahead._files_under(root, readers.TEXT_SUFFIXES, 1)  # registered, no thread started
    assert len(files) == 2
    source = read(root)
    assert {f.name: f.sha256 for f in source.files}["contact.csv"] == _sha(a)
    calls = _count_hashes(monkeypatch)
    _ahead._hash_all(files)  # a thread, late: the readers hashed both files
    assert calls == []


def test_forgetting_a_file_a_reader_waits_for_lets_the_reader_hash_it(write, monkeypatch):
    monkeypatch.setattr(readers, "MAP_MIN", 1)
    root, a, _ = _folder(write)
    files = _ahead._files_under(root, readers.TEXT_SUFFIXES, 1)
    gate = threading.Event()
    thread = threading.Thread(target=gate.wait, args=(10,), daemon=True)  # alive, never hashing
    for f in files:
        f.thread = thread
    thread.start()
    result = {}
    reader = threading.Thread(target=lambda: result.setdefault("source", read(root)))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive()  # waiting for the thread
    _ahead.forget()  # (a run that stops): the reader is not left waiting
    reader.join(5)
    gate.set()
    assert {f.name: f.sha256 for f in result["source"].files}["contact.csv"] == _sha(a)


def test_a_digest_waits_for_the_thread_at_work_on_it(write, monkeypatch):
    monkeypatch.setattr(readers, "MAP_MIN", 1)
    root, a, _ = _folder(write)
    files = _ahead._files_under(root, readers.TEXT_SUFFIXES, 1)
    with _ahead._LOCK:
        for f in files:
            f.claimed = True  # as the thread does when it begins a file
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("source", read(root)))
    t.start()
    t.join(0.5)
    assert t.is_alive()  # the reader waits for the digest of the file the thread is hashing
    for f in files:
        f.value = hashlib.sha256(f.data).hexdigest()
        f.done.set()
    t.join(5)
    assert {f.name: f.sha256 for f in result["source"].files}["contact.csv"] == _sha(a)


def test_paths_that_are_not_files_or_folders_are_left_to_the_readers(tmp_path):
    readers.hash_ahead([tmp_path / "missing", "postgresql://user@host/db", None])
    assert not _ahead._FILES


def test_forget_leaves_nothing_and_reading_still_works(write, monkeypatch):
    monkeypatch.setattr(readers, "MAP_MIN", 1)
    root, a, _ = _folder(write)
    files = _ahead._files_under(root, readers.TEXT_SUFFIXES, 1)
    _ahead.forget()
    assert not _ahead._FILES and all(f.claimed for f in files)
    assert {f.name: f.sha256 for f in read(root).files}["contact.csv"] == _sha(a)
