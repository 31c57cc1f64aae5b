"""Phone numbers read vectorised: what ``phonenumbers.parse`` would make of the common written forms.

Every export holds about one phone number per record, and most are distinct, so calling phonenumbers on
each (25–70 µs) dominated a million-record run. :func:`read_numbers` reproduces, with pyarrow.compute over
phonenumbers' *own metadata* (its national-number, type and prefix patterns, which RE2 compiles as they
are), the steps of ``parse`` → ``format_number(E164)`` / ``is_possible_number`` / ``is_valid_number`` for
the forms real exports use:

- ASCII digits with the usual separators (space, ``-``, ``.``, ``(``, ``)``), optionally one leading ``+``;
- ``+CC …`` (the country calling code found as phonenumbers finds it, national prefix stripped after it,
  ``+86 0755 …`` too), or a national number read in a region: trunk prefix and carrier codes stripped by
  the region's ``national_prefix_for_parsing`` under the same viability and length rules as phonenumbers;
- validity: the number's region chosen as phonenumbers chooses it (leading digits, then number type, for
  calling codes shared by several regions), the general pattern and possible lengths, then any number type.

Anything else — letters, extensions, other Unicode, an international call prefix (``00 86 …``), a national
number that starts with its own country code (``86 138…``), a region whose prefix rule rewrites digits, a
number phonenumbers would reject — is *not decided* here, and the callers ask phonenumbers itself for those
distinct values. phonenumbers stays the oracle: tests/checks/test_phones.py holds the two equal over every
region's example numbers written in many forms, and over random digit strings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa

# What the fast path reads: ASCII digits and the separators exports use, an optional leading '+' (see
# scan_numbers).
_MAX_SIMPLE_LENGTH = 64  # well under phonenumbers' 250-character limit
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' _MIN_LENGTH_FOR_NSN / _MAX_LENGTH_FOR_NSN
_TYPES = ("mobile", "fixed_line", "toll_free", "premium_rate", "shared_cost", "voip", "personal_number",
          "pager", "uan", "voicemail")


class _Desc:
    """One PhoneNumberDesc as RE2 pattern + possible lengths (``None`` pattern: matches nothing)."""

    def __init__(self, desc: Any) -> None:
        pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
        self.pattern = f"^(?:{pattern})$" if pattern else None
        self.lengths = tuple(getattr(desc, "possible_length", None) or ()) if desc is not None else ()

    def matches(self, nsn: pa.Array, lengths: np.ndarray,
                known: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Possible length and the pattern; ``known``: (rows whose pattern match is known, the match)."""
        import numpy as np

        if self.pattern is None or len(nsn) == 0:
            return np.zeros(len(nsn), bool)
        ok = np.isin(lengths, self.lengths) if self.lengths else np.ones(len(nsn), bool)
        todo = ok
        if known is not None:
            ok = ok & (~known[0] | known[1])
            todo = ok & ~known[0]
        if not todo.any():
            return ok
        sel = np.flatnonzero(todo)
        ok[sel] = _fullmatch(_take(nsn, sel), self.pattern)
        return ok


