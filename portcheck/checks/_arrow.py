"""Small Arrow helpers shared by the checks: empty values, per-distinct-value Python functions, memoised
derived columns, and hash candidates for repeated values (DuckDB hashes confirmed exactly)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from portcheck.checks._unicode_gate import utf8_normalize


def column_or_nulls(table: pa.Table, name: str) -> pa.Array:
    """The named column as one string array, or an all-null array when the table does not carry it."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    col = table.column(name)
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def clean(arr: pa.Array, null_tokens: Sequence[str] = ()) -> pa.Array:
    """NFC, trimmed; empty strings and declared null tokens become null (DESIGN's "empty")."""
    if len(arr) == 0:
        return pa.array([], pa.string())
    out = pc.utf8_trim_whitespace(utf8_normalize(arr, "NFC"))
    blank = pc.equal(out, "")
    if null_tokens:
        blank = pc.or_(blank, pc.is_in(out, value_set=pa.array(list(null_tokens), pa.string())))
    return null_where(out, blank)


def string_bytes(text: pa.Array) -> tuple[Any, Any]:
    """(offsets from 0, bytes) of a string array, as numpy views of its buffers (slices included)."""
    import numpy as np

    n = len(text)
    off = np.frombuffer(text.buffers()[1], np.int32)[text.offset:text.offset + n + 1]
    data = np.frombuffer(text.buffers()[2], np.uint8)[off[0]:off[-1]] if off[-1] > off[0] else \
        np.zeros(0, np.uint8)
    return off - off[0], data


def rows_holding(offsets: Any, positions: Any) -> Any:
    """The rows (ascending, each once) whose bytes include these positions of :func:`string_bytes`' data."""
    import numpy as np

    return np.unique(np.searchsorted(offsets, positions, side="right") - 1)


def null_where(arr: pa.Array, mask: pa.Array) -> pa.Array:
    """``arr`` with nulls where ``mask`` is true. The values are not copied (only a validity bitmap is
    made), which matters for long text."""
    keep = pc.invert(pc.fill_null(mask, False))
    if arr.null_count:
        keep = pc.and_(keep, pc.is_valid(arr))
    if pc.all(keep).as_py() and not arr.null_count:
        return arr
    if arr.offset or keep.offset or not pa.types.is_string(arr.type):
        return pc.if_else(keep, arr, pa.scalar(None, arr.type))
    buffers = arr.buffers()
    return pa.Array.from_buffers(arr.type, len(arr), [keep.buffers()[1], buffers[1], buffers[2]])


def map_distinct(arr: pa.Array, fn: Callable[[str], Any], out_type: pa.DataType | None = None) -> pa.Array:
    """Apply a Python function once per distinct non-null value and spread the results back to every row.

    Used only where no vectorised form exists (phonenumbers, python-stdnum, character tables); the cost is
    one call per distinct value, never one per row.
    """
    out_type = out_type or pa.string()
    if len(arr) == 0:
        return pa.array([], out_type)
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = encoded.dictionary.to_pylist()
    mapped = pa.array([fn(v) if v is not None else None for v in values], out_type)
    return pc.take(mapped, encoded.indices)


def to_numpy_str(arr: pa.Array) -> Any:
    """An object numpy array of str, '' for nulls (what rapidfuzz's vectorised scorers take)."""
    return pc.fill_null(arr, "").to_numpy(zero_copy_only=False)


# Work several checks repeat on one table (cleaned columns, phone numbers read), kept while the table lives
# or until forget() (the run calls it when the checks are done, so the memory is given back). Checks may
# run on two threads: each entry is computed once, by the first thread that asks; the other waits for it.
_MEMO: dict[int, tuple[weakref.ref, dict[Any, Any]]] = {}
_LOCK = threading.Lock()


def table_memo(table: pa.Table) -> dict[Any, Any]:
    """A dict of derived arrays that belongs to ``table`` (by identity)."""
    key = id(table)
    with _LOCK:
        entry = _MEMO.get(key)
        if entry is not None and entry[0]() is table:
            return entry[1]
        memo: dict[Any, Any] = {}
        _MEMO[key] = (weakref.ref(table, lambda _ref, k=key: _MEMO.pop(k, None)), memo)
        return memo


