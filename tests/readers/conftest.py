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


@pytest.fixture(autouse=True, params=["read", "mapped"])
def file_access(request, monkeypatch):
    """Every reader test runs twice: with files read into memory, and with every delimited text file
    mapped (large ones are, in real runs: ``readers.MAP_MIN``), so both paths give the same tables."""
    import portcheck.readers as readers

    monkeypatch.setattr(readers, "MAP_MIN", 1 if request.param == "mapped" else 1 << 62)
    return request.param
