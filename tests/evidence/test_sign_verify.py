"""Signing a report folder, bundling it, and verifying it — and every way tampering is caught and named.

Each tamper test starts from an untouched signed bundle (see conftest ``report_case``), changes one thing,
and expects ``portcheck verify`` to exit 1 with the broken file, hash or key named.
"""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from portcheck.errors import VerificationError
from portcheck.evidence.bundle import write_bundle
from portcheck.evidence.canonical import canonical_json_bytes
from portcheck.evidence.dsse import envelope_line, sign_envelope
from portcheck.evidence.keys import load_private_key
from portcheck.evidence.sign import sign_report_dir
from portcheck.evidence.statement import PREDICATE_TYPE, STATEMENT_TYPE
from portcheck.evidence.verify import BundleInvalid, verify_bundle
from portcheck.inputs import sha256_file

ENVELOPE = "report.intoto.jsonl"


@pytest.fixture
def bundle(report_case, keys) -> Path:
    sign_report_dir(report_case.out, keys.private_path)
    return write_bundle(report_case.out, report_case.root / "bundle")


def read_statement(folder: Path) -> tuple[dict, dict]:
    envelope = json.loads((folder / ENVELOPE).read_bytes())
    return envelope, json.loads(base64.b64decode(envelope["payload"]))


def flip_byte(path: Path, offset: int = 10) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# -- signing ------------------------------------------------------------------------------------------------


def test_statement_names_every_input_and_every_output_file_with_its_sha256(report_case, keys):
    envelope_path = sign_report_dir(report_case.out, keys.private_path)
    assert envelope_path == report_case.out / ENVELOPE
    assert len(envelope_path.read_bytes().splitlines()) == 1
    envelope, statement = read_statement(report_case.out)
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    assert statement["_type"] == STATEMENT_TYPE and statement["predicateType"] == PREDICATE_TYPE
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subjects == {
        "export/contact.csv": sha256_file(report_case.export / "contact.csv"),
        "export/customer.csv": sha256_file(report_case.export / "customer.csv"),
        "reference/customer.csv": sha256_file(report_case.reference / "customer.csv"),
        "report.json": sha256_file(report_case.out / "report.json"),
        "report.html": sha256_file(report_case.out / "report.html"),
        "missing-customer.csv": sha256_file(report_case.out / "missing-customer.csv"),
        "mismatches-customer.csv": sha256_file(report_case.out / "mismatches-customer.csv"),
        "gx-customer.json": sha256_file(report_case.out / "gx-customer.json"),
    }
    # the payload is the statement as canonical JSON, byte for byte
    assert base64.b64decode(envelope["payload"]) == canonical_json_bytes(statement)


def test_predicate_holds_verdict_figures_options_and_versions(report_case, keys):
    sign_report_dir(report_case.out, keys.private_path)
    predicate = read_statement(report_case.out)[1]["predicate"]
    report = json.loads((report_case.out / "report.json").read_bytes())
    assert predicate["verdict"] == "fail"
    assert predicate["objects"]["customer"]["records"] == report["objects"]["customer"]["records"]
    assert predicate["objects"]["customer"]["completeness"] == 0.66667
    assert predicate["objects"]["customer"]["fidelity"] == {"compared": 4, "matched": 3, "rate": 0.75}
    assert predicate["objects"]["customer"]["defects"]["truncated"] == 1
    assert predicate["options"] == report["options"] and predicate["policy"] == report["policy"]
    assert predicate["profile"] == report["profile"] and predicate["schema"] == report["schema"]
    assert predicate["checks"]["failed_gating"] == ["customer.completeness"]
    assert predicate["tool"]["name"] == "portcheck" and predicate["tool"]["version"] == "0.1.0"
    assert predicate["dependencies"]["cryptography"] and predicate["dependencies"]["pyarrow"]
    assert predicate["generated_at"] == "2025-01-02T03:04:05Z"


