"""`portcheck inspect`: exit codes of bad input (in a subprocess, as users run it), its output (CliRunner)."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile

import pytest
from click.testing import CliRunner

from portcheck.cli import cli

from .conftest import run_portcheck, shared


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _encrypted_workbook() -> bytes:
    import msoffcrypto.format.ooxml as ooxml
    import openpyxl

    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["Name"])
    wb.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt("pw", out)
    return out.getvalue()


def _corrupt_workbook() -> bytes:
    import openpyxl

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["Name"])
    wb.save(buf)
    return buf.getvalue()[:600]


BAD_INPUTS = {
    # case: (file name, None for a missing path; content factory; words in the message; words in the hint)
    "missing path": (None, None, "does not exist", "check the path"),
    "0-byte file": ("Account.csv", lambda: b"", "is empty (0 bytes)", "export"),
    "binary garbage named .csv": ("Account.csv", lambda: bytes(range(256)) * 40, "binary data", "CSV"),
    "corrupt workbook": ("book.xlsx", _corrupt_workbook, "not a readable Excel workbook", "export it again"),
    "encrypted workbook without password": (
        "book.xlsx",
        _encrypted_workbook,
        "password-protected",
        "--password",
    ),
    "broken ZIP": (
        "export.zip",
        lambda: _zip({"Account.csv": b"Id\n1\n" * 500})[:-40],
        "not a readable ZIP archive",
        "download",
    ),
    "ZIP with ../ members": (
        "export.zip",
        lambda: _zip({"../evil.csv": b"Id\n1\n"}),
        "leaves the archive",
        "unpack",
    ),
    "ZIP expanding 1,000 times": (
        "export.zip",
        lambda: _zip({"Account.csv": b"0" * (10 << 20)}),
        "expands more than 200 times",
        "--max-ratio",
    ),
    "JSON with no record list": (
        "Account.json",
        lambda: b'{"status": "ok", "count": 2}',
        "no list of records",
        "--json-path",
    ),
    "JSON nested 100,000 deep": (
        "deep.json",
        lambda: b"[" * 100_000 + b"]" * 100_000,
        "max_json_depth",
        "--max-json-depth",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_sentence_and_a_hint(tmp_path, case):
    name, content, words, hint_words = BAD_INPUTS[case]
    path = tmp_path / (name or "no-such-export")
    if content is not None:
        path.write_bytes(content())
    result = run_portcheck("inspect", str(path), timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("portcheck: ") and words in lines[0]
    assert lines[1].startswith("hint: ") and hint_words in lines[1]
    assert result.stdout == ""


def test_password_from_the_environment_opens_an_encrypted_workbook(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(_encrypted_workbook())
    result = run_portcheck("inspect", "--json", str(tmp_path / "book.xlsx"), env={"PORTCHECK_PASSWORD": "pw"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tables"][0]["columns"][0]["name"] == "Name"


def test_limit_raised_by_option_lets_the_read_through(tmp_path):
    (tmp_path / "export.zip").write_bytes(_zip({"notes.bin": b"0" * (10 << 20)}))
    assert run_portcheck("inspect", str(tmp_path / "export.zip")).returncode == 2
    result = run_portcheck("inspect", "--max-ratio", "100000", str(tmp_path / "export.zip"))
    assert result.returncode == 0, result.stderr
    assert "export.zip/notes.bin: not a format portcheck reads (.bin)" in result.stdout


# ---------------------------------------------------------------------------------- output (CliRunner)


def _invoke(*args: str):
    result = CliRunner().invoke(cli, ["inspect", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.fixture
def gb_export(tmp_path):
    folder = tmp_path / "exp"
    folder.mkdir()
    text = (
        "客户编号,客户名称,手机,备注\r\n3388926000000166021,深圳市腾讯计算机系统有限公司,0755-86013388,"
        '"重要客户\r\n第二行, 带逗号"\r\n0012,北京字节跳动科技有限公司,010-12345678,\r\n'
    )
    (folder / "客户.csv").write_bytes(text.encode("gb18030"))
    (folder / "page-1.json").write_text(
        json.dumps(
            {
                "totalSize": 3,
                "done": False,
                "nextRecordsUrl": "/next",
                "records": [{"Id": "1", "Name": "Acme"}],
            }
        )
    )
    (folder / "page-2.json").write_text(
        json.dumps({"totalSize": 3, "done": True, "records": [{"Id": "2", "Name": "Globex"}]})
    )
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return folder


def test_text_output_describes_each_table_in_80_columns(gb_export):
    out = _invoke(str(gb_export))
    assert all(_cells(line) <= 80 for line in out.splitlines()), [
        line for line in out.splitlines() if _cells(line) > 80
    ]
    assert "4 files, 2 tables, 1 skipped; values masked" in out
    assert "[1] page-*.json#records" in out and "[2] 客户.csv" in out
    assert "encoding   gb18030" in out
    assert "format     csv, delimiter comma ," in out
    assert "rows       2 rows, 4 columns" in out
    assert "declared   3 records (totalSize); done; 2 pages" in out
    assert "logo.png: not a format portcheck reads (.png)" in out
    assert out.splitlines()[2].startswith("profile: ")
    # values are masked by default: neither the ID nor the company name appears
    assert "3388926000000166021" not in out and "深圳市腾讯计算机系统有限公司" not in out


def test_show_values_prints_samples_as_read(gb_export):
    out = _invoke("--show-values", str(gb_export))
    assert "3388926000000166021" in out and "0012" in out
    assert "重要客户⏎第二行, 带逗号" in out  # a multi-line value stays on one line
    assert "values masked" not in out


def test_json_output_is_stable_and_complete(gb_export):
    doc = json.loads(_invoke("--json", str(gb_export)))
    assert list(doc) == [
        "inspect_version",
        "export",
        "role",
        "masked",
        "files",
        "tables",
        "skipped",
        "profile",
    ]
    assert doc["inspect_version"] == 1 and doc["masked"] is True
    assert [f["name"] for f in doc["files"]] == ["logo.png", "page-1.json", "page-2.json", "客户.csv"]
    pages, csv_table = doc["tables"]
    assert pages["files"] == ["page-1.json", "page-2.json"]
    assert pages["declared"] == {
        "total": 3,
        "key": "totalSize",
        "done": True,
        "next_cursor": False,
        "pages": 2,
    }
    assert csv_table["encoding"] == "gb18030" and csv_table["delimiter"] == ","
    assert [c["name"] for c in csv_table["columns"]] == ["客户编号", "客户名称", "手机", "备注"]
    assert csv_table["rows"] == 2 and csv_table["issues"] == []
    sample = csv_table["columns"][0]["samples"][0]
    assert sample.startswith("3…1#") and len(sample) == len("3…1#") + 8
    assert set(doc["profile"]) >= {"status", "name", "score", "reason"}
    assert doc["profile"]["status"] in ("ok", "none_fits", "not_available")
    shown = json.loads(_invoke("--json", "--show-values", str(gb_export)))
    assert shown["tables"][1]["columns"][2]["samples"] == ["0755-86013388", "010-12345678"]


def test_encoding_option_is_applied(tmp_path):
    (tmp_path / "a.csv").write_bytes("name\ncafé\n".encode())
    doc = json.loads(_invoke("--json", "--show-values", "--encoding", "latin-1", str(tmp_path / "a.csv")))
    assert doc["tables"][0]["encoding"] == "latin-1"
    assert doc["tables"][0]["columns"][0]["samples"] == ["cafÃ©"]


def test_json_path_and_column_names_options(tmp_path):
    (tmp_path / "k.json").write_text(json.dumps({"result": {"rows": [["C1", "Acme"]], "meta": [{"x": 1}]}}))
    doc = json.loads(
        _invoke(
            "--json",
            "--show-values",
            "--json-path",
            "result.rows",
            "--column-names",
            "FNumber,FName",
            str(tmp_path / "k.json"),
        )
    )
    table = doc["tables"][0]
    assert table["json_path"] == "result.rows"
    assert [(c["name"], c["samples"]) for c in table["columns"]] == [("FNumber", ["C1"]), ("FName", ["Acme"])]


def test_real_sample_report_csv(tmp_path):
    path = shared("real-samples/salesforce-lwc-recipes/report-csv/Accounts-Contacts.csv")
    out = _invoke(str(path))
    assert "rows       14 rows, 9 columns" in out
    assert "line 8: 3 fields where the header has 9: padded with empty values" in out
    doc = json.loads(_invoke("--json", str(path)))
    assert doc["tables"][0]["rows"] == 14 and len(doc["tables"][0]["issues"]) == 8


def test_real_sample_declared_total_is_shown(tmp_path):
    out = _invoke(str(shared("real-samples/salesforce-data-import-test-org/Opportunity.json")))
    assert "rows       9 rows, 12 columns" in out
    assert "declared   10 records (totalSize); done" in out
