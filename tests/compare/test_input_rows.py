"""report.json ``inputs`` rows reuse the readers' SHA-256 (computed while parsing) instead of hashing every
file a second time, and are the very rows ``portcheck.inputs.input_files`` gives."""

from __future__ import annotations

import zipfile

from portcheck.compare.reference import input_rows
from portcheck.inputs import input_files
from portcheck.readers import ReadOptions, read_export


def test_rows_equal_input_files_and_reuse_the_readers_digests(tmp_path, monkeypatch):
    root = tmp_path / "export"
    (root / "sub").mkdir(parents=True)
    (root / "customer.csv").write_text("customer_id,name\nC1,华信\n", encoding="utf-8")
    (root / "sub" / "contact.csv").write_text("contact_id,full_name\nP1,王伟\n", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\0\1")
    with zipfile.ZipFile(root / "parts.zip", "w") as z:
        z.writestr("opportunity.csv", "opportunity_id,name\nO1,x\n")
    files = read_export(root, options=ReadOptions()).files
    hashed = []
    import portcheck.inputs as inputs

    real = inputs.sha256_file
    monkeypatch.setattr(inputs, "sha256_file", lambda p: hashed.append(p) or real(p))
    got = input_rows(str(root), "export", files)
    monkeypatch.setattr(inputs, "sha256_file", real)
    assert got == input_files(root, "export")
    assert hashed == []  # every file was hashed while it was read


def test_a_file_that_changed_size_since_it_was_read_is_hashed_again(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "customer.csv").write_text("customer_id,name\nC1,x\n", encoding="utf-8")
    files = read_export(root, options=ReadOptions()).files
    (root / "customer.csv").write_text("customer_id,name\nC1,x\nC2,y\n", encoding="utf-8")
    assert input_rows(str(root), "export", files) == input_files(root, "export")
