"""Delimited text: encodings, dialects, multi-line fields, ragged rows, footers — every value read as text."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest

from portcheck.errors import ReadError, UsageError
from portcheck.readers import ReadOptions, csvfile, read_export

from .conftest import column, only_table, read, rows

CHINESE_ROWS = [
    ["客户编号", "客户名称", "手机", "备注"],
    ["3388926000000166021", "深圳市腾讯计算机系统有限公司", "0755-86013388", "重要客户 䶮 𠀀"],
    ["0012", "北京字节跳动科技有限公司", "010-12345678", "普通"],
    ["0013", "上海浦东发展银行股份有限公司", "13800138000", ""],
]


def _csv_text(table: list[list[str]], delimiter: str = ",", lineterminator: str = "\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerows(table)
    return buf.getvalue()


def test_gb18030_without_bom_is_detected_and_keeps_rare_characters(write):
    path = write("客户.csv", _csv_text(CHINESE_ROWS), encoding="gb18030")
    t = only_table(path)
    assert t.meta["encoding"] == "gb18030"
    assert t.columns == CHINESE_ROWS[0]
    assert [list(r.values()) for r in rows(t)] == CHINESE_ROWS[1:]
    assert column(t, "备注")[0] == "重要客户 䶮 𠀀"  # a 4-byte GB18030 character outside the BMP survives


def test_every_column_is_text_leading_zeros_and_long_ids_survive(write):
    path = write(
        "ids.csv",
        "id,phone,amount,flag,zip\n3388926000000166021,0755-8888 1234,1.50,TRUE,00501\n1e5,007,0,false,\n",
    )
    t = only_table(path)
    assert all(f.type == pa.string() for f in t.table.schema)
    assert rows(t) == [
        {
            "id": "3388926000000166021",
            "phone": "0755-8888 1234",
            "amount": "1.50",
            "flag": "TRUE",
            "zip": "00501",
        },
        {"id": "1e5", "phone": "007", "amount": "0", "flag": "false", "zip": ""},
    ]


def test_big5_is_detected(write):
    table = [
        ["客戶名稱", "電話", "備註"],
        ["台灣積體電路製造股份有限公司", "03-5636688", "重要客戶，請優先處理"],
        ["鴻海精密工業股份有限公司", "02-22683466", "一般客戶"],
    ]
    t = only_table(write("big5.csv", _csv_text(table), encoding="big5"))
    assert t.meta["encoding"] == "big5"
    assert [list(r.values()) for r in rows(t)] == table[1:]


def test_cp1252_smart_quotes_and_euro_are_detected(write):
    table = [
        ["Name", "City", "Note"],
        ["José Müller", "Zürich", "“quoted” café – 5€"],
        ["François Crème", "Besançon", "naïve"],
    ]
    t = only_table(write("west.csv", _csv_text(table), encoding="cp1252"))
    assert t.meta["encoding"] == "cp1252"
    assert [list(r.values()) for r in rows(t)] == table[1:]


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1(write):
    data = "Name,Note\nJosé,a\x81b\n".encode("latin-1")
    t = only_table(write("l1.csv", data))
    assert t.meta["encoding"] == "latin-1"
    assert rows(t) == [{"Name": "José", "Note": "a\x81b"}]


def test_utf16_unicode_text_export_tab_delimited_with_bom(write):
    """Excel's "Unicode Text" export: UTF-16 LE with BOM, tab-delimited, CRLF."""
    text = _csv_text(CHINESE_ROWS, delimiter="\t")
    t = only_table(write("unicode.txt", text.encode("utf-16")))
    assert t.meta["encoding"] == "utf-16"
    assert t.meta["delimiter"] == "\t"
    assert t.columns == CHINESE_ROWS[0]
    assert [list(r.values()) for r in rows(t)] == CHINESE_ROWS[1:]


def test_utf16_without_bom_is_recognised_by_its_nul_pattern(write):
    text = _csv_text([["name", "city"], ["Ann", "Oslo"]])
    t = only_table(write("nobom.csv", text.encode("utf-16-le")))
    assert t.meta["encoding"] == "utf-16-le"
    assert rows(t) == [{"name": "Ann", "city": "Oslo"}]


def test_utf8_bom_is_removed_from_the_first_header(write):
    t = only_table(write("bom.csv", "\ufeffName,Phone\n张三,0755\n"))
    assert t.meta["encoding"] == "utf-8-sig"
    assert t.columns == ["Name", "Phone"]
    assert rows(t) == [{"Name": "张三", "Phone": "0755"}]


