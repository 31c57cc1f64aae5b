"""Faults during ``check`` never leave a report that looks complete.

- A full disk: the subprocess runs under ``RLIMIT_FSIZE`` (Python ignores SIGXFSZ, so the first write past the
  limit fails with EFBIG, as a write to a full disk fails with ENOSPC). ``check`` must exit 2 with one
  sentence, leave no ``--out`` folder and no staging folder — and, with ``--force`` over an earlier report,
  leave that earlier report exactly as it was.
- An interrupt: SIGINT sent to a ``check`` busy with a 300,000-record pair exits 130 with ``portcheck:
  interrupted`` and removes its staging folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.robustness.conftest import assert_one_sentence, run_limited, tree_hashes

pytestmark = pytest.mark.slow


def _pair(root: Path, n: int) -> None:
    """A reference and an export of n customers; every 7th name truncated (a mismatch row each)."""
    (root / "reference").mkdir(parents=True)
    (root / "export").mkdir()
    header = "customer_id,name,email,phone,notes\n"
    ref, exp = [header], [header]
    for i in range(n):
        row = f"C{i},Company {i} Ltd,c{i}@x.example,+86 139 {i % 10000:04d} {i % 9999:04d},note {i}\n"
        ref.append(row)
        exp.append(row if i % 7 else row.replace(" Ltd,", " Lt,"))
    (root / "reference" / "customer.csv").write_text("".join(ref), encoding="utf-8")
    (root / "export" / "customer.csv").write_text("".join(exp), encoding="utf-8")


def _leftovers(root: Path, out: str = "out") -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(f".{out}.") or p.name == out)


CHECK = ["check", "export", "--reference", "reference", "--profile", "canonical", "--out", "out"]


def test_a_full_disk_leaves_no_report_and_no_staging_folder(tmp_path):
    _pair(tmp_path, 20_000)  # mismatches-customer.csv alone is ~150 KB
    run = run_limited(
        CHECK,
        cwd=tmp_path,
        fsize=64 * 1024,
        timeout=120,
        env={"PORTCHECK_CONFIG_DIR": str(tmp_path / ".config")},
    )
    assert run.returncode == 2, run.stderr
    sentence = assert_one_sentence(run.stderr)
    assert "no report was written" in sentence and "File too large" in sentence, sentence
    assert _leftovers(tmp_path) == []


def test_a_full_disk_with_force_keeps_the_earlier_report_intact(tmp_path):
    _pair(tmp_path, 20_000)
    env = {"PORTCHECK_CONFIG_DIR": str(tmp_path / ".config")}
    first = run_limited(CHECK, cwd=tmp_path, timeout=120, env=env)
    assert first.returncode == 1, first.stderr
    before = tree_hashes(tmp_path / "out")
    run = run_limited([*CHECK, "--force"], cwd=tmp_path, fsize=64 * 1024, timeout=120, env=env)
    assert run.returncode == 2, run.stderr
    assert_one_sentence(run.stderr)
    assert tree_hashes(tmp_path / "out") == before
    assert _leftovers(tmp_path) == ["out"]


def test_the_fsize_limit_does_bite(tmp_path):
    """Negative control: the same limit stops a plain Python write of 100 KB with EFBIG."""
    code = "open('big.bin', 'wb').write(b'x' * 100_000)"
    env = dict(os.environ, PORTCHECK_TEST_RLIMIT_FSIZE=str(64 * 1024))
    limiter = (
        "import resource, os; n = int(os.environ['PORTCHECK_TEST_RLIMIT_FSIZE']); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (n, n)); "
    )
    p = subprocess.run(
        [sys.executable, "-c", limiter + code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert p.returncode != 0 and "File too large" in p.stderr, p.stderr


def _start_check(tmp_path: Path, **popen) -> subprocess.Popen:
    """A check of a 600k-row pair (~2.5 s of work here), once its staging folder exists."""
    _pair(tmp_path, 600_000)
    env = dict(os.environ, PYTHONPATH=str(REPO), PORTCHECK_CONFIG_DIR=str(tmp_path / ".config"))
    proc = subprocess.Popen([sys.executable, "-m", "portcheck", *CHECK], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    deadline = time.monotonic() + 60
    while not _leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    staging = _leftovers(tmp_path)
    assert staging and staging[0].endswith(".partial"), staging  # the run is under way
    return proc


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "portcheck: interrupted"),
    (signal.SIGTERM, 143, "portcheck: stopped, another program asked it to end (SIGTERM)"),
    (signal.SIGHUP, 129, "portcheck: stopped, its terminal was closed (SIGHUP)"),
])
def test_a_stopped_check_exits_with_its_code_and_removes_the_staging_folder(tmp_path, signum, code, said):
    proc = _start_check(tmp_path)
    try:
        time.sleep(0.5)  # past the imports, into reading and comparing
        assert proc.poll() is None, "check finished before it could be stopped"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == said, err
    assert "Traceback" not in err
    assert _leftovers(tmp_path) == []


def test_a_check_started_under_nohup_is_not_stopped_by_sighup(tmp_path):
    proc = _start_check(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    try:
        time.sleep(0.5)
        assert proc.poll() is None, "check finished before the signal"
        proc.send_signal(signal.SIGHUP)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err  # the run went on to its verdict (every 7th name differs)
    assert _leftovers(tmp_path) == ["out"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["verdict"] == "fail"


_WORKER_IN_DUCKDB = """
import sys, threading, time, duckdb
from portcheck.cli import _leave
started = threading.Event()
def work():
    con = duckdb.connect()
    started.set()
    con.sql("SELECT count(*) FROM range(20000000000) t(i) WHERE i % 7 = 3").fetchall()
