"""With portcheck.evidence: a really signed report folder and its .zip bundle go into the archive, and
``verify_bundle`` (``portcheck verify``) checks the receipts the archive wrote. Skipped when that module is
not installed (the archive does not depend on it)."""

from __future__ import annotations

import pytest

from portcheck.archive import Archive, verify_receipt_file
from portcheck.errors import ArchiveError, VerificationError

evidence = pytest.importorskip("portcheck.evidence.verify")


@pytest.fixture
def signed_report(tmp_path):
    from portcheck.evidence.keys import generate_keypair
    from portcheck.evidence.sign import sign_report_dir
    from tests.evidence.conftest import make_report

    export, reference, out = tmp_path / "export", tmp_path / "reference", tmp_path / "out"
    export.mkdir()
    reference.mkdir()
    (export / "customer.csv").write_text("customer_id,name\nC1,Alpha\n", encoding="utf-8")
    (reference / "customer.csv").write_text("customer_id,name\nC1,Alpha\nC2,Beta\n", encoding="utf-8")
    make_report(out, export, reference)
    keys = generate_keypair(tmp_path / "keys")
    sign_report_dir(out, keys.private_path)
    return out, keys


def test_an_archived_report_folder_passes_portcheck_verify_with_its_receipt(signed_report, tmp_path):
    out, keys = signed_report
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url, create=True) as arc:
        added = arc.add_bundle(out, pubkey_pem=keys.public_path.read_bytes())
    assert added.signature.startswith("verified with the given public key")
    assert added.receipt_path == out / "archive-receipt.json"
    assert evidence.verify_bundle(out, pubkey=keys.public_path).receipt
    verify_receipt_file(added.receipt_path, url)


def test_an_archived_zip_bundle_passes_portcheck_verify_with_the_receipt_beside_it(signed_report, tmp_path):
    from portcheck.evidence.bundle import write_bundle

    out, keys = signed_report
    zipped = write_bundle(out, tmp_path / "exit-bundle.zip")
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url, create=True) as arc:
        added = arc.add_bundle(zipped)
    assert added.signature.startswith("verified with the bundle's own public.pem")
    assert added.receipt_path == tmp_path / "exit-bundle.zip.archive-receipt.json"
    assert evidence.verify_bundle(zipped, pubkey=keys.public_path).receipt
    verify_receipt_file(added.receipt_path, url)
    # the same envelope in the folder it came from is the same report: refused a second time
    with Archive.open(url) as arc, pytest.raises(ArchiveError, match="already archived as entry 0"):
        arc.add_bundle(out)


def test_a_report_signed_by_another_key_is_not_archived(signed_report, tmp_path):
    from portcheck.evidence.keys import generate_keypair

    out, _ = signed_report
    other = generate_keypair(tmp_path / "other")
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url, create=True) as arc, pytest.raises(VerificationError):
        arc.add_bundle(out, pubkey_pem=other.public_path.read_bytes())
    assert not (out / "archive-receipt.json").exists()
