"""Writing a report folder completely or not at all.

Everything is written into a private staging folder beside ``--out``; only when every file is complete is
the staging folder renamed into place. An existing report is replaced only with ``--force``. CSV cells that
a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or CR) are written as text
with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from portcheck.errors import OutputError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell as text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    s = str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue().encode("utf-8")


class ReportFolder:
    """A staging folder that becomes ``out`` on :meth:`commit`, or vanishes on :meth:`abort`."""

    def __init__(self, out: str | os.PathLike, *, force: bool = False) -> None:
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"{self.out} exists and is not a folder", hint="choose another --out")
        if self.out.is_dir() and any(self.out.iterdir()) and not force:
            raise OutputError(f"{self.out} already holds a report (or other files)",
                              hint="pass --force to replace it, or choose another --out")
        parent = self.out.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".partial", dir=parent))
        except OSError as e:
            raise OutputError(f"cannot write to {parent} ({e.strerror})",
                              hint="choose an --out folder you can write to") from e
        self.written: list[str] = []

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_bytes(self, name: str, data: bytes) -> Path:
        p = self.staging / name
        try:
            with open(p, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as e:
            self.abort()
            raise OutputError(f"could not write {name} ({e.strerror}); no report was written",
                              hint="free some disk space or choose another --out") from e
        self.written.append(name)
        return p

    def commit(self) -> Path:
        """Move the complete staging folder into place (replacing an old report only if allowed)."""
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
        os.replace(self.staging, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
