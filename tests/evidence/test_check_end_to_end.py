"""End to end on DESIGN's worked example: `check --sign-key --bundle`, then `verify`, then VERIFY.md.

The example (../shared/contract-example) is copied into tmp_path first, since one test alters an input.
"""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from tests.conftest import shared
from tests.evidence.test_verify_md import pytestmark as needs_shell_tools
from tests.evidence.test_verify_md import run_verify_md


@pytest.fixture
def example(tmp_path):
    src = shared("contract-example")
    for part in ("export", "reference"):
        shutil.copytree(src / part, tmp_path / part)
    return tmp_path


def _check(cli, example, out, *extra):
    return cli("check", example / "export", "--profile", "canonical", "--reference", example / "reference",
               "--out", out, "-q", *extra)


@needs_shell_tools
def test_check_signs_and_bundles_and_the_bundle_verifies_with_and_without_portcheck(example, keys, cli):
    code, out, err = _check(cli, example, example / "report", "--sign-key", keys.private_path,
                            "--bundle", example / "evidence.zip")
    assert code == 1, out + err  # the example fails the 99% clause on purpose
    report = json.loads((example / "report" / "report.json").read_bytes())
    assert (example / "report" / "report.intoto.jsonl").is_file()

    code, out, err = cli("verify", example / "evidence.zip", "--pubkey", keys.public_path,
                         "--export", example / "export", "--reference", example / "reference", "--json")
    assert code == 0, out + err
    result = json.loads(out)
    assert result["key_id"] == keys.key_id and result["verdict"] == report["verdict"] == "fail"
    assert result["inputs_checked"] == {"export": 3, "reference": 3}
    assert "report.json" in result["files_checked"] and "mismatches-contact.csv" in result["files_checked"]

    with zipfile.ZipFile(example / "evidence.zip") as zf:
        zf.extractall(example / "unpacked")
    done = run_verify_md(example / "unpacked" / "evidence", EXPORT=str(example / "export"),
                         REFERENCE=str(example / "reference"))
    assert done.returncode == 0, done.stdout + done.stderr

    with open(example / "export" / "contact.csv", "ab") as fh:
        fh.write(b"\n")
    code, out, _ = cli("verify", example / "evidence.zip", "--export", example / "export")
    assert code == 1 and "export/contact.csv has changed" in out


def test_two_checks_of_the_same_inputs_differ_only_in_generated_at(example, cli):
    assert _check(cli, example, example / "a")[0] == 1
    assert _check(cli, example, example / "b")[0] == 1
    a, b = (example / "a" / "report.json").read_bytes(), (example / "b" / "report.json").read_bytes()
    stamp_a, stamp_b = json.loads(a)["generated_at"], json.loads(b)["generated_at"]
    assert a.replace(stamp_a.encode(), stamp_b.encode()) == b
