"""Excel workbooks written by real writers (openpyxl, xlsxwriter, xlwt): every sheet, values as text."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from portcheck.errors import InputError, ReadError
from portcheck.readers import read_export

from .conftest import column, only_table, read, rows


def _openpyxl_book(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户编号", "客户名称", "手机", "金额", "成立日期", "更新时间", "启用", "备注"])
    ws.append(
        [
            3388926000000166021,
            "深圳市腾讯计算机系统有限公司",
            "0755-86013388",
            1234.5,
            date(2024, 1, 2),
            datetime(2024, 1, 2, 3, 4, 5),
            True,
            None,
        ]
    )
    ws.append([42, "北京字节跳动", "010-12345678", 0.1, None, None, False, "多行\n备注"])
    ws["A2"].number_format = "0.00E+00"
    ws["D2"].number_format = "#,##0.00"
    other = wb.create_sheet("Contacts")
    other.append(["Name", "Email"])
    other.append(["Ann", "ann@example.com"])
    wb.create_sheet("Empty")
    hidden = wb.create_sheet("Hidden")
    hidden.append(["k", "v"])
    hidden.append(["a", "1"])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_xlsx_every_sheet_is_a_table_named_book_hash_sheet(tmp_path):
    source = read(_openpyxl_book(tmp_path / "book.xlsx"))
    assert [t.name for t in source.tables] == ["book.xlsx#客户", "book.xlsx#Contacts", "book.xlsx#Hidden"]
    assert [t.format for t in source.tables] == ["xlsx"] * 3
    assert source.tables[2].meta["hidden"] is True and source.tables[0].meta["hidden"] is False
    assert rows(source.tables[1]) == [{"Name": "Ann", "Email": "ann@example.com"}]


def test_xlsx_cells_become_text_as_excel_holds_them(tmp_path):
    t = read(_openpyxl_book(tmp_path / "book.xlsx")).tables[0]
    assert rows(t) == [
        {
            # Excel stored the 19-digit ID as a double: the damage stays visible
            "客户编号": "3388926000000166000",
            "客户名称": "深圳市腾讯计算机系统有限公司",
            "手机": "0755-86013388",
            "金额": "1234.5",
            "成立日期": "2024-01-02",
            "更新时间": "2024-01-02T03:04:05",
            "启用": "TRUE",
            "备注": None,
        },
        {
            "客户编号": "42",
            "客户名称": "北京字节跳动",
            "手机": "010-12345678",
            "金额": "0.1",
            "成立日期": None,
            "更新时间": None,
            "启用": "FALSE",
            "备注": "多行\n备注",
        },
    ]
    assert t.meta["number_formats"]["客户编号"] == "0.00E+00"
    assert t.meta["number_formats"]["金额"] == "#,##0.00"
    assert t.meta["numeric_columns"] == ["客户编号", "金额"]
    assert t.meta["header_row"] == 1


def test_wukong_template_header_below_merged_instructions_keeps_its_stars(tmp_path):
    import xlsxwriter

    path = tmp_path / "客户导入模板.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户")
    ws.merge_range("A1:E1", "导入说明：1. 带*为必填项；2. 手机号请设置为文本格式；3. 请勿修改表头")
    ws.write_row(1, 0, ["*客户名称", "*负责人", "手机", "客户级别", "备注"])
    ws.write_row(2, 0, ["深圳市腾讯", "张三", "0755-86013388", "A", "重要"])
    ws.write_row(3, 0, ["北京字节跳动", "李四", "13800138000", "B"])
    ws.write_row(5, 0, ["上海浦发", "王五"])  # a blank row 5 between records
    wb.close()
    t = only_table(path)
    assert t.columns == ["*客户名称", "*负责人", "手机", "客户级别", "备注"]
    assert t.meta["header_row"] == 2
    assert t.meta["preamble"] == ["导入说明：1. 带*为必填项；2. 手机号请设置为文本格式；3. 请勿修改表头"]
    assert t.meta["blank_rows"] == 1
    assert column(t, "*客户名称") == ["深圳市腾讯", "北京字节跳动", "上海浦发"]
    assert column(t, "手机") == ["0755-86013388", "13800138000", None]


def test_header_row_option_overrides_detection(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title", "of", "the", "report"])  # looks like a header, but is not
    ws.append(["Name", "Phone", "City", "Level"])
    ws.append(["Acme", "0755", "Shenzhen", "A"])
    wb.save(tmp_path / "r.xlsx")
    assert only_table(tmp_path / "r.xlsx").columns == ["Title", "of", "the", "report"]
    t = only_table(tmp_path / "r.xlsx", header_row=2)
    assert t.columns == ["Name", "Phone", "City", "Level"]
    assert rows(t) == [{"Name": "Acme", "Phone": "0755", "City": "Shenzhen", "Level": "A"}]


def test_sheet_starting_away_from_a1_is_read(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "Name", "Amount"
    ws["C4"], ws["D4"] = "Acme", 5
    ws["D4"].number_format = "0.00"
    wb.save(tmp_path / "offset.xlsx")
    t = only_table(tmp_path / "offset.xlsx")
    assert rows(t) == [{"Name": "Acme", "Amount": "5"}]
    assert t.meta["header_row"] == 3
    assert t.meta["number_formats"] == {"Amount": "0.00"}


def test_xls_written_by_xlwt(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("客户")
    for c, h in enumerate(["客户名称", "手机", "数量", "金额", "日期"]):
        ws.write(0, c, h)
    ws.write(1, 0, "深圳市腾讯")
    ws.write(1, 1, "0755-86013388")
    ws.write(1, 2, 42)
    ws.write(1, 3, 3388926000000166021.0, xlwt.easyxf(num_format_str="0.00E+00"))
    ws.write(1, 4, date(2024, 1, 2), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    wb.save(str(tmp_path / "old.xls"))
    t = only_table(tmp_path / "old.xls")
    assert t.name == "old.xls#客户" and t.format == "xls"
    assert rows(t) == [
        {
            "客户名称": "深圳市腾讯",
            "手机": "0755-86013388",
            "数量": "42",
            "金额": "3388926000000166000",
            "日期": "2024-01-02",
        }
    ]
    assert t.meta["number_formats"]["金额"] == "0.00E+00"


def test_xlsm_is_read_as_a_workbook(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.active.append(["1", "2"])
    wb.save(tmp_path / "m.xlsm")
    t = only_table(tmp_path / "m.xlsm")
    assert t.format == "xlsm" and rows(t) == [{"a": "1", "b": "2"}]


def test_workbook_renamed_csv_is_read_as_a_workbook_and_says_so(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active.append(["a", "b"])
    wb.active.append(["1", "2"])
    wb.save(tmp_path / "export.csv")
    t = only_table(tmp_path / "export.csv")
    assert t.name == "export.csv#S" and rows(t) == [{"a": "1", "b": "2"}]
    assert t.issues == ["named .csv but is an Excel workbook"]


def _encrypted(tmp_path, password="s3cret"):
    import msoffcrypto.format.ooxml as ooxml
    import openpyxl

    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.title = "Accounts"
    wb.active.append(["Name", "Phone"])
    wb.active.append(["Acme", "0755"])
    wb.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt(password, out)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(out.getvalue())
    return path


def test_encrypted_workbook_opens_with_the_password(tmp_path):
    t = only_table(_encrypted(tmp_path), password="s3cret")
    assert rows(t) == [{"Name": "Acme", "Phone": "0755"}]
    assert t.meta["decrypted"] is True


def test_encrypted_workbook_without_password_names_the_option(tmp_path):
    with pytest.raises(InputError, match="password-protected") as e:
        read(_encrypted(tmp_path))
    assert "--password" in e.value.hint and "PORTCHECK_PASSWORD" in e.value.hint


def test_encrypted_workbook_with_a_wrong_password_is_refused(tmp_path):
    with pytest.raises(InputError, match="password does not open"):
        read(_encrypted(tmp_path), password="wrong")


def test_corrupt_workbook_is_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "broken.xlsx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ReadError, match="not a readable Excel workbook"):
        read(tmp_path / "broken.xlsx")


def test_random_bytes_named_xlsx_are_refused(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(b"this is not a workbook at all\n" * 10)
    with pytest.raises(ReadError, match="not a readable Excel workbook"):
        read_export(tmp_path / "fake.xlsx")


def test_html_named_xls_is_skipped_with_the_reason(tmp_path):
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "report.xls").write_text("<html><table><tr><td>a</td></tr></table></html>")
    source = read_export(tmp_path / "exp")
    assert source.tables == []
    assert source.skipped[0][0] == "report.xls" and "HTML page" in source.skipped[0][1]


def test_tab_separated_text_named_xls_is_read_as_text(tmp_path):
    (tmp_path / "crm.xls").write_bytes("客户名称\t手机\n腾讯\t0755\n".encode("gb18030"))
    t = only_table(tmp_path / "crm.xls")
    assert rows(t) == [{"客户名称": "腾讯", "手机": "0755"}]
    assert t.issues == ["named .xls but is delimited text"]
