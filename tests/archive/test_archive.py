"""The archive on SQLite and on a real PostgreSQL cluster: 50 appends, proofs, and tampering named per entry.

The base archive (built once per backend) holds 50 bundles added one by one (even ones as folders, odd
ones as .zip files), so it has 50 signed checkpoints, sizes 1 to 50. Each tampering test works on a copy
and changes exactly one thing with plain SQL, as someone with write access to the database could.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from portcheck.archive import Archive, ArchiveTampered, verify_receipt_file
from portcheck.archive import schema as S
from portcheck.archive.checkpoint import verify_checkpoint_note
from portcheck.archive.errors import ALTERED, CHECKPOINT, INSERTED, REMOVED, REORDERED
from portcheck.archive.merkle import leaf_hash, verify_consistency, verify_inclusion
from portcheck.errors import ArchiveError, InputError, OutputError, VerificationError
from tests.archive.conftest import copy_archive, make_bundle, make_envelope

N = 50


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base(request, tmp_path_factory):
    """(url, bundle paths, receipt paths, key path) of an archive holding 50 entries."""
    tmp = tmp_path_factory.mktemp("base")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'archive.db'}"
    else:
        url = request.getfixturevalue("pg_databases").create()
    key = tmp / "archive.key"
    bundles, receipts = [], []
    with Archive.open(url, key_path=key, create=True) as arc:
        for i in range(N):
            b = make_bundle(tmp, [make_envelope(i)], as_zip=bool(i % 2), name=f"drill-{i:02d}")
            result = arc.add_bundle(b)
            assert result.indices == (i,)
            bundles.append(b)
            receipts.append(result.receipt_path)
    return url, bundles, receipts, key


@pytest.fixture
def copy(base, tmp_path, request):
    """A fresh copy of the base archive for a test that tampers with it."""
    pg = request.getfixturevalue("pg_databases") if not base[0].startswith("sqlite") else None
    return copy_archive(base[0], tmp_path, pg)


def sql(url: str, *statements) -> None:
    """Runs SQLAlchemy statements on the archive database in one transaction, behind portcheck's back."""
    eng = sa.create_engine(url)
    try:
        with eng.begin() as conn:
            for st in statements:
                conn.execute(st)
    finally:
        eng.dispose()


def row(url: str, idx: int) -> dict:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            return dict(conn.execute(sa.select(S.entries).where(S.entries.c.idx == idx)).one()._mapping)
    finally:
        eng.dispose()


def audit(url: str):
    with Archive.open(url) as arc:
        return arc.audit()


def kinds(report) -> set[tuple[str, tuple[int, ...]]]:
    return {(p.kind, p.entries) for p in report.problems}


E = S.entries.c


# -- an untouched archive ------------------------------------------------------------------------------


def test_fifty_appends_give_a_tree_consistent_with_every_signed_checkpoint(base):
    report = audit(base[0])
    assert report.ok, report.problems
    assert report.entries == N
    assert report.checkpoints == report.checkpoints_signed == N
    assert report.consistency_proofs == N
    with Archive.open(base[0]) as arc:
        arc.verify()  # raises when anything is off


def test_every_inclusion_proof_verifies_against_the_latest_signed_checkpoint(base):
    url = base[0]
    with Archive.open(url) as arc:
        snap = arc.snapshot()
        latest = verify_checkpoint_note(snap.checkpoints[-1].note, snap.public_key, snap.origin)
        assert latest.size == N
        for i in range(N):
            proof = arc.prove(i, snapshot=snap)
            verify_inclusion(leaf_hash(snap.entries[i].envelope), i, N, proof.inclusion_proof, latest.root)
            assert proof.added_checkpoint.size == i + 1


def test_every_receipt_verifies_alone_and_against_the_archive(base):
    url, bundles, receipts, _ = base
    for i, r in enumerate(receipts):
        expected = bundles[i] / "archive-receipt.json" if i % 2 == 0 else \
            bundles[i].with_name(bundles[i].name + ".archive-receipt.json")
        assert r == expected and r.is_file()
        verify_receipt_file(r)
        verify_receipt_file(r, url)


