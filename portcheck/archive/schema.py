"""The archive's SQL tables (SQLAlchemy Core; the same schema on SQLite and PostgreSQL).

- ``archive_key``: one row (``id`` = 1): the archive's origin string, its Ed25519 public key, when it was
  created. Appenders lock this row (``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` on
  SQLite), so appends are serialised.
- ``archive_entries``: one row per archived envelope; ``idx`` is its leaf index in the Merkle tree.
- ``archive_checkpoints``: one row per signed tree head; ``note`` is the signed note, the other columns
  repeat what it says for querying (the note is what counts).

Times are RFC 3339 UTC strings (``2026-05-20T10:00:00Z``), the same on every database.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

SCHEMA_VERSION = 1

metadata = MetaData()

archive_key = Table(
    "archive_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("origin", String(200), nullable=False),
    Column("public_key", LargeBinary, nullable=False),  # 32 raw Ed25519 bytes
    Column("created_at", String(40), nullable=False),
    Column("schema_version", Integer, nullable=False),
)

entries = Table(
    "archive_entries",
    metadata,
    Column("idx", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary, nullable=False),  # SHA-256(0x00 || envelope)
    Column("envelope", LargeBinary, nullable=False),  # the envelope line's bytes, verbatim
    Column("envelope_sha256", String(64), nullable=False),
    Column("added_at", String(40), nullable=False),
    Column("source", Text, nullable=False),  # the bundle's file or folder name
    Column("bundle_sha256", String(64), nullable=False),
    Column("claimed_time", String(40)),  # the report's own generated_at, as its signer claims it
    Column("tsa_token", LargeBinary),  # RFC 3161 TimeStampResp (DER), over SHA-256(envelope)
    Column("tsa_time", String(40)),  # the token's genTime
    Column("tsa_certs", Text),  # PEM certificates the token was checked against when added
)
Index("archive_entries_leaf_hash", entries.c.leaf_hash)

checkpoints = Table(
    "archive_checkpoints",
    metadata,
    Column("size", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),  # the signed note (C2SP tlog-checkpoint)
    Column("issued_at", String(40), nullable=False),
)