def test_crlf_and_multiline_quoted_notes_full_of_commas_and_quotes(write):
    notes = ['first line, with comma\r\nsecond "quoted" line', 'He said "call me, later"', "a\nb\nc"]
    table = [["id", "notes", "owner"]] + [[str(i), n, "张三"] for i, n in enumerate(notes)]
    t = only_table(write("notes.csv", _csv_text(table, lineterminator="\r\n")))
    assert t.rows == 3
    assert column(t, "notes") == notes
    assert column(t, "owner") == ["张三"] * 3
    assert t.issues == []


def test_header_only_file_is_a_table_with_zero_rows(write):
    t = only_table(write("Contact.csv", "Id,LastName,Email\r\n"))
    assert t.rows == 0
    assert t.columns == ["Id", "LastName", "Email"]
    assert t.table.column_names == ["Id", "LastName", "Email"]


@pytest.mark.parametrize("fast_limit", [2000, 1], ids=["pyarrow-path", "csv-module-path"])
def test_short_rows_are_padded_and_long_rows_keep_their_surplus_in_order(write, monkeypatch, fast_limit):
    """Both ways of reading ragged files (a few bad rows, or mostly bad rows) give the same table."""
    monkeypatch.setattr(csvfile, "RAGGED_FAST_LIMIT", fast_limit)
    text = 'a,b,c\n1,2,3\n4,5\n"multi\nline",x,y\n6,7,8,9,10\n11\n12,13,14\n'
    t = only_table(write("ragged.csv", text))
    assert rows(t) == [
        {"a": "1", "b": "2", "c": "3", "_extra_1": None, "_extra_2": None},
        {"a": "4", "b": "5", "c": None, "_extra_1": None, "_extra_2": None},
        {"a": "multi\nline", "b": "x", "c": "y", "_extra_1": None, "_extra_2": None},
        {"a": "6", "b": "7", "c": "8", "_extra_1": "9", "_extra_2": "10"},
        {"a": "11", "b": None, "c": None, "_extra_1": None, "_extra_2": None},
        {"a": "12", "b": "13", "c": "14", "_extra_1": None, "_extra_2": None},
    ]
    assert t.columns == ["a", "b", "c"]
    # physical line numbers, counting the two lines of the multi-line field
    assert t.meta["ragged"] == {"short": 2, "long": 1, "lines": [3, 6, 7]}
    assert t.issues == [
        "line 3: 2 fields where the header has 3: padded with empty values",
        "line 6: 5 fields where the header has 3: the surplus kept in _extra_ columns",
        "line 7: 1 field where the header has 3: padded with empty values",
    ]


def test_salesforce_report_footer_is_cut_and_its_total_declared(write):
    text = (
        '"Account Name","Phone"\n"Acme","0755"\n"Globex","010"\n\n"Grand Totals (2 records)"\n\n'
        '"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n"Acme Corp"\n'
    )
    t = only_table(write("report.csv", text))
    assert rows(t) == [{"Account Name": "Acme", "Phone": "0755"}, {"Account Name": "Globex", "Phone": "010"}]
    assert t.issues == []
    assert t.declared is not None and t.declared.total == 2 and t.declared.key == "Grand Totals"
    assert t.meta["footer"][0] == "Grand Totals (2 records)"
    assert t.meta["footer"][-1] == "Acme Corp"


def test_a_single_column_file_without_footer_keeps_all_its_rows(write):
    t = only_table(write("one.csv", "Name\nAcme\n\nGlobex\n"))
    assert column(t, "Name") == ["Acme", "Globex"]
    assert "footer" not in t.meta


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [(";", ".csv"), ("|", ".csv"), ("\t", ".tsv"), ("\t", ".csv")]
)
def test_delimiter_is_detected(write, delimiter, suffix):
    table = [["Name", "Amount", "Note"], ["Acme", "1,5", "x, y"], ["Globex", "2", "z"]]
    t = only_table(write(f"d{suffix}", _csv_text(table, delimiter=delimiter)))
    assert t.meta["delimiter"] == delimiter
    assert [list(r.values()) for r in rows(t)] == table[1:]


