"""Vectorised value conversions a profile applies: nulls, date-times, value maps, IDs, scaling, names.

Every function takes and returns an Arrow ``string`` array; nothing loops over rows in Python. Value maps and
scaling work on the distinct values of a column (dictionary encoding), which are few for picklists.

Date-times already in ISO 8601 form (``2024-03-01``, ``2024-03-01T10:00:00+08:00``, ``…Z``, with a space
instead of ``T``) are left exactly as written; the comparison reads them. Other forms are rewritten:

- ``4/8/2025 17:19`` (slashes, dots or dashes; 12-hour ``PM``; ``2024年3月1日``) in the profile's order
  (MDY, DMY or YMD) → naive ``2025-04-08T17:19:00``;
- epoch milliseconds (12–13 digits) or seconds (9–10 digits) → UTC ``2024-03-01T02:00:00Z``;
- Excel serial dates (20000–80000, fraction = time of day) → naive ``2024-03-01T10:00:00``.

Values that fit none of these are left unchanged (validity checks will report them).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

ISO_RE = (r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$")
SLASHED_RE = (r"^(?P<a>\d{1,4})\s*[/.\-年]\s*(?P<b>\d{1,2})\s*[/.\-月]\s*(?P<c>\d{1,4})\s*日?"
              r"(?:(?:\s+|T)(?P<h>\d{1,2})[:时](?P<mi>\d{2})(?:[:分](?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ap>[AaPp][Mm])?)?$")
EPOCH_MS_RE = r"^-?\d{12,13}$"
EPOCH_S_RE = r"^-?\d{9,10}$"
SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
CJK_RE = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"


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


def _pad(values: pa.Array, width: int) -> pa.Array:
    pa, pc = _pa()
    return pc.utf8_lpad(pc.cast(values, pa.string()), width=width, padding="0")


def _format_ts(ts: pa.Array, suffix: str) -> pa.Array:
    """timestamp[ms] → 'YYYY-MM-DDTHH:MM:SS[.fff]' + suffix."""
    pa, pc = _pa()
    secs = pc.cast(pc.floor(pc.divide(pc.cast(ts, pa.int64()), 1000.0)), pa.int64())
    frac = pc.subtract(pc.cast(ts, pa.int64()), pc.multiply(secs, 1000))
    base = pc.strftime(pc.cast(pc.cast(secs, pa.timestamp("s")), pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
    frac_txt = pc.if_else(pc.equal(frac, 0), "", pc.binary_join_element_wise(".", _pad(frac, 3), ""))
    return pc.binary_join_element_wise(base, frac_txt, suffix, "")


def _slashed(arr: pa.Array, order: str, with_time: bool) -> tuple[pa.Array, pa.Array]:
    """Parse slashed dates; returns (mask, iso text)."""
    pa, pc = _pa()
    mask = pc.fill_null(pc.match_substring_regex(arr, SLASHED_RE), False)
    filled = pc.if_else(mask, arr, "1/1/2000")
    parts = pc.extract_regex(filled, SLASHED_RE)
    a, b, c = (parts.field(k) for k in ("a", "b", "c"))
    # A 4-digit first part always means Y-M-D, whatever the declared order.
    first_is_year = pc.greater(pc.utf8_length(a), 2)
    if order == "DMY":
        y, m, d = c, b, a
    elif order == "YMD":
        y, m, d = a, b, c
    else:
        y, m, d = c, a, b
    y = pc.if_else(first_is_year, a, y)
    m = pc.if_else(first_is_year, b, m)
    d = pc.if_else(first_is_year, c, d)
    yi = pc.cast(y, pa.int64())
    yi = pc.if_else(pc.less(yi, 100), pc.add(yi, pc.if_else(pc.less(yi, 70), 2000, 1900)), yi)
    date = pc.binary_join_element_wise(_pad(yi, 4), _pad(pc.cast(m, pa.int64()), 2),
                                       _pad(pc.cast(d, pa.int64()), 2), "-")
    valid = pc.and_(pc.and_(pc.greater_equal(pc.cast(m, pa.int64()), 1), pc.less_equal(pc.cast(m, pa.int64()), 12)),
                    pc.and_(pc.greater_equal(pc.cast(d, pa.int64()), 1), pc.less_equal(pc.cast(d, pa.int64()), 31)))
    mask = pc.and_(mask, valid)
    if not with_time:
        return mask, date
    h_raw = parts.field("h")
    has_time = pc.fill_null(pc.greater(pc.utf8_length(h_raw), 0), False)
    h = pc.cast(pc.if_else(has_time, h_raw, "0"), pa.int64())
    ap = pc.utf8_lower(pc.fill_null(parts.field("ap"), ""))
    h = pc.if_else(pc.and_(pc.equal(ap, "pm"), pc.less(h, 12)), pc.add(h, 12), h)
    h = pc.if_else(pc.and_(pc.equal(ap, "am"), pc.equal(h, 12)), 0, h)
    mi = pc.if_else(has_time, parts.field("mi"), "00")
    s_raw = parts.field("s")
    s = pc.if_else(pc.fill_null(pc.greater(pc.utf8_length(s_raw), 0), False), s_raw, "00")
    time = pc.binary_join_element_wise(_pad(h, 2), mi, s, ":")
    return mask, pc.binary_join_element_wise(date, time, "T")


def to_instant(arr: pa.Array, *, order: str = "YMD", epoch: str = "auto", excel_serial: bool = True) -> pa.Array:
    """Rewrite non-ISO date-times as ISO text (see the module docstring); ISO values stay as written."""
    pa, pc = _pa()
    arr = as_string(arr)
    text = pc.utf8_trim_whitespace(arr)
    iso = pc.fill_null(pc.match_substring_regex(text, ISO_RE), True)
    out = arr
    todo = pc.invert(iso)
    if not pc.any(todo).as_py():
        return arr
    m, val = _slashed(text, order, with_time=True)
    m = pc.and_(todo, m)
    out = pc.if_else(m, val, out)
    if epoch != "none":
        for regex, unit in ((EPOCH_MS_RE, "ms"), (EPOCH_S_RE, "s")):
            if epoch not in ("auto", unit):
                continue
            m = pc.and_(todo, pc.fill_null(pc.match_substring_regex(text, regex), False))
            if pc.any(m).as_py():
                n = pc.cast(pc.if_else(m, text, "0"), pa.int64())
                ms = n if unit == "ms" else pc.multiply(n, 1000)
                out = pc.if_else(m, _format_ts(pc.cast(ms, pa.timestamp("ms")), "Z"), out)
    if excel_serial:
        m = pc.and_(todo, pc.fill_null(pc.match_substring_regex(text, SERIAL_RE), False))
        if pc.any(m).as_py():
            serial = pc.cast(pc.if_else(m, text, "30000"), pa.float64())
            m = pc.and_(m, pc.and_(pc.greater_equal(serial, 20000), pc.less_equal(serial, 80000)))
            ms = pc.cast(pc.round(pc.multiply(pc.subtract(serial, 25569.0), 86_400_000.0)), pa.int64())
            out = pc.if_else(m, _format_ts(pc.cast(ms, pa.timestamp("ms")), ""), out)
    return out


def to_date(arr: pa.Array, *, order: str = "YMD", epoch: str = "auto", excel_serial: bool = True) -> pa.Array:
    """Dates as ``YYYY-MM-DD``: ISO dates stay; an ISO date-time keeps its written day; others are read."""
    pa, pc = _pa()
    arr = as_string(arr)
    text = pc.utf8_trim_whitespace(arr)
    iso = pc.fill_null(pc.match_substring_regex(text, ISO_RE), False)
    if pc.all(pc.or_(iso, pc.is_null(text))).as_py() and not pc.any(
            pc.fill_null(pc.greater(pc.utf8_length(text), 10), False)).as_py():
        return arr
    out = pc.if_else(iso, pc.utf8_slice_codeunits(text, 0, 10), arr)
    rest = pc.invert(pc.fill_null(iso, False))
    m, val = _slashed(text, order, with_time=False)
    out = pc.if_else(pc.and_(rest, m), val, out)
    other = pc.and_(rest, pc.invert(m))
    if pc.any(other).as_py():
        inst = to_instant(pc.if_else(other, text, ""), order=order, epoch=epoch, excel_serial=excel_serial)
        changed = pc.and_(other, pc.fill_null(pc.match_substring_regex(inst, ISO_RE), False))
        out = pc.if_else(changed, pc.utf8_slice_codeunits(inst, 0, 10), out)
    return out


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
    western = pc.if_else(both, pc.binary_join_element_wise(f, la, " "), pc.binary_join_element_wise(f, la, ""))
    eastern = pc.binary_join_element_wise(la, f, "")
    out = pc.if_else(cjk, eastern, western)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