def test_a_proof_against_an_early_checkpoint_verifies_through_a_consistency_proof_to_a_later_one(base):
    url, _, receipts, _ = base
    receipt = json.loads(receipts[10].read_text())
    pub = base64.b64decode(receipt["archive"]["public_key"])
    early = verify_checkpoint_note(receipt["checkpoint"]["note"], pub, receipt["archive"]["origin"])
    assert early.size == 11
    entry = receipt["entries"][0]
    verify_inclusion(bytes.fromhex(entry["leaf_hash"]), 10, 11,
                     [bytes.fromhex(h) for h in entry["inclusion_proof"]], early.root)
    with Archive.open(url) as arc:
        snap = arc.snapshot()
        later = verify_checkpoint_note(snap.checkpoints[-1].note, snap.public_key, snap.origin)
        proof = arc.prove(10, snapshot=snap)
        fresh = arc.receipt(10, snapshot=snap)
    assert later.size == N
    # the early checkpoint is a prefix of the later one ...
    verify_consistency(early.size, later.size, early.root, later.root, proof.consistency_proof)
    # ... and the entry is in the later one too
    verify_inclusion(bytes.fromhex(entry["leaf_hash"]), 10, N, proof.inclusion_proof, later.root)
    assert fresh["checkpoint"]["size"] == N and fresh["entries"][0]["leaf_hash"] == entry["leaf_hash"]
    # a consistency proof does not stretch to another early root
    with pytest.raises(VerificationError):
        verify_consistency(early.size, later.size, leaf_hash(b"x"), later.root, proof.consistency_proof)


def test_list_reads_verdict_and_claimed_time_from_the_stored_statement(base):
    from portcheck.archive.bundle import statement_info

    with Archive.open(base[0]) as arc:
        snap = arc.snapshot()
    assert [statement_info(e.envelope).verdict for e in snap.entries[:4]] == ["pass", "fail", "pass", "fail"]
    assert snap.entries[3].claimed_time == "2026-05-20T10:00:03Z"
    assert snap.entries[3].source == "drill-03.zip" and snap.entries[2].source == "drill-02"


# -- tampering, each named -----------------------------------------------------------------------------


def test_an_altered_envelope_is_named(copy):
    old = row(copy, 17)
    changed = old["envelope"].replace(b'"sig":"', b'"sig":"A')
    sql(copy, sa.update(S.entries).where(E.idx == 17).values(envelope=changed))
    report = audit(copy)
    assert kinds(report) == {(ALTERED, (17,))}
    with Archive.open(copy) as arc, pytest.raises(ArchiveTampered) as exc:
        arc.verify()
    assert "entry 17" in exc.value.message and exc.value.exit_code == 1


def test_an_envelope_altered_together_with_its_leaf_hash_is_named_by_its_checkpoint(copy):
    forged = make_envelope(17, tag="forged")
    sql(copy, sa.update(S.entries).where(E.idx == 17).values(envelope=forged, leaf_hash=leaf_hash(forged)))
    report = audit(copy)
    assert kinds(report) == {(ALTERED, (17,))}
    assert "checkpoint of size 18" in report.problems[0].message


def test_a_deleted_row_is_named(copy):
    sql(copy, sa.delete(S.entries).where(E.idx == 17))
    assert kinds(audit(copy)) == {(REMOVED, (17,))}


def test_a_deleted_last_row_is_named(copy):
    sql(copy, sa.delete(S.entries).where(E.idx == N - 1))
    assert kinds(audit(copy)) == {(REMOVED, (N - 1,))}


def test_a_deleted_row_with_the_later_ones_renumbered_is_named(copy):
    sql(copy, sa.delete(S.entries).where(E.idx == 17),
        sa.update(S.entries).where(E.idx > 17).values(idx=E.idx + 1000),
        sa.update(S.entries).where(E.idx > 1000).values(idx=E.idx - 1001))
    assert kinds(audit(copy)) == {(REMOVED, (17,))}