def test_signing_refuses_a_report_folder_holding_a_private_key(report_case, keys):
    shutil.copy(keys.private_path, report_case.out / "private.pem")
    with pytest.raises(Exception, match="holds a private key") as exc:
        sign_report_dir(report_case.out, keys.private_path)
    assert exc.value.exit_code == 2
    assert not (report_case.out / ENVELOPE).exists()


# -- untouched evidence verifies ----------------------------------------------------------------------------


def test_untouched_bundle_folder_verifies(bundle, report_case, keys, cli):
    result = verify_bundle(bundle, pubkey=keys.public_path, export=report_case.export,
                           reference=report_case.reference)
    assert result.key_id == keys.key_id and result.verdict == "fail"
    assert "report.json" in result.files_checked
    assert result.inputs_checked == {"export": 2, "reference": 1}
    code, out, _ = cli("verify", bundle, "--export", report_case.export, "--reference", report_case.reference)
    assert code == 0 and out.startswith("VALID") and keys.key_id in out


def test_untouched_bundle_zip_verifies(report_case, keys, cli):
    sign_report_dir(report_case.out, keys.private_path)
    zpath = write_bundle(report_case.out, report_case.root / "evidence.zip")
    names = zipfile.ZipFile(zpath).namelist()
    assert {"evidence/report.json", "evidence/VERIFY.zh.md", "evidence/public.pem"} <= set(names)
    code, out, err = cli("verify", zpath, "--pubkey", keys.public_path, "--export", report_case.export)
    assert code == 0, out + err


def test_signed_report_folder_itself_verifies(report_case, keys, cli):
    sign_report_dir(report_case.out, keys.private_path)
    code, out, err = cli("verify", report_case.out, "--json")
    assert code == 0, err
    assert json.loads(out)["valid"] is True


def test_bundle_holds_the_evidence_the_public_key_the_manifest_and_the_verify_docs(bundle):
    names = sorted(p.name for p in bundle.iterdir())
    assert names == sorted(["report.json", "report.html", "missing-customer.csv", "mismatches-customer.csv",
                            "gx-customer.json", ENVELOPE, "public.pem", "MANIFEST.sha256", "VERIFY.md",
                            "VERIFY.zh.md"])
    manifest = (bundle / "MANIFEST.sha256").read_text().splitlines()
    assert sorted(line.split("  ", 1)[1] for line in manifest) == [n for n in names if n != "MANIFEST.sha256"]
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert sha256_file(bundle / name) == digest


def test_an_existing_bundle_is_replaced_only_with_force(bundle, report_case):
    with pytest.raises(Exception, match="already exists"):
        write_bundle(report_case.out, bundle)
    (bundle / "report.html").write_text("stale")
    write_bundle(report_case.out, bundle, force=True)
    verify_bundle(bundle)


# -- tampering is caught and named --------------------------------------------------------------------------


def expect_invalid(cli, *args) -> str:
    code, out, err = cli("verify", *args)
    assert code == 1, out + err
    assert out.startswith("INVALID")
    return out


def test_one_byte_changed_in_report_json(bundle, cli):
    before = sha256_file(bundle / "report.json")
    flip_byte(bundle / "report.json")
    out = expect_invalid(cli, bundle)
    now = sha256_file(bundle / "report.json")
    assert f"report.json has changed since it was signed: its sha256 is {now}, the signed statement says " \
           f"{before}" in out


def test_one_byte_changed_in_the_envelope_payload(bundle, keys, cli):
    envelope = json.loads((bundle / ENVELOPE).read_bytes())
    payload = bytearray(base64.b64decode(envelope["payload"]))
    at = payload.index(b'"fail"') + 1
    payload[at:at + 4] = b"pass"
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    (bundle / ENVELOPE).write_bytes(envelope_line(envelope))
    out = expect_invalid(cli, bundle, "--pubkey", keys.public_path)
    assert f"the signature does not verify with public key {keys.key_id}" in out


def test_one_byte_changed_in_an_input_file(bundle, report_case, cli):
    flip_byte(report_case.export / "customer.csv", 3)
    out = expect_invalid(cli, bundle, "--export", report_case.export)
    assert "export/customer.csv has changed: its sha256 is" in out


