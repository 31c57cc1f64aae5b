"""A throw-away PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir, on a free loopback port.

Used by the tests that need a real server (SQL references, the archive). PostgreSQL refuses to run as
root, so when the tests run as root the cluster runs as the `postgres` system user (Debian's package
creates it). Skips — with the reason — only when the binaries are absent.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL (postgresql+psycopg://…) to a fresh database; stop and delete it afterwards."""
    import pytest

    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="portcheck-pg-", dir="/tmp"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chown(sock, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "portcheck", "-A", "trust", "-E", "UTF8",
                        "--no-locale", "-N"], check=True, capture_output=True, env=env)
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40"
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
                       check=True, capture_output=True, env=env)
        deadline = time.time() + 30
        url = f"postgresql+psycopg://portcheck@127.0.0.1:{port}/postgres"
        import sqlalchemy as sa

        while True:
            try:
                eng = sa.create_engine(url)
                with eng.connect():
                    pass
                eng.dispose()
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, env=env)
        shutil.rmtree(base, ignore_errors=True)
