"""``portcheck archive add | list | show | verify``: output, files written and exit codes (0 / 1 / 2)."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlalchemy as sa

from portcheck.archive import schema as S
from portcheck.cli import main
from tests.archive.conftest import make_bundle, make_envelope


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.fixture
def three(tmp_path, capsys):
    """An archive (default location) holding three bundles: two folders and one .zip."""
    bundles = [make_bundle(tmp_path, [make_envelope(i)], name=f"drill-{i}", as_zip=(i == 1))
               for i in range(3)]
    for b in bundles:
        code, out, err = run(capsys, "archive", "add", str(b))
        assert code == 0, err
    return bundles


def test_add_prints_the_entry_and_writes_the_receipt_into_the_folder(tmp_path, capsys, _private_dirs):
    b = make_bundle(tmp_path, [make_envelope(4)], name="acme-exit")
    code, out, err = run(capsys, "archive", "add", str(b))
    assert code == 0, err
    assert "archived acme-exit as entry 0" in out
    assert "(claimed)" in out and "checkpoint: size 1" in out
    assert f"receipt: {b / 'archive-receipt.json'}" in out
    assert (_private_dirs / "data" / "portcheck" / "archive.db").is_file()
    assert (_private_dirs / "data" / "portcheck" / "archive.db.key").is_file()


def test_add_of_a_zip_writes_the_receipt_beside_it(tmp_path, capsys):
    b = make_bundle(tmp_path, [make_envelope(5)], name="exit", as_zip=True)
    code, out, _ = run(capsys, "archive", "add", str(b), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["indices"] == [0]
    assert data["receipt_path"] == str(tmp_path / "exit.zip.archive-receipt.json")
    assert (tmp_path / "exit.zip.archive-receipt.json").is_file()


def test_list_shows_index_time_source_verdict_and_leaf(three, capsys):
    code, out, _ = run(capsys, "archive", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["index", "time", "verdict", "leaf", "source"]
    assert lines[1].split()[:4] == ["0", "2026-05-20T10:00:00Z", "(claimed)", "pass"]
    assert lines[2].split()[3] == "fail" and lines[2].split()[-1] == "drill-1.zip"
    code, out, _ = run(capsys, "archive", "list", "--json")
    rows = json.loads(out)
    assert [r["index"] for r in rows] == [0, 1, 2] and rows[0]["time_label"] == "claimed"


def test_show_verifies_the_inclusion_proof_and_can_reissue_a_receipt(three, capsys, tmp_path):
    code, out, _ = run(capsys, "archive", "show", "0", "--receipt", str(tmp_path / "fresh.json"))
    assert code == 0
    assert "inclusion proof  verified" in out and "signed checkpoint of size 3" in out
    fresh = json.loads((tmp_path / "fresh.json").read_text())
    assert fresh["checkpoint"]["size"] == 3 and fresh["entries"][0]["index"] == 0
    code, out, _ = run(capsys, "archive", "show", "1", "--json")
    data = json.loads(out)
    assert data["inclusion_proof"]["verified"] and data["consistency_proof"]["from_size"] == 2


def test_show_of_an_unknown_entry_is_a_usage_error(three, capsys):
    code, _, err = run(capsys, "archive", "show", "7")
    assert code == 2 and "no entry 7" in err


def test_verify_exits_0_on_a_consistent_archive(three, capsys):
    code, out, _ = run(capsys, "archive", "verify", "--receipt", str(three[0] / "archive-receipt.json"))
    assert code == 0
    assert "3 of 3 checkpoints carry a valid signature; 3 consistency proofs verified" in out
    assert out.rstrip().endswith("consistent")


def test_verify_exits_1_and_names_a_swapped_pair(three, capsys, _private_dirs):
    url = f"sqlite:///{_private_dirs / 'data' / 'portcheck' / 'archive.db'}"
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        rows = {r.idx: r for r in conn.execute(sa.select(S.entries))}
        for a, b in ((0, 2), (2, 0)):
            conn.execute(sa.update(S.entries).where(S.entries.c.idx == a)
                         .values(envelope=rows[b].envelope, leaf_hash=rows[b].leaf_hash))
    eng.dispose()
    code, out, err = run(capsys, "archive", "verify")
    assert code == 1
    assert "REORDERED  entries 0 and 2 have been swapped (reordered)" in out
    assert "TAMPERED" in out and "entries 0 and 2" in err
    code, out, _ = run(capsys, "archive", "verify", "--json")
    assert code == 1 and json.loads(out)["problems"][0]["entries"] == [0, 2]


def test_verify_exits_1_when_a_receipt_no_longer_matches_its_bundle(three, capsys):
    (three[2] / "report.intoto.jsonl").write_bytes(make_envelope(9) + b"\n")
    code, out, err = run(capsys, "archive", "verify", "--receipt", str(three[2] / "archive-receipt.json"))
    assert code == 1 and "does not verify" in err


def test_verify_pins_the_archive_key(three, capsys, tmp_path):
    receipt = json.loads((three[0] / "archive-receipt.json").read_text())
    code, _, _ = run(capsys, "archive", "verify", "--pubkey", receipt["archive"]["public_key"])
    assert code == 0
    other = "A" * 43 + "="
    code, out, _ = run(capsys, "archive", "verify", "--pubkey", other)
    assert code == 1 and "not the pinned public key" in out


def test_an_unreachable_or_missing_archive_exits_2(capsys, tmp_path):
    import socket

    code, _, err = run(capsys, "archive", "list")
    assert code == 2 and "there is no archive" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run(capsys, "archive", "verify", "--db", f"postgresql://x@127.0.0.1:{port}/none")
    assert code == 2 and "cannot be used" in err and "Traceback" not in err
    code, _, err = run(capsys, "archive", "verify", "--db", "mysql://x@h/db")
    assert code == 2 and "SQLite and PostgreSQL" in err


def test_db_url_comes_from_the_environment(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("PORTCHECK_ARCHIVE_URL", url)
    code, _, _ = run(capsys, "archive", "add", str(make_bundle(tmp_path, [make_envelope(1)])))
    assert code == 0 and (tmp_path / "team.db").is_file()
    code, out, _ = run(capsys, "archive", "list", "--json")
    assert len(json.loads(out)) == 1


def test_add_of_something_that_is_no_bundle_exits_2(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("hello")
    code, _, err = run(capsys, "archive", "add", str(tmp_path / "x.txt"))
    assert code == 2 and "not a readable .zip bundle" in err
    code, _, err = run(capsys, "archive", "add", str(tmp_path / "missing"))
    assert code == 2 and "does not exist" in err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_add_with_a_tsa_labels_the_time_rfc3161(tmp_path, capsys):
    from tests.archive.tsa import LocalTSA

    with LocalTSA(tmp_path / "tsa") as tsa:
        code, out, err = run(capsys, "archive", "add", str(make_bundle(tmp_path, [make_envelope(1)])),
                             "--tsa-url", tsa.url, "--tsa-cert", str(tsa.ca))
        assert code == 0, err
        assert "(rfc3161)" in out
        code, out, _ = run(capsys, "archive", "verify", "--tsa-cert", str(tsa.ca))
        assert code == 0
        assert "1 time-stamp tokens match their entries (1 checked against TSA certificates)" in out
        code, out, _ = run(capsys, "archive", "list")
        assert "(rfc3161)" in out
