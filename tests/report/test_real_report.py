"""The renderers on a real report.json: `portcheck check` on ../shared/contract-example (DESIGN's example)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portcheck.report.html import render_html
from portcheck.report.terminal import display_width, render_summary

from ..conftest import REPO, shared
from .htmltext import visible_text, words_outside_data
from .test_html import ALLOWED_LATIN


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    example = shared("contract-example")
    out = tmp_path_factory.mktemp("real") / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "portcheck",
            "check",
            str(example / "export"),
            "--profile",
            "canonical",
            "--reference",
            str(example / "reference"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert (out / "report.json").exists(), (
        f"check wrote no report (exit {proc.returncode}): {proc.stderr[-500:]}"
    )
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_real_report_renders_in_both_languages(real_report):
    en, zh = render_html(real_report, lang="en"), render_html(real_report, lang="zh")
    assert "The export does NOT meet the acceptance criteria" in visible_text(en)
    assert "该导出不符合验收标准" in visible_text(zh)
    assert set(words_outside_data(zh)) - ALLOWED_LATIN == set()
    # the worked example's defects, in plain words
    text = visible_text(en)
    assert "Leading zeros dropped: 2 values without their leading 0" in text
    assert "Time-zone shift: 1 value moved by whole hours" in text
    assert "Truncation: 1 value cut short." in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_real_summary_fits_80_columns(real_report, lang):
    text = render_summary(real_report, lang=lang)
    assert all(display_width(line) <= 80 for line in text.splitlines())
    assert "contact.completeness" in text