def test_missing_and_extra_input_files_are_named(bundle, report_case, cli):
    (report_case.export / "contact.csv").unlink()
    (report_case.export / "Task.csv").write_text("id\n1\n")
    out = expect_invalid(cli, bundle, "--export", report_case.export)
    assert "export/contact.csv is named in the signed statement but missing from" in out
    assert "export/Task.csv is in" in out and "not among the signed inputs" in out


def test_a_wrong_public_key(bundle, other_keys, keys, cli):
    out = expect_invalid(cli, bundle, "--pubkey", other_keys.public_path)
    assert f"the envelope was signed by key {keys.key_id}, not by the public key {other_keys.key_id}" in out


def test_a_truncated_signature(bundle, cli):
    envelope = json.loads((bundle / ENVELOPE).read_bytes())
    sig = base64.b64decode(envelope["signatures"][0]["sig"])
    envelope["signatures"][0]["sig"] = base64.b64encode(sig[:40]).decode()
    (bundle / ENVELOPE).write_bytes(envelope_line(envelope))
    out = expect_invalid(cli, bundle)
    assert "is 40 bytes long, an Ed25519 signature is 64" in out


def _drop_subject(bundle: Path, name: str) -> dict:
    envelope, statement = read_statement(bundle)
    statement["subject"] = [s for s in statement["subject"] if s["name"] != name]
    return statement


def test_a_subject_removed_without_re_signing(bundle, cli):
    envelope, _ = read_statement(bundle)
    statement = _drop_subject(bundle, "report.html")
    envelope["payload"] = base64.b64encode(canonical_json_bytes(statement)).decode()
    (bundle / ENVELOPE).write_bytes(envelope_line(envelope))
    out = expect_invalid(cli, bundle)
    assert "the signature does not verify" in out


def test_a_subject_removed_and_re_signed_with_another_key(bundle, other_keys, keys, cli):
    statement = _drop_subject(bundle, "export/customer.csv")
    forged = sign_envelope(canonical_json_bytes(statement), load_private_key(other_keys.private_path))
    (bundle / ENVELOPE).write_bytes(envelope_line(forged))
    out = expect_invalid(cli, bundle)  # the bundle's own public.pem is not the forger's key
    assert f"signed by key {other_keys.key_id}, not by the public key {keys.key_id}" in out
    # a forger who also swaps public.pem is caught by the signer's key, and by report.json's own inputs
    shutil.copy(other_keys.public_path, bundle / "public.pem")
    expect_invalid(cli, bundle, "--pubkey", keys.public_path)
    out = expect_invalid(cli, bundle)
    assert "report.json lists input export/customer.csv but the signed statement does not name it" in out


def test_a_file_the_signature_does_not_cover(bundle, cli):
    (bundle / "extra-customer.csv").write_text("key\nX\n")
    out = expect_invalid(cli, bundle)
    assert "extra-customer.csv is in the bundle but not covered by the signature" in out


def test_a_signed_file_removed_from_the_bundle(bundle, cli):
    (bundle / "missing-customer.csv").unlink()
    out = expect_invalid(cli, bundle)
    assert "missing-customer.csv is named in the signed statement but missing from the bundle" in out


def test_a_manifest_that_disagrees_with_the_files(bundle, cli):
    text = (bundle / "MANIFEST.sha256").read_text()
    (bundle / "MANIFEST.sha256").write_text(text.replace(sha256_file(bundle / "report.html"), "0" * 64))
    out = expect_invalid(cli, bundle)
    assert f"MANIFEST.sha256 says report.html has sha256 {'0' * 64}" in out


def test_a_tampered_zip_member(report_case, keys, cli):
    sign_report_dir(report_case.out, keys.private_path)
    flip_byte(report_case.out / "report.json")  # build a zip from tampered files without write_bundle's check
    zpath = report_case.root / "t.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in report_case.out.iterdir():
            zf.write(p, f"t/{p.name}")
    out = expect_invalid(cli, zpath)
    assert "report.json has changed since it was signed" in out


