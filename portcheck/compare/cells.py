"""Verdicts of many differing cells at once: :func:`portcheck.compare.engine.compare_cell`, vectorised.

A migration that re-formats every phone number or date-time differs in millions of cells that are all
*format* differences. Here the common forms are normalised with pyarrow.compute and numpy — ASCII text
stripped as Python strips it, e-mails lower-cased, ISO 8601 instants turned into microseconds since the
epoch, phone numbers read through :mod:`portcheck.checks.phones` (phonenumbers' own metadata), plain
decimals written canonically — and compared. Only what that cannot decide exactly (non-ASCII text, other
date or number forms, numbers phonenumbers must read itself, and nearly every real defect) goes to
``compare_cell`` itself, once per distinct (reference, export, region). ``compare_cell`` stays the oracle:
tests/compare/test_cells.py holds the two equal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portcheck import schema
from portcheck.compare import classify as cl

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

MATCH, FORMAT = "match", "format"
VERDICTS: tuple[str, ...] = (MATCH, FORMAT, *cl.DEFECT_KINDS)
CODE = {v: i for i, v in enumerate(VERDICTS)}
UNDECIDED = -1

# Python's str.strip() on ASCII text strips these (str.isspace); Arrow's Unicode trim is not used, to
# stay exact.
_ASCII_SPACE = r"[\t-\r\x1c-\x1f ]"
_ASCII_SPACE_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_ISO = (r"^(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
        r"(?:[T ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?)?"
        rf"{_ASCII_SPACE}*(?P<tz>Z|z|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)?$")
_PLAIN_DECIMAL = r"^[+-]?[0-9]+(?:[.][0-9]+)?$"
# compare.normalize.looks_like_phone for ASCII text: digits, whitespace, ( ) + - . /
_PHONE_CHARS = r"^[0-9\t-\r\x1c-\x1f ()+\-./]+$"
_QUARTER_HOUR_US = 15 * 60 * 1_000_000
_MAX_SHIFT_US = 14 * 3600 * 1_000_000


def _np_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    import numpy as np
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def ascii_text(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(``text()`` of each value, where that is exact: ASCII values stripped as Python strips them; and
    the mask of those values)."""
    import pyarrow.compute as pc

    ascii_ok = _np_bool(pc.string_is_ascii(values))
    if _no_space_at_ends(values):
        return values, ascii_ok  # stripping would copy every value unchanged
    return pc.ascii_trim(values, characters=_ASCII_SPACE_CHARS), ascii_ok


