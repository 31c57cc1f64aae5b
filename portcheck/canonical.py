"""Canonical tables: what a profile makes of raw tables, and what every check and comparison reads.

A :class:`CanonicalTable` holds one object (customer, contact or opportunity) as an Arrow table whose
columns are canonical field names (and ``x_<name>`` custom fields), every column a ``string`` column.
Values are text in canonical form where the profile could put them there:

- instants: ISO 8601 (``2024-03-01T10:00:00+08:00``, ``…Z``); a value with no offset stays naive and is
  read in ``timezone`` by the comparison;
- dates ``YYYY-MM-DD``; decimals as written (the comparison parses ``¥1,234.50``);
- stages, booleans (``true``/``false``) and other picklists already through the profile's value maps;
- IDs always as strings; empty cells are ``None`` or ``''`` (both count as empty).

Rows are in reading order (files in sorted path order, then row order). Records a vendor marks deleted or
archived are not in ``table``; they are counted in ``deleted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.readers.interface import SourceFile


@dataclass
class CanonicalTable:
    object: str  # customer | contact | opportunity
    table: pa.Table  # string columns: canonical fields present + x_<name> custom fields
    sources: list[str] = field(default_factory=list)  # raw table names this object was read from
    mapped_fields: list[str] = field(default_factory=list)  # canonical fields the profile mapped
    unmapped_columns: list[str] = field(default_factory=list)  # source columns kept as x_<name>
    deleted: int = 0  # records marked deleted/archived, left out of `table`
    declared: dict[str, int] | None = None  # {"declared": n, "read": m} when the export declares a total
    repeated_across_pages: int = 0  # records whose key appears on more than one API page
    timezone: str = "UTC"  # zone of naive instants
    region: str | None = None  # default phone region (ISO 3166 alpha-2)
    row_sources: list[str] | None = None  # per row, the raw table it came from (same length as table)

    @property
    def rows(self) -> int:
        return self.table.num_rows

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)


@dataclass
class InventoryEntry:
    """A raw table and what it became: ``mapped_to`` is an object name, or None when no profile claims it."""

    name: str
    rows: int
    mapped_to: str | None
    format: str = ""
    columns: int = 0
    issues: list[str] = field(default_factory=list)  # what the reader noticed (ragged rows, NUL bytes …)


@dataclass
class CanonicalDataset:
    """One side of a check: every object the input holds, in canonical form, plus what could not be mapped."""

    role: str  # export | reference
    root: str
    profile_name: str
    profile_sha256: str
    objects: dict[str, CanonicalTable | None]  # always the three object names; None when absent
    inputs: list[SourceFile]
    inventory: list[InventoryEntry] = field(default_factory=list)
    detection: dict[str, Any] = field(default_factory=dict)  # how the profile was chosen, with scores
    value_maps: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # object -> field -> map
    null_tokens: tuple[str, ...] = ()
    natural_keys: dict[str, list[str]] = field(default_factory=dict)  # object -> fields to pair on if IDs differ

    def get(self, obj: str) -> CanonicalTable | None:
        return self.objects.get(obj)
