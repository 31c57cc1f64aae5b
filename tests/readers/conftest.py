"""Helpers for reader tests: write an input file with a real writer, read it with ``read_export``."""

from __future__ import annotations

from pathlib import Path

import pytest

from portcheck.readers import ExportSource, RawTable, ReadOptions, read_export


def read(path: Path, **options) -> ExportSource:
    return read_export(path, options=ReadOptions(**options))


def only_table(path: Path, **options) -> RawTable:
    source = read(path, **options)
    assert len(source.tables) == 1, [t.name for t in source.tables]
    return source.tables[0]


def rows(table: RawTable) -> list[dict]:
    return table.table.to_pylist()


def column(table: RawTable, name: str) -> list:
    return table.table.column(name).to_pylist()


@pytest.fixture
def write(tmp_path):
    """write(name, bytes_or_text, encoding='utf-8') -> Path inside tmp_path."""

    def _write(name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return p

    return _write
