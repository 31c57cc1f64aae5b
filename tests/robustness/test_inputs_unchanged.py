"""Inputs are never modified: every input file hashes the same (content, mode, mtime) after each command.

One drill, as a buyer runs it: ``canary`` (into a folder that already holds a file of the user's),
``inspect`` and ``check`` of the vendor's export (a folder, and the same as a ZIP) against the canary set,
``keys generate``, ``sign`` (with a bundle), ``verify`` (folder and bundle, with --export/--reference) and
``archive add`` (folder and bundle). Commands that write into a folder by design (``sign`` adds its statement
to the report folder, ``archive add`` its receipt) may add files; the files that were there stay as they were.
"""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_portcheck
from tests.robustness.conftest import tree_hashes

pytestmark = pytest.mark.slow


def _unchanged(before: dict[str, str], after: dict[str, str], *, may_add: bool = False) -> None:
    changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert changed == {}, changed
    if not may_add:
        assert set(after) == set(before), sorted(set(after) ^ set(before))


def _run(*args: str, ok: tuple[int, ...] = (0, 1), cwd: Path) -> None:
    run = run_portcheck(*args, cwd=cwd)
    assert run.returncode in ok, (args, run.returncode, run.stderr[-2000:])


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    (root / "canary").mkdir()
    (root / "canary" / "my-notes.txt").write_text("the user's own file, not portcheck's\n")
    return root


def _vendor_export(canary: Path, export: Path) -> None:
    """The canary set as a vendor might give it back: one contact lost, one name truncated."""
    export.mkdir()
    for name in ("customer.csv", "contact.csv", "opportunity.csv"):
        rows = list(csv.reader(io.StringIO((canary / name).read_text(encoding="utf-8"))))
        if name == "contact.csv":
            rows = rows[:-1]
        if name == "customer.csv":
            i = rows[0].index("name")
            rows[1][i] = rows[1][i][:3]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (export / name).write_text(buf.getvalue(), encoding="utf-8")


def test_every_command_leaves_its_inputs_as_they_were(drill):
    root = drill
    canary = root / "canary"

    before = tree_hashes(canary)
    _run("canary", "--out", "canary", "--customers", "20", "--format", "both", "--force", ok=(0,), cwd=root)
    _unchanged(before, tree_hashes(canary), may_add=True)  # the user's file is as it was

    reference = canary / "csv"
    export = root / "export"
    _vendor_export(reference, export)
    with zipfile.ZipFile(root / "export.zip", "w") as zf:
        for p in sorted(export.iterdir()):
            zf.write(p, p.name)
    inputs = {"export": export, "reference": reference, "xlsx": canary / "xlsx"}

    def snapshot() -> dict[str, str]:
        out = {f"{k}/{n}": h for k, p in inputs.items() for n, h in tree_hashes(p).items()}
        out["export.zip"] = tree_hashes(root)["export.zip"]
        return out

    state = snapshot()
    _run("inspect", "export", "--json", cwd=root, ok=(0,))
    _run("inspect", "export.zip", cwd=root, ok=(0,))
    _run("inspect", "canary/xlsx", cwd=root, ok=(0,))
    _run("check", "export", "--reference", "canary/csv", "--out", "out", cwd=root)
    _run("check", "export.zip", "--reference", "canary/xlsx", "--out", "out-zip", cwd=root)
    _unchanged(state, snapshot())

    _run("keys", "generate", "--out", "keys", "--no-passphrase", ok=(0,), cwd=root)
    keys = tree_hashes(root / "keys")
    report = tree_hashes(root / "out")
    _run("sign", "out", "--sign-key", "keys/private.pem", "--bundle", "bundle.zip", ok=(0,), cwd=root)
    _unchanged(report, tree_hashes(root / "out"), may_add=True)  # the statement is added, nothing changed
    _unchanged(keys, tree_hashes(root / "keys"))
    _unchanged(state, snapshot())

    signed = tree_hashes(root / "out")
    bundle = tree_hashes(root)["bundle.zip"]
    _run("verify", "out", "--export", "export", "--reference", "canary/csv", ok=(0,), cwd=root)
    _run("verify", "bundle.zip", "--pubkey", "keys/public.pem", ok=(0,), cwd=root)
    _unchanged(signed, tree_hashes(root / "out"))
    assert tree_hashes(root)["bundle.zip"] == bundle
    _unchanged(state, snapshot())

    db = f"sqlite:///{root / 'archive.db'}"
    _run("archive", "add", "out", "--db", db, "--key", "archive.pem", ok=(0,), cwd=root)
    db2 = f"sqlite:///{root / 'archive2.db'}"  # the same report cannot be archived twice in one archive
    _run("archive", "add", "bundle.zip", "--db", db2, "--key", "archive.pem", ok=(0,), cwd=root)
    _unchanged(signed, tree_hashes(root / "out"), may_add=True)  # + archive-receipt.json
    assert tree_hashes(root)["bundle.zip"] == bundle
    _unchanged(keys, tree_hashes(root / "keys"))
    _unchanged(state, snapshot())


def test_the_snapshot_sees_a_touched_file(tmp_path):
    """Negative control: a rewrite with the same bytes (new mtime) and a mode change are both noticed."""
    f = tmp_path / "a.csv"
    f.write_text("x\n")
    before = tree_hashes(tmp_path)
    time.sleep(0.01)
    f.write_text("x\n")
    with pytest.raises(AssertionError):
        _unchanged(before, tree_hashes(tmp_path))
    before = tree_hashes(tmp_path)
    os.chmod(f, 0o600)
    with pytest.raises(AssertionError):
        _unchanged(before, tree_hashes(tmp_path))
