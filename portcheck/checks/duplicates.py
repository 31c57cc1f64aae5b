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
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks._arrow import clean_column, column_or_nulls, dictionary_encoded

    out = ExactDuplicates()
    n = table.num_rows
    if n == 0:
        return out
    keys = clean_column(table, key_field, null_tokens)
    encoded = dictionary_encoded(keys)
    idx = encoded.indices
    counts = np.bincount(pc.fill_null(idx, len(encoded.dictionary)).to_numpy(zero_copy_only=False),
                         minlength=len(encoded.dictionary) + 1)[:-1]
    out.keys = int((counts[counts > 0] - 1).sum()) if len(counts) else 0
    repeated = np.flatnonzero(counts > 1)
    if len(repeated):
        # The repeated keys, in order of their first appearance.
        rows = pc.indices_nonzero(pc.is_in(idx, value_set=pa.array(repeated, idx.type)))
        first = pa.table({"k": pc.take(idx, rows), "row": rows}).group_by("k", use_threads=False).aggregate(
            [("row", "min")]).sort_by("row_min")
        out.key_values = pc.take(encoded.dictionary, first.column("k")).to_pylist()

    if table.num_columns:
        # Identical rows share every value, the key column's as read too: only rows whose raw key value
        # repeats can be identical to another (all rows when the table has no key column).
        candidates = None
        if key_field in table.column_names:
            raw = pc.dictionary_encode(pc.fill_null(column_or_nulls(table, key_field), ""))
            raw_idx = raw.indices.to_numpy(zero_copy_only=False)
            raw_counts = np.bincount(raw_idx, minlength=len(raw.dictionary))
            if (raw_counts > 1).any():
                candidates = pc.indices_nonzero(pa.array(raw_counts[raw_idx] > 1))
            else:
                candidates = pa.array([], pa.uint64())
        sub = table if candidates is None else table.take(candidates)
        if sub.num_rows:
            filled = pa.table({f"c{i}": pc.fill_null(column_or_nulls(sub, name), "")
                               for i, name in enumerate(sub.column_names)})
            distinct = filled.group_by(filled.column_names).aggregate([]).num_rows
            out.rows = sub.num_rows - distinct
    return out
