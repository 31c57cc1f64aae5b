"""Vectorised value conversions a profile applies: nulls, date-times, value maps, IDs, scaling, names.

Every function takes and returns an Arrow ``string`` array; nothing loops over rows in Python. Value maps and
scaling work on the distinct values of a column (dictionary encoding), which are few for picklists.

Date-times already in ISO 8601 form (``2024-03-01``, ``2024-03-01T10:00:00+08:00``, ``…Z``, with a space
instead of ``T``) are left exactly as written; the comparison reads them. Other forms are rewritten:

- ``4/8/2025 17:19`` (slashes, dots or dashes; 12-hour ``5:19 PM``; ``2024年3月1日``) in the profile's
  order (MDY, DMY or YMD; a 4-digit first part is always the year) → naive ``2025-04-08T17:19:00``;
- epoch milliseconds (12–13 digits) or seconds (9–10 digits) → UTC ``2024-03-01T02:00:00Z``;
- Excel serial dates (20000–80000, fraction = time of day) → naive ``2024-03-01T10:00:00``.

Values that fit none of these are left unchanged (validity checks will report them).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

ISO_RE = (r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$")
EPOCH_MS_RE = r"^-?\d{12,13}$"
EPOCH_S_RE = r"^-?\d{9,10}$"
SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
CJK_RE = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"
_TIMES = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M", "")
_DATES = {"MDY": ("%m/%d/%Y", "%m/%d/%y"), "DMY": ("%d/%m/%Y", "%d/%m/%y"), "YMD": ("%Y/%m/%d",)}
# Which rows a date format may read: strptime's %Y also takes 1-3 digits, so digit counts are checked first.
_GUARDS = {"%Y": r"^\d{4}/\d{1,2}/\d{1,2}(?:\s|$)", "Y": r"^\d{1,2}/\d{1,2}/\d{4}(?:\s|$)",
           "y": r"^\d{1,2}/\d{1,2}/\d{2}(?:\s|$)"}


def _pa():
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def as_string(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    pa, pc = _pa()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return arr


def nullify(arr: pa.Array, tokens: tuple[str, ...]) -> pa.Array:
    """Cells equal (after trimming) to a null token become null."""
    pa, pc = _pa()
    if not tokens:
        return arr
    hit = pc.is_in(pc.utf8_trim_whitespace(arr), value_set=pa.array(list(tokens), pa.string()))
    return pc.if_else(hit, pa.scalar(None, pa.string()), arr)


def is_empty(arr: pa.Array) -> pa.Array:
    pa, pc = _pa()
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True)


# The ISO 8601 forms exports write most, recognised by position over the bytes (no regex): a date, then
# optionally a separator and hh:mm:ss, a fraction of 1-9 digits, and Z or an offset (±hh:mm or ±hhmm).
# A layout is (fraction digits or None for a date alone, offset: "", "Z", "hhmm" or "hh:mm").
_OFFSETS = ("", "Z", "hhmm", "hh:mm")
_LAYOUTS: tuple[tuple[int | None, str], ...] = ((None, ""),) + tuple(
    (k, tz) for k in range(10) for tz in _OFFSETS)


def _layout(frac: int | None, tz: str) -> tuple[int, tuple[int, ...], tuple[tuple[int, bytes], ...]]:
    """(width, digit positions, (position, allowed bytes) pairs) of one layout; position 10 (the date-time
    separator) is left to the caller."""
    digits = [0, 1, 2, 3, 5, 6, 8, 9]
    punct = [(4, b"-"), (7, b"-")]
    if frac is None:
        return 10, tuple(digits), tuple(punct)
    digits += [11, 12, 14, 15, 17, 18]
    punct += [(13, b":"), (16, b":")]
    pos = 19
    if frac:
        punct.append((pos, b".,"))
        digits += list(range(pos + 1, pos + 1 + frac))
        pos += 1 + frac
    if tz == "Z":
        punct.append((pos, b"Zz"))
        pos += 1
    elif tz:
        punct.append((pos, b"+-"))
        if tz == "hhmm":
            digits += [pos + 1, pos + 2, pos + 3, pos + 4]
            pos += 5
        else:
            digits += [pos + 1, pos + 2, pos + 4, pos + 5]
            punct.append((pos + 3, b":"))
            pos += 6
    return pos, tuple(digits), tuple(punct)


def iso_width(layout: tuple[int | None, str]) -> int:
    """The width in bytes of an :func:`iso_fixed` layout."""
    return _layout(*layout)[0]


def _byte_set(chars: bytes) -> np.ndarray:
    import numpy as np

    table = np.zeros(256, bool)
    table[list(chars)] = True
    return table


_CHECKS: dict[Any, Any] = {}


def _layout_check(layout: tuple[int | None, str], separators: bytes) -> tuple[Any, Any, Any]:
    """(lowest byte, span above it, (position, allowed bytes table) pairs) per position of a layout: a row
    has the layout's form when every byte minus its lowest is at most its span (unsigned) and each
    position with a choice of bytes holds one of them."""
    import numpy as np

    key = (layout, separators)
    if key not in _CHECKS:
        width, digit_pos, punct = _layout(*layout)
        low = np.zeros(width, np.uint8)
        span = np.full(width, 255, np.uint8)
        low[list(digit_pos)], span[list(digit_pos)] = 48, 9
        choices = []
        for pos, chars in punct + (((10, separators),) if layout[0] is not None else ()):
            if len(chars) == 1:
                low[pos], span[pos] = chars[0], 0
            else:
                choices.append((pos, _byte_set(chars)))
        _CHECKS[key] = (low, span, tuple(choices))
    return _CHECKS[key]


def _rows_of_width(arr: pa.Array, rows: np.ndarray, width: int) -> np.ndarray:
    """The bytes of the strings at ``rows`` (all ``width`` bytes long) as an (n, width) uint8 matrix."""
    import numpy as np
    import pyarrow as pa

    sub = arr if len(rows) == len(arr) else arr.take(pa.array(rows))
    off = np.frombuffer(sub.buffers()[1], np.int32)[sub.offset:sub.offset + len(sub) + 1]
    # equal-width strings, copied next to each other by Arrow, are a matrix as they stand
    return np.frombuffer(sub.buffers()[2], np.uint8)[off[0]:off[-1]].reshape(len(rows), width)


def row_matrices(arr: pa.Array, rows: np.ndarray, width: int) -> list[np.ndarray]:
    """The bytes of the strings at ``rows`` (ascending, all ``width`` bytes long) as (n, width) uint8
    matrices, in order: views of the array's data where the rows' bytes stand together (a few runs: empty
    and null values between them hold no bytes, and do not break a run), else one copy of them all."""
    import numpy as np

    if len(rows) == 0:
        return [np.zeros((0, width), np.uint8)]
    starts = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset + rows]
    runs = np.flatnonzero(np.diff(starts) != width) + 1
    if len(runs) < max(64, len(rows) // 2000):
        return [_run_matrix(arr, run, width) for run in np.split(rows, runs)]
    return [_rows_of_width(arr, rows, width)]


def _run_matrix(arr: pa.Array, run: np.ndarray, width: int) -> np.ndarray:
    """The bytes of consecutive rows, all ``width`` bytes long, as a matrix viewing the array's data."""
    import numpy as np

    start = int(np.frombuffer(arr.buffers()[1], np.int32)[arr.offset + run[0]])
    return np.frombuffer(arr.buffers()[2], np.uint8)[start:start + width * len(run)].reshape(len(run), width)