class _Meta:
    """What the fast path needs of one region's (or non-geographic calling code's) PhoneMetadata."""

    def __init__(self, md: Any) -> None:
        self.md = md
        self.country_code = int(md.country_code)
        self.general = _Desc(md.general_desc)
        self.possible = tuple(sorted(md.general_desc.possible_length or ()))
        self.local_only = tuple(md.general_desc.possible_length_local_only or ())
        self.idd = f"^(?:{md.international_prefix})" if md.international_prefix else None
        self.npfp = f"^(?:{md.national_prefix_for_parsing})" if md.national_prefix_for_parsing else None
        self.transform = bool(md.national_prefix_transform_rule)
        self.leading_digits = f"^(?:{md.leading_digits})" if md.leading_digits else None
        types = [t for t in _TYPES if not (t == "mobile" and md.same_mobile_and_fixed_line_pattern)]
        self.types = [_Desc(getattr(md, t, None)) for t in types]

    def number_type_known(self, nsn: pa.Array,
                          general: tuple[str | None, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """``_number_type_helper(nsn, md) != UNKNOWN``: the general desc and at least one type desc match.
        ``general``: (pattern, rows whose match of it is known, the match), from the national-prefix step."""
        import numpy as np

        lengths = _lengths(nsn)
        known = general[1:] if general is not None and general[0] == self.general.pattern else None
        ok = self.general.matches(nsn, lengths, known)
        out = np.zeros(len(nsn), bool)
        todo = np.flatnonzero(ok)
        for desc in self.types:
            if len(todo) == 0:
                break
            hit = desc.matches(_take(nsn, todo), lengths[todo])
            out[todo[hit]] = True
            todo = todo[~hit]
        return out

    def length_ok_for_parse(self, lengths: np.ndarray) -> np.ndarray:
        """parse keeps a stripped national number unless its length test says TOO_SHORT, LOCAL_ONLY or
        INVALID_LENGTH, i.e. it keeps it when the length is possible or too long."""
        import numpy as np

        if not self.possible:
            return np.zeros(len(lengths), bool)
        local = np.isin(lengths, self.local_only)
        return ~local & (np.isin(lengths, self.possible) | (lengths > self.possible[-1]))

    def is_possible(self, lengths: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.isin(lengths, self.possible) | np.isin(lengths, self.local_only)


@lru_cache(maxsize=512)
def _meta_for_region(region: str) -> _Meta | None:
    from phonenumbers import PhoneMetadata

    md = PhoneMetadata.metadata_for_region(region.upper(), None)
    return _Meta(md) if md is not None else None


@lru_cache(maxsize=512)
def _meta_for_code(cc: int, region: str) -> _Meta | None:
    from phonenumbers import PhoneMetadata

    md = PhoneMetadata.metadata_for_region_or_calling_code(cc, region)
    return _Meta(md) if md is not None else None


@lru_cache(maxsize=1)
def _calling_codes() -> tuple[dict[int, tuple[str, ...]], list[str]]:
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return dict(COUNTRY_CODE_TO_REGION_CODE), [str(c) for c in COUNTRY_CODE_TO_REGION_CODE]


@lru_cache(maxsize=1)
def _supported_regions() -> frozenset[str]:
    from phonenumbers import SUPPORTED_REGIONS

    return frozenset(SUPPORTED_REGIONS)


def _lengths(arr: pa.Array) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.utf8_length(arr).to_numpy(zero_copy_only=False)


_ALLOWED = bytes(range(48, 58)) + b"() .-"  # the fast path's characters, '+' aside


def scan_numbers(text: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """One pass over the bytes of non-null strings: (their ASCII digits, in order, as a string array;
    whether each has the fast path's form — an optional leading '+', then digits and ``() .-`` only, at
    least three digits, at most 64 bytes; whether each starts with '+')."""
    import numpy as np
    import pyarrow as pa

    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    n = len(text)
    if n == 0:
        return pa.array([], pa.string()), np.zeros(0, bool), np.zeros(0, bool)
    off = np.frombuffer(text.buffers()[1], np.int32)[text.offset:text.offset + n + 1].astype(np.int64)
    data = np.frombuffer(text.buffers()[2], np.uint8)[off[0]:off[-1]] if off[-1] > off[0] else \
        np.zeros(0, np.uint8)
    off = off - off[0]
    starts, ends = off[:-1], off[1:]
    lengths = ends - starts
    nonempty = lengths > 0
    is_digit = (data >= 48) & (data <= 57)

    def per_string(flags: np.ndarray) -> np.ndarray:
        """How many flagged bytes each string has (reduceat over the non-empty strings)."""
        counts = np.zeros(n, np.int64)
        if nonempty.any():
            counts[nonempty] = np.add.reduceat(flags, starts[nonempty], dtype=np.int64)
        return counts

    digit_count = per_string(is_digit)
    digit_off = np.zeros(n + 1, np.int32)
    np.cumsum(digit_count, out=digit_off[1:])
    digits = pa.StringArray.from_buffers(n, pa.py_buffer(digit_off), pa.py_buffer(data[is_digit].tobytes()))
    allowed = np.zeros(256, bool)
    allowed[list(_ALLOWED)] = True
    bad = ~allowed[data]
    plus = np.zeros(n, bool)
    plus[nonempty] = data[starts[nonempty]] == 43
    bad[starts[plus]] = False  # a '+' is allowed as the first character
    simple = (per_string(bad) == 0) & (digit_count >= 3) & (lengths <= _MAX_SIMPLE_LENGTH)
    return digits, simple, plus


def _take(arr: pa.Array, rows: np.ndarray) -> pa.Array:
    """``arr`` at ``rows`` (no copy when ``rows`` is every row in order)."""
    import pyarrow as pa

    if len(rows) == len(arr) and (len(rows) == 0 or (rows[0] == 0 and rows[-1] == len(arr) - 1)):
        return arr
    return arr.take(pa.array(rows))


def _groups(arr: pa.Array) -> list[tuple[str, np.ndarray]]:
    """(value, positions) for each distinct non-null value of a string array (few distinct values)."""
    import numpy as np
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr)
    if len(enc.dictionary) == 1 and enc.indices.null_count == 0:
        return [(enc.dictionary[0].as_py(), np.arange(len(arr)))]
    idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(enc.dictionary) + 1))
    return [(v, order[bounds[i]:bounds[i + 1]]) for i, v in enumerate(enc.dictionary.to_pylist())]


def _fullmatch(arr: pa.Array, pattern: str | None) -> np.ndarray:
    import numpy as np
    import pyarrow.compute as pc

    if pattern is None or len(arr) == 0:
        return np.zeros(len(arr), bool)
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)