def test_write_bundle_refuses_a_report_folder_altered_after_signing(report_case, keys):
    sign_report_dir(report_case.out, keys.private_path)
    flip_byte(report_case.out / "report.html")
    with pytest.raises(BundleInvalid, match="report.html has changed"):
        write_bundle(report_case.out, report_case.root / "bundle")
    assert not (report_case.root / "bundle").exists()


# -- unusable evidence: exit 2 ------------------------------------------------------------------------------


def test_no_envelope_is_unusable_not_invalid(report_case, cli):
    code, _, err = cli("verify", report_case.out)
    assert code == 2 and "holds no signature" in err


def test_an_unreadable_zip_is_unusable(tmp_path, cli):
    (tmp_path / "b.zip").write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = cli("verify", tmp_path / "b.zip")
    assert code == 2 and "cannot be read as a zip file" in err


def test_no_public_key_is_unusable(bundle, cli):
    (bundle / "public.pem").unlink()
    code, _, err = cli("verify", bundle)
    assert code == 2 and "--pubkey" in err


# -- the private key never leaves its file -----------------------------------------------------------------


def test_the_private_key_never_appears_in_any_output(report_case, tmp_path, cli, monkeypatch):
    from cryptography.hazmat.primitives import serialization

    monkeypatch.setenv("PORTCHECK_KEY_PASSPHRASE", "pass phrase 1")
    outputs = [cli("keys", "generate", "--out", tmp_path / "k")]
    key_file = tmp_path / "k" / "private.pem"
    outputs.append(cli("sign", report_case.out, "--sign-key", key_file, "--bundle", tmp_path / "b.zip"))
    outputs.append(cli("verify", tmp_path / "b.zip"))
    monkeypatch.setenv("PORTCHECK_KEY_PASSPHRASE", "wrong")
    outputs.append(cli("sign", report_case.out, "--sign-key", key_file))
    assert [o[0] for o in outputs] == [0, 0, 0, 2]

    private_key = load_private_key(key_file, b"pass phrase 1")
    raw = private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    pem_lines = [ln for ln in key_file.read_bytes().splitlines() if not ln.startswith(b"-----")]
    secrets = [raw, raw.hex().encode(), base64.b64encode(raw), base64.b64encode(raw)[:20], b"PRIVATE KEY",
               b"pass phrase 1", *pem_lines]
    texts = [(o[1] + o[2]).encode() for o in outputs]
    files = [p for p in [*report_case.out.rglob("*"), tmp_path / "b.zip"] if p.is_file()]
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        texts += [zf.read(n) for n in zf.namelist()]
    texts += [p.read_bytes() for p in files]
    for secret in secrets:
        assert not any(secret in t for t in texts), secret


# -- the archive receipt hook --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_an_archive_receipt_beside_the_bundle_is_checked_too(report_case, keys, tmp_path, name):
    store = pytest.importorskip("portcheck.archive.store")
    sign_report_dir(report_case.out, keys.private_path)
    path = write_bundle(report_case.out, tmp_path / name)
    with store.Archive.open(f"sqlite:///{tmp_path}/archive.db", key_path=tmp_path / "archive-key.pem",
                            create=True) as archive:
        receipt = archive.add_bundle(path).receipt_path
    assert receipt.name in ("archive-receipt.json", "bundle.zip.archive-receipt.json")
    assert verify_bundle(path).receipt == str(receipt)
    data = json.loads(receipt.read_text())
    data["checkpoint"]["root_hash"] = "00" * 32
    receipt.write_text(json.dumps(data))
    with pytest.raises(VerificationError) as exc:
        verify_bundle(path)
    assert exc.value.exit_code == 1


def test_a_zip_holding_a_file_twice_is_ambiguous_evidence(report_case, keys, cli):
    sign_report_dir(report_case.out, keys.private_path)
    zpath = write_bundle(report_case.out, report_case.root / "evidence.zip")
    with zipfile.ZipFile(zpath, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("evidence/report.json", b'{"verdict":"pass"}')
    out = expect_invalid(cli, zpath)
    assert "the zip holds report.json more than once" in out
