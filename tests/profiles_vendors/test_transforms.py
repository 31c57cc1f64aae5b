"""The declarative raw-table transforms (portcheck.profiles.transforms), each on a tiny table, and how a bad
``transforms`` entry in a mapping file is reported."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from portcheck.errors import ProfileError
from portcheck.profiles import resolve_profile
from portcheck.profiles.transforms import prepare
from portcheck.readers.interface import ExportSource, RawTable, SourceFile


def source(name: str, columns: dict[str, list], fmt: str = "csv", **meta) -> ExportSource:
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    raw = RawTable(
        name=name,
        source=SourceFile(name, "0" * 64, 1),
        format=fmt,
        table=table,
        columns=list(columns),
        meta=dict(meta),
    )
    return ExportSource(root="mem", role="export", files=[raw.source], tables=[raw])


def mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text("profile: 1\n" + text, encoding="utf-8")
    return path


def run(tmp_path: Path, text: str, src: ExportSource, timezone: str | None = None) -> RawTable:
    return prepare(src, resolve_profile(None, mapping(tmp_path, text)), timezone=timezone).tables[0]


def col(raw: RawTable, name: str) -> list:
    return raw.table.column(name).to_pylist()


def test_a_profile_without_transforms_leaves_the_source_untouched(tmp_path):
    src = source("a.csv", {"x": ["'=1"]})
    assert prepare(src, resolve_profile("salesforce", None)) is src


def test_formula_guard_quote_is_undone_only_before_equals_plus_minus(tmp_path):
    src = source("a.csv", {"phone": ["'+33 1 25", "'-5", "'=SUM(A1)", "'quoted'", "it's", None]})
    raw = run(tmp_path, "transforms: [{unquote_formulas: true, formats: [csv]}]\n", src)
    assert col(raw, "phone") == ["+33 1 25", "-5", "=SUM(A1)", "'quoted'", "it's", None]
    assert src.tables[0].table.column("phone")[0].as_py() == "'+33 1 25"  # the input is not modified


def test_a_transform_limited_to_csv_does_not_touch_a_workbook(tmp_path):
    src = source("a.xlsx#Sheet1", {"phone": ["'+33"]}, fmt="xlsx")
    raw = run(tmp_path, "transforms: [{unquote_formulas: true, formats: [csv]}]\n", src)
    assert col(raw, "phone") == ["'+33"]


def test_loss_marker_cells_become_empty_and_the_table_says_how_many(tmp_path):
    warning = "The content of this cell is too long for an XLSX file (more than 32767 characters)."
    src = source("b.xlsx#Sheet1", {"notes": [warning, "fine", None], "name": ["a", warning, "c"]}, fmt="xlsx")
    raw = run(
        tmp_path,
        'transforms: [{loss_markers: {texts: ["The content of this cell is too long*"], '
        "reason: too long}}]\n",
        src,
    )
    assert col(raw, "notes") == [None, "fine", None]
    assert col(raw, "name") == ["a", None, "c"]
    assert len(raw.issues) == 1 and "2 cell(s)" in raw.issues[0] and "too long" in raw.issues[0]


def test_continuation_rows_fold_into_the_record_above(tmp_path):
    src = source(
        "lead.csv",
        {
            "id": ["L1", "", "", "L2", "L3", ""],
            "name": ["One", "", "", "Two", "Three", ""],
            "tags": ["A", "B", "C", "", "D", "E"],
        },
    )
    raw = run(tmp_path, "transforms: [{fold_rows: {when_empty: [id], separator: '|'}}]\n", src)
    assert col(raw, "id") == ["L1", "L2", "L3"]
    assert col(raw, "name") == ["One", "Two", "Three"]
    assert col(raw, "tags") == ["A|B|C", None, "D|E"]
    assert raw.meta["transforms"] == ["fold_rows: 3 continuation rows folded into their records"]


def test_folding_needs_the_key_column(tmp_path):
    src = source("lead.csv", {"name": ["One", ""], "tags": ["A", "B"]})
    raw = run(tmp_path, "transforms: [{fold_rows: {when_empty: [id]}}]\n", src)
    assert raw.rows == 2


def test_multilingual_objects_are_read_in_the_preferred_language_with_fallback(tmp_path):
    src = source(
        "c.json#data",
        {
            "code": ["1", "2"],
            "name.zh_CN": ["青禾", None],
            "name.en_US": ["Qinghe", "Lianchuang"],
            "Owner.id": ["u1", "u2"],
        },
        fmt="json",
    )
    raw = run(tmp_path, "transforms: [{multilingual: {prefer: [zh_CN, en_US]}}]\n", src)
    assert col(raw, "name") == ["青禾", "Lianchuang"]
    assert "name.zh_CN" not in raw.table.column_names
    assert col(raw, "Owner.id") == ["u1", "u2"]  # not a language
    raw = run(tmp_path, "transforms: [{multilingual: {prefer: [en_US, zh_CN]}}]\n", src)
    assert col(raw, "name") == ["Qinghe", "Lianchuang"]


def test_decimal_comma_numbers_in_a_semicolon_file(tmp_path):
    values = ["1.234.567,89", "25.000,50", "12,5", "-8,00 €", "1.5", "25,000.00", "abc", None]
    text = "transforms: [{decimal_comma: {columns: [Amount]}, delimiters: [';']}]\n"
    raw = run(tmp_path, text, source("o.csv", {"Amount": values}, delimiter=";"))
    assert col(raw, "Amount") == ["1234567.89", "25000.50", "12.5", "-8.00", "1.5", "25,000.00", "abc", None]
    raw = run(tmp_path, text, source("o.csv", {"Amount": values}, delimiter=","))
    assert col(raw, "Amount") == values  # a comma-delimited file keeps its numbers


def test_local_dates_read_instants_of_local_midnight_as_that_day(tmp_path):
    src = source(
        "o.json",
        {
            "d": [
                "1727625600000",
                "1727625600",
                "2024-09-29T16:00:00.000Z",
                "2024-09-30T00:00:00+08:00",
                "2024-09-30",
                "soon",
                None,
            ]
        },
        fmt="json",
    )
    text = "transforms: [{local_dates: {columns: [d]}}]\n"
    raw = run(tmp_path, text, src, timezone="Asia/Shanghai")
    assert col(raw, "d") == ["2024-09-30"] * 5 + ["soon", None]
    raw = run(tmp_path, text, src, timezone="UTC")
    assert col(raw, "d")[:4] == ["2024-09-29"] * 4


def test_coalesce_takes_the_first_source_with_a_value(tmp_path):
    src = source(
        "opp.json",
        {"statecode": ["0", "1", "2", "0"], "stepname": ["3-Propose", "4-Close", "2-Develop", None]},
        fmt="json",
    )
    raw = run(
        tmp_path,
        'transforms: [{coalesce: {into: stage, from: [{column: statecode, map: {"1": Won, "2": Lost}}, '
        "{column: stepname}]}}]\n",
        src,
    )
    assert col(raw, "stage") == ["3-Propose", "Won", "Lost", None]


def test_positional_columns_take_the_profile_field_keys(tmp_path):
    src = source("BD_Customer-1.json", {"col_1": ["1"], "col_2": ["C1"], "col_3": ["Name"]}, fmt="json")
    raw = run(tmp_path, 'transforms: [{column_names: [FID, FNumber, FName], files: ["BD_Customer*"]}]\n', src)
    assert raw.table.column_names == ["FID", "FNumber", "FName"]
    assert raw.issues == []
    raw = run(tmp_path, 'transforms: [{column_names: [FID, FNumber], files: ["BD_Customer*"]}]\n', src)
    assert raw.table.column_names == ["FID", "FNumber", "col_3"]
    assert "rows have 3 values but the profile names 2 fields" in raw.issues[0]
    other = source("BD_Other.json", {"col_1": ["1"]}, fmt="json")
    assert run(
        tmp_path, 'transforms: [{column_names: [FID], files: ["BD_Customer*"]}]\n', other
    ).table.column_names == ["col_1"]


def test_a_mappings_transforms_run_before_the_profiles(tmp_path):
    # The yonyou profile prefers zh_CN; a mapping extending it asks for English names.
    from portcheck.profiles import load_dataset
    from tests.profiles_vendors.conftest import FIXTURES, read

    m = mapping(tmp_path, "extends: yonyou\ntransforms: [{multilingual: {prefer: [en_US, zh_CN]}}]\n")
    ds = load_dataset(read(FIXTURES / "yonyou" / "yonbip" / "export"), mapping=m)
    assert ds.objects["customer"].table.column("name").to_pylist() == [
        "Hangzhou Qinghe Technology Co., Ltd.",
        "Shenzhen Lianchuang Electronics Co., Ltd.",
    ]
    assert ds.objects["customer"].table.column("x_abbrname").to_pylist() == ["Qinghe", "Lianchuang"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("transforms: {fold_rows: {when_empty: [id]}}\n", "transforms must be a list"),
        ("transforms:\n  - fold_row: {when_empty: [id]}\n", "unknown key 'fold_row' in a transforms entry"),
        ("transforms:\n  - {unquote_formulas: true, fold_rows: {when_empty: [id]}}\n", "exactly one kind"),
        ("transforms:\n  - unquote_formulas: yes please\n", "unquote_formulas must be true or false"),
        ("transforms:\n  - fold_rows: {separator: ','}\n", "fold_rows needs when_empty"),
        (
            "transforms:\n  - coalesce: {into: x, from: [{col: a}]}\n",
            "unknown key 'col' in a coalesce source",
        ),
        ("transforms:\n  - decimal_comma: {columns: [A]}\n    sheet: [x]\n", "unknown key 'sheet'"),
    ],
)
def test_a_bad_transforms_entry_names_the_file_line_and_problem(tmp_path, text, problem):
    with pytest.raises(ProfileError) as err:
        resolve_profile(None, mapping(tmp_path, text))
    assert "m.yaml" in err.value.message
    assert problem in err.value.message
    assert "line" in err.value.message