def memoized(table: pa.Table, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` once per table and key, whichever thread asks first."""
    memo = table_memo(table)
    if key in memo:
        return memo[key]
    with _LOCK:
        lock = memo.setdefault(("lock", *key), threading.Lock())
    with lock:
        if key not in memo:
            memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop every table's derived arrays."""
    with _LOCK:
        _MEMO.clear()
        _REPEATS.clear()


def clean_column(table: pa.Table, name: str, null_tokens: Sequence[str] = ()) -> pa.Array:
    """:func:`clean` of a column (:func:`column_or_nulls`), computed once per table."""
    return memoized(table, ("clean", name, tuple(null_tokens)),
                    lambda: clean(column_or_nulls(table, name), null_tokens))


_DUCK: list[Any] = []  # one in-memory DuckDB database for hashing; each call takes a cursor of its own

# The checks call DuckDB from their own two threads, one query per thread: DuckDB's own worker and I/O
# threads would only compete for the same cores, and each of them, when idle, calls glibc's malloc_trim,
# which hands every freed block of the process's heap back to the kernel, so that the next arrays pay for
# fresh zeroed pages again (with its start after the reads: 2.2 GB per 1M-contact run, from strace).
_DUCK_CONFIG = {"threads": 1, "async_threads": 0}


def start_duckdb() -> None:
    """Start the shared DuckDB database now. Its start trims the heap too (``malloc_trim``): a run starts
    it before it reads, when there is nothing to trim, rather than after, when the read buffers are."""
    duck_cursor().close()


def duck_cursor() -> Any:
    """A DuckDB connection of its own (to one in-memory database shared by the process): safe beside
    another thread's. Close it when done."""
    import duckdb

    with _LOCK:
        if not _DUCK:
            try:
                db = duckdb.connect(config=dict(_DUCK_CONFIG))
            except duckdb.Error:  # a DuckDB that does not know async_threads
                db = duckdb.connect(config={"threads": 1})
            _DUCK.append(db)
        return _DUCK[0].cursor()


def hashes(arrays: Sequence[pa.Array]) -> list[Any]:
    """A 64-bit hash (numpy int64) of each value of each string array, from DuckDB's ``hash`` in one pass:
    equal values have equal hashes. Different values may share one (rarely): callers use a hash to rule
    out, or to find candidates they then compare exactly, never to decide alone."""
    import numpy as np

    if not arrays:
        return []
    con = duck_cursor()
    try:
        parts = [pc.cast(a, pa.string()) for a in arrays]
        chunks = [c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
        column = pa.chunked_array(chunks, pa.string())  # one column, hashed in one pass, then split
        got = np.asarray(con.from_arrow(pa.table({"v": column})).query("t", "SELECT hash(v) AS h FROM t")
                         .fetchnumpy()["h"]).view(np.int64)
    finally:
        con.close()
    bounds = np.cumsum([0] + [len(p) for p in parts])
    return [got[bounds[i]:bounds[i + 1]] for i in range(len(parts))]


def maybe_repeated(hashed: Any) -> Any:
    """Positions whose hash may be shared with another position (a superset of the values that repeat:
    a value alone in its hash bucket occurs once). There are about eight buckets per value (2**24 for two
    million, up to 2**28), so few unique values are let through.

    The buckets are counted in slices of 2**16, one per value of the bucket number's top bits: a radix
    sort of those puts each slice's positions together, and each slice is counted in a table of 64K
    entries that stays in the cache. One count over 2**24 entries (64-128 MB) was written at random and
    missed the TLB in a long run's heap of small pages; sorting the bucket numbers instead cost 45 ms a
    million values, this 16."""
    import numpy as np

    n = len(hashed)
    if n == 0:
        return np.zeros(0, np.int64)
    bits = min(_MAX_BUCKET_BITS, max(10, int(n).bit_length() + 3))
    bucket = (hashed.view(np.uint64) >> np.uint64(64 - bits)).astype(np.uint32)
    if bits <= 16:
        return np.flatnonzero(np.bincount(bucket, minlength=1 << bits)[bucket] >= 2)
    top = (bucket >> np.uint32(16)).astype(np.uint16)
    order = np.argsort(top, kind="stable")
    low = (bucket & np.uint32(0xFFFF)).astype(np.uint16)[order]
    bounds = np.zeros((1 << (bits - 16)) + 1, np.int64)
    np.cumsum(np.bincount(top, minlength=1 << (bits - 16)), out=bounds[1:])
    shared = np.zeros(n, bool)
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if end - start > 1:
            part = low[start:end]
            shared[start:end] = np.bincount(part, minlength=1 << 16)[part] >= 2
    return np.sort(order[shared])


def _same_hash(hashed: Any, rows: Any) -> Any:
    """Those of ``rows`` (ascending, every position of their buckets: :func:`maybe_repeated`) whose whole
    64-bit hash is another's too. A value with a hash of its own occurs once; most of a bucket's positions
    share only the bucket, and sorting their hashes (a few ms for the 12% of a million values let through)
    spares copying and hashing most of their strings exactly."""
    import numpy as np

    if len(rows) < 2:
        return rows[:0]
    h = hashed[rows]
    order = np.argsort(h, kind="stable")
    s = h[order]
    same = s[1:] == s[:-1]
    shared = np.zeros(len(rows), bool)
    shared[1:] = same
    shared[:-1] |= same
    keep = np.zeros(len(rows), bool)
    keep[order[shared]] = True
    return rows[keep]


# Above 2**24 buckets (two million values) the cap keeps the slices at most 4,096: at 2**24 for six
# million values (phone and mobile of 3M contacts) a third of the unique values shared a bucket by chance.
_MAX_BUCKET_BITS = 28


class Repeats:
    """The non-null values of an array that occur more than once.

    ``rows``: their positions, ascending; ``codes``: for each of those positions, the number of its value in
    order of first appearance (0 … k-1); ``first``: whether the position is its value's first;
    ``values``: the k repeated values in order of first appearance; ``distinct``: how many distinct
    non-null values the array holds. ``hashed``: the values' :func:`hashes`, when the caller has them (any
    hash at a null). A chunked array is read as it stands: only the few values whose hash may repeat are
    copied out of it.
    """

    def __init__(self, arr: pa.Array | pa.ChunkedArray, hashed: Any = None) -> None:
        import numpy as np

        if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 1:
            arr = arr.chunk(0)
        valid = len(arr) - arr.null_count
        self.rows = np.zeros(0, np.int64)
        self.codes = np.zeros(0, np.int64)
        self.first = np.zeros(0, bool)
        self.values = pa.array([], arr.type)
        if valid < 2:
            self.distinct = valid
            return
        present = np.flatnonzero(pc.is_valid(arr).to_numpy(zero_copy_only=False)) if arr.null_count else None
        if hashed is None:
            hashed = hashes([arr])[0]
        if present is not None:
            hashed = hashed[present]
        maybe = _same_hash(hashed, maybe_repeated(hashed))
        if len(maybe):
            taken = arr.take(pa.array(maybe if present is None else present[maybe]))
            if isinstance(taken, pa.ChunkedArray):
                taken = taken.combine_chunks()
            enc = pc.dictionary_encode(taken)
            idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            counts = np.bincount(idx, minlength=len(enc.dictionary))
            keep = counts[idx] >= 2
            rows, idx = maybe[keep], idx[keep]
            # number the repeated values by first appearance
            uniq, first_at = np.unique(idx, return_index=True)
            order = np.argsort(first_at, kind="stable")
            renumber = np.empty(int(idx.max(initial=-1)) + 1, np.int64)
            renumber[uniq[order]] = np.arange(len(uniq))
            self.codes = renumber[idx]
            self.first = np.zeros(len(rows), bool)
            self.first[first_at[order]] = True
            self.rows = rows if present is None else present[rows]
            self.values = enc.dictionary.take(pa.array(uniq[order]))
        self.distinct = valid - (len(self.rows) - len(self.values))


_REPEATS: dict[int, tuple[weakref.ref, Repeats]] = {}


def repeats(arr: pa.Array) -> Repeats:
    """:class:`Repeats` of an array, computed once per array object while it lives (duplicate keys,
    uniqueness and fuzzy matching all ask it of the same cleaned key column)."""
    key = id(arr)
    with _LOCK:
        entry = _REPEATS.get(key)
        if entry is not None and entry[0]() is arr:
            return entry[1]
    found = Repeats(arr)
    with _LOCK:
        _REPEATS[key] = (weakref.ref(arr, lambda _ref, k=key: _REPEATS.pop(k, None)), found)
    return found
