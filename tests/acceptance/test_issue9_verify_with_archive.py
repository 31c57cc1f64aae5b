"""Issue 9: "`portcheck verify` of a bundle also checks its receipt's inclusion proof when the archive is
reachable" — a bundle whose archive entry was removed must not verify while that archive is reachable."""

from __future__ import annotations

import sqlite3

import pytest

from tests.acceptance.conftest import write
from tests.conftest import run_portcheck


@pytest.fixture
def archived_bundle(tmp_path):
    export = tmp_path / "export"
    write(export, "customer.csv", "customer_id,name\nC1,Acme\n")
    keys = run_portcheck("keys", "generate", "--out", str(tmp_path / "keys"), "--no-passphrase")
    assert keys.returncode == 0, keys.stderr
    run = run_portcheck("check", str(export), "--reference", str(export), "--out", str(tmp_path / "out"),
                        "--sign-key", str(tmp_path / "keys" / "private.pem"), "--bundle", str(tmp_path / "bundle"))
    assert run.returncode in (0, 1), run.stderr
    db = tmp_path / "archive.db"
    add = run_portcheck("archive", "add", str(tmp_path / "bundle"), "--db", f"sqlite:///{db}")
    assert add.returncode == 0, add.stderr
    assert (tmp_path / "bundle" / "archive-receipt.json").is_file()
    return tmp_path / "bundle", tmp_path / "keys" / "public.pem", db


def _verify(bundle, pubkey, db):
    return run_portcheck("verify", str(bundle), "--pubkey", str(pubkey), "--json",
                         env={"PORTCHECK_ARCHIVE_URL": f"sqlite:///{db}"})


def test_issue9_archived_bundle_verifies_with_its_receipt(archived_bundle):
    bundle, pubkey, db = archived_bundle
    run = _verify(bundle, pubkey, db)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"archive_receipt"' in run.stdout and "archive-receipt.json" in run.stdout


def test_issue9_verify_fails_when_the_reachable_archive_no_longer_holds_the_entry(archived_bundle):
    bundle, pubkey, db = archived_bundle
    with sqlite3.connect(db) as conn:  # cut the entry and its checkpoint: `archive verify` alone cannot tell
        conn.execute("DELETE FROM archive_entries")
        conn.execute("DELETE FROM archive_checkpoints")
    run = _verify(bundle, pubkey, db)
    assert run.returncode == 1, run.stdout + run.stderr


def _other_archive(tmp_path):
    """An archive on this machine that did not issue the bundle's receipt (it holds another report)."""
    other = tmp_path / "other"
    write(other / "export", "customer.csv", "customer_id,name\nC9,Other\n")
    run_portcheck("keys", "generate", "--out", str(other / "keys"), "--no-passphrase")
    run_portcheck("check", str(other / "export"), "--out", str(other / "out"),
                  "--sign-key", str(other / "keys" / "private.pem"), "--bundle", str(other / "bundle"))
    db = other / "archive.db"
    assert run_portcheck("archive", "add", str(other / "bundle"), "--db", f"sqlite:///{db}").returncode == 0
    return db


def test_issue9_the_local_archive_that_did_not_issue_the_receipt_is_not_held_against_it(archived_bundle, tmp_path):
    bundle, pubkey, _ = archived_bundle
    foreign = _other_archive(tmp_path)
    # The machine's default archive (the environment) is another one: the receipt is checked on its own.
    run = _verify(bundle, pubkey, foreign)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"receipt_checked_against_archive": null' in run.stdout
    # Named explicitly with --db, the wrong archive is an invalid receipt: exit 1.
    run = run_portcheck("verify", str(bundle), "--pubkey", str(pubkey), "--db", f"sqlite:///{foreign}")
    assert run.returncode == 1 and "receipt is from archive" in run.stdout + run.stderr
