"""What ``check`` writes is safe to open: no spreadsheet formula runs, no markup in report.html is live.

The pair below carries values and keys that start with ``=``, ``+``, ``-`` and ``@`` into every CSV file
``check`` writes (mismatches, missing, extra, duplicates, orphans), and customer names that are markup
(``<script>alert(1)</script>``, ``<img src=x onerror=…>``) into report.html. Per DESIGN, each CSV cell
starting with a formula character is written as text (a leading apostrophe); report.html shows the markup as
text in headless Chromium (no script element, no image, no console message, no request, title untouched).
Canary data is the exception: it is generated *for import*, so it carries such values exactly — as they are
in the CSV files, and as text cells (never formulas) in the workbook.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.conftest import run_portcheck

pytestmark = pytest.mark.slow
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=document.title='PWNED'>"

REFERENCE = {
    "customer.csv": [
        ["customer_id", "name", "notes", "owner"],
        ["K1", SCRIPT, "=SUM(A1:A9)", "<b>owner</b>"],
        ["K2", IMG, "+1 for renewal", "@sales"],
        ['=HYPERLINK("http://127.0.0.1:9/x","click")', "Hyper Ltd", "missing from the export", "x"],
        ["@K4", "At Ltd", "@sales-team FYI", "y"],
        ["-K5", "Minus Ltd", "-2 seats after renewal", "z"],
    ],
    "contact.csv": [
        ["contact_id", "customer_id", "full_name", "email"],
        ["P1", "K1", "=cmd|' /C calc'!A0", "p1@x.example"],
    ],
}
EXPORT = {
    "customer.csv": [
        ["customer_id", "name", "notes", "owner"],
        ["K1", SCRIPT[:-1], "=SUM(A1:A9", "<b>owner</b>"],
        ["K2", IMG + " Ltd", "+1 for renewal!", "@sales"],
        ["@K4", "At Ltd", "@sales-team", "y"],
        ["-K5", "Minus Ltd", "-2 seats", "z"],
        ["-K5", "Minus Ltd again", "-3", "z"],
        ["+K6", "Plus Ltd", "=1+1", "z"],
    ],
    "contact.csv": [
        ["contact_id", "customer_id", "full_name", "email"],
        ["P1", "K1", "=cmd|' /C calc'!A", "p1@x.example"],
        ["-P2", "=orphan", "-Minus", "@p2"],
    ],
}


def _write(folder: Path, files: dict[str, list[list[str]]]) -> None:
    folder.mkdir(parents=True)
    for name, rows in files.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (folder / name).write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("outputs")
    _write(root / "reference", REFERENCE)
    _write(root / "export", EXPORT)
    out = {}
    for label, extra in (("masked", []), ("shown", ["--show-values"])):
        run = run_portcheck(
            "check",
            "export",
            "--reference",
            "reference",
            "--profile",
            "canonical",
            "--out",
            f"out-{label}",
            *extra,
            cwd=root,
        )
        assert run.returncode in (0, 1), run.stderr
        out[label] = root / f"out-{label}"
    return out


def _cells(folder: Path) -> dict[str, list[list[str]]]:
    return {
        p.name: list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"))))
        for p in sorted(folder.glob("*.csv"))
    }


@pytest.mark.parametrize("label", ["masked", "shown"])
def test_no_csv_cell_check_writes_starts_like_a_formula(reports, label):
    files = _cells(reports[label])
    assert {
        "mismatches-customer.csv",
        "missing-customer.csv",
        "extra-customer.csv",
        "duplicates-customer.csv",
        "orphans-contact.csv",
    } <= set(files)
    live = [
        (name, cell)
        for name, rows in files.items()
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_START)
    ]
    assert live == []


def test_formula_values_and_keys_are_written_as_text_with_an_apostrophe(reports):
    files = _cells(reports["shown"])
    flat = {name: {cell for row in rows for cell in row} for name, rows in files.items()}
    assert "'=SUM(A1:A9)" in flat["mismatches-customer.csv"]  # the reference value
    assert "'=SUM(A1:A9" in flat["mismatches-customer.csv"]  # the export value
    assert "'+1 for renewal!" in flat["mismatches-customer.csv"]
    assert "'@sales-team" in flat["mismatches-customer.csv"]
    assert "'=cmd|' /C calc'!A0" in flat["mismatches-contact.csv"]
    assert '\'=HYPERLINK("http://127.0.0.1:9/x","click")' in flat["missing-customer.csv"]
    assert "'+K6" in flat["extra-customer.csv"]
    assert "'-K5" in flat["duplicates-customer.csv"]
    assert "'=orphan" in flat["orphans-contact.csv"]
    masked = {cell for rows in _cells(reports["masked"]).values() for row in rows for cell in row}
    assert any(c.startswith("'=…") for c in masked)  # a masked value keeps its first character: still text


def test_canary_data_carries_formula_characters_exactly(tmp_path):
    """The exception: data generated for import keeps '=1+1' as it is, in CSV and as a text cell."""
    import openpyxl

    run = run_portcheck("canary", "--out", "canary", "--customers", "40", "--format", "both", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    book = openpyxl.load_workbook(tmp_path / "canary" / "xlsx" / "canary.xlsx")  # formulas stay formulas here
    seen = 0
    for obj in ("customer", "contact", "opportunity"):
        rows = list(csv.reader(io.StringIO((tmp_path / "canary" / "csv" / f"{obj}.csv").read_text("utf-8"))))
        header = rows[0]
        ws = next(ws for ws in book.worksheets if ws.title.lower().startswith(obj))
        sheet = [[c for c in r] for r in ws.iter_rows()]
        sheet_header = [c.value for c in sheet[0]]
        for row in rows[1:]:
            for field, value in zip(header, row, strict=True):
                if not value.startswith(FORMULA_START[:4]):
                    continue
                seen += 1
                key = row[0]
                cell_row = next(r for r in sheet[1:] if str(r[0].value) == key)
                cell = cell_row[sheet_header.index(field)]
                assert cell.data_type == "s", (obj, field, value, cell.data_type)  # text, never a formula
                assert cell.value == value
    assert seen >= 10  # the canary does carry such values ('=1+1', '=SUM(A1:A9)', '+86 …', '@sales-team …')


chromium_helpers = pytest.importorskip("tests.report.test_browser")


@pytest.mark.browser
@pytest.mark.skipif(not chromium_helpers.CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
@pytest.mark.parametrize("label", ["shown", "masked"])
def test_markup_in_customer_names_is_text_in_the_browser(reports, tmp_path, label):
    page = reports[label] / "report.html"
    html = page.read_text(encoding="utf-8")
    if label == "shown":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the names reach the page
        assert "&lt;img src=x onerror=" in html
    run = chromium_helpers.chromium(page, tmp_path, "--dump-dom", netlog=True)
    dom = run.proc.stdout
    assert not re.search(r"<(script|img|b)\b", dom, re.I)
    if label == "shown":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
        assert "&lt;img src=x onerror=document.title='PWNED'&gt;" in dom
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert run.console == []
    assert run.page_requests == []
