"""The terminal summary fits 80 columns in both languages; progress lines appear only on a terminal."""

from __future__ import annotations

import io
import os
import re
import time

import pytest

from portcheck.report.terminal import display_width, progress, render_summary, track, wrap


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [80, 60])
def test_summary_fits_the_terminal_width(sample, lang, width):
    text = render_summary(sample, lang=lang, width=width)
    too_wide = [line for line in text.splitlines() if display_width(line) > width]
    assert too_wide == []


def test_summary_says_the_verdict_first_and_lists_failing_checks(sample):
    en = render_summary(sample, lang="en")
    assert en.splitlines()[0].startswith("portcheck: FAIL. The export does NOT meet the acceptance criteria")
    for cid in (
        "customer.fidelity.phone",
        "customer.fidelity.postal_code",
        "customer.declared_total",
        "contact.fidelity.notes",
        "opportunity.fidelity.amount",
    ):
        assert cid in en
    assert "Contacts: fidelity of notes" in en and "56.333%, required ≥ 99%" in en
    assert "Phone numbers with a leading zero: 37 of 40 lost" in en
    assert "Values starting with" not in en  # a trap that lost nothing is not listed


def test_chinese_summary_is_in_chinese(sample):
    zh = render_summary(sample, lang="zh")
    assert zh.splitlines()[0] == "portcheck：不通过。该导出不符合验收标准：5 项关键检查未通过。"
    assert "联系人：备注准确率" in zh and "实际 56.333%，要求 ≥ 99%" in zh
    assert "以 0 开头的电话号码：40 个中丢失 37 个" in zh
    # what may stay Latin: check and clause IDs, rule names, the product and format names
    outside_ids = re.sub(r"\([a-z_.]+\)|[a-z]+([-_][a-z]+)+|portcheck|CSV/Excel", "", zh)
    assert re.findall(r"[A-Za-z]{3,}", outside_ids) == []


def test_passing_report_has_no_failing_section(sample):
    sample["verdict"] = "pass"
    for c in sample["checks"]:
        c["status"] = "pass"
    sample["clauses"] = []
    sample["traps"] = []
    text = render_summary(sample, lang="en")
    assert "every gating check passed" in " ".join(text.split())
    assert "Failing checks" not in text and "Warnings" not in text


def test_wrapping_never_starts_a_line_with_closing_punctuation():
    lines = wrap(
        "退出移交：合同终止时，供应商须以通用格式（CSV/Excel）交付全部客户数据（客户、联系人和商机）。", 20
    )
    assert all(display_width(line) <= 20 for line in lines)
    assert not any(line[0] in "，。、：）" for line in lines)
    assert (
        "".join(lines).replace(" ", "")
        == "退出移交：合同终止时，供应商须以通用格式（CSV/Excel）交付全部客户数据（客户、联系人和商机）。"
    )


# ---- progress ------------------------------------------------------------------------------------------


def _pty():
    master, slave = os.openpty()
    return master, os.fdopen(slave, "w", encoding="utf-8")


def _read_all(fd) -> str:
    import select

    chunks = []
    while select.select([fd], [], [], 0.05)[0]:
        chunks.append(os.read(fd, 65536))
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_draws_on_a_terminal_once_the_work_takes_long_enough():
    master, stream = _pty()
    try:
        with progress(100, "读取联系人", True, stream=stream, delay=0.05) as p:
            for _ in range(10):
                time.sleep(0.02)
                p.advance(10)
        out = _read_all(master)
    finally:
        stream.close()
        os.close(master)
    assert "读取联系人" in out and "/100" in out
    assert out.endswith("\r\x1b[K")  # the line is cleared at the end


def test_progress_is_silent_for_quick_work_on_a_terminal():
    master, stream = _pty()
    try:
        with progress(100, "Reading", True, stream=stream, delay=5.0) as p:
            p.advance(100)
        out = _read_all(master)
    finally:
        stream.close()
        os.close(master)
    assert out == ""


def test_progress_is_silent_when_stderr_is_not_a_terminal_or_disabled():
    buf = io.StringIO()
    for _item in track(range(20), "Reading", stream=buf, delay=0.0):
        time.sleep(0.01)
    assert buf.getvalue() == ""
    master, stream = _pty()
    try:
        with progress(10, "Reading", False, stream=stream, delay=0.0) as p:
            time.sleep(0.02)
            p.advance(10)
        out = _read_all(master)
    finally:
        stream.close()
        os.close(master)
    assert out == ""


def test_track_yields_every_item_in_order():
    assert list(track(iter("abc"), "x", enabled=False)) == ["a", "b", "c"]