def _new_row(idx: int, n: int) -> dict:
    env = make_envelope(n, tag="inserted")
    return dict(idx=idx, leaf_hash=leaf_hash(env), envelope=env, envelope_sha256="0" * 64,
                added_at="2026-05-20T11:00:00Z", source="forged", bundle_sha256="0" * 64)


def test_a_row_inserted_after_the_last_checkpoint_is_named(copy):
    sql(copy, sa.insert(S.entries).values(**_new_row(N, 999)))
    assert kinds(audit(copy)) == {(INSERTED, (N,))}


def test_a_row_inserted_in_the_middle_is_named(copy):
    sql(copy, sa.update(S.entries).where(E.idx >= 20).values(idx=E.idx + 1000),
        sa.update(S.entries).where(E.idx >= 1000).values(idx=E.idx - 999),
        sa.insert(S.entries).values(**_new_row(20, 999)))
    assert kinds(audit(copy)) == {(INSERTED, (20,))}


def _swap(url: str, a: int, b: int) -> None:
    ra, rb = row(url, a), row(url, b)
    cols = {k: v for k, v in ra.items() if k != "idx"}
    sql(url, sa.update(S.entries).where(E.idx == a).values(**{k: v for k, v in rb.items() if k != "idx"}),
        sa.update(S.entries).where(E.idx == b).values(**cols))


@pytest.mark.parametrize(("a", "b"), [(10, 30), (48, 49)])
def test_two_swapped_rows_are_named(copy, a, b):
    _swap(copy, a, b)
    assert kinds(audit(copy)) == {(REORDERED, (a, b))}


def test_a_forged_checkpoint_is_named(copy):
    eng = sa.create_engine(copy)
    with eng.connect() as conn:
        note = conn.execute(sa.select(S.checkpoints.c.note).where(S.checkpoints.c.size == 30)).scalar_one()
    eng.dispose()
    lines = note.split("\n")
    lines[2] = base64.b64encode(leaf_hash(b"forged")).decode()
    sql(copy, sa.update(S.checkpoints).where(S.checkpoints.c.size == 30).values(note="\n".join(lines)))
    report = audit(copy)
    assert {p.kind for p in report.problems} == {CHECKPOINT}
    assert "size 30" in report.problems[0].message


def test_the_receipt_of_an_altered_entry_no_longer_verifies_against_the_archive(base, copy):
    forged = make_envelope(4, tag="forged")
    sql(copy, sa.update(S.entries).where(E.idx == 4).values(envelope=forged, leaf_hash=leaf_hash(forged)))
    verify_receipt_file(base[2][4])  # the receipt and its bundle still agree with each other
    with pytest.raises(VerificationError):
        verify_receipt_file(base[2][4], copy)


def test_appending_to_a_tampered_archive_is_refused(copy):
    _swap(copy, 3, 4)
    with Archive.open(copy, create=True) as arc, \
            pytest.raises(VerificationError, match="latest signed checkpoint"):
        arc.append([make_envelope(777)], source="x", bundle_sha256="0" * 64)
    assert kinds(audit(copy)) == {(REORDERED, (3, 4))}  # nothing was added


def test_appending_without_the_archive_key_is_refused(copy, tmp_path):
    from portcheck.errors import KeyError_

    with Archive.open(copy, key_path=tmp_path / "other.key", create=True) as arc, pytest.raises(KeyError_):
        arc.append([make_envelope(778)], source="x", bundle_sha256="0" * 64)


# -- adding bundles ------------------------------------------------------------------------------------


def test_a_report_is_archived_once(archive_url, tmp_path):
    b = make_bundle(tmp_path, [make_envelope(1)])
    with Archive.open(archive_url, create=True) as arc:
        arc.add_bundle(b)
        with pytest.raises(OutputError, match="already exists"):
            arc.add_bundle(b)
        with pytest.raises(ArchiveError, match="already archived as entry 0"):
            arc.add_bundle(b, force=True)
        assert len(arc.snapshot().entries) == 1


