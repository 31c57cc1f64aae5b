"""The value rules behind the validity suite: regexes, code lists and the flag columns portcheck derives.

Every regex here is written in the subset where Python's ``re`` (what GX's pandas engine uses, via
``str.contains``) and RE2 (what ``pyarrow.compute`` uses) agree: explicit ``[0-9]`` and ``[A-Za-z]``
classes instead of ``\\d``/``\\w``/``\\s`` (Unicode-aware in Python, ASCII in RE2), no look-arounds, no
flags. Values are trimmed before validation, so Python's ``$`` matching before a final newline never
applies.

Rules that no exact regex can express (phone validity for a region, the USCC check digit, calendar
validity of dates) become *flag columns* named ``pc__<field>_valid`` holding ``valid`` / ``invalid``, or
null where the rule does not apply; the suite checks them with ``expect_column_values_to_be_in_set``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from portcheck.checks._arrow import map_distinct

VALID, INVALID = "valid", "invalid"
FLAG_PREFIX = "pc__"

# Email: a local part of the RFC 5322 atom characters (dots not first, last or doubled), an @, and a
# domain of at least two labels with a 2+ letter top-level label. Non-ASCII letters are allowed
# (internationalised addresses); whitespace, quotes, brackets and a second @ are not.
_NOT = r"@ \t\r\n" + "\u00a0\u3000" + r"\"(),:;<>\[\]\\"
_LOCAL_CHAR = f"[^{_NOT}.]"
_LABEL_CHAR = f"[^{_NOT}._-]"
_LABEL = f"{_LABEL_CHAR}+(?:-+{_LABEL_CHAR}+)*"
EMAIL_REGEX = f"^{_LOCAL_CHAR}+(?:[.]{_LOCAL_CHAR}+)*@(?:{_LABEL}[.])+[^{_NOT}.0-9_-]{{2,}}$"

# A value Excel turned into scientific notation (3.38893E+18).
SCIENTIFIC_REGEX = r"^[+-]?[0-9]+(?:[.,][0-9]+)?[Ee][+-]?[0-9]+$"

# probability: a number from 0 to 100 (decimals allowed, an optional trailing %).
PROBABILITY_REGEX = r"^(?:100(?:[.][0]+)?|[0-9]{1,2}(?:[.][0-9]+)?|[.][0-9]+)[ ]?%?$"

# amount: a non-negative decimal, optionally with a currency sign and correctly grouped thousands
# (1234.5, 1,234.50, ¥1,234.50, $ 99); never a float in scientific notation, never negative.
AMOUNT_REGEX = r"^(?:[¥$€£￥]|CNY|RMB|USD|EUR)?[ ]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:[.][0-9]+)?$"

BOOLEAN_VALUES = ("true", "false")

# ISO 4217 alphabetic codes: the current list plus codes withdrawn since 2023 (HRK, SLL, ANG, ZWL) that
# older CRM records still carry. XXX (no currency) and XTS (testing) are not accepted.
ISO_4217 = tuple(sorted("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE
SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED
VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
""".split()))

_DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INSTANT_SHAPE = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                  r"(?:[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::(?:[0-5][0-9]|60)(?:[.,][0-9]{1,9})?)?"
                  r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?$")

# Country names that appear in CRM country fields, mapped to ISO 3166 alpha-2 (alpha-2 codes pass as is).
_COUNTRY_NAMES = {
    "china": "CN", "中国": "CN", "中华人民共和国": "CN", "prc": "CN", "people's republic of china": "CN",
    "hong kong": "HK", "香港": "HK", "中国香港": "HK", "macau": "MO", "macao": "MO", "澳门": "MO",
    "taiwan": "TW", "台湾": "TW", "中国台湾": "TW", "united states": "US", "usa": "US", "u.s.a.": "US",
    "u.s.": "US",
    "united states of america": "US", "美国": "US", "united kingdom": "GB", "uk": "GB", "英国": "GB",
    "germany": "DE", "deutschland": "DE", "德国": "DE", "japan": "JP",
    "日本": "JP", "korea": "KR", "south korea": "KR", "韩国": "KR", "singapore": "SG", "新加坡": "SG",
    "canada": "CA", "加拿大": "CA", "australia": "AU", "澳大利亚": "AU", "india": "IN", "印度": "IN",
    "france": "FR", "法国": "FR", "italy": "IT", "意大利": "IT", "spain": "ES", "西班牙": "ES",
    "netherlands": "NL", "荷兰": "NL", "switzerland": "CH", "瑞士": "CH", "sweden": "SE", "瑞典": "SE",
    "ireland": "IE", "爱尔兰": "IE", "russia": "RU", "俄罗斯": "RU", "brazil": "BR", "巴西": "BR",
    "mexico": "MX", "墨西哥": "MX", "malaysia": "MY", "马来西亚": "MY", "thailand": "TH", "泰国": "TH",
    "vietnam": "VN", "viet nam": "VN", "越南": "VN", "indonesia": "ID", "印度尼西亚": "ID", "印尼": "ID",
    "philippines": "PH", "菲律宾": "PH", "new zealand": "NZ", "新西兰": "NZ",
    "united arab emirates": "AE", "uae": "AE", "阿联酋": "AE",
}