threading.Thread(target=work, daemon=True).start()
started.wait()
time.sleep(0.5)  # inside the query
print("leaving", flush=True)
_leave(130)
"""


def test_leaving_while_a_worker_thread_is_inside_duckdb_keeps_the_exit_code():
    # Finalising the interpreter under a daemon thread inside DuckDB aborts the process (exit -6,
    # "terminate called …"); an interrupted or failed check must still exit with its own code.
    proc = subprocess.run([sys.executable, "-c", _WORKER_IN_DUCKDB], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout.strip() == "leaving"
    assert "terminate called" not in proc.stderr


def test_a_callers_main_argv_raises_systemexit_even_with_a_thread_alive(tmp_path):
    # Only the `portcheck` process itself leaves at once; a caller of main(argv) (tests, wrappers) gets
    # SystemExit as before, whatever other threads it runs.
    import threading

    import pytest

    from portcheck.cli import main

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, daemon=True)
    worker.start()
    try:
        with pytest.raises(SystemExit) as exc:
            main(["check", str(tmp_path / "no-such-export"), "--out", str(tmp_path / "r")])
        assert exc.value.code == 2
    finally:
        stop.set()


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signals")
def test_ctrl_c_inside_a_duckdb_query_is_an_interruption(tmp_path, monkeypatch, capsys):
    """Ctrl-C while DuckDB runs a query on the main thread ends the query with RuntimeError('Query
    interrupted'), not KeyboardInterrupt: portcheck still says "interrupted" and exits 130."""
    import threading

    from portcheck import cli
    from portcheck.checks._arrow import duck_cursor

    cur = duck_cursor()
    timer = threading.Timer(0.3, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(BaseException) as caught:
            cur.execute("SELECT sum(hash(i::VARCHAR)) FROM range(2000000000) t(i)").fetchall()
    finally:
        timer.cancel()
        cur.close()
    assert cli.interrupted(caught.value), repr(caught.value)
    assert not cli.interrupted(RuntimeError("something else"))

    import portcheck.run

    def interrupted_run(*_a, **_k):
        raise caught.value

    monkeypatch.setattr(portcheck.run, "run_check", interrupted_run)
    demo = REPO / "fixtures" / "demo"
    with pytest.raises(SystemExit) as ended:
        cli.main(["check", str(demo / "export"), "--out", str(tmp_path / "r"), "-q"])
    assert ended.value.code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "portcheck: interrupted"


def test_a_finished_check_flushes_its_output_and_runs_exit_handlers(tmp_path):
    """The portcheck process ends without the interpreter's teardown once a check is done: its output is
    all there (piped, so buffered), exit handlers still run, and the exit code is the verdict's."""
    demo = REPO / "fixtures" / "demo"
    code = ("import atexit, sys; atexit.register(lambda: print('exit handler ran'));"
            "sys.argv = ['portcheck', *sys.argv[1:]]; from portcheck.cli import main; main()")
    env = dict(os.environ, PYTHONPATH=str(REPO), PORTCHECK_CONFIG_DIR=str(tmp_path / ".config"))
    p = subprocess.run([sys.executable, "-c", code, "check", str(demo / "export"), "--reference",
                        str(demo / "reference"), "--out", str(tmp_path / "r")],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    lines = p.stdout.strip().splitlines()
    verdict = json.loads((tmp_path / "r" / "report.json").read_text())["verdict"]
    assert p.returncode == (0 if verdict == "pass" else 1), p.stderr
    assert lines[-2].startswith("Report written to") and lines[-1] == "exit handler ran", p.stdout


def test_a_repeated_stop_signal_does_not_cut_the_clean_up_short(monkeypatch):
    import signal as sig

    from portcheck import cli

    monkeypatch.setattr(cli, "STOPPED_BY", None)
    with pytest.raises(KeyboardInterrupt):
        cli._stop_on_signal(sig.SIGTERM, None)
    assert cli._interruption() == (143, "portcheck: stopped, another program asked it to end (SIGTERM)")
    cli._stop_on_signal(sig.SIGTERM, None)  # while the first one's clean-up runs: nothing raised
    cli._stop_on_signal(sig.SIGHUP, None)
    assert cli.STOPPED_BY == sig.SIGTERM
