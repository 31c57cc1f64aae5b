"""The defect classifiers, one behaviour each, in DESIGN's order (first match wins)."""

from __future__ import annotations

import pytest

from portcheck import schema
from portcheck.compare import classify as cl
from portcheck.compare.engine import FORMAT, MATCH, compare_cell


def test_empty_export_value_is_missing_value():
    assert cl.classify("li.lei@example.cn", "", schema.EMAIL) == cl.MISSING_VALUE
    assert cl.classify("x", "   ", schema.STRING) == cl.MISSING_VALUE


def test_rounded_amount_is_numeric_precision():
    assert cl.classify("1234.56", "1235", schema.DECIMAL) == cl.NUMERIC_PRECISION


def test_scientific_notation_that_lost_digits_is_numeric_precision():
    assert cl.classify("3388926000000166021", "3.38893E+18", schema.STRING) == cl.NUMERIC_PRECISION


def test_same_wall_time_with_another_offset_is_timezone_shift():
    assert cl.classify("2024-03-01T10:00:00+08:00", "2024-03-01T10:00:00+00:00", schema.INSTANT) \
        == cl.TIMEZONE_SHIFT


def test_shift_that_is_not_whole_quarter_hours_is_value_changed():
    assert cl.classify("2024-03-01T10:00:00Z", "2024-03-01T10:07:00Z", schema.INSTANT) == cl.VALUE_CHANGED


def test_shift_over_fourteen_hours_is_value_changed():
    assert cl.classify("2024-03-01T00:00:00Z", "2024-03-01T15:00:00Z", schema.INSTANT) == cl.VALUE_CHANGED


def test_dropped_leading_zero_is_leading_zero():
    assert cl.classify("02139", "2139", schema.STRING) == cl.LEADING_ZERO
    assert cl.classify("010-12345678", "10-12345678", schema.PHONE) == cl.LEADING_ZERO


@pytest.mark.parametrize("codec", ["gbk", "latin-1", "cp1252"])
def test_utf8_read_as_another_codec_is_encoding(codec):
    ref = "深圳联创科技有限公司" if codec == "gbk" else "Müller Straße"
    garbled = ref.encode("utf-8").decode(codec, errors="replace")
    assert cl.classify(ref, garbled, schema.STRING) == cl.ENCODING


def test_question_marks_for_non_ascii_are_encoding():
    assert cl.classify("张三 Zhang", "?? Zhang", schema.STRING) == cl.ENCODING


def test_dropped_emoji_is_encoding():
    assert cl.classify("ok 😀 done", "ok  done", schema.STRING) == cl.ENCODING


def test_strict_prefix_is_truncated():
    ref = "a" * 400
    assert cl.classify(ref, ref[:255], schema.STRING) == cl.TRUNCATED
    assert cl.classify(ref, ref[:252] + "...", schema.STRING) == cl.TRUNCATED
    assert cl.classify(ref, ref[:254] + "…", schema.STRING) == cl.TRUNCATED


def test_other_difference_is_value_changed():
    assert cl.classify("Acme - Renewal", "Acme - Renewal (copy)", schema.STRING) == cl.VALUE_CHANGED
    assert cl.classify("", "something new", schema.STRING) == cl.VALUE_CHANGED


def test_numeric_precision_comes_before_leading_zero_and_truncation():
    # '12.5' is a prefix of '12.55' but both are numbers with different values: rule 2 wins over rule 6.
    assert cl.classify("12.55", "12.5", schema.STRING) == cl.NUMERIC_PRECISION


# Format differences are matches.
@pytest.mark.parametrize("ref,exp,ftype,region", [
    ("info1@example.cn", "INFO1@EXAMPLE.CN", schema.EMAIL, None),
    ("0755-88881234", "+86 755 8888 1234", schema.PHONE, "CN"),
    ("2024-06-09T23:22:07+08:00", "2024-06-09T15:22:07Z", schema.INSTANT, None),
    ("1234.5", "1,234.50", schema.DECIMAL, None),
    ("1234.5", "¥1,234.50", schema.DECIMAL, None),
    ("99.50", "99.5", schema.DECIMAL, None),
    ("2024-07-14", "2024/7/14", schema.DATE, None),
    ("true", "Yes", schema.BOOLEAN, None),
    ("true", "是", schema.BOOLEAN, None),
])
def test_format_only_differences_are_matches(ref, exp, ftype, region):
    assert compare_cell(ref, exp, ftype, region=region) == FORMAT


def test_identical_values_match_without_a_format_difference():
    assert compare_cell("x", "x", schema.STRING) == MATCH


def test_phone_without_trunk_zero_is_leading_zero_even_though_e164_agrees():
    # DESIGN: `0755-8888 1234` → `755-8888 1234` is a leading_zero defect, not a match.
    assert compare_cell("0755-8888 1234", "755-8888 1234", schema.PHONE, region="CN") == cl.LEADING_ZERO


def test_naive_instants_are_read_in_their_side_zone():
    assert compare_cell("2024-03-01T10:00:00+08:00", "2024-03-01 10:00:00", schema.INSTANT,
                        exp_zone="Asia/Shanghai") == FORMAT
    assert compare_cell("2024-03-01T10:00:00+08:00", "2024-03-01 10:00:00", schema.INSTANT,
                        exp_zone="UTC") == cl.TIMEZONE_SHIFT


def test_email_local_part_case_can_be_kept_by_policy():
    assert compare_cell("Li.Lei@x.cn", "li.lei@X.CN", schema.EMAIL, keep_local_case=True) == cl.VALUE_CHANGED
    assert compare_cell("Li.Lei@x.cn", "Li.Lei@X.CN", schema.EMAIL, keep_local_case=True) == FORMAT


@pytest.mark.parametrize("ref,exp", [
    ("Zoë 王", "Zo? 王"),  # most non-ASCII survives, one character lost
    ("Zu\u0308rich", "Zu?rich"),  # decomposed reference (not NFC)
    ("客户提到预算有限，报价", "客户提到??有限，报价"),
])
def test_partial_replacement_by_question_marks_is_encoding(ref, exp):
    assert cl.classify(ref, exp, schema.STRING) == cl.ENCODING


def test_genuine_question_mark_edit_is_not_encoding():
    assert cl.classify("王伟 ok", "王伟 ok?", schema.STRING) == cl.VALUE_CHANGED
