"""The archive: an append-only RFC 6962 Merkle log of signed-report envelopes in a SQL database.

``Archive.open(url)`` opens it (SQLite or PostgreSQL through SQLAlchemy), ``add_bundle`` appends a bundle's
envelopes in one serialised transaction and writes a receipt, ``audit`` / ``verify`` recompute the tree
from the stored envelopes and name every entry that was altered, removed, inserted or reordered.

Serialisation of appenders: on SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one writer
at a time, others wait up to a minute); on PostgreSQL the single ``archive_key`` row is locked with
``SELECT … FOR UPDATE`` (schema creation takes a transaction-scoped advisory lock). Readers see one
consistent snapshot (a deferred SQLite transaction; ``REPEATABLE READ`` on PostgreSQL), so a verify running
beside appends never mistakes an append in progress for tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from portcheck.archive import bundle as bundle_mod
from portcheck.archive.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint_note
from portcheck.archive.keys import default_key_path, load_or_create_key, public_raw
from portcheck.archive.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from portcheck.errors import ArchiveError, OutputError, UsageError, VerificationError

DEFAULT_DB_NAME = "archive.db"
ORIGIN_PREFIX = "portcheck.archive/"
SQLITE_BUSY_TIMEOUT = 60.0
PG_SCHEMA_LOCK = 0x706F7274636B61  # advisory lock id held while creating the tables
LIST_HASH_CHARS = 12


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """portcheck's per-user data directory: ``$XDG_DATA_HOME/portcheck`` (default ``~/.local/share``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "portcheck"


def default_archive_url(env: Mapping[str, str] | None = None) -> str:
    """``$PORTCHECK_ARCHIVE_URL``, else the SQLite file ``$XDG_DATA_HOME/portcheck/archive.db``."""
    env = os.environ if env is None else env
    if env.get("PORTCHECK_ARCHIVE_URL"):
        return env["PORTCHECK_ARCHIVE_URL"]
    return f"sqlite:///{data_dir(env) / DEFAULT_DB_NAME}"


def _config_dir(env: Mapping[str, str] | None) -> Path:
    from portcheck.masking import config_dir

    return config_dir(None if env is None else dict(env))


def _sqlite_while_busy(dbapi_conn, sql: str) -> None:
    """Runs ``sql``, retrying while SQLite answers SQLITE_BUSY, for up to ``SQLITE_BUSY_TIMEOUT`` seconds.

    Changing the journal mode needs an exclusive lock, and SQLite refuses it at once, without calling the
    busy handler, while another connection holds a write lock on a database not yet in WAL mode (the
    deadlock rule), or while the last connection to a WAL database checkpoints it on closing. Several
    processes opening one archive at the same moment meet this; they wait here as a write would.
    """
    import random
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    pause = 0.001
    while True:
        try:
            dbapi_conn.execute(sql)
            return
        except sqlite3.OperationalError as err:
            busy = (getattr(err, "sqlite_errorcode", 0) & 0xFF) == 5  # SQLITE_BUSY and its extended codes
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(random.uniform(pause / 2, pause))  # jittered, so that waiting processes do not collide
        pause = min(pause * 2, 0.05)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def key_id(public_key: bytes) -> str:
    """The archive key's ID: SHA-256 of its raw public key, hex."""
    return hashlib.sha256(public_key).hexdigest()


def _bytes(value) -> bytes:
    """A binary column's value as bytes (SQLite lets a tampered row hold text there)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return bytes(value)


@dataclass(frozen=True)
class EntryRow:
    """One stored entry, as read from the database."""

    index: int
    leaf_hash: bytes
    envelope: bytes
    envelope_sha256: str
    added_at: str
    source: str
    bundle_sha256: str
    claimed_time: str | None
    tsa_token: bytes | None
    tsa_time: str | None
    tsa_certs: str | None


@dataclass(frozen=True)
class CheckpointRow:
    size: int
    root_hash: bytes
    note: str
    issued_at: str


@dataclass(frozen=True)
class Snapshot:
    """Everything in the archive, read in one consistent transaction."""

    origin: str
    public_key: bytes
    created_at: str
    entries: tuple[EntryRow, ...]
    checkpoints: tuple[CheckpointRow, ...]


@dataclass(frozen=True)
class EntryProof:
    """An entry and the verified proofs that it is in the archive (see :meth:`Archive.prove`)."""

    entry: EntryRow
    leaf_hash: bytes
    checkpoint: Checkpoint  # the latest signed checkpoint
    inclusion_proof: list[bytes]  # audit path to ``checkpoint``
    added_checkpoint: Checkpoint  # the checkpoint signed when the entry was added
    consistency_proof: list[bytes]  # from ``added_checkpoint`` to ``checkpoint``


@dataclass(frozen=True)
class AddResult:
    """What one append did: the entries' indices and the receipt (a JSON-ready dict) and where it went."""

    indices: tuple[int, ...]
    receipt: dict
    receipt_path: Path | None
    signature: str = "not checked"  # how the envelopes' DSSE signatures were checked, in words