_BLOCK_ROWS = 1 << 15  # rows a layout is checked on at a time: the scratch matrices stay in the cache


def _has_layout(m: np.ndarray, check: tuple[Any, Any, Any]) -> np.ndarray:
    """Which rows of a byte matrix have a layout's form (:func:`_layout_check`), checked block by block in
    two reused scratch matrices (no temporaries the size of the column)."""
    import numpy as np

    low, span, choices = check
    n, width = m.shape
    ok = np.empty(n, bool)
    rows = min(n, _BLOCK_ROWS)
    diff = np.empty((rows, width), np.uint8)
    within = np.empty((rows, width), bool)
    for start in range(0, n, _BLOCK_ROWS):
        block = m[start:start + _BLOCK_ROWS]
        k = len(block)
        np.subtract(block, low, out=diff[:k])  # uint8: below `low` wraps around above `span`
        np.less_equal(diff[:k], span, out=within[:k])
        ok[start:start + k] = _rows_all(within[:k])
    for pos, table in choices:
        ok &= table[m[:, pos]]
    return ok


def _rows_all(b: np.ndarray) -> np.ndarray:
    """``b.all(axis=1)`` of an (n, width) boolean matrix, eight bytes at a time (numpy's own reduction
    over a short axis costs several times more)."""
    import numpy as np

    n, width = b.shape
    full = width // 8
    ok = np.ones(n, bool)
    if full:
        words = b[:, :full * 8].view(np.uint64)
        acc = words[:, 0].copy()
        for j in range(1, full):
            acc &= words[:, j]
        ok = acc == 0x0101010101010101  # every byte True
    for j in range(full * 8, width):
        ok &= b[:, j]
    return ok


