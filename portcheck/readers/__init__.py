"""Readers: turn an export (file, folder or ZIP) into raw tables of text. See ``interface.py``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from portcheck.errors import InputError
from portcheck.readers.interface import DeclaredTotal, ExportSource, RawTable, ReadOptions, SourceFile

__all__ = ["DeclaredTotal", "ExportSource", "RawTable", "ReadOptions", "SourceFile", "read_export"]

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


def _source(path: Path, name: str, data: bytes) -> SourceFile:
    return SourceFile(name=name, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
                      mtime=path.stat().st_mtime)


def read_export(path: str | os.PathLike, *, role: str = "export", options: ReadOptions | None = None) -> ExportSource:
    """Read a file or a folder of files into raw tables (files in sorted path order)."""
    from portcheck.readers.csvfile import read_csv

    options = options or ReadOptions()
    root = Path(path)
    if not root.exists():
        raise InputError(f"{root} does not exist", hint="check the path, or quote it if it contains spaces")
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    files: list[SourceFile] = []
    tables: list[RawTable] = []
    skipped: list[tuple[str, str]] = []
    for p in paths:
        name = p.name if root.is_file() else p.relative_to(root).as_posix()
        data = p.read_bytes()
        src = _source(p, name, data)
        files.append(src)
        if p.suffix.lower() in TEXT_SUFFIXES:
            tables.append(read_csv(data, src, name, options))
        else:
            skipped.append((name, "not a format portcheck reads"))
    return ExportSource(root=str(root), role=role, files=files, tables=tables, skipped=skipped)