class Archive:
    """An archive database. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, engine, url_text: str, key_path: Path) -> None:
        self._engine = engine
        self.url = url_text  # password hidden
        self.key_path = key_path
        self._schema_ready = False

    # -- opening --------------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, key_path: str | Path | None = None, create: bool = False,
             env: Mapping[str, str] | None = None) -> Archive:
        """Opens the archive at ``url`` (default: :func:`default_archive_url`).

        ``create``: make the SQLite file and its folder when missing (appending does); reading commands
        refuse a missing archive instead. Raises ArchiveError (exit 2) for an unusable URL or database.
        """
        from sqlalchemy import create_engine, event
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        url = url or default_archive_url(env)
        try:
            u = make_url(url)
        except ArgumentError as err:
            raise UsageError(f"{url!r} is not a database URL",
                             hint="pass --db sqlite:///path/archive.db or postgresql://user@host/db") from err
        shown = u.render_as_string(hide_password=True)
        backend = u.get_backend_name()
        if backend == "sqlite":
            if u.database in (None, "", ":memory:"):
                raise UsageError("an in-memory archive would be lost when portcheck exits",
                                 hint="pass --db sqlite:///path/archive.db")
            db_path = Path(u.database)
            if not db_path.exists():
                if not create:
                    raise ArchiveError(f"there is no archive at {db_path}",
                                       hint="add a bundle first (portcheck archive add BUNDLE), or pass --db")
                try:
                    db_path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise ArchiveError(f"the archive folder {db_path.parent} cannot be created "
                                       f"({err.strerror})",
                                       hint="pass --db with a writable location") from err
            engine = create_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

            @event.listens_for(engine, "connect")
            def _autocommit(dbapi_conn, _record):  # we issue BEGIN ourselves, below
                dbapi_conn.isolation_level = None
                if create:  # write-ahead log: an append commits with one sync, and readers never block it
                    _sqlite_while_busy(dbapi_conn, "PRAGMA journal_mode=WAL")
                dbapi_conn.execute("PRAGMA synchronous=FULL")  # a committed entry survives a power cut

            @event.listens_for(engine, "begin")
            def _begin(conn):
                mode = conn.get_execution_options().get("portcheck_begin", "DEFERRED")
                conn.exec_driver_sql(f"BEGIN {mode}")

        elif backend == "postgresql":
            if u.drivername == "postgresql":
                u = u.set(drivername="postgresql+psycopg")
            try:
                engine = create_engine(u, connect_args={"connect_timeout": 10})
            except (NoSuchModuleError, ImportError) as err:
                raise ArchiveError(f"the database driver for {shown} is not installed",
                                   hint="pip install 'psycopg[binary]', use postgresql+psycopg://") from err
        else:
            raise UsageError(f"the archive supports SQLite and PostgreSQL, not {backend}",
                             hint="pass --db sqlite:///path/archive.db or postgresql://user@host/db")
        kp = Path(key_path) if key_path else default_key_path(u, _config_dir(env))
        return cls(engine, shown, kp)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    # -- transactions ---------------------------------------------------------------------------------

    @contextmanager
    def _db_errors(self) -> Iterator[None]:
        from sqlalchemy import exc

        try:
            yield
        except (exc.OperationalError, exc.InterfaceError, exc.ProgrammingError, exc.DatabaseError) as err:
            text = str(getattr(err, "orig", err)).strip()
            detail = text.splitlines()[0] if text else type(err).__name__
            raise ArchiveError(f"the archive database {self.url} cannot be used ({detail})",
                               hint="check --db / PORTCHECK_ARCHIVE_URL and that the database is running"
                               ) from err

    @contextmanager
    def _write(self):
        """A transaction that holds the archive's write lock (see the module docstring)."""
        with self._db_errors(), self._engine.connect() as conn:
            if self.dialect == "sqlite":
                conn = conn.execution_options(portcheck_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self):
        """A read-only transaction over one consistent snapshot; refuses a database that is no archive."""
        from sqlalchemy import inspect

        from portcheck.archive import schema

        with self._db_errors(), self._engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if not inspect(conn).has_table(schema.archive_key.name):
                    raise ArchiveError(f"{self.url} holds no portcheck archive",
                                       hint="add a bundle first (portcheck archive add BUNDLE), or pass --db")
                yield conn

    def _ensure_schema(self) -> None:
        """Creates the tables and the archive key on first use (serialised between processes)."""
        from sqlalchemy import insert, select, text

        from portcheck.archive import schema

        if self._schema_ready:
            return
        with self._write() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_SCHEMA_LOCK})
            schema.metadata.create_all(conn)
            row = conn.execute(select(schema.archive_key.c.id).where(schema.archive_key.c.id == 1)).first()
            if row is None:
                key = load_or_create_key(self.key_path)
                conn.execute(insert(schema.archive_key).values(
                    id=1, origin=ORIGIN_PREFIX + secrets.token_hex(8), public_key=public_raw(key),
                    created_at=utc_now(), schema_version=schema.SCHEMA_VERSION))
        self._schema_ready = True

    # -- reading --------------------------------------------------------------------------------------

    def _meta(self, conn) -> tuple[str, bytes, str]:
        from sqlalchemy import select

        from portcheck.archive import schema

        row = conn.execute(select(schema.archive_key).where(schema.archive_key.c.id == 1)).first()
        if row is None:
            raise ArchiveError(f"{self.url} holds an archive without its key record",
                               hint="the archive is damaged; restore it from a backup")
        return row.origin, _bytes(row.public_key), row.created_at

    def snapshot(self) -> Snapshot:
        """Reads every entry and checkpoint in one consistent transaction."""
        from sqlalchemy import select

        from portcheck.archive import schema

        with self._read() as conn:
            origin, pub, created = self._meta(conn)
            e = schema.entries.c
            rows = conn.execute(select(schema.entries).order_by(e.idx)).all()
            cps = conn.execute(select(schema.checkpoints).order_by(schema.checkpoints.c.size)).all()
        return Snapshot(
            origin, pub, created,
            tuple(EntryRow(r.idx, _bytes(r.leaf_hash), _bytes(r.envelope), r.envelope_sha256, r.added_at,
                           r.source, r.bundle_sha256, r.claimed_time,
                           None if r.tsa_token is None else _bytes(r.tsa_token), r.tsa_time, r.tsa_certs)
                  for r in rows),
            tuple(CheckpointRow(c.size, _bytes(c.root_hash), str(c.note), c.issued_at) for c in cps),
        )

    def audit(self, *, public_key: bytes | None = None, tsa_certs: bytes | None = None):
        """Recomputes the tree and checks it against every checkpoint; returns an AuditReport (never raises
        for tampering; see :meth:`verify`)."""
        from portcheck.archive.audit import audit_snapshot

        return audit_snapshot(self.snapshot(), public_key=public_key, tsa_certs=tsa_certs)

    def verify(self, *, public_key: bytes | None = None, tsa_certs: bytes | None = None):
        """Like :meth:`audit`, but raises ArchiveTampered (a VerificationError, exit 1) naming the entries."""
        from portcheck.archive.errors import ArchiveTampered

        report = self.audit(public_key=public_key, tsa_certs=tsa_certs)
        if report.problems:
            raise ArchiveTampered(list(report.problems))
        return report

    def _latest_tree(self, snap: Snapshot) -> tuple[Checkpoint, str, MerkleTree]:
        """The latest signed checkpoint and the tree recomputed from the envelopes it covers.

        Raises VerificationError when the checkpoint's signature or the stored entries do not hold.
        """
        if not snap.checkpoints:
            raise VerificationError("the archive has no signed checkpoint",
                                    hint="run portcheck archive verify")
        latest = snap.checkpoints[-1]
        cp = verify_checkpoint_note(latest.note, snap.public_key, snap.origin)
        covered = snap.entries[: cp.size]
        tree = MerkleTree(leaf_hash(e.envelope) for e in covered)
        if [e.index for e in covered] != list(range(cp.size)) or tree.root() != cp.root:
            raise VerificationError("the archive's entries no longer match its latest signed checkpoint",
                                    hint="run portcheck archive verify to see which entries changed")
        return cp, latest.note, tree

    def prove(self, index: int, *, snapshot: Snapshot | None = None) -> EntryProof:
        """Entry ``index`` with its inclusion proof in the latest signed checkpoint, verified, and the
        consistency proof from the checkpoint signed when it was added to the latest, verified.

        Raises UsageError for an unknown entry, VerificationError when a proof does not hold.
        """
        snap = snapshot or self.snapshot()
        entry = next((e for e in snap.entries if e.index == index), None)
        if entry is None:
            raise UsageError(f"the archive has no entry {index}",
                             hint=f"entries are numbered 0 to {len(snap.entries) - 1}" if snap.entries else
                             "the archive is empty")
        h = leaf_hash(entry.envelope)
        if h != entry.leaf_hash:
            raise VerificationError(f"entry {index} has been altered: its stored envelope no longer matches "
                                    "its recorded leaf hash", hint="run portcheck archive verify")
        cp, _note, tree = self._latest_tree(snap)
        if index >= cp.size:
            raise VerificationError(f"entry {index} is not covered by the latest signed checkpoint "
                                    f"(size {cp.size})", hint="run portcheck archive verify")
        proof = tree.inclusion_proof(index, cp.size)
        verify_inclusion(h, index, cp.size, proof, cp.root)
        own_row = next((c for c in snap.checkpoints if c.size > index), None)
        own = verify_checkpoint_note(own_row.note, snap.public_key, snap.origin) if own_row else cp
        if own.size > cp.size or tree.root(own.size) != own.root:
            raise VerificationError(f"the checkpoint signed when entry {index} was added does not match the "
                                    "archive", hint="run portcheck archive verify")
        verify_inclusion(h, index, own.size, tree.inclusion_proof(index, own.size), own.root)
        consistency = tree.consistency_proof(own.size, cp.size)
        verify_consistency(own.size, cp.size, own.root, cp.root, consistency)
        return EntryProof(entry, h, cp, proof, own, consistency)

    def receipt(self, indices: int | list[int], *, snapshot: Snapshot | None = None) -> dict:
        """A fresh receipt for the given entries against the archive's latest signed checkpoint.

        Raises VerificationError when the stored entries do not match that checkpoint.
        """
        from portcheck.archive.receipt import build_receipt

        snap = snapshot or self.snapshot()
        wanted = [indices] if isinstance(indices, int) else list(indices)
        for i in wanted:
            self.prove(i, snapshot=snap)
        by_index = {e.index: e for e in snap.entries}
        cp, note, tree = self._latest_tree(snap)
        return build_receipt(snap.origin, snap.public_key, [by_index[i] for i in wanted], tree, note, cp)

    # -- appending ------------------------------------------------------------------------------------

    def append(self, envelopes: list[bytes], *, source: str, bundle_sha256: str,
               timestamps: list | None = None, tsa_certs: bytes | None = None) -> tuple[list[int], dict]:
        """Appends envelopes in one transaction, signs a checkpoint over the new size, returns the new
        indices and the receipt. The archive must match its latest checkpoint (else VerificationError)."""
        from sqlalchemy import insert, select

        from portcheck.archive import schema
        from portcheck.archive.receipt import build_receipt

        if not envelopes:
            raise UsageError("there is nothing to archive", hint="pass a signed bundle")
        timestamps = timestamps or [None] * len(envelopes)
        self._ensure_schema()
        private_key = None
        with self._write() as conn:
            meta = conn.execute(select(schema.archive_key).where(schema.archive_key.c.id == 1)
                                .with_for_update()).first()
            if meta is None:
                raise ArchiveError(f"{self.url} holds an archive without its key record",
                                   hint="the archive is damaged; restore it from a backup")
            origin, pub = meta.origin, _bytes(meta.public_key)
            e = schema.entries.c
            rows = conn.execute(select(e.idx, e.leaf_hash).order_by(e.idx)).all()
            tree = MerkleTree(_bytes(r.leaf_hash) for r in rows)
            latest = conn.execute(select(schema.checkpoints).order_by(schema.checkpoints.c.size.desc())
                                  .limit(1)).first()
            self._check_head(rows, tree, latest, origin, pub)
            private_key = self._signing_key(pub)
            known = {h: i for i, h in enumerate(tree.leaves)}
            now = utc_now()
            new_rows = []
            for env, ts in zip(envelopes, timestamps, strict=True):
                h = leaf_hash(env)
                if h in known:
                    raise ArchiveError(f"this report is already archived as entry {known[h]}",
                                       hint=f"see it with: portcheck archive show {known[h]}")
                index = tree.append(h)
                known[h] = index
                info = bundle_mod.statement_info(env)
                new_rows.append(dict(
                    idx=index, leaf_hash=h, envelope=env, envelope_sha256=hashlib.sha256(env).hexdigest(),
                    added_at=now, source=source, bundle_sha256=bundle_sha256, claimed_time=info.generated_at,
                    tsa_token=None if ts is None else ts.token, tsa_time=None if ts is None else ts.gen_time,
                    tsa_certs=None if ts is None or not tsa_certs else tsa_certs.decode("ascii", "replace")))
            conn.execute(insert(schema.entries), new_rows)
            cp = Checkpoint(origin, len(tree), tree.root())
            note = sign_checkpoint(cp, private_key)
            conn.execute(insert(schema.checkpoints).values(size=cp.size, root_hash=cp.root, note=note,
                                                           issued_at=now))
        stored = [EntryRow(r["idx"], r["leaf_hash"], r["envelope"], r["envelope_sha256"], r["added_at"],
                           r["source"], r["bundle_sha256"], r["claimed_time"], r["tsa_token"], r["tsa_time"],
                           r["tsa_certs"]) for r in new_rows]
        return [r.index for r in stored], build_receipt(origin, pub, stored, tree, note, cp)

    def _signing_key(self, public_key: bytes):
        from portcheck.errors import KeyError_

        if not self.key_path.exists():
            raise KeyError_(f"this archive's signing key is not at {self.key_path}",
                            hint="copy the archive key file there, or pass --key / PORTCHECK_ARCHIVE_KEY")
        key = load_or_create_key(self.key_path)
        if public_raw(key) != public_key:
            raise KeyError_(f"the key at {self.key_path} is not this archive's signing key",
                            hint="pass the archive's own key with --key / PORTCHECK_ARCHIVE_KEY")
        return key

    @staticmethod
    def _check_head(rows, tree: MerkleTree, latest, origin: str, pub: bytes) -> None:
        """Refuses to extend an archive that no longer matches its latest signed checkpoint."""
        hint = "run portcheck archive verify to see which entries changed"
        if [r.idx for r in rows] != list(range(len(rows))):
            raise VerificationError("the archive's entries are not numbered 0, 1, 2, … any more", hint=hint)
        if latest is None:
            if rows:
                raise VerificationError("the archive holds entries but no signed checkpoint", hint=hint)
            return
        cp = verify_checkpoint_note(latest.note, pub, origin)
        if cp.size != len(rows) or cp.root != tree.root():
            raise VerificationError("the archive no longer matches its latest signed checkpoint", hint=hint)

    def add_bundle(self, path: str | Path, *, tsa_url: str | None = None, tsa_certs: bytes | None = None,
                   pubkey_pem: bytes | None = None, force: bool = False,
                   write_receipt: bool = True) -> AddResult:
        """Archives a signed bundle (folder or .zip) and writes its receipt beside it.

        The envelopes' signatures are checked first when portcheck.evidence is installed (with
        ``pubkey_pem``, else the bundle's own public.pem); one that does not verify is not archived.
        With ``tsa_url``, each envelope first gets an RFC 3161 token (checked against ``tsa_certs`` when
        given). The receipt is written after the transaction commits (write, then rename); an existing one
        is kept unless ``force``.
        """
        from portcheck.archive.receipt import write_receipt as _write_receipt
        from portcheck.archive.timestamp import request_timestamp

        b = bundle_mod.read_bundle(path)
        receipt_path = b.receipt_path
        if write_receipt and receipt_path.exists() and not force:
            raise OutputError(f"{receipt_path} already exists: this bundle was archived before",
                              hint="pass --force to archive it again and replace the receipt")
        signature = bundle_mod.check_signatures(b, pubkey_pem)
        stamps = None
        if tsa_url:
            stamps = [request_timestamp(env, tsa_url, tsa_certs) for env in b.envelopes]
        indices, receipt = self.append(list(b.envelopes), source=b.source, bundle_sha256=b.sha256,
                                       timestamps=stamps, tsa_certs=tsa_certs)
        written = None
        if write_receipt:
            try:
                _write_receipt(receipt, receipt_path)
            except OSError as err:
                raise OutputError(
                    f"entry {indices[0]} was archived, but its receipt could not be written to "
                    f"{receipt_path} ({err.strerror})",
                    hint=f"write it elsewhere: portcheck archive show {indices[0]} --receipt FILE") from err
            written = receipt_path
        return AddResult(tuple(indices), receipt, written, signature)
