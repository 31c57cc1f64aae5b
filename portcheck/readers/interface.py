"""What every reader produces: raw tables of text, with where they came from and what they say of themselves.

A reader knows nothing about vendors or checks. It turns bytes into :class:`RawTable` objects whose every
column is an Arrow ``string`` column (values exactly as written; ``None`` only where a cell is truly absent),
and records the source file's SHA-256 and size so that the report and the signature can name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


@dataclass(frozen=True)
class SourceFile:
    """One input file as it exists on disk (or inside an archive)."""

    name: str  # relative to the input root, '/'-separated; members of a ZIP as 'parts.zip/Account.csv'
    sha256: str
    bytes: int
    mtime: float | None = None  # seconds since the epoch, when the file system or ZIP says


@dataclass(frozen=True)
class DeclaredTotal:
    """What an envelope says about the size of the data (API pages, report footers)."""

    total: int | None = None  # totalSize, info.count, totalRow, row_count …
    done: bool | None = None  # done / more_records (inverted) / has a next-page cursor (False)
    next_cursor: str | None = None  # nextRecordsUrl, paging.next.after, @odata.nextLink …
    key: str | None = None  # which envelope key declared the total
    pages: int | None = None  # how many API pages the table was assembled from (None: one file)


@dataclass
class RawTable:
    """One table as read: a CSV file, an Excel sheet, or a JSON record list."""

    name: str  # unique within an input: 'Account.csv', 'book.xlsx#Sheet1', 'pages/p1.json#records'
    source: SourceFile
    format: str  # csv | xlsx | xls | json | jsonl
    table: pa.Table  # every column a string column, named as in the file (deduplicated with '.2', '.3')
    columns: list[str] = field(default_factory=list)  # header names exactly as written
    meta: dict[str, Any] = field(default_factory=dict)  # encoding, confidence, delimiter, sheet, json_path …
    declared: DeclaredTotal | None = None
    issues: list[str] = field(default_factory=list)  # e.g. 'line 17: 5 fields where the header has 4'
    parts: list[SourceFile] = field(default_factory=list)  # every file read, when more than one (API pages)

    @property
    def rows(self) -> int:
        return self.table.num_rows


@dataclass
class ReadOptions:
    """Everything a user can tell the readers."""

    encoding: str | None = None  # overrides detection for text files
    password: str | None = None  # encrypted ZIPs and workbooks
    json_path: str | None = None  # where the record list is, dotted ('data.dataList')
    column_names: list[str] | None = None  # for arrays of arrays (Kingdee ExecuteBillQuery)
    header_row: int | None = None  # 1-based row of the header in CSV files and sheets; None: detected
    # Safety limits; each error message names the limit and the option that raises it.
    max_total_bytes: int = 8 * 1024**3  # uncompressed bytes read from archives, all members together
    max_ratio: float = 200.0  # uncompressed / compressed, per archive member
    max_nesting: int = 4  # ZIPs inside ZIPs
    max_json_depth: int = 64
    max_files: int = 10_000  # files in a folder plus members of archives, all together


@dataclass
class ExportSource:
    """An export (or a reference) as read: its files and the raw tables found in them."""

    root: str  # the path the user gave, for messages
    role: str  # 'export' or 'reference'
    files: list[SourceFile]
    tables: list[RawTable]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason) for files not tabular