def iso_fixed(arr: pa.Array, separators: bytes = b"T ", *,
              matrices: bool = True) -> tuple[np.ndarray, dict[Any, Any]]:
    """Which values are exactly one of the common ISO 8601 forms (``2024-03-01``, ``2024-03-01T10:00:00``,
    a fraction of 1-9 digits, then ``Z``/``z``, ``+08:00`` or ``+0800``; ``separators``: what may stand
    between date and time), and, per layout (fraction digits or None, offset form), (their rows, their bytes
    as an (n, width) uint8 matrix — or None with ``matrices=False``, then read where the bytes stand) for
    :func:`iso_numbers`. Nothing about the values' ranges is checked (``2024-13-45`` has the form)."""
    import numpy as np
    import pyarrow as pa

    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    mask = np.zeros(n, bool)
    parts: dict[Any, Any] = {}
    if n == 0 or not pa.types.is_string(arr.type):
        return mask, parts
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset:arr.offset + n + 1]
    lengths = np.diff(offsets)
    if arr.null_count:
        lengths[~np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), bool)] = -1
    counts = np.bincount(np.clip(lengths, 0, 36), minlength=37)
    by_width: dict[int, np.ndarray] = {}
    for layout in _LAYOUTS:
        width = _layout(*layout)[0]
        if not counts[width]:
            continue
        if width not in by_width:
            by_width[width] = np.flatnonzero(lengths == width)
        rows = by_width[width]
        if len(rows) == 0:
            continue
        check = _layout_check(layout, separators)
        if matrices:
            m = _rows_of_width(arr, rows, width)
            ok = _has_layout(m, check)
        else:
            m = None
            ok = np.concatenate([_has_layout(part, check) for part in row_matrices(arr, rows, width)])
        if not ok.any():
            continue
        if not ok.all():
            by_width[width] = rows[~ok]  # the other layouts of this width may take these
            rows, m = rows[ok], (m[ok] if m is not None else None)
        else:
            by_width[width] = rows[:0]
        mask[rows] = True
        parts[layout] = (rows, m)
    return mask, parts


@lru_cache(maxsize=4)
def digit_pairs(dtype: str = "int64", other: int = 0) -> np.ndarray:
    """Two ASCII digits read as one little-endian uint16 → their value (``"07"`` → 7); any other two bytes
    → ``other``. One 64K table, read with ``table[m[:, i:i + 2].view(np.uint16)[:, 0]]``; shared by the
    date-time readers of profiles, validity and the comparison. Do not write into it."""
    import numpy as np

    table = np.full(1 << 16, other, dtype)
    tens, ones = np.meshgrid(np.arange(10), np.arange(10), indexing="ij")
    table[(48 + tens) | ((48 + ones) << 8)] = tens * 10 + ones
    return table


