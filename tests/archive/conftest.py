"""Fixtures for the archive tests.

- Signed envelopes are made here with cryptography's Ed25519 over the DSSE PAE, the way portcheck.evidence
  makes them, so these tests do not depend on that module: ``make_envelope(n)`` gives a distinct, really
  signed envelope line (its in-toto statement names one report.json, verdict ``pass`` for even ``n``,
  ``fail`` for odd, generated_at 2026-05-20T10:MM:SSZ).
- ``make_bundle(dir, envelopes, zip=False)`` writes a bundle folder (report.json, report.intoto.jsonl,
  public.pem) or the same as a .zip.
- ``archive_url`` is parametrised over SQLite (a file in tmp) and PostgreSQL (a fresh database in a
  throw-away cluster the session starts with initdb/pg_ctl; skipped only when those binaries are absent).
- Every test gets private XDG data/config folders, so no archive, key or secret touches the user's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest

PAYLOAD_TYPE = "application/vnd.in-toto+json"
_SIGNER = None


def signer_key():
    """The report-signing key of these tests: fixed, so every process makes the same envelopes (Ed25519
    signatures are deterministic)."""
    global _SIGNER
    if _SIGNER is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        _SIGNER = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"portcheck archive tests").digest())
    return _SIGNER


def signer_public_pem() -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return signer_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def pae(payload_type: str, body: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def make_envelope(n: int, *, tag: str = "", key=None) -> bytes:
    """A signed DSSE envelope line (no newline) over an in-toto Statement v1 for report number ``n``."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = key or signer_key()
    report = f"report {n} {tag}".encode()
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "report.json", "digest": {"sha256": hashlib.sha256(report).hexdigest()}}],
        "predicateType": "https://portcheck.dev/report/v1",
        "predicate": {"verdict": "pass" if n % 2 == 0 else "fail",
                      "generated_at": f"2026-05-20T10:{n // 60 % 60:02d}:{n % 60:02d}Z", "tag": tag},
    }
    body = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()
    raw_pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    env = {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(body).decode(),
           "signatures": [{"keyid": hashlib.sha256(raw_pub).hexdigest(),
                           "sig": base64.b64encode(key.sign(pae(PAYLOAD_TYPE, body))).decode()}]}
    return json.dumps(env, separators=(",", ":")).encode()


def make_bundle(directory: Path, envelopes: list[bytes], *, as_zip: bool = False,
                name: str = "bundle") -> Path:
    """A bundle folder (or .zip) holding report.json, report.intoto.jsonl and public.pem."""
    folder = directory / name
    folder.mkdir(parents=True)
    (folder / "report.json").write_text('{"verdict": "pass"}\n')
    (folder / "report.intoto.jsonl").write_bytes(b"".join(e + b"\n" for e in envelopes))
    (folder / "public.pem").write_bytes(signer_public_pem())
    if not as_zip:
        return folder
    zpath = directory / f"{name}.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    shutil.rmtree(folder)
    return zpath


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    """Private data and config folders; no archive URL or key from the environment."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("PORTCHECK_CONFIG_DIR", str(home / "config" / "portcheck"))
    monkeypatch.delenv("PORTCHECK_ARCHIVE_URL", raising=False)
    monkeypatch.delenv("PORTCHECK_ARCHIVE_KEY", raising=False)
    return home


@pytest.fixture(scope="session")
def pg_admin_url():
    """A throw-away PostgreSQL cluster for the session (superuser URL to its ``postgres`` database)."""
    from tests.pgcluster import postgres_cluster

    with postgres_cluster() as url:
        yield url


class PgDatabases:
    """Creates fresh databases (optionally copies of another) in the session's cluster."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def _admin(self, sql: str) -> None:
        import sqlalchemy as sa

        eng = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with eng.connect() as conn:
                conn.exec_driver_sql(sql)
        finally:
            eng.dispose()

    def create(self, template: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_databases(pg_admin_url) -> PgDatabases:
    return PgDatabases(pg_admin_url)


def _db_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def copy_archive(url: str, tmp_path: Path, pg: PgDatabases | None = None) -> str:
    """A copy of a closed archive (SQLite file and its key, or a PostgreSQL database made from it)."""
    if url.startswith("sqlite"):
        src = Path(url.split(":///", 1)[1])
        dst = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(src, dst)
        for suffix in ("-wal", "-shm"):  # normally folded back into the file when the last user closes it
            if Path(str(src) + suffix).exists():
                shutil.copy(str(src) + suffix, str(dst) + suffix)
        key = src.with_name(src.name + ".key")
        if key.exists():
            shutil.copy(key, dst.with_name(dst.name + ".key"))
        return f"sqlite:///{dst}"
    assert pg is not None
    return pg.create(template=_db_name(url))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def archive_url(backend, tmp_path, request) -> str:
    """A URL for a new, empty archive on the parametrised backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    return request.getfixturevalue("pg_databases").create()