def region_of(country: str | None) -> str | None:
    """An ISO 3166 alpha-2 region phonenumbers knows, from a country code or a common country name."""
    if not country:
        return None
    import phonenumbers

    text = country.strip()
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
    else:
        code = _COUNTRY_NAMES.get(text.casefold())
    if code == "UK":
        code = "GB"
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def phone_regions(countries: pa.Array, default_region: str | None) -> pa.Array:
    """Per row, the region to read a phone number in: the row's country, else the table's region."""
    per_row = map_distinct(countries, region_of)
    fallback = region_of(default_region) if default_region else None
    if fallback is None:
        return per_row
    return pc.fill_null(per_row, fallback)


@lru_cache(maxsize=1 << 20)
def phone_info(key: str) -> tuple[str, str | None]:
    """(``valid``/``invalid``, E.164 or the digits) for ``region + "\x1f" + number``; cached per process,
    so validity and fuzzy matching parse each distinct number once."""
    import traceback
    import unicodedata

    import phonenumbers

    region, _, number = key.partition("\x1f")
    number = unicodedata.normalize("NFKC", number)
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException as e:
        # parse keeps an error it caught in a local (sys.exc_info()): its frame and that error's traceback
        # form a cycle, which kept every frame of the stack below this one, and the columns they hold,
        # alive until the garbage collector came by
        traceback.clear_frames(e.__traceback__)
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    else:
        digits = "".join(ch for ch in number if ch.isascii() and ch.isdigit())
        e164 = digits if len(digits) >= 7 else None
    valid = parsed is not None and phonenumbers.is_valid_number(parsed)
    return (VALID if valid else INVALID), e164


_SEP = "\x1f"


def _read(numbers: pa.Array, regions: pa.Array | str, keys: Any) -> tuple[pa.Array, pa.Array]:
    """:func:`phone_info` of each (region, number), vectorised (portcheck.checks.phones); phonenumbers
    itself only for the numbers the vectorised reading leaves undecided (``keys(sel)`` gives their keys).
    ``regions``: per row, or one region for every row."""
    import numpy as np

    from portcheck.checks.phones import read_numbers

    res = read_numbers(numbers, regions)
    # phone_info reads the NFKC form of the number: only ASCII numbers (NFKC leaves them as they are) may
    # be taken from the vectorised reading, and every number it decides is ASCII.
    decided = res["decided"]
    parsed = res["parsed"]
    good = parsed & res["valid"]
    digits = res["digits"]
    # the digits stand in for E.164 when there are at least seven of them
    offsets = np.frombuffer(digits.buffers()[1], np.int32)[digits.offset:digits.offset + len(digits) + 1]
    enough = np.diff(offsets) >= 7
    fallback_digits = pa.StringArray.from_buffers(len(digits), digits.buffers()[1], digits.buffers()[2],
                                                  pa.py_buffer(np.packbits(enough, bitorder="little")),
                                                  offset=digits.offset)
    e164 = pc.if_else(pa.array(parsed & res["possible"]), res["e164"], fallback_digits)
    if not decided.all():
        sel = np.flatnonzero(~decided)
        slow = [phone_info(k) for k in keys(pa.array(sel))]
        good[sel] = [v == VALID for v, _ in slow]
        e164 = pc.replace_with_mask(e164, pa.array(~decided), pa.array([e for _, e in slow], pa.string()))
    flag = pc.if_else(pa.array(good), pa.scalar(VALID), pa.scalar(INVALID))
    return flag, e164


