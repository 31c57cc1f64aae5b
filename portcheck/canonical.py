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

import bisect
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.readers.interface import SourceFile


class RowSources(Sequence[str]):
    """Per row, the raw table it came from, kept as runs of (name, rows): a million rows read from one file
    are one run, not a list of a million references (building that list cost 0.07 s per side of a 1M run,
    holding the interpreter lock). Reads like the list it stands for, and compares equal to it."""

    def __init__(self, runs: Sequence[tuple[str, int]]) -> None:
        merged: list[tuple[str, int]] = []
        for name, n in runs:
            if n <= 0:
                continue
            if merged and merged[-1][0] == name:
                merged[-1] = (name, merged[-1][1] + n)
            else:
                merged.append((name, n))
        self.runs = merged
        self._ends = list(itertools.accumulate(n for _, n in merged))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("row out of range")
        return self.runs[bisect.bisect_right(self._ends, i)][0]

    def __iter__(self) -> Iterator[str]:
        for name, n in self.runs:
            yield from itertools.repeat(name, n)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowSources):
            return self.runs == other.runs
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like the list it replaces

    def __repr__(self) -> str:
        return f"RowSources({self.runs!r})"

    def names(self) -> list[str]:
        """The distinct raw tables, in order."""
        return list(dict.fromkeys(name for name, _ in self.runs))


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
    row_sources: RowSources | None = None  # per row, the raw table it came from (same length as table)

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
