"""Every user-facing string exists in both languages with the same placeholders; numbers read right."""

from __future__ import annotations

import re
import string
from fractions import Fraction

import pytest

from portcheck.errors import UsageError
from portcheck.report import i18n
from portcheck.report.i18n import fmt_int, fmt_rate, fmt_threshold

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    en, zh = i18n.MESSAGES[key]
    assert en.strip() and zh.strip()
    assert _fields(en) == _fields(zh), key


def test_chinese_labels_are_chinese():
    tables = [
        i18n.OBJECT_LABELS,
        i18n.FIELD_LABELS,
        i18n.OBJECT_FIELD_LABELS,
        i18n.STAGE_LABELS,
        i18n.CHECK_STATUS_LABELS,
        i18n.CLAUSE_STATUS_LABELS,
        i18n.ROLE_LABELS,
        i18n.OPTION_LABELS,
        i18n.DEFECT_LABELS,
        i18n.DEFECT_SENTENCES,
    ]
    for table in tables:
        for key, (en, zh) in table.items():
            assert CJK.search(zh), (key, zh)
            assert not CJK.search(en), (key, en)


def test_every_canonical_field_has_a_label():
    from portcheck.schema import load_schema

    schema = load_schema()
    for obj in i18n.OBJECTS:
        for f in schema.objects[obj].field_names:
            assert i18n.field_label(obj, f, "zh"), f"{obj}.{f} has no Chinese label"


def test_defect_sentences_exist_for_every_defect_kind_in_both_languages():
    for kind in i18n.DEFECT_KINDS:
        en = i18n.defect_sentence(kind, "en", n=1048, field="notes", truncated_at=255)
        zh = i18n.defect_sentence(kind, "zh", n=1048, field="备注", truncated_at=255)
        assert "1,048" in en and "(notes)" in en
        assert "1,048" in zh and "（备注）" in zh and CJK.search(zh)
    assert (
        i18n.defect_sentence("truncated", "en", n=1048, field="notes", truncated_at=255)
        == "Truncation (notes): 1,048 values cut short at 255 characters."
    )
    assert i18n.defect_sentence("truncated", "en", n=1) == "Truncation: 1 value cut short."


def test_a_rate_just_below_the_threshold_never_prints_equal_to_it():
    assert fmt_rate(0.9899, threshold=0.99) == "98.990%"
    assert fmt_rate(Fraction(989999, 1000000), threshold=0.99) == "98.9999%"
    assert fmt_rate(Fraction(98999999, 100000000), threshold=0.99) == "98.999999%"
    assert fmt_rate(0.99, threshold=0.99) == "99.000%"


def test_rates_below_one_never_print_as_one_hundred_percent():
    assert fmt_rate(Fraction(999999, 1000000)) == "99.9999%"
    assert fmt_rate(1) == "100.000%"
    assert fmt_rate(Fraction(1, 10**7)) == "0.00001%"
    assert fmt_rate(0) == "0.000%"


def test_rates_match_report_json_rounding():
    # report.json rounds 978/990 to 0.98788; the HTML shows the same figure
    assert fmt_rate(Fraction(978, 990)) == "98.788%"
    assert fmt_rate(0.98788) == "98.788%"
    assert fmt_rate(None) == "—"


def test_numbers_have_thousands_separators():
    assert fmt_int(1048) == "1,048"
    assert fmt_int(1234567) == "1,234,567"
    assert fmt_int(None) == "—"
    assert fmt_threshold(0.99) == "99%"
    assert fmt_threshold(0.995) == "99.5%"
    assert fmt_threshold(1.0) == "100%"


def test_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError):
        i18n.check_lang("fr")


def test_check_ids_read_as_words():
    assert i18n.check_label("contact.fidelity.email", "en") == "Contacts: fidelity of email"
    assert i18n.check_label("contact.fidelity.email", "zh") == "联系人：电子邮箱准确率"
    assert i18n.check_label("opportunity.orphans.customer_id", "zh") == "商机：客户编号指向不存在记录的比例"
    assert i18n.check_label("something.else", "zh") == "something.else"