def iso_numbers(m: np.ndarray, layout: tuple[int | None, str],
                fraction: bool = True) -> dict[str, np.ndarray]:
    """year, month, day (and hour, minute, second, microsecond — the fraction's first six digits — and the
    offset's sign, hours and minutes when written) of the byte matrices :func:`iso_fixed` gives."""
    import numpy as np

    pairs = digit_pairs()

    def num(i: int, k: int = 2) -> np.ndarray:
        """The number the ``k`` digits from column ``i`` write (two at a time: a uint16 lookup)."""
        out = None
        for j in range(i, i + k - 1, 2):
            pair = pairs[m[:, j:j + 2].view(np.uint16)[:, 0]]
            if out is None:
                out = pair
            else:
                out *= 100
                out += pair
        if k % 2:
            digit = m[:, i + k - 1].astype(np.int64) - 48
            if out is None:
                return digit
            out *= 10
            out += digit
        return out

    frac, tz = layout
    out = {"year": num(0, 4), "month": num(5), "day": num(8)}
    if frac is None:
        return out
    out.update(hour=num(11), minute=num(14), second=num(17))
    if fraction:
        used = min(frac, 6)
        out["micro"] = (num(20, used) * 10 ** (6 - used)) if used else np.zeros(len(m), np.int64)
    pos = 19 + (1 + frac if frac else 0)
    if tz in ("hhmm", "hh:mm"):
        out.update(sign=np.where(m[:, pos] == ord("-"), -1, 1), off_hour=num(pos + 1),
                   off_minute=num(pos + 3) if tz == "hhmm" else num(pos + 4))
    return out


def _ts_text(ts: pa.Array, with_time: bool, suffix: str = "") -> pa.Array:
    """timestamp → 'YYYY-MM-DDTHH:MM:SS[.fff]' + suffix (no fraction when it is zero), or 'YYYY-MM-DD'.

    Arrow's cast to text is used rather than strftime, which is thirty times slower.
    """
    pa, pc = _pa()
    if not with_time:
        return pc.cast(pc.cast(ts, pa.date32()), pa.string())
    text = pc.replace_substring(pc.cast(ts, pa.string()), pattern=" ", replacement="T", max_replacements=1)
    if pa.types.is_timestamp(ts.type) and ts.type.unit != "s":
        text = pc.replace_substring_regex(text, pattern=r"\.0+$", replacement="")
    return pc.binary_join_element_wise(text, suffix, "") if suffix else text


def _replace_if(arr: pa.Array, probe: str, pattern: str, replacement: str) -> pa.Array:
    """A regex replacement, skipped when no value contains ``probe`` (regexes over millions of rows cost)."""
    _, pc = _pa()
    if not pc.any(pc.fill_null(pc.match_substring_regex(arr, probe), False)).as_py():
        return arr
    return pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)


def _parse_slashed(text: pa.Array, order: str, with_time: bool) -> pa.Array:
    """Slashed, dotted, dashed or 年月日 dates (+ optional 24h or AM/PM time) → naive ISO text, else null."""
    pa, pc = _pa()
    norm = _replace_if(text, "[年月]", r"\s*[年月]\s*", "/")
    norm = _replace_if(norm, "日", "日", "")
    norm = _replace_if(norm, r"^\d{1,4}[.\-]", r"^(\d{1,4})[.\-](\d{1,2})[.\-](\d{1,4})", r"\1/\2/\3")
    norm = _replace_if(norm, r"\d[AaPp][Mm]$", r"\s*([AaPp][Mm])$", r" \1")
    norm = _replace_if(norm, r"T|\s\s", r"[T\s]+", " ")
    result = pa.nulls(len(text), pa.timestamp("s"))
    dates = _DATES[order] + (("%Y/%m/%d",) if order != "YMD" else ())
    for d in dates:
        guard = _GUARDS["%Y"] if d.startswith("%Y") else _GUARDS[d[-1]]
        fits = pc.fill_null(pc.match_substring_regex(norm, guard), False)
        if not pc.any(fits).as_py():
            continue
        candidates = pc.if_else(fits, norm, pa.scalar(None, pa.string()))
        for t in _TIMES:
            if not pc.any(pc.and_(fits, pc.is_null(result))).as_py():
                break
            fmt = f"{d} {t}" if t else d
            parsed = pc.strptime(candidates, format=fmt, unit="s", error_is_null=True)
            result = pc.coalesce(result, parsed)
    return _ts_text(result, with_time)


def _subset(arr: pa.Array, mask: pa.Array, fn) -> pa.Array:  # noqa: ANN001
    """Apply ``fn`` to the masked values only; values it returns null for stay as written."""
    pa, pc = _pa()
    if not pc.any(mask).as_py():
        return arr
    part = arr.filter(mask)
    done = fn(part)
    merged = pc.coalesce(done, part)
    return pc.replace_with_mask(arr, mask, merged)


