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


def exact_duplicates(table: pa.Table, key_field: str, null_tokens: tuple[str, ...] = ()) -> ExactDuplicates:
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import clean_column, column_or_nulls, repeats

    out = ExactDuplicates()
    n = table.num_rows
    if n == 0:
        return out
    keys = repeats(clean_column(table, key_field, null_tokens))
    out.keys = len(keys.rows) - len(keys.values)  # every occurrence of a key after its first
    out.key_values = keys.values.to_pylist()  # the repeated keys, in order of first appearance

    if table.num_columns:
        # Identical rows share every value, the key column's as read too: only rows whose raw key value
        # repeats can be identical to another (all rows when the table has no key column).
        candidates = None
        if key_field in table.column_names:
            raw = repeats(pc.fill_null(column_or_nulls(table, key_field), ""))
            candidates = pa.array(raw.rows, pa.int64())
        sub = table if candidates is None else table.take(candidates)
        if sub.num_rows:
            filled = pa.table({f"c{i}": pc.fill_null(column_or_nulls(sub, name), "")
                               for i, name in enumerate(sub.column_names)})
            distinct = filled.group_by(filled.column_names).aggregate([]).num_rows
            out.rows = sub.num_rows - distinct
    return out
