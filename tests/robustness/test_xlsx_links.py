"""Formulas and external links in a workbook are never evaluated or followed.

Decision (for the README): portcheck reads the value Excel saved with each formula (the cached value), never
the formula text and never a recomputed value; a formula saved without a value reads as empty. External
workbook links, ``WEBSERVICE()`` calls and hyperlinks are data, not instructions: nothing is fetched and no
other file is opened. The workbook here (``corpus.xlsx_with_formulas_and_links``) points a formula at an
external workbook, ``WEBSERVICE()`` and ``HYPERLINK()`` at a local TCP listener, and an external-link part at
a file beside it; ``check`` runs under ``strace`` (socket, connect and open system calls of every thread and
child) while the listener waits.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import run_portcheck
from tests.robustness.corpus import xlsx_with_formulas_and_links


@pytest.fixture
def trap(tmp_path):
    """A listening socket that counts connections, a file that must never be opened, and the workbook."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    hits: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except OSError:
                continue
            hits.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    target = tmp_path / "linked-secret.xlsx"
    target.write_bytes(b"never to be read")
    book = tmp_path / "export" / "customer.xlsx"
    book.parent.mkdir()
    book.write_bytes(xlsx_with_formulas_and_links(f"http://127.0.0.1:{port}/steal", str(target)))
    yield book, target, hits, port
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_formulas_read_as_the_values_excel_saved_never_as_formula_text(trap):
    book, _target, hits, _port = trap
    run = run_portcheck("inspect", str(book), "--json", "--show-values")
    assert run.returncode == 0, run.stderr
    table = json.loads(run.stdout)["tables"][0]
    samples = {c["name"]: c["samples"] for c in table["columns"]}
    assert samples["name"] == ["Cached Name"]  # [1]Sheet1!$A$1's saved value; 1+1 saved without one: empty
    assert samples["phone"] == ["42", "3"]  # WEBSERVICE(...) saved 42; SUM(1,2) saved 3
    assert samples["website"] == ["site", "linked"]
    for formula_text in ("WEBSERVICE", "HYPERLINK", "[1]", "SUM(", "steal"):
        assert formula_text not in run.stdout
    assert hits == []


def _traced(log: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """``python ARGS`` under strace, logging the sockets, connections and opened files of every thread."""
    return subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=socket,connect,open,openat", "-o", str(log),
         sys.executable, *args],
        capture_output=True, text=True, timeout=timeout,
    )


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_check_opens_no_socket_and_no_linked_file(trap, tmp_path):
    book, target, hits, _port = trap
    log = tmp_path / "strace.log"
    proc = _traced(log, ["-m", "portcheck", "check", str(book.parent), "--profile", "canonical",
                         "--out", str(tmp_path / "out")], timeout=120)
    if "ptrace" in proc.stderr and "Operation not permitted" in proc.stderr:
        pytest.skip("ptrace is not permitted here")
    assert proc.returncode in (0, 1), proc.stderr
    calls = log.read_text()
    assert str(book) in calls or book.name in calls  # the harness does see the files portcheck opens
    inet = [line for line in calls.splitlines() if "AF_INET" in line or "connect(" in line]
    assert inet == []
    assert target.name not in calls
    assert hits == []


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_the_harness_sees_a_process_that_does_open_the_link_and_connect(trap, tmp_path):
    """Negative control: the same strace filter and listener catch a program that follows the links."""
    _book, target, hits, port = trap
    log = tmp_path / "strace.log"
    code = (
        f"import socket; open({str(target)!r}).read(); "
        f"socket.create_connection(('127.0.0.1', {port})).close()"
    )
    proc = _traced(log, ["-c", code], timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text()
    assert target.name in calls
    assert any("AF_INET" in line for line in calls.splitlines())
    for _ in range(50):
        if hits:
            break
        threading.Event().wait(0.05)
    assert hits
