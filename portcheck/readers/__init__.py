"""Readers: turn an export (file, folder or ZIP) into raw tables of text. See ``interface.py``.

``read_export(path)`` walks a file or a folder (files in sorted path order), opens ZIP archives in memory
(members named ``parts.zip/Account.csv``, ZIPs inside ZIPs too), and hands each file to the reader its
content and name call for:

- ``.csv`` ``.tsv`` ``.txt`` → :mod:`portcheck.readers.csvfile` (one table per file);
- ``.xlsx`` ``.xlsm`` ``.xls`` → :mod:`portcheck.readers.excel` (one table per sheet, ``book.xlsx#Sheet1``);
- ``.json`` ``.jsonl`` ``.ndjson`` → :mod:`portcheck.readers.jsonfile` (one table per record list; numbered
  API pages of one folder are joined into one table);
- anything else → listed in ``ExportSource.skipped`` with the reason, never silently dropped.

Content wins over the name where they disagree: a workbook or an archive renamed ``.csv`` is read as what it
is (and an issue says so). Every file read, tabular or not, is in ``ExportSource.files`` with its SHA-256.
Folder walks refuse symbolic links that leave the folder; operating-system litter (``.DS_Store``,
``__MACOSX/``, Excel's ``~$`` lock files) is skipped and listed.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from pathlib import Path

from portcheck.errors import InputError, LimitExceeded, ReadError
from portcheck.readers import _ahead
from portcheck.readers._common import Budget, NotTabular
from portcheck.readers.interface import DeclaredTotal, ExportSource, RawTable, ReadOptions, SourceFile

__all__ = ["DeclaredTotal", "ExportSource", "RawTable", "ReadOptions", "SourceFile", "hash_ahead",
           "read_export"]

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
JUNK_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def read_export(
    path: str | os.PathLike, *, role: str = "export", options: ReadOptions | None = None
) -> ExportSource:
    """Read a file, a folder or a ZIP archive into raw tables (files in sorted path order).

    Raises :class:`~portcheck.errors.InputError` (exit 2) for a missing path or unusable file, and
    :class:`~portcheck.errors.LimitExceeded` when a safety limit of ``options`` is hit.
    """
    options = options or ReadOptions()
    root = Path(path)
    if not root.exists():
        if root.is_symlink():
            raise InputError(
                f"{root} is a symbolic link to something that does not exist",
                hint="pass the export file or folder itself",
            )
        raise InputError(f"{root} does not exist", hint="check the path, or quote it if it contains spaces")
    walker = _Walker(options)
    if root.is_dir():
        walker.folder(root)
    elif root.is_file():
        data = _read_file(root, root.name)
        walker.budget.add_file(root.name)
        walker.blob(root.name, data, root.stat().st_mtime, nesting=0, single=True)
    else:
        raise InputError(f"{root} is neither a file nor a folder", hint="pass the export file or folder")
    from portcheck.readers.jsonfile import join_pages

    tables = join_pages(walker.tables)
    return ExportSource(root=str(root), role=role, files=walker.files, tables=tables, skipped=walker.skipped)


MAP_MIN = 8 << 20  # delimited text files this large are mapped into memory rather than read into it


def hash_ahead(paths: list[str | os.PathLike]) -> None:
    """Map the large delimited text files of these exports (files or folders) and start hashing them now,
    before their reading can start: a run spends its first fifth of a second importing pyarrow on one core
    while the other has nothing to do. The readers then take the same maps and digests (see ``_ahead``);
    anything else under ``paths`` is read as usual. Paths that are not files or folders are ignored here
    (``read_export`` reports them)."""
    _ahead.start(paths, TEXT_SUFFIXES, MAP_MIN)


def _read_file(path: Path, name: str) -> bytes | mmap.mmap:
    """The bytes of a file: large delimited text files as a read-only memory map of the page cache.

    Reading a file copies it into fresh memory, which the kernel must first zero: about a second per
    gigabyte on a virtual machine, for bytes that are parsed once and dropped. A map costs neither.
    The CSV reader takes either (see ``readers.csvfile``); the other readers get bytes. A file cut short
    by another program while it is mapped would end the process with SIGBUS; inputs are meant to stay
    as they are for the run (their digests go in the report).
    """
    try:
        if path.suffix.lower() in TEXT_SUFFIXES:
            with path.open("rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size >= MAP_MIN:
                    early = _ahead.take(path, st)
                    if early is not None:
                        return early
                    try:
                        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                    except (OSError, ValueError):  # a file system that cannot map: read it instead
                        pass
        return path.read_bytes()
    except PermissionError as e:
        raise InputError(
            f"{name} cannot be read (permission denied)",
            hint="check the file's permissions; portcheck only needs to read it",
        ) from e
    except IsADirectoryError as e:  # pragma: no cover - raced with a rename
        raise InputError(f"{name} is a folder", hint="pass the export file or folder") from e
    except OSError as e:
        raise InputError(
            f"{name} cannot be read ({e.strerror or e})", hint="check the path and the disk"
        ) from e


class _Walker:
    """Collects files, tables and skipped files across one read, with one budget for the limits."""

    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.budget = Budget(options.max_total_bytes, options.max_files)
        self.files: list[SourceFile] = []
        self.tables: list[RawTable] = []
        self.skipped: list[tuple[str, str]] = []

    def folder(self, root: Path) -> None:
        real_root = root.resolve()
        entries: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(root):  # does not follow links into folders
            here = Path(dirpath)
            for d in list(dirnames):
                p = here / d
                if p.is_symlink():
                    rel = p.relative_to(root).as_posix()
                    self._check_link(p, rel, real_root)
                    self.skipped.append((rel, "symbolic link to a folder: not followed"))
                    dirnames.remove(d)
                elif d == "__MACOSX":
                    self.skipped.append((p.relative_to(root).as_posix() + "/", "macOS archive metadata"))
                    dirnames.remove(d)
            entries.extend(((here / f).relative_to(root).as_posix(), here / f) for f in filenames)
        for rel, p in sorted(entries):
            if p.is_symlink():
                self._check_link(p, rel, real_root)
            if not p.is_file():
                self.skipped.append((rel, "not a regular file"))
                continue
            self.budget.add_file(rel)
            self.blob(rel, _read_file(p, rel), p.stat().st_mtime, nesting=0, single=False)

    @staticmethod
    def _check_link(p: Path, rel: str, real_root: Path) -> None:
        target = p.resolve()
        if target != real_root and real_root not in target.parents:
            raise InputError(
                f"{rel} is a symbolic link to {target}, outside the export folder",
                hint="portcheck does not follow links out of an export; copy the file into the "
                "folder if it belongs to the export",
            )

    def blob(self, name: str, data: bytes, mtime: float | None, *, nesting: int, single: bool) -> None:
        """Read one file (from disk or from an archive) named ``name``.

        Its SHA-256 is computed in a background thread while it is parsed (hashlib releases the GIL): the
        thread that :func:`hash_ahead` started when the file was registered there, else one of its own.
        The file keeps its place in ``files`` (an archive before its members).
        """
        digest = _ahead.digest_of(data) or _Sha256(data)
        pending = SourceFile(name=name, sha256="", bytes=len(data), mtime=mtime)
        slot = len(self.files)
        self.files.append(pending)
        try:
            tables = self._tables_of(name, data, pending, nesting=nesting, single=single)
        finally:
            src = SourceFile(name=name, sha256=digest.hexdigest(), bytes=len(data), mtime=mtime)
            self.files[slot] = src
        for t in tables:
            if t.source is pending:
                t.source = src
            self.tables.append(t)

    def _tables_of(
        self, name: str, data: bytes, src: SourceFile, *, nesting: int, single: bool
    ) -> list[RawTable]:
        base = name.rsplit("/", 1)[-1]
        suffix = os.path.splitext(base)[1].lower()
        if base.lower() in JUNK_FILES or base.startswith("~$") or base.startswith("._"):
            self.skipped.append((name, "operating-system or editor litter"))
            return []
        if not data:
            if single:
                raise ReadError(
                    f"{name} is empty (0 bytes)",
                    hint="ask for the export again: an export with no records still has a header row",
                )
            self.skipped.append((name, "empty file (0 bytes)"))
            return []
        kind, note = _sniff(data, suffix)
        if kind != "text" and isinstance(data, mmap.mmap):  # a workbook or archive named .csv
            data = data[:]
        if kind == "badzip":
            raise ReadError(
                f"{name} is named .zip but is not a ZIP archive",
                hint="the download may be incomplete: download the export again",
            )
        try:
            if kind == "zip":
                self._archive(name, data, nesting)
                return []
            if kind == "excel":
                from portcheck.readers.excel import read_workbook

                tables = read_workbook(data, src, name, self.options, suffix=suffix)
            elif kind == "json":
                from portcheck.readers.jsonfile import read_json

                tables = read_json(data, src, name, self.options, suffix=suffix)
            elif kind == "text":
                from portcheck.readers.csvfile import read_csv

                fmt = {".tsv": "tsv", ".txt": "txt"}.get(suffix, "csv")
                tables = [read_csv(data, src, name, self.options, suffix=suffix, fmt=fmt)]
            else:
                self.skipped.append(
                    (name, note or f"not a format portcheck reads ({suffix or 'no extension'})")
                )
                return []
        except NotTabular as e:
            self.skipped.append((name, str(e)))
            return []
        except ReadError as e:
            from portcheck.readers.jsonfile import NoRecordList

            if single or not isinstance(e, NoRecordList):
                raise
            self.skipped.append((name, "JSON without a list of records (pass --json-path if it has one)"))
            return []
        for t in tables:
            repeated = _repeated_names(t.columns)
            if repeated:
                t.issues.append(
                    "the header repeats "
                    + ", ".join(repr(n) for n, _k in repeated[:5])
                    + "; the repeats are read as separate columns ("
                    + ", ".join(repr(f"{n}.{i}") for n, k in repeated[:5] for i in range(2, k + 1))
                    + ")"
                )
            if note:
                t.issues.insert(0, note)
        return tables

    def _archive(self, name: str, data: bytes, nesting: int) -> None:
        from portcheck.readers.archive import iter_members

        if nesting + 1 > self.options.max_nesting:
            raise LimitExceeded(
                f"{name} is a ZIP nested {nesting + 1} levels deep "
                f"(limit max_nesting = {self.options.max_nesting})",
                hint="if the nesting is expected, raise the limit with --max-nesting "
                "or PORTCHECK_MAX_NESTING",
            )
        for m in iter_members(
            data, name, password=self.options.password, max_ratio=self.options.max_ratio, budget=self.budget
        ):
            child = f"{name}/{m.path}"
            if m.data is None:
                self.skipped.append((child, m.skip_reason or "not read"))
                continue
            if m.path.startswith("__MACOSX/"):
                self.skipped.append((child, "macOS archive metadata"))
                continue
            self.blob(child, m.data, m.mtime, nesting=nesting + 1, single=False)


def _repeated_names(header: list[str]) -> list[tuple[str, int]]:
    """Non-empty column names written more than once, in header order, with how many times."""
    from collections import Counter

    counts = Counter(h for h in header if h)
    return [(h, counts[h]) for h in dict.fromkeys(header) if h and counts[h] > 1]


class _Sha256:
    """SHA-256 of a byte string; large ones are hashed in a thread, concurrently with parsing."""

    THREAD_MIN = 4 << 20

    def __init__(self, data: bytes) -> None:
        self._digest: str | None = None
        self._thread = None
        if len(data) < self.THREAD_MIN:
            self._digest = hashlib.sha256(data).hexdigest()
            return
        import threading

        def run() -> None:
            self._digest = hashlib.sha256(data).hexdigest()

        self._thread = threading.Thread(target=run, name="portcheck-sha256", daemon=True)
        self._thread.start()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
        assert self._digest is not None
        return self._digest


def _sniff(data: bytes, suffix: str) -> tuple[str, str | None]:
    """Decide how to read a file from its first bytes and its suffix; returns (kind, note for issues)."""
    from portcheck.readers.archive import is_zip

    if is_zip(data):
        if _is_ooxml(data) or suffix in EXCEL_SUFFIXES:
            note = (
                None
                if suffix in EXCEL_SUFFIXES
                else f"named {suffix or 'without extension'} but is an Excel workbook"
            )
            return "excel", note
        note = None if suffix == ".zip" else f"named {suffix or 'without extension'} but is a ZIP archive"
        return "zip", note
    if data[:8] == OLE2_MAGIC:
        note = (
            None
            if suffix in EXCEL_SUFFIXES
            else f"named {suffix or 'without extension'} but is an Excel workbook"
        )
        return "excel", note
    if suffix in JSON_SUFFIXES:
        return "json", None
    if suffix in TEXT_SUFFIXES:
        return "text", None
    if suffix in (".xlsx", ".xlsm"):
        return "excel", None  # not a ZIP: the workbook reader says it is unreadable
    if suffix == ".xls":  # "Excel" files that are really HTML or delimited text (common in CRMs)
        head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(b"<"):
            return "skip", (
                f"an HTML page named {suffix}, not a workbook: open it in Excel and save it as "
                ".xlsx, or ask for a CSV export"
            )
        return "text", f"named {suffix} but is delimited text"
    if suffix == ".zip":
        return "badzip", None
    return "skip", None


def _is_ooxml(data: bytes) -> bool:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