def test_repeated_header_names_are_made_unique_and_kept_as_written(write):
    t = only_table(write("dup.csv", "Name,Name,,Phone\na,b,c,d\n"))
    assert t.columns == ["Name", "Name", "", "Phone"]
    assert t.table.column_names == ["Name", "Name.2", "col_3", "Phone"]
    assert rows(t) == [{"Name": "a", "Name.2": "b", "col_3": "c", "Phone": "d"}]


def test_encoding_option_overrides_detection(write):
    path = write("x.csv", "name\ncafé\n")  # UTF-8
    t = only_table(path, encoding="latin-1")
    assert t.meta["encoding"] == "latin-1" and t.meta["encoding_method"] == "option"
    assert column(t, "name") == ["cafÃ©"]


def test_unknown_encoding_option_is_a_usage_error(write):
    with pytest.raises(UsageError, match="not an encoding"):
        read(write("x.csv", "a\n1\n"), encoding="no-such-codec")


def test_file_that_turns_out_not_to_be_utf8_after_the_sample_is_reread(write):
    head = "name,note\n" + "plain,ascii\n" * 100_000  # > 1 MiB of ASCII
    data = head.encode() + "José,café €\n".encode("cp1252")
    t = only_table(write("late.csv", data))
    assert t.meta["encoding"] == "cp1252"
    assert t.rows == 100_001
    assert rows(t)[-1] == {"name": "José", "note": "café €"}
    assert "not UTF-8 throughout" in t.issues[0]


def test_short_chinese_text_is_read_as_gb18030_not_big5_or_korean(write):
    """Statistical detectors call this Big5 or EUC-KR; the share of everyday hanzi says GB18030."""
    t = only_table(write("short.csv", "id,name\n1,王伟\n2,李娜\n", encoding="gb18030"))
    assert t.meta["encoding"] == "gb18030"
    assert column(t, "name") == ["王伟", "李娜"]


def test_text_that_is_plausible_in_two_encodings_says_it_is_unsure(write):
    t = only_table(write("both.csv", "客户名称\t手机\n腾讯\t0755\n", encoding="gb18030"))
    assert t.meta["encoding"] == "gb18030"
    assert rows(t) == [{"客户名称": "腾讯", "手机": "0755"}]
    assert t.meta["confidence"] <= 0.6 and t.meta["encoding_alternatives"] == ["big5"]


def test_binary_garbage_named_csv_is_refused(write):
    import random

    data = random.Random(1).randbytes(5000)
    with pytest.raises(ReadError, match="binary data"):
        read(write("garbage.csv", data))


def test_zero_byte_file_is_refused(write):
    with pytest.raises(ReadError, match=r"empty \(0 bytes\)"):
        read(write("empty.csv", b""))


def test_blank_only_file_has_no_header(write):
    with pytest.raises(ReadError, match="no header row"):
        read(write("blank.csv", "\n\n  \n"))


def test_text_file_without_delimiter_in_a_folder_is_skipped_not_read(write, tmp_path):
    write("exp/README.txt", "This export was made on Monday.\nAsk IT for help.\n")
    write("exp/Account.csv", "Id,Name\n1,Acme\n")
    source = read_export(tmp_path / "exp", options=ReadOptions())
    assert [t.name for t in source.tables] == ["Account.csv"]
    assert source.skipped == [("README.txt", "text without a delimiter (not a table)")]
    assert [f.name for f in source.files] == ["Account.csv", "README.txt"]


def test_header_row_option_skips_lines_above_the_header(write):
    t = only_table(write("pre.csv", "Report: customers\nName,Phone\nAcme,0755\n"), header_row=2)
    assert t.columns == ["Name", "Phone"]
    assert rows(t) == [{"Name": "Acme", "Phone": "0755"}]


@pytest.mark.slow
def test_a_million_mostly_ragged_rows_take_the_csv_module_path_in_seconds(write):
    import time

    lines = ["a,b,c"] + ["1,2,3" if i % 2 else "x" for i in range(1_000_000)]
    path = write("big-ragged.csv", "\n".join(lines) + "\n")
    start = time.perf_counter()
    t = only_table(path)
    assert time.perf_counter() - start < 20
    assert t.rows == 1_000_000 and t.meta["ragged"]["short"] == 500_000
    assert rows(t)[:2] == [{"a": "x", "b": None, "c": None}, {"a": "1", "b": "2", "c": "3"}]
    assert t.issues[0] == "line 2: 1 field where the header has 3: padded with empty values"
    assert t.issues[-1] == "… and 499,900 more rows whose field count differs from the header's"