_Known = tuple[str | None, "np.ndarray", "np.ndarray"]  # (pattern, rows whose match is known, the match)


def _national(meta: _Meta, n0: pa.Array) -> tuple[pa.Array, np.ndarray, _Known]:
    """(national significant number, decided, what is known of the numbers' match of the general pattern)
    after parse's national-prefix step, for one metadata."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(n0)
    decided = np.ones(n, bool)
    viable = meta.general.pattern
    known, match = np.zeros(n, bool), np.zeros(n, bool)
    if meta.npfp is None or n == 0:
        return n0, decided, (viable, known, match)
    prefixed = _fullmatch(n0, meta.npfp)
    if not prefixed.any():
        return n0, decided, (viable, known, match)
    if meta.transform:
        decided &= ~prefixed  # the prefix rule rewrites digits: phonenumbers decides
    rows = np.flatnonzero(prefixed)
    original = _take(n0, rows)
    stripped = pc.replace_substring_regex(original, meta.npfp, "", max_replacements=1)
    # the stripped number is kept unless it is not viable while the original was
    stripped_viable = _fullmatch(stripped, viable)
    original_viable = np.zeros(len(rows), bool)
    check = np.flatnonzero(~stripped_viable)
    if len(check):
        original_viable[check] = _fullmatch(_take(original, check), viable)
    keep_original = original_viable & ~stripped_viable
    use = ~keep_original & meta.length_ok_for_parse(_lengths(stripped))
    # what the general pattern said of the number each row keeps
    known[rows[use]], match[rows[use]] = True, stripped_viable[use]
    kept = ~use & ~stripped_viable
    known[rows[kept]], match[rows[kept]] = True, original_viable[kept]
    if not use.any():
        return n0, decided, (viable, known, match)
    if len(rows) == n and use.all():
        return stripped, decided, (viable, known, match)
    mask = np.zeros(n, bool)
    mask[rows[use]] = True
    return pc.replace_with_mask(n0, pa.array(mask), stripped.filter(pa.array(use))), decided, \
        (viable, known, match)


def _validity(cc: int, nsn: pa.Array, general: tuple[str | None, np.ndarray, np.ndarray] | None = None
              ) -> np.ndarray:
    """``is_valid_number`` for numbers of one calling code: the region phonenumbers picks, then its types."""
    import numpy as np

    regions = _calling_codes()[0].get(cc, ())
    valid = np.zeros(len(nsn), bool)
    if len(regions) == 1:
        meta = _meta_for_code(cc, regions[0])
        if meta is not None:
            valid = meta.number_type_known(nsn, general)
        return valid
    todo = np.arange(len(nsn))
    for region in regions:  # _region_code_for_number_from_list
        if len(todo) == 0:
            break
        meta = _meta_for_region(region)
        if meta is None:
            continue
        sub = nsn.take(todo)
        known = meta.number_type_known(sub)
        if meta.leading_digits is not None:
            chosen = _fullmatch(sub, meta.leading_digits)
            valid[todo[chosen]] = known[chosen]
        else:
            chosen = known
            valid[todo[chosen]] = True
        todo = todo[~chosen]
    return valid


def read_numbers(numbers: pa.Array, regions: pa.Array | None = None, *,
                 stable: bool = False) -> dict[str, Any]:
    """What phonenumbers makes of each number (read in its row's region unless it starts with ``+``).

    ``numbers`` are the strings phonenumbers would be given (callers trim/normalise as they do for
    phonenumbers); ``regions`` per row, null or ``''`` when none. Returns numpy arrays (``decided``,
    ``parsed``, ``possible``, ``valid``) and pyarrow string arrays (``e164``, ``digits``):

    - ``decided``: the row was read here; where False the other fields mean nothing (ask phonenumbers);
    - ``parsed``: ``phonenumbers.parse(number, region)`` succeeds; ``e164``: its E.164 form;
    - ``possible`` / ``valid``: ``is_possible_number`` / ``is_valid_number`` of the parsed number;
    - ``digits``: the ASCII digits of the number, in order;
    - with ``stable=True``, ``stable``: the E.164 form reads back as itself
      (``format_number(parse(e164, None), E164) == e164``; ``+86 0000000`` does not).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(numbers)
    numbers = numbers.combine_chunks() if isinstance(numbers, pa.ChunkedArray) else numbers
    if regions is None:
        regions = pa.nulls(n, pa.string())
    regions = regions.combine_chunks() if isinstance(regions, pa.ChunkedArray) else regions
    text = pc.fill_null(numbers, "")
    digits, simple, plus = scan_numbers(text)
    region_arr = pc.fill_null(regions, "")
    has_region = pc.not_equal(region_arr, "").to_numpy(zero_copy_only=False)

    decided = np.zeros(n, bool)
    same_again = np.zeros(n, bool)
    parsed = np.zeros(n, bool)
    possible = np.zeros(n, bool)
    valid = np.zeros(n, bool)
    e164_parts: list[tuple[np.ndarray, pa.Array]] = []

    # No '+' and no region: phonenumbers refuses the number (no default region) — decided, not parsed.
    decided |= simple & ~plus & ~has_region

    # Group the readable rows by the metadata their national number is read with.
    groups: list[tuple[np.ndarray, int, _Meta, pa.Array]] = []  # rows, calling code, metadata, N0
    plus_rows = np.flatnonzero(simple & plus)
    if len(plus_rows):
        d = digits.take(plus_rows)
        codes, code_list = _calling_codes()
        code = pa.nulls(len(plus_rows), pa.string())
        for width in (3, 2, 1):  # phonenumbers takes the shortest prefix that is a calling code
            head = pc.utf8_slice_codeunits(d, 0, width)
            known = pc.and_(pc.is_in(head, value_set=pa.array(code_list)),
                            pc.greater_equal(pc.utf8_length(d), width))
            code = pc.if_else(known, head, code)
        code = pc.if_else(pc.starts_with(d, "0"), pa.scalar(None, pa.string()), code)
        for cc_text, sel in _groups(code):
            cc = int(cc_text)
            regions_of_cc = codes.get(cc, ())
            main = regions_of_cc[0] if regions_of_cc else None
            meta = _meta_for_code(cc, main) if main else None
            if meta is None:
                continue
            rows = plus_rows[sel]
            n0 = pc.utf8_slice_codeunits(d.take(sel), len(cc_text))
            groups.append((rows, cc, meta, n0))
    region_rows = np.flatnonzero(simple & ~plus & has_region)
    if len(region_rows):
        supported = _supported_regions()
        for region, sel in _groups(_take(region_arr, region_rows)):
            rows = region_rows[sel]
            if region not in supported:
                decided[rows] = True  # parse refuses a region it does not know ("cn", "XX"): not parsed
                continue
            meta = _meta_for_region(region)
            if meta is None:  # pragma: no cover - every supported region has metadata
                decided[rows] = False
                continue
            n0 = _take(digits, rows)
            # An international call prefix (00 86 …) or the region's own calling code written without '+'
            # (86 138 …) send phonenumbers down other paths: it decides those.
            odd = pc.starts_with(n0, str(meta.country_code)).to_numpy(zero_copy_only=False)
            if meta.idd is not None:
                odd |= _fullmatch(n0, meta.idd)
            keep = np.flatnonzero(~odd)
            groups.append((rows[keep], meta.country_code, meta, _take(n0, keep)))

    for rows, cc, meta, n0 in groups:
        if len(rows) == 0:
            continue
        ok = _lengths(n0) >= _MIN_NSN
        nsn, ok2, general = _national(meta, n0)
        lengths = _lengths(nsn)
        ok &= ok2 & (lengths >= _MIN_NSN) & (lengths <= _MAX_NSN)
        if not ok.any():
            continue
        keep = np.flatnonzero(ok)
        rows, nsn, lengths = rows[keep], _take(nsn, keep), lengths[keep]
        general = (general[0], general[1][keep], general[2][keep])
        regions_of_cc = _calling_codes()[0].get(cc, ())
        main = _meta_for_code(cc, regions_of_cc[0]) if regions_of_cc else None
        decided[rows] = True
        parsed[rows] = True
        possible[rows] = main.is_possible(lengths) if main is not None else False
        valid[rows] = _validity(cc, nsn, general)
        e164_parts.append((rows, pc.binary_join_element_wise(f"+{cc}", nsn, "")))
        if stable and main is not None:
            # Read back, '+CC NSN' goes through the national-prefix step again with the calling code's
            # main region (calling codes are prefix-free, so the same one is found): stable when it keeps
            # the national number as it is.
            again, ok_again, _ = _national(main, nsn)
            decided[rows] &= ok_again
            same_again[rows] = np.asarray(pc.fill_null(pc.equal(again, nsn), False).to_numpy(
                zero_copy_only=False), bool)

    e164 = pa.nulls(n, pa.string())
    if e164_parts:
        rows_all = np.concatenate([r for r, _ in e164_parts])
        values = pa.concat_arrays([v for _, v in e164_parts])
        pos = np.full(n, -1, np.int64)
        pos[rows_all] = np.arange(len(rows_all))
        e164 = values.take(pa.array(pos, mask=pos < 0))
    out = {"decided": decided, "parsed": parsed, "possible": possible, "valid": valid, "e164": e164,
           "digits": digits}
    if stable:
        out["stable"] = same_again
    return out
