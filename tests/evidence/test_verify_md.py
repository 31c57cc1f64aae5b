"""VERIFY.md's own commands check a bundle with no portcheck: sha256sum, python3 and openssl only.

The ``sh`` blocks are taken from the written VERIFY.md, concatenated in order and run with ``set -e`` in
one ``sh`` in the bundle folder — what an expert pasting them into one terminal does — with a PATH and a
PYTHONPATH that cannot reach portcheck.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portcheck.evidence.bundle import write_bundle
from portcheck.evidence.dsse import envelope_line
from portcheck.evidence.sign import sign_report_dir
from portcheck.inputs import sha256_file

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("sh", "sha256sum", "openssl", "python3")),
                                reason="needs sh, sha256sum, openssl and python3")

BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def sh_blocks(doc: Path) -> list[str]:
    return BLOCK.findall(doc.read_text(encoding="utf-8"))


def run_verify_md(bundle: Path, **env: str) -> subprocess.CompletedProcess:
    script = "set -e\n" + "\n".join(sh_blocks(bundle / "VERIFY.md"))
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", **env}
    return subprocess.run(["sh", "-c", script], cwd=bundle, env=clean, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def bundle(report_case, keys) -> Path:
    sign_report_dir(report_case.out, keys.private_path)
    return write_bundle(report_case.out, report_case.root / "bundle")


def test_both_languages_give_the_same_commands(bundle):
    en, zh = sh_blocks(bundle / "VERIFY.md"), sh_blocks(bundle / "VERIFY.zh.md")
    assert len(en) == 6 and en == zh
    text = "\n".join(en)
    assert not re.search(r"(^|[\s;(|&])portcheck\s", text, re.M) and "import portcheck" not in text
    assert "-m portcheck" not in text
    assert "openssl pkeyutl -verify -pubin -inkey public.pem -rawin" in text
    assert "sha256sum -c MANIFEST.sha256" in text


def test_verify_md_commands_succeed_on_an_untouched_bundle(bundle, keys):
    done = run_verify_md(bundle)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Signature Verified Successfully" in done.stdout
    assert f"{keys.key_id}  -" in done.stdout  # step 4 prints the key ID
    assert f"{sha256_file(bundle / 'report.json')}  report.json" in done.stdout.splitlines()
    for doc in ("VERIFY.md", "VERIFY.zh.md"):
        assert keys.key_id in (bundle / doc).read_text(encoding="utf-8")
    listed = [ln.split("  ", 1)[1] for ln in (bundle / "MANIFEST.sha256").read_text().splitlines()]
    assert sorted(p.name for p in bundle.iterdir()) == sorted([*listed, "MANIFEST.sha256"])  # no scratch


def test_verify_md_commands_check_the_inputs_when_told_where_they_are(bundle, report_case):
    done = run_verify_md(bundle, EXPORT=str(report_case.export), REFERENCE=str(report_case.reference))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("customer.csv: OK") >= 3  # step 5 has none with that name; export + reference
    (report_case.export / "customer.csv").write_text("customer_id,name\nC1,Alpha\n")
    failed = run_verify_md(bundle, EXPORT=str(report_case.export))
    assert failed.returncode != 0 and "customer.csv: FAILED" in failed.stdout


def test_verify_md_commands_fail_when_report_json_changed(bundle):
    data = bytearray((bundle / "report.json").read_bytes())
    data[-2] ^= 1
    (bundle / "report.json").write_bytes(bytes(data))
    done = run_verify_md(bundle)
    assert done.returncode != 0 and "report.json: FAILED" in done.stdout


def test_verify_md_commands_fail_when_report_json_and_the_manifest_were_both_changed(bundle):
    old = sha256_file(bundle / "report.json")
    data = bytearray((bundle / "report.json").read_bytes())
    data[-2] ^= 1
    (bundle / "report.json").write_bytes(bytes(data))
    manifest = bundle / "MANIFEST.sha256"
    manifest.write_text(manifest.read_text().replace(old, sha256_file(bundle / "report.json")))
    done = run_verify_md(bundle)
    assert done.returncode != 0
    assert "Signature Verified Successfully" in done.stdout  # the statement is intact …
    assert "report.json: FAILED" in done.stdout  # … and says report.json was something else


def test_verify_md_commands_fail_when_the_signed_payload_changed(bundle):
    envelope = json.loads((bundle / "report.intoto.jsonl").read_bytes())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["verdict"] = "pass"
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    (bundle / "report.intoto.jsonl").write_bytes(envelope_line(envelope))
    manifest = bundle / "MANIFEST.sha256"
    lines = [ln for ln in manifest.read_text().splitlines() if not ln.endswith("report.intoto.jsonl")]
    lines.append(f"{sha256_file(bundle / 'report.intoto.jsonl')}  report.intoto.jsonl")
    manifest.write_text("\n".join(lines) + "\n")
    done = run_verify_md(bundle)
    assert done.returncode != 0
    assert "Signature Verification Failure" in done.stdout + done.stderr


def test_verify_md_commands_work_in_an_unpacked_zip(report_case, keys, tmp_path):
    import zipfile

    sign_report_dir(report_case.out, keys.private_path)
    zpath = write_bundle(report_case.out, tmp_path / "evidence.zip")
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path / "unpacked")
    done = run_verify_md(tmp_path / "unpacked" / "evidence")
    assert done.returncode == 0, done.stdout + done.stderr