def test_a_bundle_with_several_envelopes_gets_one_entry_each_and_one_receipt(archive_url, tmp_path):
    b = make_bundle(tmp_path, [make_envelope(1), make_envelope(2), make_envelope(3)], as_zip=True)
    with Archive.open(archive_url, create=True) as arc:
        result = arc.add_bundle(b)
        assert result.indices == (0, 1, 2)
        report = arc.verify()
    assert report.checkpoints == 1 and report.entries == 3
    verify_receipt_file(result.receipt_path, archive_url)


def test_the_receipt_names_the_leaf_of_the_exact_envelope_line(archive_url, tmp_path):
    env = make_envelope(5)
    b = make_bundle(tmp_path, [env])
    (b / "report.intoto.jsonl").write_bytes(env + b"\r\n\n")  # CRLF and a blank line: same envelope bytes
    with Archive.open(archive_url, create=True) as arc:
        result = arc.add_bundle(b)
        stored = arc.snapshot().entries[0].envelope
    assert stored == env
    assert result.receipt["entries"][0]["leaf_hash"] == leaf_hash(env).hex()


def test_a_changed_zip_bundle_fails_its_receipt(archive_url, tmp_path):
    import zipfile

    b = make_bundle(tmp_path, [make_envelope(8)], as_zip=True)
    with Archive.open(archive_url, create=True) as arc:
        receipt = arc.add_bundle(b).receipt_path
    verify_receipt_file(receipt, archive_url)
    with zipfile.ZipFile(b, "w") as zf:
        zf.writestr("report.intoto.jsonl", make_envelope(9) + b"\n")
    with pytest.raises(VerificationError, match="not the one archived as entry 0"):
        verify_receipt_file(receipt)


def test_a_receipt_taken_out_of_its_bundle_verifies_with_the_envelope_bytes(archive_url, tmp_path):
    env = make_envelope(12)
    b = make_bundle(tmp_path, [env])
    with Archive.open(archive_url, create=True) as arc:
        receipt = arc.add_bundle(b).receipt_path
    lone = tmp_path / "elsewhere" / "archive-receipt.json"
    lone.parent.mkdir()
    lone.write_bytes(receipt.read_bytes())
    with pytest.raises(InputError):
        verify_receipt_file(lone)
    verify_receipt_file(lone, archive_url, envelopes=env + b"\n")
    with pytest.raises(VerificationError):
        verify_receipt_file(lone, envelopes=make_envelope(13) + b"\n")


def test_a_receipt_from_another_archive_is_rejected(archive_url, tmp_path):
    b1 = make_bundle(tmp_path, [make_envelope(1)], name="one")
    b2 = make_bundle(tmp_path, [make_envelope(2)], name="two")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with Archive.open(archive_url, create=True) as arc:
        arc.add_bundle(b1)
    with Archive.open(other, create=True) as arc:
        receipt = arc.add_bundle(b2).receipt_path
    with pytest.raises(VerificationError, match="from archive"):
        verify_receipt_file(receipt, archive_url)


def test_a_tampered_receipt_is_rejected(archive_url, tmp_path):
    b = make_bundle(tmp_path, [make_envelope(1)])
    with Archive.open(archive_url, create=True) as arc:
        path = arc.add_bundle(b).receipt_path
    data = json.loads(path.read_text())
    data["checkpoint"]["note"] = data["checkpoint"]["note"].replace("\n1\n", "\n2\n", 1)
    path.write_text(json.dumps(data))
    with pytest.raises(VerificationError):
        verify_receipt_file(path)