def _convert_other(text: pa.Array, order: str, epoch: str, excel_serial: bool, with_time: bool) -> pa.Array:
    """Non-ISO date-times (text already trimmed) → ISO text, or null when the form is not recognised."""
    pa, pc = _pa()
    out = _parse_slashed(text, order, with_time)
    if epoch != "none":
        for regex, unit in ((EPOCH_MS_RE, "ms"), (EPOCH_S_RE, "s")):
            if epoch not in ("auto", unit):
                continue
            m = pc.and_(pc.is_null(out), pc.fill_null(pc.match_substring_regex(text, regex), False))
            if pc.any(m).as_py():
                n = pc.cast(pc.if_else(m, text, "0"), pa.int64())
                ms = n if unit == "ms" else pc.multiply(n, 1000)
                ts = pc.cast(ms, pa.timestamp("ms"))
                out = pc.if_else(m, _ts_text(ts, with_time, "Z" if with_time else ""), out)
    if excel_serial:
        m = pc.and_(pc.is_null(out), pc.fill_null(pc.match_substring_regex(text, SERIAL_RE), False))
        if pc.any(m).as_py():
            serial = pc.cast(pc.if_else(m, text, "30000"), pa.float64())
            m = pc.and_(m, pc.and_(pc.greater_equal(serial, 20000), pc.less_equal(serial, 80000)))
            ms = pc.cast(pc.round(pc.multiply(pc.subtract(serial, 25569.0), 86_400_000.0)), pa.int64())
            out = pc.if_else(m, _ts_text(pc.cast(ms, pa.timestamp("ms")), with_time), out)
    return out


def to_instant(arr: pa.Array, *, order: str = "YMD", epoch: str = "auto",
               excel_serial: bool = True) -> pa.Array:
    """Rewrite non-ISO date-times as ISO text (see the module docstring); ISO values stay as written."""
    import numpy as np

    pa, pc = _pa()
    arr = as_string(arr)
    # Most values are ISO already: found by position first, the regex only for the others.
    fixed = iso_fixed(arr, matrices=False)[0]
    if fixed.all():
        return arr
    rest = np.flatnonzero(~fixed)
    text = pc.utf8_trim_whitespace(arr.take(pa.array(rest)))
    todo_rest = pc.fill_null(pc.invert(pc.match_substring_regex(text, ISO_RE)), False)
    todo_rest = pc.and_(todo_rest, pc.greater(pc.utf8_length(pc.fill_null(text, "")), 0))
    todo = np.zeros(len(arr), bool)
    todo[rest] = np.asarray(todo_rest.to_numpy(zero_copy_only=False), bool)
    return _subset(arr, pa.array(todo), lambda part: _convert_other(
        pc.utf8_trim_whitespace(part), order, epoch, excel_serial, with_time=True))


def to_date(arr: pa.Array, *, order: str = "YMD", epoch: str = "auto", excel_serial: bool = True) -> pa.Array:
    """Dates as ``YYYY-MM-DD``: ISO dates stay; an ISO date-time keeps its written day; others are read."""
    import numpy as np

    pa, pc = _pa()
    arr = as_string(arr)
    n = len(arr)
    # The common ISO forms are found by position (they need no trimming), the regex reads the others.
    fixed, parts = iso_fixed(arr, matrices=False)
    long_iso, todo = np.zeros(n, bool), np.zeros(n, bool)
    for layout, (rows, _) in parts.items():
        long_iso[rows] = layout[0] is not None
    rest = np.flatnonzero(~fixed)
    if len(rest):
        text = pc.utf8_trim_whitespace(arr.take(pa.array(rest)))
        rest_iso = np.asarray(pc.fill_null(pc.match_substring_regex(text, ISO_RE), False).to_numpy(
            zero_copy_only=False), bool)
        length = np.asarray(pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False))
        long_iso[rest] = rest_iso & (length > 10)
        todo[rest] = ~rest_iso & (length > 0)
    if long_iso.any():
        arr = _subset(arr, pa.array(long_iso),
                      lambda part: pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(part), 0, 10))
    if todo.any():
        arr = _subset(arr, pa.array(todo), lambda part: _convert_other(pc.utf8_trim_whitespace(part), order,
                                                                      epoch, excel_serial, with_time=False))
    return arr


