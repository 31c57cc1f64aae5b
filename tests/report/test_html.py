"""report.html: self-contained, escaped, verdict first, every label in its language, golden snapshots."""

from __future__ import annotations

import re

import pytest

from portcheck.errors import UsageError
from portcheck.report.html import render_html

from .conftest import GOLDEN
from .htmltext import text_nodes, visible_text, words_outside_data

# words a Chinese report may keep in Latin letters: the product, format and algorithm names
ALLOWED_LATIN = {"portcheck", "CRM", "CSV", "Excel", "SHA", "OpenSSL"}


@pytest.fixture(scope="module")
def pages(_sample_cached):
    return {lang: render_html(_sample_cached, lang=lang) for lang in ("en", "zh")}


def test_chinese_report_has_no_english_words_outside_data(pages):
    leftovers = sorted(set(words_outside_data(pages["zh"])) - ALLOWED_LATIN)
    assert leftovers == []


def test_the_chinese_scan_catches_an_english_label(pages):
    # the scan is able to fail: an English word slipped into a label is found
    assert "Fidelity" in words_outside_data(pages["zh"].replace("字段准确率", "Fidelity", 1))


def test_english_report_has_no_chinese_outside_data(pages):
    cjk = [t for t, is_data in text_nodes(pages["en"]) if not is_data and re.search(r"[\u4e00-\u9fff]", t)]
    assert cjk == []


def test_data_values_ids_and_hashes_are_marked_as_data(pages):
    nodes = dict(reversed(text_nodes(pages["zh"])))
    for value in (
        "CUST-0007",
        "深…司#3fa1c2d9",
        "CONT-2990",
        "export/Account.csv",
        "Task.csv",
        "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
        "contact.fidelity.notes",
        "x_credit_rating",
        "李四",
    ):
        assert nodes.get(value) is True, value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_injected_markup_in_values_is_shown_as_text(pages, lang):
    html = pages[lang]
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert "<script>alert(1)</script>" in visible_text(html)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_is_self_contained(pages, lang):
    html = pages[lang]
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(link|script|img|iframe|object|embed)\b", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
    ) in html
    assert "@page" in html and "size: A4" in html


@pytest.mark.parametrize(
    "lang, verdict",
    [
        ("en", "The export does NOT meet the acceptance criteria: 5 gating check(s) failed."),
        ("zh", "该导出不符合验收标准：5 项关键检查未通过。"),
    ],
)
def test_verdict_and_clause_summary_come_first(pages, lang, verdict):
    text = visible_text(pages[lang])
    assert text.index(verdict) < 200
    summary = (
        "Contract clauses: 1 met, 2 not met, 1 not assessed."
        if lang == "en"
        else "合同条款：1 项符合，2 项不符合，1 项无法评估。"
    )
    assert text.index(summary) < 300


def test_sections_come_in_the_readers_order(pages):
    html = pages["en"]
    ids = [
        "summary",
        "failing",
        "clauses",
        "obj-customer",
        "obj-contact",
        "obj-opportunity",
        "traps",
        "inventory",
        "inputs",
        "policy",
        "verify",
    ]
    positions = [html.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)


def test_defects_are_said_in_plain_words(pages):
    en, zh = visible_text(pages["en"]), visible_text(pages["zh"])
    assert "Truncation (notes): 1,048 values cut short at 255 characters." in en
    assert "截断（备注）：1,048 个值被截短至 255 个字符。" in zh
    assert "Leading zeros dropped: 22 values without their leading 0" in en
    assert "Number precision lost: 30 values rounded or converted" in en


def test_figures_are_formatted_for_reading(pages):
    en = visible_text(pages["en"])
    assert "2,989 of 3,000 reference records were found in the export (99.633%)" in en
    assert "56.333%" in en and "98.788%" in en
    assert "12,345,678.90" in en and "-66.56" in en  # control totals with the CNY difference