def test_an_envelope_whose_signature_fails_is_not_archived(archive_url, tmp_path):
    pytest.importorskip("portcheck.evidence.dsse")
    env = json.loads(make_envelope(3))
    env["signatures"][0]["sig"] = base64.b64encode(b"\0" * 64).decode()
    b = make_bundle(tmp_path, [json.dumps(env).encode()])
    with Archive.open(archive_url, create=True) as arc:
        with pytest.raises(VerificationError):
            arc.add_bundle(b)
        ok = arc.add_bundle(make_bundle(tmp_path, [make_envelope(4)], name="good"))
    assert "verified with the bundle's own public.pem" in ok.signature
    assert not (b / "archive-receipt.json").exists()


def test_a_folder_without_an_envelope_is_unusable_input(archive_url, tmp_path):
    (tmp_path / "empty").mkdir()
    with Archive.open(archive_url, create=True) as arc, pytest.raises(InputError):
        arc.add_bundle(tmp_path / "empty")


def test_a_missing_sqlite_archive_is_not_created_by_reading(tmp_path):
    path = tmp_path / "none.db"
    with pytest.raises(ArchiveError, match="no archive"):
        Archive.open(f"sqlite:///{path}")
    assert not path.exists()


def _hold_write_lock_on_a_rollback_journal_database(path: Path):
    """A connection holding a write lock on a database still in rollback-journal mode: SQLite then refuses
    another connection's switch to WAL at once, without waiting (its deadlock rule)."""
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE unrelated (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO unrelated VALUES (1)")
    return holder


def test_a_sqlite_archive_opened_while_another_connection_writes_waits_for_it(tmp_path):
    import threading

    path = tmp_path / "a.db"
    holder = _hold_write_lock_on_a_rollback_journal_database(path)
    release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
    release.start()
    try:
        with Archive.open(f"sqlite:///{path}", create=True) as arc:
            arc.append([make_envelope(1)], source="s", bundle_sha256="0" * 64)
            assert len(arc.snapshot().entries) == 1
    finally:
        release.join()
        holder.close()
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_sqlite_archive_locked_for_longer_than_the_busy_timeout_is_unusable(tmp_path, monkeypatch):
    from portcheck.archive import store

    monkeypatch.setattr(store, "SQLITE_BUSY_TIMEOUT", 0.2)
    path = tmp_path / "a.db"
    holder = _hold_write_lock_on_a_rollback_journal_database(path)
    try:
        with Archive.open(f"sqlite:///{path}", create=True) as arc, \
                pytest.raises(ArchiveError, match="cannot be used [(]database is locked[)]") as exc:
            arc.append([make_envelope(1)], source="s", bundle_sha256="0" * 64)
        assert exc.value.exit_code == 2
    finally:
        holder.close()


def test_an_unreachable_postgresql_server_is_unusable(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Archive.open(f"postgresql://nobody@127.0.0.1:{port}/x", key_path=tmp_path / "k") as arc, \
            pytest.raises(ArchiveError, match="cannot be used") as exc:
        arc.snapshot()
    assert exc.value.exit_code == 2


def test_the_archive_key_is_private_and_beside_the_sqlite_file(tmp_path):
    import stat

    url = f"sqlite:///{tmp_path / 'a.db'}"
    with Archive.open(url, create=True) as arc:
        arc.append([make_envelope(1)], source="s", bundle_sha256="0" * 64)
    key = tmp_path / "a.db.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    from portcheck.errors import KeyError_

    with Archive.open(url) as arc, pytest.raises(KeyError_, match="other users") as exc:
        arc.append([make_envelope(2)], source="s", bundle_sha256="0" * 64)
    assert exc.value.hint == f"chmod 600 {key}"


def test_default_archive_is_a_sqlite_file_in_the_user_data_dir(_private_dirs):
    from portcheck.archive import default_archive_url

    assert default_archive_url() == f"sqlite:///{Path(_private_dirs) / 'data' / 'portcheck' / 'archive.db'}"
    assert default_archive_url({"PORTCHECK_ARCHIVE_URL": "postgresql://h/db"}) == "postgresql://h/db"
