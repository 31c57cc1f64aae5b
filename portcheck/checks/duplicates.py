"""Exact duplicates: surplus rows whose primary key an earlier row already used, and surplus identical rows.

Keys are compared NFC-normalised and trimmed (DESIGN's string normalisation); a row with an empty key is
not a duplicate of anything (it fails the ``<pk>_not_empty`` validity expectation instead). Identical rows
compare every column as read, except that null and the empty string are the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


@dataclass
class ExactDuplicates:
    keys: int = 0  # surplus rows whose key an earlier row already used
    rows: int = 0  # surplus rows identical, column for column, to an earlier row
    key_values: list[str] = field(default_factory=list)  # the repeated keys, in order of first appearance
    first_rows: list[int] = field(default_factory=list)  # row index of each key's first occurrence


def exact_duplicates(table: pa.Table, key_field: str, null_tokens: tuple[str, ...] = ()) -> ExactDuplicates:
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import clean, column_or_nulls

    out = ExactDuplicates()
    n = table.num_rows
    if n == 0:
        return out
    keys = clean(column_or_nulls(table, key_field), null_tokens)
    encoded = pc.dictionary_encode(keys)
    idx = encoded.indices
    row = pa.array(range(n), pa.int64())
    grouped = pa.table({"k": idx, "row": row}).filter(pc.is_valid(idx)).group_by("k").aggregate(
        [("row", "min"), ("row", "count")])
    counts = grouped.column("row_count").to_numpy()
    out.keys = int((counts - 1).sum()) if len(counts) else 0
    repeated = grouped.filter(pc.greater(grouped.column("row_count"), 1)).sort_by("row_min")
    out.key_values = pc.take(encoded.dictionary, repeated.column("k")).to_pylist()
    out.first_rows = grouped.sort_by("row_min").column("row_min").to_pylist()

    if table.num_columns:
        filled = pa.table({f"c{i}": pc.fill_null(column_or_nulls(table, name), "")
                           for i, name in enumerate(table.column_names)})
        distinct = filled.group_by(filled.column_names).aggregate([]).num_rows
        out.rows = n - distinct
    return out