def _scatter(n: int, parts: list[tuple[Any, pa.Array]]) -> pa.Array:
    """One array of length ``n`` from (positions, values) parts that cover it."""
    import numpy as np

    if len(parts) == 1:
        return parts[0][1]
    positions = np.concatenate([np.asarray(p, np.int64) for p, _ in parts])
    values = pa.concat_arrays([v for _, v in parts])
    where = np.empty(n, np.int64)
    where[positions] = np.arange(len(positions))
    return values.take(pa.array(where))


def _tagged(tag: str, numbers: pa.Array) -> tuple[pa.Array, pa.Array]:
    """:func:`phone_info` of ``tag + "\x1f" + number`` for each of the (distinct, non-null) numbers."""
    return _read(numbers, tag, lambda sel: [f"{tag}{_SEP}{v}" for v in numbers.take(sel).to_pylist()])


def phone_info_many(keys: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(flag, E.164 or digits) = :func:`phone_info` of each ``region + "\x1f" + number`` key; null keys
    give nulls. Each distinct key is read once."""
    if len(keys) == 0:
        return pa.array([], pa.string()), pa.array([], pa.string())
    enc = pc.dictionary_encode(keys)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    distinct = enc.dictionary
    parts = pc.split_pattern(distinct, _SEP, max_splits=1)
    flags, e164 = _read(pc.list_element(parts, 1), pc.list_element(parts, 0),
                        lambda sel: distinct.take(sel).to_pylist())
    return pc.take(flags, enc.indices), pc.take(e164, enc.indices)


def _nfkc_plus(v: pa.Array) -> pa.Array:
    return pc.starts_with(pc.utf8_trim_whitespace(pc.utf8_normalize(v, "NFKC")), "+")


def _first_bytes(v: pa.Array) -> Any:
    """The first byte of each string (0 for empty and null ones)."""
    import numpy as np

    n = len(v)
    off = np.frombuffer(v.buffers()[1], np.int32)[v.offset:v.offset + n + 1]
    out = np.zeros(n, np.uint8)
    if n and off[-1] > off[0]:
        data = np.frombuffer(v.buffers()[2], np.uint8)
        nonempty = np.flatnonzero(np.diff(off) > 0)
        out[nonempty] = data[off[nonempty]]
    return out


def _plus_marks(v: pa.Array) -> tuple[Any, Any]:
    """(starts with '+' in its trimmed NFKC form, starts with '+' as written) per string, as numpy
    booleans (False for nulls). An ASCII string that opens with a printable character keeps its start
    through NFKC and trimming: only the others are normalised."""
    import numpy as np

    first = _first_bytes(v)
    raw = first == 43
    ascii_ok = np.asarray(pc.fill_null(pc.string_is_ascii(v), False).to_numpy(zero_copy_only=False), bool)
    hard = np.flatnonzero(~(ascii_ok & (first > 32) & (first < 127)))
    nfkc = raw.copy()
    if len(hard):
        sub = v.take(pa.array(hard))
        nfkc[hard] = np.asarray(pc.fill_null(_nfkc_plus(sub), False).to_numpy(zero_copy_only=False), bool)
    if v.null_count:
        valid = np.asarray(v.is_valid().to_numpy(zero_copy_only=False), bool)
        raw &= valid
        nfkc &= valid
    return nfkc, raw


def phone_rows(values: pa.Array, regions: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Both readings of each phone, in one pass over its distinct numbers:

    - the validity flag, :func:`phone_info` of ``region + "\x1f" + value`` with region ``''`` when the
      value starts with '+' (null when the value is null, or has no '+' and its region is null);
    - the fuzzy-matching key, E.164 or digits, :func:`phone_info` likewise, where '+' is looked for in the
      trimmed NFKC form (a full-width '＋' counts) and a null region reads as ``''``.

    When every row has the same region (a table's default region, the common case), each distinct value
    is read once without building keys.
    """
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    regions = regions.combine_chunks() if isinstance(regions, pa.ChunkedArray) else regions
    if len(values) == 0:
        return pa.array([], pa.string()), pa.array([], pa.string())
    others = _regions_used(values, regions)
    if len(others) > 1:
        raw_plus = pc.fill_null(pc.starts_with(values, "+"), False)
        raw_keys = pc.binary_join_element_wise(pc.if_else(raw_plus, "", regions), values, _SEP)
        nfkc_keys = pc.binary_join_element_wise(
            pc.if_else(pc.fill_null(_nfkc_plus(values), False), "", pc.fill_null(regions, "")), values, _SEP)
        both = pa.concat_arrays([raw_keys, nfkc_keys])
        flags, e164 = phone_info_many(both)
        n = len(values)
        return flags.slice(0, n), e164.slice(n)
    import numpy as np

    region = others[0] if others else None
    distinct, spread = _distinct(values)
    d_nfkc, d_raw = _plus_marks(distinct)
    n = len(distinct)
    # The fuzzy reading of every number: '+' numbers with no region, the others in the region ('' if none).
    f_parts, e_parts = [], []
    groups = [("", d_nfkc), (region or "", ~d_nfkc)]
    if region is None or region == "":
        groups = [("", np.ones(n, bool))]
    for tag, mask in groups:
        if mask.all():
            f, e = _tagged(tag, distinct)
            f_parts.append((np.arange(n), f))
            e_parts.append((np.arange(n), e))
        elif mask.any():
            sel = np.flatnonzero(mask)
            f, e = _tagged(tag, distinct.take(pa.array(sel)))
            f_parts.append((sel, f))
            e_parts.append((sel, e))
    e164 = _scatter(n, e_parts)
    flags = _scatter(n, f_parts)
    # The validity reading differs only where the two ways of seeing '+' disagree, or where there is no
    # region (numbers without '+' are then not judged).
    nfkc_tag_is_region = ~d_nfkc if region else np.zeros(n, bool)
    raw_tag_is_region = ~d_raw if region else np.zeros(n, bool)
    unjudged = ~d_raw & (region is None)
    differ = (nfkc_tag_is_region != raw_tag_is_region) & ~unjudged
    if unjudged.any() or differ.any():
        fix = [(np.flatnonzero(~unjudged & ~differ), flags.filter(pa.array(~unjudged & ~differ)))]
        if unjudged.any():
            fix.append((np.flatnonzero(unjudged), pa.nulls(int(unjudged.sum()), pa.string())))
        for tag, mask in (("", differ & d_raw), (region or "", differ & ~d_raw)):
            if mask.any():
                sel = np.flatnonzero(mask)
                fix.append((sel, _tagged(tag, distinct.take(pa.array(sel)))[0]))
        flags = _scatter(n, fix)
    return spread(flags), spread(e164)


def _regions_used(values: pa.Array, regions: pa.Array) -> list[str | None]:
    """The distinct regions of the rows with a value (null for none), in no particular order when several;
    a glance at the extremes suffices when every row has the same region (the common case)."""
    if len(regions) and not regions.null_count:
        low, high = pc.min_max(regions).values()
        if low.as_py() == high.as_py():
            return [low.as_py()] if values.null_count < len(values) else []
    return pc.unique(pc.filter(regions, pc.is_valid(values))).to_pylist()


def _distinct(values: pa.Array) -> tuple[pa.Array, Any]:
    """(the values to read, a function spreading what was read of them back to every row).

    Numbers repeat little in most exports (one per record): then the non-null values are read as they are;
    when they repeat a lot (a sample says so), each distinct value is read once.
    """
    import numpy as np

    n = len(values)
    sample = values.take(pa.array(np.arange(0, n, max(1, n // 20_000))))
    if n > 1000 and pc.count_distinct(sample).as_py() > 0.5 * len(sample):
        if not values.null_count:
            return values, lambda arr: arr
        valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), bool)
        where = pa.array(np.cumsum(valid) - 1, mask=~valid)  # each row's place among the values read
        return values.filter(pa.array(valid)), lambda arr: arr.take(where)
    enc = pc.dictionary_encode(values)
    return enc.dictionary, lambda arr: pc.take(arr, enc.indices)


def phone_columns(table: pa.Table, field: str, default_region: str | None,
                  null_tokens: tuple[str, ...] = ()) -> tuple[pa.Array, pa.Array]:
    """:func:`phone_rows` of a table's phone column (cleaned), each row read in its ``country``'s region,
    else ``default_region``; computed once per table for validity and fuzzy matching."""
    from portcheck.checks._arrow import clean_column, memoized

    def regions() -> pa.Array:
        return memoized(table, ("phone_regions", default_region, tuple(null_tokens)),
                        lambda: phone_regions(clean_column(table, "country", null_tokens), default_region))

    return memoized(table, ("phone", field, default_region, tuple(null_tokens)),
                    lambda: phone_rows(clean_column(table, field, null_tokens), regions()))


def forget_phone_numbers() -> None:
    """Drop the numbers and cleaned columns kept for reuse between the checks (the run calls this)."""
    from portcheck.checks._arrow import forget

    forget()


def phone_flags(values: pa.Array, regions: pa.Array) -> pa.Array:
    """``valid``/``invalid`` per phone; null when empty, or when it has no ``+`` and no region is known."""
    return phone_rows(values, regions)[0]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # python-stdnum's stdnum.cn.uscc
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = r"^[0-9]{8}[0-9A-HJ-NP-RTUW-Y]{10}$"


def uscc_flags(values: pa.Array) -> pa.Array:
    """Check digit of values that look like a Unified Social Credit Code (18 letters/digits); else null.

    The verdict is python-stdnum's ``stdnum.cn.uscc.is_valid`` (eight digits, then characters of its
    alphabet, the last one the weighted check character), computed vectorised; tests hold it equal to
    stdnum on every shape of code.
    """
    import numpy as np

    from portcheck.checks._arrow import string_bytes
    from portcheck.profiles.convert import row_matrices

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    compact = values
    for sep in (" ", "-"):  # (plain substring searches: most codes hold neither)
        if pc.any(pc.match_substring(compact, sep)).as_py():
            compact = pc.replace_substring(compact, sep, "")
    compact = pc.utf8_upper(compact)
    n = len(compact)
    off, data = string_bytes(compact)
    rows = np.flatnonzero(np.diff(off) == 18)  # 18 bytes; which are 18 of [0-9A-Z] is read below
    if compact.null_count and len(rows):
        rows = rows[np.asarray(compact.is_valid().to_numpy(zero_copy_only=False), bool)[rows]]
    looks = np.zeros(n, bool)
    ok = np.zeros(n, bool)
    if len(rows):
        # (rows, 18) byte matrices, where the codes stand when they stand together
        m = np.concatenate(row_matrices(compact, rows, 18))
        index = _uscc_index()[m]  # a code character's value, 255 for any other byte
        upper = m - np.uint8(65)  # wraps: A-Z become 0-25
        alnum = ((index != 255) | (upper <= 25)).all(axis=1)  # the regex ^[0-9A-Z]{18}$, by byte
        rows, index = rows[alnum], index[alnum]
        looks[rows] = True
        shaped = (index[:, :8] <= 9).all(axis=1) & (index[:, 8:] != 255).all(axis=1)
        total = np.zeros(len(rows), np.int32)
        for j, weight in enumerate(_USCC_WEIGHTS):
            total += index[:, j].astype(np.int32) * weight
        ok[rows] = shaped & (index[:, 17] == (31 - total) % 31)
    return pc.if_else(pa.array(ok, mask=~looks), VALID, INVALID)


@lru_cache(maxsize=1)
def _uscc_index() -> Any:
    """Each byte's value in the code's alphabet (255 for a byte outside it)."""
    import numpy as np

    index = np.full(256, 255, np.uint8)
    index[[ord(c) for c in _USCC_ALPHABET]] = np.arange(len(_USCC_ALPHABET))
    return index


def _calendar_ok(values: pa.Array, shape: pa.Array) -> pa.Array:
    """Rows whose shape matched and whose first ten characters name a real day (2024-02-30 does not)."""
    import numpy as np

    head = pc.if_else(shape, pc.utf8_slice_codeunits(values, 0, 10), "2000-01-01")

    def part(start: int, stop: int) -> np.ndarray:
        return pc.cast(pc.utf8_slice_codeunits(head, start, stop), pa.int32()).to_numpy(zero_copy_only=False)

    ok = _real_day(part(0, 4), part(5, 7), part(8, 10))
    return pc.and_(shape, pa.array(ok))


def _flag(values: pa.Array, ok: pa.Array) -> pa.Array:
    flag = pc.if_else(ok, VALID, INVALID)
    return pc.if_else(pc.is_null(values), pa.scalar(None, pa.string()), flag)


@lru_cache(maxsize=1)
def _day_tables() -> tuple[Any, Any]:
    """(year 0-9999 → leap, leap * 10000 + month * 100 + day → a real day), month and day below 100."""
    import numpy as np

    key = np.arange(20000)
    return _leap(np.arange(10000)), _in_month(key // 10000 == 1, key // 100 % 100, key % 100)


def _leap(year: Any) -> Any:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def _in_month(leap: Any, month: Any, day: Any) -> Any:
    """Whether ``day`` is a day of ``month`` (1-12) in a year that is ``leap`` or not."""
    import numpy as np

    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    days = days + ((month == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)


def _real_day(year: Any, month: Any, day: Any) -> Any:
    """Whether (year, month, day) name a real day, element-wise; through tables when all are in range."""
    if len(year) and year.min() >= 0 and year.max() < 10000 and month.min() >= 0 and month.max() < 100 \
            and day.min() >= 0 and day.max() < 100:
        leap, real = _day_tables()
        return real[leap[year] * 10000 + month * 100 + day]
    return _in_month(_leap(year), month, day)


def _fixed_form_valid(m: Any, layout: tuple[int | None, str]) -> Any:
    """Whether each row of an :func:`~portcheck.profiles.convert.iso_fixed` byte matrix names a real day
    (and a time of day with hours up to 23, minutes up to 59, seconds up to 60, an offset up to 23:59):
    what ``_real_day`` and those bounds say of ``iso_numbers``.

    The layout puts digits at every one of these positions, so two of them compare as written: each pair
    is read as a big-endian 16-bit number ("12" is 0x3132) and compared with its bounds, without a table.
    Days 01-28 are in every month; only the rows with a later day look up their year and month."""
    import numpy as np

    def two(i: int) -> Any:
        return m[:, i:i + 2].view(">u2")[:, 0]

    month, day = two(5), two(8)
    ok = (month >= 0x3031) & (month <= 0x3132) & (day >= 0x3031)
    late = np.flatnonzero(ok & (day > 0x3238))
    if len(late):
        ok[late] = _late_day_valid(m[late])
    frac, tz = layout
    if frac is not None:
        ok &= (two(11) <= 0x3233) & (two(14) <= 0x3539) & (two(17) <= 0x3630)
        pos = 19 + (1 + frac if frac else 0)
        if tz in ("hhmm", "hh:mm"):
            ok &= (two(pos + 1) <= 0x3233) & (two(pos + 3 if tz == "hhmm" else pos + 4) <= 0x3539)
    return ok


def _late_day_valid(m: Any) -> Any:
    """For rows with a valid month and a day from 29 on: whether the day is in that month of that year."""
    import numpy as np

    from portcheck.profiles.convert import digit_pairs

    pairs = digit_pairs("uint8")

    def two(i: int) -> Any:
        return pairs[m[:, i:i + 2].view(np.uint16)[:, 0]]

    century, yy = two(0), two(2)
    # a year is leap when divisible by 4, its last two digits then say; when they are 00, the century
    leap = np.where(yy == 0, century % 4 == 0, yy % 4 == 0)
    return _day_tables()[1][leap * 10000 + two(5).astype(np.int32) * 100 + two(8)]


def _iso_flags(values: pa.Array, shape_regex: str, dates_only: bool, separators: bytes) -> pa.Array:
    """``valid``/``invalid`` (null for null): the shape regex and a real day. The common fixed-width forms
    are read by position (their ranges checked as the regex checks them), the regex runs on the rest."""
    import numpy as np

    from portcheck.profiles.convert import iso_fixed, iso_width, row_matrices

    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    fixed, parts = iso_fixed(values, separators, matrices=False)
    ok = np.zeros(len(values), bool)
    for layout, (rows, _) in parts.items():
        if dates_only and layout[0] is not None:
            fixed[rows] = False  # a form this rule does not accept as written: the regex decides
            continue
        ok[rows] = np.concatenate([_fixed_form_valid(m, layout)
                                   for m in row_matrices(values, rows, iso_width(layout))])
    rest = np.flatnonzero(~fixed)
    if len(rest):
        sub = values.take(pa.array(rest))
        shape = pc.fill_null(pc.match_substring_regex(sub, shape_regex), False)
        ok[rest] = np.asarray(_calendar_ok(sub, shape).to_numpy(zero_copy_only=False), bool)
    # null for null values: a null condition gives a null flag
    null = np.asarray(values.is_null().to_numpy(zero_copy_only=False), bool) if values.null_count else None
    return pc.if_else(pa.array(ok, mask=null), VALID, INVALID)


def date_flags(values: pa.Array) -> pa.Array:
    """``YYYY-MM-DD`` naming a real day."""
    return _iso_flags(values, _DATE_SHAPE, True, b"T")


def instant_flags(values: pa.Array) -> pa.Array:
    """ISO 8601 / RFC 3339 instants (``2024-03-01T10:00:00+08:00``, ``…Z``, naive, or a bare date)."""
    return _iso_flags(values, _INSTANT_SHAPE, False, b"Tt ")


def flag_column(fld: str) -> str:
    return f"{FLAG_PREFIX}{fld}_valid"