def _no_space_at_ends(values: pa.Array) -> bool:
    """No value starts or ends with a byte ``ascii_trim`` strips (a look at the first and last bytes)."""
    import numpy as np
    import pyarrow as pa

    if not isinstance(values, pa.Array) or not pa.types.is_string(values.type) or values.null_count \
            or values.buffers()[2] is None:
        return False
    n = len(values)
    off = np.frombuffer(values.buffers()[1], np.int32)[values.offset:values.offset + n + 1]
    data = np.frombuffer(values.buffers()[2], np.uint8)
    filled = off[1:] > off[:-1]
    starts, ends = off[:-1][filled], off[1:][filled]
    space = np.zeros(256, bool)
    space[list(_ASCII_SPACE_CHARS.encode())] = True
    return not (np.take(space, np.take(data, starts)).any() or np.take(space, np.take(data, ends - 1)).any())


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (m > 2) * -3 + (m <= 2) * 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _iso_by_position(text: pa.Array, fields: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Date-times written exactly ``YYYY-MM-DD[T ]hh:mm:ss``, then a fraction of 1-9 digits or none, then
    ``Z``/``z``, ``±hhmm``, ``±hh:mm`` or nothing, read by position over the bytes
    (:func:`~portcheck.profiles.convert.iso_fixed` and ``iso_numbers``, as the profiles read them): their
    year … microsecond (the fraction's first six digits) and offset in microseconds are written into
    ``fields`` at their rows. Returns (the rows read, those with an offset). Ranges are not checked."""
    import numpy as np

    from portcheck.profiles.convert import iso_fixed, iso_numbers

    n = len(text)
    done, zoned = np.zeros(n, bool), np.zeros(n, bool)
    _, parts = iso_fixed(text, b"T ")
    for (frac, tz), (rows, m) in parts.items():
        if frac is None:
            continue  # a date alone: the general reading says it has no time
        nums = iso_numbers(m, (frac, tz))
        values = {"y": nums["year"], "mo": nums["month"], "d": nums["day"], "h": nums["hour"],
                  "mi": nums["minute"], "s": nums["second"], "micro": nums["micro"]}
        if "sign" in nums:
            values["off"] = nums["sign"] * (nums["off_hour"] * 60 + nums["off_minute"]) * 60_000_000
        for k, v in values.items():
            fields[k][rows] = v
        done[rows] = True
        zoned[rows] = tz != ""
    return done, zoned


def instants_us(text: pa.Array, zone: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``normalize.instant(value, zone)`` as microseconds since the epoch for ISO 8601 text (already
    stripped): (microseconds, decided, has_time). Undecided: other forms, impossible dates, naive values in
    a zone other than UTC, years 1 and 9999 (Python may overflow there)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    fields = {k: np.zeros(n, np.int64) for k in ("y", "mo", "d", "h", "mi", "s", "micro", "off")}
    fixed, zoned = _iso_by_position(text, fields)
    y, mo, d, h, mi, s, micro, off = (fields[k] for k in ("y", "mo", "d", "h", "mi", "s", "micro", "off"))
    matched, has_time, has_tz = fixed.copy(), fixed.copy(), zoned
    rest = np.flatnonzero(~fixed)
    if len(rest):
        sub = text.take(pa.array(rest))
        parts = pc.extract_regex(sub, _ISO)
        ok = _np_bool(pc.is_valid(parts))
        if ok.any():
            rows = rest[ok]
            parts = parts.filter(pa.array(ok))

            def num(name: str, width: int | None = None) -> np.ndarray:
                f = pc.struct_field(parts, name)
                f = pc.if_else(pc.equal(f, ""), "0", f)
                if width is not None:
                    f = pc.utf8_slice_codeunits(pc.utf8_rpad(f, width, "0"), 0, width)
                return np.asarray(pc.cast(f, "int64").to_numpy(zero_copy_only=False))

            y[rows], mo[rows], d[rows] = num("y"), num("mo"), num("d")
            h[rows], mi[rows], s[rows], micro[rows] = num("h"), num("mi"), num("s"), num("f", 6)
            matched[rows] = True
            has_time[rows] = _np_bool(pc.not_equal(pc.struct_field(parts, "h"), ""))
            tz = pc.struct_field(parts, "tz")
            has_tz[rows] = _np_bool(pc.not_equal(tz, ""))
            # an offset: sign, hours, minutes ("+08", "+0800", "+08:00"; Z is zero)
            digits = pc.replace_substring(pc.utf8_slice_codeunits(tz, 1), ":", "")
            hh = pc.utf8_slice_codeunits(digits, 0, 2)
            mm = pc.utf8_slice_codeunits(digits, 2, 4)
            hh = np.asarray(pc.cast(pc.if_else(pc.equal(hh, ""), "0", hh), "int64").to_numpy())
            mm = np.asarray(pc.cast(pc.if_else(pc.equal(mm, ""), "0", mm), "int64").to_numpy())
            sign = np.where(_np_bool(pc.starts_with(tz, "-")), -1, 1)
            off[rows] = sign * (hh * 3600 + mm * 60) * 1_000_000
    year_start, month_start, month_length = _calendar_tables()
    yc = np.clip(y, 0, 9999)
    ym = _leap_row(yc) + np.clip(mo, 0, 12)  # row of the year's kind (common, leap), column of the month
    ok = (matched & (y > 1) & (y < 9999) & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= month_length[ym])
          & (h <= 23) & (mi <= 59) & (s <= 59) & (has_tz | (zone == "UTC")))
    days = year_start[yc] + month_start[ym] + d - 1
    us = (days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000 + micro - np.where(has_tz, off, 0)
    return np.where(ok, us, 0), ok, has_time & ok


_CALENDAR: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


def _calendar_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days since 1970-01-01 of January 1st of each year 0-9999, days before each month and length of
    each month, both indexed by 13 * leap + month)."""
    global _CALENDAR
    import numpy as np

    if _CALENDAR is None:
        years = np.arange(10_000, dtype=np.int64)
        leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
        lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)
        month_length = np.concatenate([lengths, lengths + (np.arange(13) == 2)])
        before = np.concatenate([[0], np.cumsum(lengths[1:12])])  # months 1-12; month 0 is never valid
        month_start = np.concatenate([[0], before, [0], before + (np.arange(1, 13) > 2)])
        year_start = _days_from_civil(years, np.ones_like(years), np.ones_like(years))
        _CALENDAR = (year_start, month_start, month_length, leap.astype(np.int64) * 13)
    return _CALENDAR[0], _CALENDAR[1], _CALENDAR[2]


def _leap_row(years: np.ndarray) -> np.ndarray:
    """13 for leap years, 0 for others (years 0-9999)."""
    _calendar_tables()
    assert _CALENDAR is not None
    return _CALENDAR[3][years]


def _phone_forms(text: pa.Array, ascii_ok: np.ndarray, regions: pa.Array | None,
                 ) -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray]:
    """Of stripped ASCII text: (digits, looks like a phone — ``normalize.digits`` / ``looks_like_phone``
    —, the ``normalize.normalise(value, PHONE, region=…)`` form, decided).

    Text not written as a phone number is its own form; a phone number is its E.164 form when
    phonenumbers reads it (a '+', or a region), finds it possible and reads that form back as itself, else
    its digits (keeping a leading '+'). The digits come from the same pass over the bytes that reads the
    numbers."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.checks.phones import read_numbers, scan_numbers

    n = len(text)
    regions = regions if regions is not None else pa.nulls(n, pa.string())
    has_region = _np_bool(pc.not_equal(pc.fill_null(regions, ""), ""))
    plus = _np_bool(pc.starts_with(text, "+"))
    phone_chars = ascii_ok & _only_phone_chars(text)
    res = None
    if (phone_chars & (plus | has_region)).any():
        res = read_numbers(text, pc.if_else(pa.array(plus), pa.scalar(None, pa.string()), regions),
                           stable=True, validity=False)
        digits = res["digits"]
    else:
        digits = scan_numbers(pc.fill_null(text, ""))[0]
    digits = digits.combine_chunks() if isinstance(digits, pa.ChunkedArray) else digits
    d_off = np.frombuffer(digits.buffers()[1], np.int32)[digits.offset:digits.offset + n + 1]
    looks = phone_chars & (np.diff(d_off) > 0)
    if digits.null_count:
        looks &= _np_bool(pc.is_valid(digits))
    try_parse = looks & (plus | has_region)
    decided = ascii_ok & ~try_parse
    e164 = np.zeros(n, bool)
    if res is not None and try_parse.any():
        got = try_parse & res["decided"]
        decided |= got
        e164 = got & res["parsed"] & res["possible"] & res["stable"]
    # The form: the text, else the E.164 form, else the digits (with their '+').
    form = pc.if_else(pa.array(looks), digits, text)
    signed = looks & plus & ~e164
    if signed.any():
        form = pc.replace_with_mask(form, pa.array(signed),
                                    pc.binary_join_element_wise("+", digits.filter(pa.array(signed)), ""))
    if e164.any():
        form = pc.if_else(pa.array(e164), res["e164"], form)
    return digits, looks, form, decided


def _only_phone_chars(text: pa.Array) -> np.ndarray:
    """Which values are made only of the characters of :data:`_PHONE_CHARS` (and are not empty): one
    look-up per byte and one reduction per value."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    if not isinstance(text, pa.Array) or not pa.types.is_string(text.type) or text.buffers()[2] is None:
        return _np_bool(pc.match_substring_regex(text, _PHONE_CHARS))
    off = np.frombuffer(text.buffers()[1], np.int32)[text.offset:text.offset + n + 1].astype(np.int64)
    data = np.frombuffer(text.buffers()[2], np.uint8)[off[0]:off[-1]]
    off = off - off[0]
    allowed = np.zeros(256, bool)
    allowed[list(b"0123456789\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ()+-./")] = True
    filled = off[1:] > off[:-1]
    out = np.zeros(n, bool)
    if filled.any():
        out[filled] = ~np.logical_or.reduceat(~np.take(allowed, data), off[:-1][filled])
    if text.null_count:
        out &= _np_bool(pc.is_valid(text))
    return out


