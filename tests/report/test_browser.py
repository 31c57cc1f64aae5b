"""report.html in real headless Chromium: no console errors, no network, injected markup inert, prints on A4.

Drives Debian's /usr/bin/chromium directly (``apt-get install chromium``); skipped with the reason when it is
absent. Console messages are read from ``--enable-logging=stderr`` and network requests from a NetLog
(``--log-net-log``): a request made on behalf of the page carries the page's ``file://`` origin in its network
isolation key, which sets it apart from Chromium's own background traffic. Negative controls show that both
detectors catch a page that does log and fetch.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from portcheck.report.html import render_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"
    ),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
CONSOLE = re.compile(r":CONSOLE[:(]\S*\]\s*(.*)")

VERDICT = {
    "en": "The export does NOT meet the acceptance criteria: 5 gating check(s) failed.",
    "zh": "该导出不符合验收标准：5 项关键检查未通过。",
}


class Run:
    def __init__(self, proc: subprocess.CompletedProcess, netlog: Path | None) -> None:
        self.proc = proc
        self.netlog = netlog

    @property
    def console(self) -> list[str]:
        return [m.group(1) for m in map(CONSOLE.search, self.proc.stderr.splitlines()) if m]

    @property
    def page_requests(self) -> list[str]:
        """URLs the page itself asked for over the network (not file: or data:)."""
        data = json.loads(self.netlog.read_text(encoding="utf-8"))
        start_job = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        urls = []
        for event in data["events"]:
            params = event.get("params") or {}
            if event.get("type") != start_job or "url" not in params:
                continue
            if "file://" in str(params.get("network_isolation_key", "")) or params.get("initiator") == "null":
                if not params["url"].startswith(("file:", "data:")):
                    urls.append(params["url"])
        return urls


def chromium(page: Path, tmp: Path, *args: str, netlog: bool = False) -> Run:
    profile = tmp / f"profile-{page.stem}-{len(list(tmp.iterdir()))}"
    log = tmp / f"net-{page.stem}.json" if netlog else None
    extra = [f"--log-net-log={log}"] if log else []
    proc = subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Run(proc, log)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, _sample_cached):
    tmp = tmp_path_factory.mktemp("browser")
    out = {}
    for lang in ("en", "zh"):
        path = tmp / f"report-{lang}.html"
        path.write_text(render_html(_sample_cached, lang=lang), encoding="utf-8")
        out[lang] = path
    return tmp, out


@pytest.fixture(scope="module")
def dom_runs(pages):
    tmp, paths = pages
    return {lang: chromium(p, tmp, "--dump-dom", netlog=True) for lang, p in paths.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_console_messages(dom_runs, lang):
    assert dom_runs[lang].console == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_network_requests(dom_runs, lang):
    assert dom_runs[lang].page_requests == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_verdict_text_in_the_rendered_page(dom_runs, lang):
    dom = dom_runs[lang].proc.stdout
    assert VERDICT[lang] in dom
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in dom


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_injected_markup_is_inert_text(dom_runs, lang):
    dom = dom_runs[lang].proc.stdout
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=" in dom
    assert not re.search(r"<(script|img)\b", dom, re.I)


def test_detectors_catch_a_page_that_logs_and_fetches(tmp_path):
    """Negative control: the same harness sees console output and page requests when there are some."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>x</p>'
        '<script>console.error("boom"); fetch("http://127.0.0.1:9/x").catch(function(){});</script>'
        '<img src="http://127.0.0.1:9/pixel.png"></body></html>',
        encoding="utf-8",
    )
    run = chromium(bad, tmp_path, "--dump-dom", netlog=True)
    assert any("boom" in m for m in run.console)
    assert "http://127.0.0.1:9/pixel.png" in run.page_requests


def test_the_content_security_policy_blocks_what_escaping_might_miss(tmp_path, _sample_cached):
    """If a value ever reached the page unescaped, the CSP would block it and say so on the console."""
    html = render_html(_sample_cached, lang="en").replace(
        "</main>", '<img src="http://127.0.0.1:9/p.png"><script>document.title="PWNED"</script></main>'
    )
    page = tmp_path / "unescaped.html"
    page.write_text(html, encoding="utf-8")
    run = chromium(page, tmp_path, "--dump-dom", netlog=True)
    assert run.page_requests == []
    assert any("Content Security Policy" in m for m in run.console)
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", run.proc.stdout, re.S).group(1)


def _pdf_pages(data: bytes) -> int:
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    import io

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_prints_to_a_sensible_number_of_a4_pages(pages, lang):
    tmp, paths = pages
    pdf = tmp / f"report-{lang}.pdf"
    chromium(paths[lang], tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    n = _pdf_pages(data)
    assert 1 <= n <= 20, n
    boxes = set(re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", data))
    assert boxes, "no page sizes found"
    for w, h in boxes:  # A4 is 595 × 842 points
        assert abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2, (w, h)
