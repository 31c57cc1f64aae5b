"""ZIP archives: members read in memory, nested ZIPs, AES encryption, and every safety limit."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from portcheck.errors import InputError, LimitExceeded, ReadError

from .conftest import read, rows

ACCOUNT = b"Id,Name,Phone\r\n001,Acme,0755-8888 1234\r\n002,Globex,010\r\n"
CONTACT = "Id,AccountId,LastName\r\n003,001,张\r\n".encode()


def _zip(entries: dict[str, bytes], *, date_time=(2024, 5, 6, 7, 8, 10)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def test_zip_of_csvs_names_members_after_the_archive(tmp_path):
    (tmp_path / "parts.zip").write_bytes(_zip({"Contact.csv": CONTACT, "Account.csv": ACCOUNT}))
    source = read(tmp_path / "parts.zip")
    assert [t.name for t in source.tables] == ["parts.zip/Account.csv", "parts.zip/Contact.csv"]
    assert rows(source.tables[0])[0] == {"Id": "001", "Name": "Acme", "Phone": "0755-8888 1234"}
    files = {f.name: f for f in source.files}
    assert list(files) == ["parts.zip", "parts.zip/Account.csv", "parts.zip/Contact.csv"]
    member = files["parts.zip/Account.csv"]
    assert member.sha256 == hashlib.sha256(ACCOUNT).hexdigest() and member.bytes == len(ACCOUNT)
    assert member.mtime == 1714979290.0  # 2024-05-06 07:08:10, read as UTC
    assert source.tables[0].source == member


def test_zip_inside_zip_is_read(tmp_path):
    inner = _zip({"Contact.csv": CONTACT})
    (tmp_path / "outer.zip").write_bytes(_zip({"Account.csv": ACCOUNT, "more/inner.zip": inner}))
    source = read(tmp_path / "outer.zip")
    assert [t.name for t in source.tables] == [
        "outer.zip/Account.csv",
        "outer.zip/more/inner.zip/Contact.csv",
    ]
    assert rows(source.tables[1]) == [{"Id": "003", "AccountId": "001", "LastName": "张"}]


def _aes_zip(path, password: bytes):
    import pyzipper

    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password)
        zf.writestr("Account.csv", ACCOUNT)
    return path


def test_aes_encrypted_zip_opens_with_the_password(tmp_path):
    path = _aes_zip(tmp_path / "secure.zip", b"pa55-word")
    source = read(path, password="pa55-word")
    assert rows(source.tables[0])[1] == {"Id": "002", "Name": "Globex", "Phone": "010"}


def test_aes_encrypted_zip_without_password_names_the_option(tmp_path):
    path = _aes_zip(tmp_path / "secure.zip", b"pa55-word")
    with pytest.raises(InputError, match="secure.zip/Account.csv is encrypted") as e:
        read(path)
    assert "--password" in e.value.hint and "PORTCHECK_PASSWORD" in e.value.hint


def test_aes_encrypted_zip_with_a_wrong_password_is_refused(tmp_path):
    path = _aes_zip(tmp_path / "secure.zip", b"pa55-word")
    with pytest.raises(InputError, match="password does not open"):
        read(path, password="nope")


@pytest.mark.parametrize(
    "member", ["../evil.csv", "a/../../evil.csv", "/etc/evil.csv", "C:/evil.csv", "..\\evil.csv"]
)
def test_member_paths_leaving_the_archive_are_refused_and_nothing_is_written(tmp_path, member):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "x.zip"
    path.write_bytes(_zip({"ok.csv": ACCOUNT, member: ACCOUNT}))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match="leaves the archive"):
        read(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_member_expanding_a_thousand_times_is_stopped_while_decompressing(tmp_path):
    (tmp_path / "bomb.zip").write_bytes(_zip({"bomb.bin": b"\0" * (20 << 20)}))
    with pytest.raises(LimitExceeded, match="expands more than 200 times") as e:
        read(tmp_path / "bomb.zip")
    assert "max_ratio" in e.value.message and "--max-ratio" in e.value.hint
    source = read(tmp_path / "bomb.zip", max_ratio=100_000)  # raised: read (and skipped, not a table)
    assert source.skipped == [("bomb.zip/bomb.bin", "not a format portcheck reads (.bin)")]


def test_total_uncompressed_bytes_are_bounded(tmp_path):
    import os

    blob = os.urandom(700_000)  # incompressible: the ratio limit does not apply
    (tmp_path / "big.zip").write_bytes(_zip({"a.bin": blob, "b.bin": blob}))
    with pytest.raises(LimitExceeded, match="max_total_bytes") as e:
        read(tmp_path / "big.zip", max_total_bytes=1_000_000)
    assert "--max-bytes" in e.value.hint
    assert len(read(tmp_path / "big.zip", max_total_bytes=2_000_000).files) == 3


def test_nesting_depth_is_bounded(tmp_path):
    data = _zip({"Account.csv": ACCOUNT})
    for i in range(3):
        data = _zip({f"level{i}.zip": data})
    (tmp_path / "deep.zip").write_bytes(data)
    with pytest.raises(LimitExceeded, match="max_nesting") as e:
        read(tmp_path / "deep.zip", max_nesting=3)
    assert "--max-nesting" in e.value.hint
    assert (
        read(tmp_path / "deep.zip", max_nesting=4).tables[0].name
        == "deep.zip/level2.zip/level1.zip/level0.zip/Account.csv"
    )


def test_file_count_is_bounded(tmp_path):
    (tmp_path / "many.zip").write_bytes(_zip({f"f{i}.csv": ACCOUNT for i in range(5)}))
    with pytest.raises(LimitExceeded, match="max_files"):
        read(tmp_path / "many.zip", max_files=4)


def test_broken_zip_is_refused(tmp_path):
    data = _zip({"Account.csv": ACCOUNT * 50})
    (tmp_path / "broken.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match="not a readable ZIP archive"):
        read(tmp_path / "broken.zip")


def test_file_named_zip_that_is_not_one_is_refused(tmp_path):
    (tmp_path / "export.zip").write_text("<html>Session expired, please log in</html>")
    with pytest.raises(ReadError, match="named .zip but is not a ZIP archive"):
        read(tmp_path / "export.zip")


def test_symlink_members_are_not_followed(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Account.csv", ACCOUNT)
        link = zipfile.ZipInfo("passwd.csv")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    (tmp_path / "l.zip").write_bytes(buf.getvalue())
    source = read(tmp_path / "l.zip")
    assert [t.name for t in source.tables] == ["l.zip/Account.csv"]
    assert source.skipped == [("l.zip/passwd.csv", "symbolic link inside an archive: not followed")]


def test_gbk_member_names_without_the_utf8_flag_are_decoded(tmp_path):
    data = _zip({"XXXX.csv": ACCOUNT})
    gbk = "客户".encode("gbk")
    assert len(gbk) == 4
    (tmp_path / "cn.zip").write_bytes(data.replace(b"XXXX.csv", gbk + b".csv"))
    source = read(tmp_path / "cn.zip")
    assert [t.name for t in source.tables] == ["cn.zip/客户.csv"]


def test_macos_metadata_in_archives_is_skipped(tmp_path):
    (tmp_path / "mac.zip").write_bytes(_zip({"Account.csv": ACCOUNT, "__MACOSX/._Account.csv": b"\0\5\26\7"}))
    source = read(tmp_path / "mac.zip")
    assert [t.name for t in source.tables] == ["mac.zip/Account.csv"]
    assert source.skipped == [("mac.zip/__MACOSX/._Account.csv", "macOS archive metadata")]