def _email_norm(text: pa.Array, keep_local_case: bool) -> pa.Array:
    """``normalize.email`` for stripped ASCII text: lower-cased, or only the domain (after the last '@')
    lower-cased when the local part keeps its case (no '@', or nothing before it: the text as written)."""
    import pyarrow.compute as pc

    if not keep_local_case:
        return pc.ascii_lower(text)
    local = pc.replace_substring_regex(text, "@[^@]*$", "")
    domain = pc.replace_substring_regex(text, "(?s)^.*@", "")
    has_at = pc.greater_equal(pc.find_substring(text, "@"), 0)
    split = pc.and_(has_at, pc.greater(pc.utf8_length(local), 0))
    return pc.if_else(split, pc.binary_join_element_wise(local, pc.ascii_lower(domain), "@"), text)


def _decimal_norm(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Plain decimals (``-012.50``) written canonically (``-12.5``; zero as ``0``): equal forms, equal
    numbers. Other values are not decided."""
    import pyarrow.compute as pc

    decided = _np_bool(pc.match_substring_regex(text, _PLAIN_DECIMAL))
    t = pc.replace_substring_regex(text, r"^\+", "")
    neg = pc.starts_with(t, "-")
    body = pc.replace_substring_regex(t, r"^-", "")
    body = pc.replace_substring_regex(body, r"(\.[0-9]*?)0+$", r"\1")
    body = pc.replace_substring_regex(body, r"\.$", "")
    body = pc.replace_substring_regex(body, r"^0+([0-9])", r"\1")
    zero = pc.match_substring_regex(body, r"^0$")
    signed = pc.if_else(pc.and_(neg, pc.invert(zero)), pc.binary_join_element_wise("-", body, ""), body)
    return signed, decided


def cell_verdicts(ref: pa.Array, exp: pa.Array, ref_empty: np.ndarray, exp_empty: np.ndarray, ftype: str,
                  *, ref_zone: str = "UTC", exp_zone: str = "UTC", regions: pa.Array | None = None,
                  keep_local_case: bool = False) -> np.ndarray:
    """Verdict codes (indices into :data:`VERDICTS`) of cells whose raw values differ and are not both
    empty: ``compare_cell(ref or '', exp or '', ftype, …)`` with an empty side passed as ``''``.

    ``ref``/``exp`` are the raw values, ``ref_empty``/``exp_empty`` the emptiness the comparison decided,
    ``regions`` the phone region of each cell (null: none).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(ref)
    out = np.full(n, UNDECIDED, np.int8)
    if n == 0:
        return out
    ref = pc.fill_null(ref.cast(pa.string()), "")
    exp = pc.fill_null(exp.cast(pa.string()), "")
    # One side empty: a value where the reference had none is a change; a value lost is missing (when
    # Python's strip surely leaves something: the value has a letter or a digit).
    out[ref_empty & ~exp_empty] = CODE[cl.VALUE_CHANGED]
    lost = ~ref_empty & exp_empty
    if lost.any():
        has_alnum = _np_bool(pc.match_substring_regex(ref, r"[\p{L}\p{N}]"))
        out[lost & has_alnum] = CODE[cl.MISSING_VALUE]
    both = ~ref_empty & ~exp_empty
    if both.any():
        rt, r_ascii = ascii_text(ref)
        et, e_ascii = ascii_text(exp)
        ascii_both = both & r_ascii & e_ascii
        if ftype == schema.INSTANT:
            r_us, r_ok, r_time = instants_us(rt, ref_zone)
            e_us, e_ok, e_time = instants_us(et, exp_zone)
            ok = ascii_both & r_ok & e_ok & r_time & e_time
            delta = np.abs(r_us - e_us)
            shift = (delta <= _MAX_SHIFT_US) & (delta % _QUARTER_HOUR_US == 0) & (delta != 0)
            out[ok & (delta == 0)] = CODE[FORMAT]
            out[ok & shift] = CODE[cl.TIMEZONE_SHIFT]
            out[ok & (delta != 0) & ~shift] = CODE[cl.VALUE_CHANGED]
        elif ftype == schema.PHONE:
            rd, r_phone, a, a_ok = _phone_forms(rt, r_ascii, regions)
            ed, e_phone, b, b_ok = _phone_forms(et, e_ascii, regions)
            # DESIGN's exception first: the export lost the reference's trunk zero(s) (and has no '+').
            lost_zero = (~_np_bool(pc.starts_with(et, "+")) & r_phone & e_phone
                         & _np_bool(pc.starts_with(rd, "0")) & _np_bool(pc.not_equal(ed, "")))
            if lost_zero.any():
                at = pa.array(np.flatnonzero(lost_zero))
                lost_zero[lost_zero] = _np_bool(pc.equal(pc.utf8_ltrim(rd.take(at), "0"), ed.take(at)))
            same = _np_bool(pc.equal(a, b))
            out[ascii_both & ~lost_zero & a_ok & b_ok & same] = CODE[FORMAT]
        elif ftype == schema.EMAIL:
            same = _np_bool(pc.equal(_email_norm(rt, keep_local_case), _email_norm(et, keep_local_case)))
            out[ascii_both & same] = CODE[FORMAT]
        elif ftype in (schema.DECIMAL, schema.PERCENT):
            a, a_ok = _decimal_norm(rt)
            b, b_ok = _decimal_norm(et)
            out[ascii_both & a_ok & b_ok & _np_bool(pc.equal(a, b))] = CODE[FORMAT]
        elif ftype in (schema.STRING,) or ftype not in _TYPED:
            out[ascii_both & _np_bool(pc.equal(rt, et))] = CODE[FORMAT]
    todo = np.flatnonzero(out == UNDECIDED)
    if len(todo):
        out[todo] = _by_compare_cell(ref, exp, ref_empty, exp_empty, todo, ftype, ref_zone=ref_zone,
                                     exp_zone=exp_zone, regions=regions, keep_local_case=keep_local_case)
    return out


_TYPED = {schema.INSTANT, schema.DATE, schema.DECIMAL, schema.PERCENT, schema.PHONE, schema.EMAIL,
          schema.BOOLEAN, schema.STAGE, schema.CURRENCY}


def _by_compare_cell(ref: pa.Array, exp: pa.Array, ref_empty: np.ndarray, exp_empty: np.ndarray,
                     rows: np.ndarray, ftype: str, *, ref_zone: str, exp_zone: str, regions: pa.Array | None,
                     keep_local_case: bool) -> np.ndarray:
    """compare_cell itself, once per distinct (reference, export, region) among ``rows``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.compare.engine import compare_cell

    sel = pa.array(rows)
    r = pc.if_else(pa.array(ref_empty[rows]), "", ref.take(sel))
    e = pc.if_else(pa.array(exp_empty[rows]), "", exp.take(sel))
    g = regions.take(sel) if regions is not None else pa.nulls(len(rows), pa.string())
    codes = []
    sizes = []
    for arr in (r, e, g):
        enc = pc.dictionary_encode(arr)
        idx = np.asarray(pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False),
                         np.int64)
        codes.append(idx)
        sizes.append(len(enc.dictionary) + 1)
    combined = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    uniq, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    firsts = pa.array(first)
    rv, ev, gv = (x.take(firsts).to_pylist() for x in (r, e, g))
    verdicts = np.array([CODE[compare_cell(a, b, ftype, ref_zone=ref_zone, exp_zone=exp_zone, region=c,
                                           keep_local_case=keep_local_case)]
                         for a, b, c in zip(rv, ev, gv, strict=True)], np.int8)
    del uniq
    return verdicts[inverse.reshape(-1)]

