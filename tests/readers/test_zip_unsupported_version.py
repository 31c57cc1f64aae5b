"""A ZIP whose members need a newer "version needed to extract" than zipfile supports (found by fuzzing) is one
sentence and exit 2, not an internal error."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from portcheck.errors import ReadError
from portcheck.readers import read_export
from tests.conftest import run_portcheck


def _zip_needing_version_64() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("customer.csv", "customer_id,name\nC1,Acme\n")
    data = bytearray(buf.getvalue())
    cd = data.rfind(b"PK\x01\x02")  # central directory entry: 'version needed' at offset 6
    struct.pack_into("<H", data, cd + 6, 64)
    return bytes(data)


def test_unsupported_zip_version_is_a_read_error(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(_zip_needing_version_64())
    with pytest.raises(ReadError, match="ZIP feature"):
        read_export(path)
    run = run_portcheck("check", str(path), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and run.stderr.startswith("portcheck: ") and "Traceback" not in run.stderr
