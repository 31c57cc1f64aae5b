"""Unicode normalisation that skips the values it would leave unchanged.

``pc.utf8_normalize`` costs ~13 ns a byte on long text (notes, descriptions), and almost every value is
already in NFC. A value changes under NFC (NFKC) only if it holds a code point whose normalisation
quick-check is not *Yes*: one that normalises to something else on its own, a combining mark, or a
character that composes with the one before it. One RE2 pass over the values finds those that hold such a
code point, and only they are normalised. The code points come from Python's unicodedata
(:func:`unstable_code_points`, stored in ``_unistable.py``) and include every unassigned code point, so the
set stays a superset of the true one whatever Unicode version Arrow's utf8proc implements.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

# Below this many bytes a value on average, normalising everything is as quick as looking first.
_GATE_MIN_MEAN_BYTES = 24


def unstable_code_points(form: str) -> set[int]:
    """Code points that may make ``form`` (NFC or NFKC) change a string holding them, by Python's
    unicodedata: unassigned ones, combining marks (canonical combining class not 0), those ``form``
    changes on their own, the second code point of every two-code-point canonical decomposition (they
    compose with the one before) and the Hangul medial vowels and final consonants."""
    import unicodedata

    out: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if unicodedata.category(c) == "Cn" or unicodedata.combining(c) or unicodedata.normalize(form, c) != c:
            out.add(cp)
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                out.add(int(parts[1], 16))
    return out


def as_ranges(cps: set[int]) -> list[tuple[int, int]]:
    """Sorted code points as inclusive (first, last) runs."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(cps):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


@lru_cache(maxsize=2)
def _pattern(form: str) -> str:
    from portcheck.checks import _unistable

    ranges = _unistable.NFC_RANGES if form == "NFC" else _unistable.NFKC_RANGES

    def esc(cp: int) -> str:
        return f"\\x{{{cp:X}}}"

    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]"


def utf8_normalize(arr: pa.Array, form: str) -> pa.Array:
    """``pc.utf8_normalize(arr, form)`` for NFC and NFKC, normalising only the values that may change."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if form not in ("NFC", "NFKC") or len(arr) == 0:
        return pc.utf8_normalize(arr, form)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    rows = _rows_with_unstable_leads(arr, form)
    if rows is not None:
        if len(rows) == 0:
            return arr  # ASCII, CJK ideographs and the other stable blocks are in every normal form
        sub = arr.take(pa.array(rows))
        normal = pc.utf8_normalize(sub, form)
        if pc.all(pc.fill_null(pc.equal(normal, sub), True)).as_py():
            return arr  # a flagged block, but nothing in it changed (no copy of the column)
        mask = np.zeros(len(arr), bool)
        mask[rows] = True
        return pc.replace_with_mask(arr, pa.array(mask), normal)
    valid = len(arr) - arr.null_count
    data = arr.buffers()[2]
    if valid == 0 or data is None or data.size / valid < _GATE_MIN_MEAN_BYTES:
        return pc.utf8_normalize(arr, form)
    hit = pc.fill_null(pc.match_substring_regex(arr, _pattern(form)), False)
    count = pc.sum(hit).as_py() or 0
    if count == 0:
        return arr
    if count > len(arr) // 2:
        return pc.utf8_normalize(arr, form)
    return pc.replace_with_mask(arr, hit, pc.utf8_normalize(arr.filter(hit), form))


# Lead bytes at or above this (NFC, NFKC) may begin an unstable code point, except E4-E9 (U+4000-U+9FFF:
# CJK ideographs, all stable); ASCII and continuation bytes never do. tests/checks/test_unicode_gate.py
# checks this against the stored tables.
_LOW_LEAD = {"NFC": 0xCC, "NFKC": 0xC2}
_SCAN = 1 << 18  # bytes examined at once (their temporaries stay in the cache)


def _rows_with_unstable_leads(arr: pa.Array, form: str) -> np.ndarray | None:
    """The rows holding a byte that may begin an unstable code point (:data:`_LOW_LEAD`), found in a few
    vector passes over the bytes; None when that is more than half the rows (the regex gate, or
    normalising everything, is then as quick). Names of a million contacts: 1 ms, against 70 ms for
    normalising them all (their values are too short for the regex gate to pay)."""
    import numpy as np

    from portcheck.checks._arrow import rows_holding, string_bytes

    off, data = string_bytes(arr)
    n, low = len(data), np.uint8(_LOW_LEAD[form])
    limit = len(arr) // 2
    found: list[np.ndarray] = []
    count = 0
    shifted = np.empty(min(_SCAN, n), np.uint8)
    flag, high = np.empty(min(_SCAN, n), bool), np.empty(min(_SCAN, n), bool)
    for i in range(0, n, _SCAN):
        part = data[i:i + _SCAN]
        k = len(part)
        np.subtract(part, np.uint8(0xE4), out=shifted[:k])  # wraps: E4-E9 become 0-5
        np.greater(shifted[:k], 5, out=flag[:k])
        np.greater_equal(part, low, out=high[:k])
        np.logical_and(flag[:k], high[:k], out=flag[:k])
        hits = int(np.count_nonzero(flag[:k]))
        if hits:
            count += hits
            if count > limit:  # (bytes, not rows: text full of emoji or punctuation goes to the regex)
                return None
            found.append(np.flatnonzero(flag[:k]) + i)
    if not found:
        return np.zeros(0, np.int64)
    return rows_holding(off, np.concatenate(found))


def render_table_module() -> str:
    """The text of ``_unistable.py`` for the running Python's unicodedata (how it was made:
    ``python -c "from portcheck.checks._unicode_gate import render_table_module as r; print(r(), end='')"
    > portcheck/checks/_unistable.py``)."""
    import unicodedata

    out = ['"""Code points whose presence may make NFC / NFKC change a string.', "",
           "Generated by ``portcheck.checks._unicode_gate.render_table_module`` from Python's unicodedata "
           f"{unicodedata.unidata_version}.",
           "Unassigned code points are included, so the lists stay supersets under later Unicode versions.",
           "Do not edit: tests/checks/test_unicode_gate.py checks them against unicodedata.", '"""', ""]
    for form in ("NFC", "NFKC"):
        out.append(f"{form}_RANGES = (")
        line = "   "
        for a, b in as_ranges(unstable_code_points(form)):
            item = f" (0x{a:X}, 0x{b:X}),"
            if len(line) + len(item) > 110:
                out.append(line)
                line = "   "
            line += item
        out += [line, ")", ""]
    return "\n".join(out)