def _norm_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def apply_value_map(arr: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Map each value through ``mapping`` (matched trimmed and case-insensitively); others stay as written."""
    pa, pc = _pa()
    if not mapping or len(arr) == 0:
        return arr
    lookup = {_norm_key(k): v for k, v in mapping.items()}
    enc = pc.dictionary_encode(as_string(arr))
    uniques = enc.dictionary.to_pylist()
    mapped = pa.array([lookup.get(_norm_key(u), u) if u is not None else None for u in uniques], pa.string())
    return pc.take(mapped, enc.indices)


def apply_scale(arr: pa.Array, factor: str) -> pa.Array:
    """Multiply numbers exactly (Decimal) — e.g. a 0–1 probability to 0–100; non-numbers stay as written."""
    pa, pc = _pa()
    if len(arr) == 0:
        return arr
    f = Decimal(factor)
    enc = pc.dictionary_encode(as_string(arr))
    out = []
    for u in enc.dictionary.to_pylist():
        try:
            d = Decimal(u.strip()) * f
            text = format(d.normalize(), "f") if d != d.to_integral_value() else str(d.to_integral_value())
            out.append(text)
        except (InvalidOperation, AttributeError, ValueError):
            out.append(u)
    return pc.take(pa.array(out, pa.string()), enc.indices)


def strip_prefixes(arr: pa.Array, prefixes: tuple[str, ...]) -> pa.Array:
    pa, pc = _pa()
    for p in prefixes:
        starts = pc.fill_null(pc.starts_with(arr, p), False)
        arr = pc.if_else(starts, pc.utf8_slice_codeunits(arr, len(p)), arr)
    return arr


_SF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_15(arr: pa.Array) -> pa.Array:
    """18-character Salesforce IDs whose checksum holds are cut to their 15-character form."""
    pa, pc = _pa()
    arr = as_string(arr)
    trimmed = pc.utf8_trim_whitespace(arr)
    cand = pc.fill_null(pc.match_substring_regex(trimmed, r"^[a-zA-Z0-9]{15}[A-Z0-5]{3}$"), False)
    if not pc.any(cand).as_py():
        return arr
    src = pc.if_else(cand, trimmed, "a" * 18)
    ok = cand
    for chunk in range(3):
        bits = None
        for i in range(5):
            ch = pc.utf8_slice_codeunits(src, chunk * 5 + i, chunk * 5 + i + 1)
            bit = pc.cast(pc.fill_null(pc.match_substring_regex(ch, r"^[A-Z]$"), False), pa.int64())
            term = pc.multiply(bit, 1 << i)
            bits = term if bits is None else pc.add(bits, term)
        expected = pc.take(pa.array(list(_SF_ALPHABET)), bits)
        ok = pc.and_(ok, pc.equal(expected, pc.utf8_slice_codeunits(src, 15 + chunk, 16 + chunk)))
    return pc.if_else(ok, pc.utf8_slice_codeunits(trimmed, 0, 15), arr)


def derive_full_name(first: pa.Array | None, last: pa.Array | None, length: int) -> pa.Array:
    """CJK names: last+first with no space; others "first last"; one part alone is the name."""
    pa, pc = _pa()
    empty = pa.nulls(length, pa.string())
    f = pc.utf8_trim_whitespace(first) if first is not None else empty
    la = pc.utf8_trim_whitespace(last) if last is not None else empty
    f = pc.fill_null(f, "")
    la = pc.fill_null(la, "")
    cjk = pc.or_(pc.match_substring_regex(f, CJK_RE), pc.match_substring_regex(la, CJK_RE))
    both = pc.and_(pc.greater(pc.utf8_length(f), 0), pc.greater(pc.utf8_length(la), 0))
    western = pc.if_else(both, pc.binary_join_element_wise(f, la, " "),
                         pc.binary_join_element_wise(f, la, ""))
    eastern = pc.binary_join_element_wise(la, f, "")
    out = pc.if_else(cjk, eastern, western)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
