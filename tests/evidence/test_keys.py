"""Signing keys: created private from the first byte, refused when others can read them, never printed."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess

import pytest

from portcheck.errors import KeyError_, OutputError
from portcheck.evidence.keys import (
    generate_keypair,
    key_id,
    load_private_key,
    load_public_key,
    raw_public_bytes,
)


def test_generate_writes_pkcs8_private_key_0600_and_spki_public_key(tmp_path):
    old = os.umask(0)  # with no umask, only the mode given to os.open can keep the file private
    try:
        info = generate_keypair(tmp_path / "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE(info.private_path.stat().st_mode) == 0o600
    assert info.private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert info.public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert not info.encrypted


def test_key_id_is_sha256_of_the_raw_public_key_as_openssl_computes_it(keys):
    public_key = load_public_key(keys.public_path)
    assert len(raw_public_bytes(public_key)) == 32
    assert keys.key_id == key_id(public_key) == hashlib.sha256(raw_public_bytes(public_key)).hexdigest()
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(keys.public_path), "-outform", "DER"],
                         check=True, capture_output=True).stdout
    assert hashlib.sha256(der[-32:]).hexdigest() == keys.key_id


def test_existing_keys_are_never_overwritten(keys):
    before = keys.private_path.read_bytes()
    with pytest.raises(OutputError, match="never overwrites"):
        generate_keypair(keys.private_path.parent)
    assert keys.private_path.read_bytes() == before


def test_passphrase_encrypts_the_key_and_is_needed_to_load_it(tmp_path):
    info = generate_keypair(tmp_path / "k", b"correct horse")
    assert info.encrypted
    assert info.private_path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_id(load_private_key(info.private_path, b"correct horse").public_key()) == info.key_id
    with pytest.raises(KeyError_) as wrong:
        load_private_key(info.private_path, b"wrong")
    assert wrong.value.message == f"the passphrase for {info.private_path} is wrong"
    with pytest.raises(KeyError_, match="protected by a passphrase and none was given"):
        load_private_key(info.private_path, None)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_group_or_world_readable_private_key_is_refused_with_the_chmod_that_fixes_it(keys, mode):
    os.chmod(keys.private_path, mode)
    with pytest.raises(KeyError_) as exc:
        load_private_key(keys.private_path)
    assert exc.value.exit_code == 2
    assert exc.value.hint == f"chmod 600 {keys.private_path}"


def test_a_public_key_file_holding_a_private_key_is_refused(keys):
    with pytest.raises(KeyError_, match="holds a private key"):
        load_public_key(keys.private_path)


def test_cli_keys_generate_with_env_passphrase(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("PORTCHECK_KEY_PASSPHRASE", "s3cret phrase")
    code, out, err = cli("keys", "generate", "--out", tmp_path / "k")
    assert code == 0, err
    private = (tmp_path / "k" / "private.pem").read_bytes()
    assert b"ENCRYPTED" in private
    kid = key_id(load_private_key(tmp_path / "k" / "private.pem", b"s3cret phrase").public_key())
    assert f"Key ID:      {kid}" in out
    assert "s3cret" not in out + err and "PRIVATE KEY" not in out + err


def test_cli_keys_generate_reads_the_passphrase_file_without_its_line_break(tmp_path, cli):
    (tmp_path / "pass.txt").write_bytes(b"from a file\n")
    code, _, err = cli("keys", "generate", "--out", tmp_path / "k",
                       "--passphrase-file", tmp_path / "pass.txt")
    assert code == 0, err
    load_private_key(tmp_path / "k" / "private.pem", b"from a file")


def test_cli_keys_generate_without_a_terminal_needs_an_explicit_choice(tmp_path, cli):
    code, out, err = cli("keys", "generate", "--out", tmp_path / "k")
    assert code == 2
    assert "no passphrase was given" in err and "--no-passphrase" in err
    assert not (tmp_path / "k" / "private.pem").exists()
    code, out, err = cli("keys", "generate", "--out", tmp_path / "k", "--no-passphrase")
    assert code == 0, err
    assert "NOT encrypted" in out


def test_cli_keys_id_prints_the_key_id(keys, cli):
    assert cli("keys", "id", keys.public_path)[1].strip() == keys.key_id


def test_cli_sign_refuses_a_world_readable_key_with_exit_2_and_the_chmod_hint(report_case, keys, cli):
    os.chmod(keys.private_path, 0o644)
    code, out, err = cli("sign", report_case.out, "--sign-key", keys.private_path)
    assert code == 2
    assert f"hint: chmod 600 {keys.private_path}" in err
    assert not (report_case.out / "report.intoto.jsonl").exists()


def test_cli_sign_with_a_wrong_passphrase_says_so_in_one_sentence(report_case, tmp_path, cli, monkeypatch):
    info = generate_keypair(tmp_path / "k", b"right")
    monkeypatch.setenv("PORTCHECK_KEY_PASSPHRASE", "wrong")
    code, out, err = cli("sign", report_case.out, "--sign-key", info.private_path)
    assert code == 2
    assert err.splitlines()[0] == f"portcheck: the passphrase for {info.private_path} is wrong"
    assert "Traceback" not in err


def test_passphrases_are_asked_for_with_a_hidden_prompt_on_a_terminal(report_case, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import portcheck.cli.evidence as cli_evidence
    from portcheck.cli import cli as root

    monkeypatch.delenv("PORTCHECK_KEY_PASSPHRASE", raising=False)
    monkeypatch.setattr(cli_evidence, "_interactive", lambda: True)  # CliRunner's stdin is not a terminal
    runner = CliRunner()
    done = runner.invoke(root, ["keys", "generate", "--out", str(tmp_path / "k")], input="typed\ntyped\n")
    assert done.exit_code == 0, done.output
    assert "typed" not in done.output  # hidden input is not echoed
    load_private_key(tmp_path / "k" / "private.pem", b"typed")
    key = str(tmp_path / "k" / "private.pem")
    done = runner.invoke(root, ["sign", str(report_case.out), "--sign-key", key], input="typed\n")
    assert done.exit_code == 0, done.output
    assert (report_case.out / "report.intoto.jsonl").is_file()
