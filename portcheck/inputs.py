"""The input files a report speaks of: names, hashes and sizes, computed the same way by `check` and `verify`.

Names are relative to the root the user gave ('/'-separated) and prefixed by role: a folder
``exp/`` holding ``Account.csv`` gives ``export/Account.csv``; a single file ``dump.zip`` gives
``export/dump.zip``. A ZIP counts as one input file (its members are listed by the readers, not here).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def input_files(root: str | os.PathLike, role: str, known: list | None = None) -> list[dict]:
    """Every regular file under ``root`` (or ``root`` itself), sorted by name, as report.json ``inputs`` rows.

    ``known``: SourceFile-like objects (``name``, ``bytes``, ``sha256``) whose digests the readers already
    computed; a file of the same name and size reuses its digest instead of being read again.
    """
    base = Path(root)
    if base.is_file():
        paths = [(base.name, base)]
    else:
        paths = sorted(
            (p.relative_to(base).as_posix(), p) for p in base.rglob("*") if p.is_file() and not p.is_symlink())
    digests = {f.name: f for f in (known or []) if getattr(f, "sha256", "")}
    rows = []
    for name, p in paths:
        size = p.stat().st_size
        f = digests.get(name)
        digest = f.sha256 if f is not None and f.bytes == size else sha256_file(p)
        rows.append({"role": role, "name": f"{role}/{name}", "sha256": digest, "bytes": size})
    return rows