def test_a_rate_just_below_the_threshold_shows_its_extra_decimals(sample):
    f = sample["objects"]["customer"]["fidelity"]["fields"]["email"]
    f.update(compared=1_000_000, matched=989_999, rate=0.99)
    for c in sample["checks"]:
        if c["id"] == "customer.fidelity.email":
            c.update(status="fail", observed=0.99)
    text = visible_text(render_html(sample, lang="en"))
    assert "98.9999%" in text


def test_traps_inventory_inputs_and_verification_are_shown(pages):
    en, zh = visible_text(pages["en"]), visible_text(pages["zh"])
    assert "Phone numbers with a leading zero" in en and "以 0 开头的电话号码" in zh
    assert "not read (unmapped)" in en and "未读取（未映射）" in zh
    assert "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c" in en
    assert "portcheck verify BUNDLE" in en and "openssl pkeyutl -verify" in en
    assert "VERIFY.zh.md" in zh


def test_a_minimal_report_renders_in_both_languages():
    """Only DESIGN's keys, one object, no reference side in control totals, no optional sections."""
    report = {
        "report_version": 1,
        "portcheck_version": "0.1.0",
        "generated_at": "2025-01-01T00:00:00Z",
        "verdict": "pass",
        "options": {},
        "policy": {"completeness": 0.99, "fidelity": 0.99},
        "inputs": [],
        "inventory": [],
        "objects": {
            "contact": {
                "records": {
                    "reference": None,
                    "export": 10,
                    "matched": 0,
                    "missing": 0,
                    "extra": 0,
                    "deleted": 0,
                    "ambiguous": 0,
                },
                "completeness": None,
                "duplicates": {"keys": 0, "rows": 0, "fuzzy_clusters": 0, "fuzzy_records": 0},
                "orphans": {},
                "declared_total": None,
                "fidelity": {"compared": 0, "matched": 0, "rate": None, "fields": {}},
                "defects": {},
                "format_differences": {},
                "unmapped_columns": [],
                "missing_fields": [],
                "control_totals": {"count_by_owner": {"王芳": {"reference": None, "export": 10}}},
            }
        },
        "checks": [],
        "clauses": [],
    }
    for lang in ("en", "zh"):
        html = render_html(report, lang=lang)
        assert ("PASS" if lang == "en" else "通过") in html
    zh = render_html(report, lang="zh")
    assert set(words_outside_data(zh)) - ALLOWED_LATIN == set()
    assert "10 records were read from the export" in visible_text(render_html(report, lang="en"))


def test_unmasked_reports_say_so(sample):
    sample["show_values"] = True
    assert "handle it as personal data" in visible_text(render_html(sample, lang="en"))
    assert "请按个人信息妥善保管" in visible_text(render_html(sample, lang="zh"))


def test_unknown_language_is_refused(sample):
    with pytest.raises(UsageError):
        render_html(sample, lang="de")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_html(pages, lang, update_golden):
    path = GOLDEN / f"sample-report.{lang}.html"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[lang], encoding="utf-8")
    assert path.exists(), (
        f"{path} is missing: run `pytest tests/report --update-golden` "
        "(or PORTCHECK_UPDATE_GOLDEN=1) and review the file"
    )
    assert pages[lang] == path.read_text(encoding="utf-8"), (
        f"report.html ({lang}) differs from {path.name}; if the change is intended, "
        "regenerate with --update-golden"
    )


def test_every_key_may_be_absent(sample):
    """Reports from older runs or other tools: any one key missing still renders (and says less)."""
    from portcheck.report.terminal import render_summary

    for key in list(sample):
        partial = {k: v for k, v in sample.items() if k != key}
        assert "</html>" in render_html(partial, lang="zh")
        render_summary(partial, lang="en")
    for key in list(sample["objects"]["contact"]):
        partial = {**sample, "objects": {**sample["objects"], "contact": {
            k: v for k, v in sample["objects"]["contact"].items() if k != key}}}
        assert "</html>" in render_html(partial, lang="zh")
        render_summary(partial, lang="zh")
