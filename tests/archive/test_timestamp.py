"""Trusted time: RFC 3161 tokens from a local OpenSSL time-stamping authority (no network).

The TSA (tests/archive/tsa.py) has a test CA and a TSA certificate with extendedKeyUsage critical
timeStamping; ``openssl ts -reply`` answers POSTs from an http.server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import shutil

import pytest
import sqlalchemy as sa

from portcheck.archive import Archive, verify_receipt_file
from portcheck.archive import schema as S
from portcheck.archive.errors import TIMESTAMP
from portcheck.archive.timestamp import request_timestamp, verify_timestamp
from portcheck.errors import InputError, VerificationError
from tests.archive.conftest import make_bundle, make_envelope
from tests.archive.tsa import LocalTSA, make_ca_and_tsa

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="the openssl command is not installed")


@pytest.fixture
def tsa(tmp_path):
    with LocalTSA(tmp_path / "tsa") as t:
        yield t


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'archive.db'}"


def test_a_token_is_over_the_envelopes_sha256_and_chains_to_the_tsa_ca(tsa):
    env = make_envelope(1)
    ts = request_timestamp(env, tsa.url, tsa.ca.read_bytes())
    assert verify_timestamp(ts.token, env, tsa.ca.read_bytes()) == ts.gen_time
    assert ts.gen_time.endswith("Z")


def test_a_token_over_different_bytes_is_rejected(tsa):
    ts = request_timestamp(make_envelope(1), tsa.url, tsa.ca.read_bytes())
    with pytest.raises(VerificationError, match="different bytes"):
        verify_timestamp(ts.token, make_envelope(2), tsa.ca.read_bytes())


def test_a_token_from_an_untrusted_ca_is_rejected(tsa, tmp_path):
    (tmp_path / "other").mkdir()
    other_ca, _, _ = make_ca_and_tsa(tmp_path / "other")
    ts = request_timestamp(make_envelope(1), tsa.url, tsa.ca.read_bytes())
    with pytest.raises(VerificationError, match="does not verify"):
        verify_timestamp(ts.token, make_envelope(1), other_ca.read_bytes())


def test_a_tsa_that_stamps_other_bytes_is_refused_and_nothing_is_archived(tmp_path, url):
    b = make_bundle(tmp_path, [make_envelope(1)])
    with LocalTSA(tmp_path / "bad-tsa", stamp_other_bytes=True) as bad, Archive.open(url, create=True) as arc:
        with pytest.raises(VerificationError, match="different bytes"):
            arc.add_bundle(b, tsa_url=bad.url, tsa_certs=bad.ca.read_bytes())
        assert bad.requests == 1
    assert not (b / "archive-receipt.json").exists()
    with pytest.raises(Exception, match="no archive|holds no"):
        Archive.open(url).snapshot()


def test_an_unreachable_tsa_is_unusable_input(tmp_path, url):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Archive.open(url, create=True) as arc, pytest.raises(InputError, match="cannot be reached"):
        arc.add_bundle(make_bundle(tmp_path, [make_envelope(1)]), tsa_url=f"http://127.0.0.1:{port}/")


def test_archived_tokens_are_stored_checked_by_verify_and_carried_by_the_receipt(tsa, tmp_path, url):
    ca = tsa.ca.read_bytes()
    with Archive.open(url, create=True) as arc:
        r1 = arc.add_bundle(make_bundle(tmp_path, [make_envelope(1)], name="a"), tsa_url=tsa.url,
                            tsa_certs=ca)
        r2 = arc.add_bundle(make_bundle(tmp_path, [make_envelope(2)], name="b", as_zip=True), tsa_url=tsa.url,
                            tsa_certs=ca)
        arc.add_bundle(make_bundle(tmp_path, [make_envelope(3)], name="c"))  # no TSA: claimed time only
        report = arc.verify()
        snap = arc.snapshot()
    assert (report.timestamps, report.timestamps_trusted) == (2, 2)
    assert [e.tsa_token is not None for e in snap.entries] == [True, True, False]
    entry = r1.receipt["entries"][0]
    assert entry["time_label"] == "rfc3161" and entry["timestamp"]["time"] == snap.entries[0].tsa_time
    assert r2.receipt["entries"][0]["time_label"] == "rfc3161"
    plain = json.loads((tmp_path / "c" / "archive-receipt.json").read_text())
    assert plain["entries"][0]["time_label"] == "claimed"
    verify_receipt_file(r1.receipt_path, url)
    verify_receipt_file(r2.receipt_path, url)
    # a receipt whose token was swapped for another entry's is rejected
    data = json.loads(r1.receipt_path.read_text())
    data["entries"][0]["timestamp"]["token"] = base64.b64encode(snap.entries[1].tsa_token).decode()
    r1.receipt_path.write_text(json.dumps(data))
    with pytest.raises(VerificationError, match="different bytes"):
        verify_receipt_file(r1.receipt_path)


def test_verify_names_entries_whose_tokens_were_swapped(tsa, tmp_path, url):
    ca = tsa.ca.read_bytes()
    with Archive.open(url, create=True) as arc:
        for i in range(3):
            arc.add_bundle(make_bundle(tmp_path, [make_envelope(i)], name=f"b{i}"), tsa_url=tsa.url,
                           tsa_certs=ca)
        tokens = [e.tsa_token for e in arc.snapshot().entries]
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.update(S.entries).where(S.entries.c.idx == 0).values(tsa_token=tokens[2]))
        conn.execute(sa.update(S.entries).where(S.entries.c.idx == 2).values(tsa_token=tokens[0]))
    eng.dispose()
    with Archive.open(url) as arc:
        report = arc.audit()
    assert {(p.kind, p.entries) for p in report.problems} == {(TIMESTAMP, (0,)), (TIMESTAMP, (2,))}


def test_verify_with_another_tsa_certificate_rejects_the_tokens(tsa, tmp_path, url):
    (tmp_path / "other").mkdir()
    other_ca, _, _ = make_ca_and_tsa(tmp_path / "other")
    with Archive.open(url, create=True) as arc:
        arc.add_bundle(make_bundle(tmp_path, [make_envelope(1)]), tsa_url=tsa.url,
                       tsa_certs=tsa.ca.read_bytes())
        assert arc.audit().ok
        report = arc.audit(tsa_certs=other_ca.read_bytes())
    assert [p.kind for p in report.problems] == [TIMESTAMP]
    assert "does not verify" in report.problems[0].message
