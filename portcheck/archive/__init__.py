"""The evidence archive: an append-only RFC 6962 Merkle log of signed-report envelopes in SQL.

Public surface:

- :class:`Archive` (``Archive.open(url, key_path=None, create=False)``; ``add_bundle``, ``append``,
  ``snapshot``, ``audit``, ``verify``, ``receipt``), :func:`default_archive_url`;
- :func:`verify_receipt_file` (``portcheck verify`` calls it for a bundle that carries a receipt);
- :mod:`portcheck.archive.merkle` (RFC 6962 hashing and proofs), :mod:`portcheck.archive.checkpoint`
  (signed checkpoints), :mod:`portcheck.archive.timestamp` (RFC 3161).

Nothing here imports SQLAlchemy or cryptography at import time.
"""

from __future__ import annotations

from portcheck.archive.errors import ArchiveTampered, Problem
from portcheck.archive.receipt import verify_receipt_file
from portcheck.archive.store import AddResult, Archive, default_archive_url

__all__ = ["AddResult", "Archive", "ArchiveTampered", "Problem", "default_archive_url", "verify_receipt_file"]
