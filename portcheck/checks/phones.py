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


def _length_table(lengths: tuple[int, ...]) -> np.ndarray:
    """Lookup table: length → whether it is one of ``lengths`` (the last entry stands for every longer
    length, never one of them)."""
    import numpy as np

    table = np.zeros(max(lengths, default=0) + 2, bool)
    table[list(lengths)] = True
    return table


def _member(lengths: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each length is marked in a :func:`_length_table`."""
    import numpy as np

    return table[np.minimum(lengths, len(table) - 1)]


class _Desc:
    """One PhoneNumberDesc as RE2 pattern + possible lengths (``None`` pattern: matches nothing)."""

    def __init__(self, desc: Any) -> None:
        pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
        self.pattern = f"^(?:{pattern})$" if pattern else None
        self.lengths = tuple(getattr(desc, "possible_length", None) or ()) if desc is not None else ()
        self.table = _length_table(self.lengths) if self.lengths else None

    def length_ok(self, lengths: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.pattern is None:
            return np.zeros(len(lengths), bool)
        return _member(lengths, self.table) if self.table is not None else np.ones(len(lengths), bool)

    def matches(self, nsn: pa.Array, lengths: np.ndarray,
                known: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Possible length and the pattern; ``known``: (rows whose pattern match is known, the match)."""
        import numpy as np

        if self.pattern is None or len(nsn) == 0:
            return np.zeros(len(nsn), bool)
        ok = self.length_ok(lengths)
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
        import numpy as np

        self.md = md
        self.country_code = int(md.country_code)
        self.general = _Desc(md.general_desc)
        self.possible = tuple(sorted(md.general_desc.possible_length or ()))
        self.local_only = tuple(md.general_desc.possible_length_local_only or ())
        # the region's own calling code written without '+', or its international call prefix
        self.odd = f"^(?:{self.country_code}|{md.international_prefix})" if md.international_prefix else \
            f"^{self.country_code}"
        self.npfp = f"^(?:{md.national_prefix_for_parsing})" if md.national_prefix_for_parsing else None
        self.npfp_group = _as_one_group(md.national_prefix_for_parsing)
        self.transform = bool(md.national_prefix_transform_rule)
        self.leading_digits = f"^(?:{md.leading_digits})" if md.leading_digits else None
        types = [t for t in _TYPES if not (t == "mobile" and md.same_mobile_and_fixed_line_pattern)]
        self.types = [_Desc(getattr(md, t, None)) for t in types]
        self.types = [d for d in self.types if d.pattern is not None]  # the others match nothing
        # the national number parse keeps: possible, or longer than any possible length, and not local-only
        keep = np.zeros(max(self.possible + self.local_only, default=0) + 2, bool)
        if self.possible:
            keep[list(self.possible)] = True
            keep[self.possible[-1] + 1:] = True
            keep[list(self.local_only)] = False
        self.parse_keeps = keep
        self.possible_table = _length_table(self.possible + self.local_only)

    def number_type_known(self, nsn: pa.Array, lengths: np.ndarray | None = None,
                          general: tuple[str | None, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """``_number_type_helper(nsn, md) != UNKNOWN``: the general desc and at least one type desc match.
        ``general``: (pattern, rows whose match of it is known, the match), from the national-prefix step."""
        import numpy as np

        if lengths is None:
            lengths = _lengths(nsn)
        known = general[1:] if general is not None and general[0] == self.general.pattern else None
        alive = self.general.matches(nsn, lengths, known)
        out = np.zeros(len(nsn), bool)
        # Any type will do, so the order is free: the types the numbers most often are go first, and each
        # pattern only sees the numbers no earlier type matched (and of a length it allows).
        for desc in self._types_by_frequency(nsn, alive):
            if not alive.any():
                break
            cand = np.flatnonzero(alive & desc.length_ok(lengths))
            if len(cand) == 0:
                continue
            hit = cand[_fullmatch(_take(nsn, cand), desc.pattern)]
            out[hit] = True
            alive[hit] = False
        return out

    def _types_by_frequency(self, nsn: pa.Array, alive: np.ndarray) -> list[_Desc]:
        """The type descs, those matching most of a sample of the numbers first (ties: metadata order)."""
        import numpy as np

        rows = np.flatnonzero(alive)
        if len(rows) < 4096 or len(self.types) < 2:
            return self.types
        sample = _take(nsn, rows[np.linspace(0, len(rows) - 1, 256).astype(np.int64)])
        hits = [int(_fullmatch(sample, d.pattern).sum()) for d in self.types]
        order = sorted(range(len(self.types)), key=lambda i: -hits[i])
        return [self.types[i] for i in order]

    def length_ok_for_parse(self, lengths: np.ndarray) -> np.ndarray:
        """parse keeps a stripped national number unless its length test says TOO_SHORT, LOCAL_ONLY or
        INVALID_LENGTH, i.e. it keeps it when the length is possible or too long."""
        return _member(lengths, self.parse_keeps)

    def is_possible(self, lengths: np.ndarray) -> np.ndarray:
        return _member(lengths, self.possible_table)


def _as_one_group(pattern: str | None) -> str | None:
    """``^(?P<p>…)`` of a pattern whose own groups are made non-capturing (its match, as one group); None
    when the pattern's parentheses are not all plain groups."""
    import re

    if not pattern or "\\" in pattern.replace("\\d", "") or \
            any("(" in c for c in re.findall(r"\[[^]]*]", pattern)):
        return None  # escapes other than \d, or a parenthesis in a character class
    inner = re.sub(r"\((?!\?)", "(?:", pattern)
    try:
        if re.compile(inner).groups:
            return None
    except re.error:
        return None
    return f"^(?P<p>{inner})"


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
    """Lengths of the strings of a digit string array (from its offsets: the strings are ASCII)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if len(arr) == 0:
        return np.zeros(0, np.int32)
    if arr.null_count or not pa.types.is_string(arr.type):
        return pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    return np.diff(np.frombuffer(arr.buffers()[1], np.int32)[arr.offset:arr.offset + len(arr) + 1])


_ALLOWED = bytes(range(48, 58)) + b"() .-"  # the fast path's characters, '+' aside


@lru_cache(maxsize=1)
def _separator_table() -> np.ndarray:
    """Byte → allowed between the digits of the fast path's form (digits themselves aside)."""
    import numpy as np

    table = np.zeros(256, bool)
    table[list(_ALLOWED)] = True
    return table


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
    off, data = _bytes_of(text)
    digits, digit_off, other = _digits(n, off, data)
    lengths = np.diff(off)
    plus = np.zeros(n, bool)
    nonempty = np.flatnonzero(lengths > 0)
    plus[nonempty] = data[off[nonempty]] == 43
    simple = (np.diff(digit_off) >= 3) & (lengths <= _MAX_SIMPLE_LENGTH)
    candidates = np.flatnonzero(simple)
    if 0 < len(candidates) < n // 2:  # mostly text: look at the bytes of the few candidates only
        sub_off, sub_data = _bytes_of(text.take(pa.array(candidates)))
        simple[candidates] = _only_separators(sub_off, sub_data, plus[candidates])
    elif len(candidates):
        simple &= _only_separators(off, data, plus, other)
    return digits, simple, plus


def ascii_digits(text: pa.Array) -> pa.Array:
    """The ASCII digits of each string, in order ('' when it has none, or is null), from one numpy pass
    over the bytes (a digit byte is never part of a longer UTF-8 sequence)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    if text.null_count:  # a null's slot may still hold bytes
        text = pc.fill_null(text, "")
    if len(text) == 0:
        return pa.array([], pa.string())
    return _digits(len(text), *_bytes_of(text))[0]


def _digits(n: int, off: np.ndarray, data: np.ndarray) -> tuple[pa.Array, np.ndarray, np.ndarray | None]:
    """(the digits of each of the ``n`` strings, as a string array; its offsets; the positions of the
    bytes that are not digits, when they were the fewer and so were found)."""
    import numpy as np
    import pyarrow as pa

    is_digit = np.less(np.subtract(data, 48, dtype=np.uint8), 10)
    # A string's digits start after the digits of the strings before it: the digits before its offset
    # (counted from the positions of the digits, or of the other bytes, whichever are fewer).
    other = None
    if np.count_nonzero(is_digit) * 2 < len(data):
        digit_off = np.searchsorted(np.flatnonzero(is_digit), off).astype(np.int32)
    else:
        other = np.flatnonzero(~is_digit)
        digit_off = (off - np.searchsorted(other, off)).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(digit_off), pa.py_buffer(data[is_digit])), \
        digit_off, other


def _bytes_of(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~portcheck.checks._arrow.string_bytes`, imported when first used (this module imports no
    pyarrow at its top)."""
    from portcheck.checks._arrow import string_bytes

    return string_bytes(text)


def _only_separators(off: np.ndarray, data: np.ndarray, plus: np.ndarray,
                     other: np.ndarray | None = None) -> np.ndarray:
    """Whether each string's bytes other than digits are separators, or a '+' opening the string
    (``other``: the positions of the bytes that are not digits, when known)."""
    import numpy as np

    if other is None:
        other = np.flatnonzero(~np.less(np.subtract(data, 48, dtype=np.uint8), 10))
    other = other[~_separator_table()[data[other]]]
    starts = off[:-1]
    if len(other) > len(data) // 8:  # many: counted per string from a running count
        bad = np.zeros(len(data), bool)
        bad[other] = True
        bad[starts[plus]] = False
        count = np.zeros(len(data) + 1, np.int32)
        np.cumsum(bad, dtype=np.int32, out=count[1:])
        return np.diff(count[off]) == 0
    ok = np.ones(len(starts), bool)
    if len(other):
        at_start = np.zeros(len(data) + 1, bool)
        at_start[starts[plus]] = True
        other = other[~at_start[other]]  # the '+' opening a string is allowed
    # the strings of the others: each found from its position (the first string ending beyond it)
    ok[np.searchsorted(off[1:], other, side="right")] = False
    return ok


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
    """Where the regex matches the digit strings (all of them anchored at the start). On many strings, only
    those whose first two digits can begin a match are run through it (a calling code or an international
    prefix written without '+' begins very few numbers)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if pattern is None or len(arr) == 0:
        return np.zeros(len(arr), bool)
    starts = _digit_starts(pattern) if len(arr) >= 4096 and isinstance(arr, pa.Array) else None
    if starts is not None and _may_begin(_take(arr, np.linspace(0, len(arr) - 1, 256).astype(np.int64)),
                                         starts).mean() < 0.5:  # (a sample first: most may begin a match)
        rows = np.flatnonzero(_may_begin(arr, starts))
        if len(rows) < len(arr) // 2:
            out = np.zeros(len(arr), bool)
            if len(rows):
                out[rows] = pc.match_substring_regex(arr.take(pa.array(rows)), pattern).to_numpy(
                    zero_copy_only=False)
            return out
    return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)


@lru_cache(maxsize=256)
def _digit_starts(pattern: str) -> np.ndarray | None:
    """The two-digit starts a match of the regex may begin with (a 100-entry table; a match that can end
    after one digit allows every start with that digit); None when the regex holds something
    :func:`_prefixes` does not follow, can match the empty string, or allows most starts anyway."""
    import numpy as np

    found = _prefixes(pattern, 2)
    if found is None or "" in found:
        return None
    two = np.zeros(100, bool)
    for p in found:
        if len(p) == 2:
            two[int(p)] = True
        else:
            two[int(p) * 10:int(p) * 10 + 10] = True
    return None if two.sum() > 50 else two


def _may_begin(arr: pa.Array, starts: np.ndarray) -> np.ndarray:
    """Which strings begin with two digits a match may begin with (or are shorter, or not digits: the regex
    decides those)."""
    import numpy as np

    off, data = _bytes_of(arr)
    lengths = np.diff(off)
    out = lengths < 2
    at = np.minimum(off[:-1], max(len(data) - 2, 0))
    if len(data) >= 2:
        d0 = data[at].astype(np.int16) - 48
        d1 = data[at + 1].astype(np.int16) - 48
        digits = (d0 >= 0) & (d0 <= 9) & (d1 >= 0) & (d1 <= 9)
        out |= ~digits | starts[np.where(digits, d0 * 10 + d1, 0)]
    return out


def _prefixes(pattern: str, k: int) -> frozenset[str] | None:
    """The digit strings of length k (or shorter, where a match can end sooner) that a match of ``pattern``
    at the start of a digit string begins with — a superset: anchors count as matching anywhere. None
    when the pattern holds something other than digits, classes, groups, alternatives and repeats."""
    try:  # Python's own regex parser (private: should a later Python move it, there is no prefilter)
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python 3.11 to 3.13 have both
        return None

    digits = frozenset("0123456789")
    limit = 4096

    def chars(op: Any, av: Any) -> frozenset[str] | None:
        if op is c.LITERAL:
            return frozenset(chr(av)) & digits
        if op is c.NOT_LITERAL:
            return digits - {chr(av)}
        if op is c.ANY:
            return digits
        if op is c.IN:
            got: set[str] = set()
            negate = False
            for o, a in av:
                if o is c.NEGATE:
                    negate = True
                elif o is c.LITERAL:
                    got.add(chr(a))
                elif o is c.RANGE:
                    got |= {chr(x) for x in range(a[0], a[1] + 1)}
                elif o is c.CATEGORY and a is c.CATEGORY_DIGIT:
                    got |= digits
                else:
                    return None
            return digits - got if negate else frozenset(got) & digits
        return None

    def sequence(items: Any, k: int) -> set[str] | None:
        done: set[str] = {""}
        for op, av in items:
            if all(len(x) == k for x in done):
                break
            nxt: set[str] = set()
            for head in done:
                if len(head) == k:
                    nxt.add(head)
                    continue
                tails = node(op, av, k - len(head))
                if tails is None:
                    return None
                nxt |= {head + t for t in tails}
            done = nxt
            if len(done) > limit:
                return None
        return done

    def node(op: Any, av: Any, k: int) -> set[str] | None:
        if op is c.AT:
            return {""}
        if op is c.SUBPATTERN:
            return sequence(av[-1], k)
        if op is c.BRANCH:
            out: set[str] = set()
            for alternative in av[1]:
                got = sequence(alternative, k)
                if got is None:
                    return None
                out |= got
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = av
            once = sequence(body, k)
            if once is None or "" in once:
                return None
            found: set[str] = set()
            frontier, reps = {""}, 0
            while True:
                found |= {x for x in frontier if len(x) == k or reps >= low}
                if reps == high or all(len(x) == k for x in frontier):
                    return found
                nxt: set[str] = set()
                for head in frontier:
                    if len(head) == k:
                        continue
                    tails = sequence(body, k - len(head))
                    if tails is None:
                        return None
                    nxt |= {head + t for t in tails}
                frontier, reps = nxt, reps + 1
                if len(frontier) > limit:
                    return None
        got = chars(op, av)
        if got is None:
            return None
        return {""} if k == 0 else set(got)

    try:
        found = sequence(list(_parser.parse(pattern)), k)
    except Exception:  # noqa: BLE001 - a pattern (or a parser) this does not follow: no prefilter
        return None
    return frozenset(found) if found is not None else None


_Known = tuple[str | None, "np.ndarray", "np.ndarray"]  # (pattern, rows whose match is known, the match)
# A piece of the national significant numbers: (positions in the numbers read, the numbers, their lengths,
# rows whose match of the general pattern is known, the match).
_Piece = tuple["np.ndarray", "pa.Array", "np.ndarray", "np.ndarray", "np.ndarray"]


def _national(meta: _Meta, n0: pa.Array, lengths0: np.ndarray) -> tuple[list[_Piece], np.ndarray]:
    """Parse's national-prefix step for one metadata: the national significant numbers, in pieces (the
    numbers kept as written, the numbers stripped of their prefix), and which numbers are decided."""
    import numpy as np

    n = len(n0)
    decided = np.ones(n, bool)
    unknown = np.zeros(n, bool)
    as_written = [(np.arange(n), n0, lengths0, unknown, unknown)]
    if meta.npfp is None or n == 0:
        return as_written, decided
    prefixed, stripped = _prefix_split(meta, n0)
    if not prefixed.any():
        return as_written, decided
    if meta.transform:
        decided &= ~prefixed  # the prefix rule rewrites digits: phonenumbers decides
    viable = meta.general.pattern
    rows = np.flatnonzero(prefixed)
    original = _take(n0, rows)
    # the stripped number is kept unless it is not viable while the original was
    stripped_viable = _fullmatch(stripped, viable)
    original_viable = np.zeros(len(rows), bool)
    check = np.flatnonzero(~stripped_viable)
    if len(check):
        original_viable[check] = _fullmatch(_take(original, check), viable)
    keep_original = original_viable & ~stripped_viable
    stripped_lengths = _lengths(stripped)
    use = ~keep_original & meta.length_ok_for_parse(stripped_lengths)
    pieces: list[_Piece] = []
    written = ~prefixed
    written[rows[~use]] = True
    if written.any():
        # what the general pattern said of the original numbers kept
        known, match = np.zeros(n, bool), np.zeros(n, bool)
        kept = ~use & ~stripped_viable
        known[rows[kept]], match[rows[kept]] = True, original_viable[kept]
        at = np.flatnonzero(written)
        pieces.append((at, _take(n0, at), lengths0[at], known[at], match[at]))
    if use.any():
        at = np.flatnonzero(use)
        pieces.append((rows[at], _take(stripped, at), stripped_lengths[at], np.ones(len(at), bool),
                       stripped_viable[at]))
    return pieces, decided


def _prefix_split(meta: _Meta, numbers: pa.Array) -> tuple[np.ndarray, pa.Array | None]:
    """(which numbers begin with a match of the national prefix pattern, those numbers without it).

    When most numbers have a prefix (trunk zeros), one pass of the pattern as a named group gives each
    match's length, and the numbers are cut with numpy; else the pattern is matched, and only the
    numbers with a prefix have it replaced."""
    import numpy as np
    import pyarrow.compute as pc

    n = len(numbers)
    if meta.npfp_group is not None and n >= 4096:
        sample = _take(numbers, np.linspace(0, n - 1, 256).astype(np.int64))
        if _fullmatch(sample, meta.npfp).mean() > 0.5:
            found = pc.extract_regex(numbers, meta.npfp_group)
            prefixed = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), bool)
            rows = np.flatnonzero(prefixed)
            heads = _lengths(found.field(0))[rows]  # the child holds '' where the struct is null
            return prefixed, _drop_heads(_take(numbers, rows), heads)
    prefixed = _fullmatch(numbers, meta.npfp)
    if not prefixed.any():
        return prefixed, None
    return prefixed, pc.replace_substring_regex(_take(numbers, np.flatnonzero(prefixed)), meta.npfp, "",
                                                max_replacements=1)


def _drop_heads(numbers: pa.Array, heads: np.ndarray) -> pa.Array:
    """Each string without its first ``heads[i]`` bytes."""
    import numpy as np
    import pyarrow as pa

    off, data = _bytes_of(numbers)
    keep = np.ones(len(data), bool)
    starts = off[:-1]
    for j in range(int(heads.max()) if len(heads) else 0):
        keep[starts[heads > j] + j] = False
    new_off = np.zeros(len(numbers) + 1, np.int32)
    np.cumsum(np.diff(off) - heads, out=new_off[1:])
    return pa.StringArray.from_buffers(len(numbers), pa.py_buffer(new_off), pa.py_buffer(data[keep]))


def _validity(cc: int, nsn: pa.Array, lengths: np.ndarray,
              general: tuple[str | None, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``is_valid_number`` for numbers of one calling code: the region phonenumbers picks, then its types."""
    import numpy as np

    regions = _calling_codes()[0].get(cc, ())
    valid = np.zeros(len(nsn), bool)
    if len(regions) == 1:
        meta = _meta_for_code(cc, regions[0])
        if meta is not None:
            valid = meta.number_type_known(nsn, lengths, general)
        return valid
    todo = np.arange(len(nsn))
    for region in regions:  # _region_code_for_number_from_list
        if len(todo) == 0:
            break
        meta = _meta_for_region(region)
        if meta is None:
            continue
        sub = _take(nsn, todo)
        known = meta.number_type_known(sub, lengths[todo])
        if meta.leading_digits is not None:
            chosen = _fullmatch(sub, meta.leading_digits)
            valid[todo[chosen]] = known[chosen]
        else:
            chosen = known
            valid[todo[chosen]] = True
        todo = todo[~chosen]
    return valid


@lru_cache(maxsize=1)
def _code_table() -> np.ndarray:
    """Which numbers below 1000 are country calling codes."""
    import numpy as np

    table = np.zeros(1000, bool)
    table[list(_calling_codes()[0])] = True
    return table


def _calling_code_groups(digits: pa.Array, rows: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(calling code, its width, positions in ``rows``) of the '+' numbers at ``rows`` (digits after the
    '+'; at least three of them, as the fast path's form has): the shortest prefix that is a calling code,
    as phonenumbers finds it; none when the digits start with 0."""
    import numpy as np

    off = np.frombuffer(digits.buffers()[1], np.int32)[digits.offset:digits.offset + len(digits) + 1]
    data = np.frombuffer(digits.buffers()[2], np.uint8)
    start = off[rows].astype(np.int64)
    d0, d1, d2 = (data[start + k].astype(np.int64) - 48 for k in range(3))
    table = _code_table()
    c1, c2 = d0, d0 * 10 + d1
    c3 = c2 * 10 + d2
    width = np.where(table[c1], 1, np.where(table[c2], 2, np.where(table[c3], 3, 0)))
    width[d0 == 0] = 0
    code = np.where(width == 1, c1, np.where(width == 2, c2, np.where(width == 3, c3, -1)))
    out = []
    for cc in np.flatnonzero(np.bincount(code[width > 0], minlength=1000)).tolist():
        sel = np.flatnonzero(code == cc)
        out.append((cc, int(width[sel[0]]), sel))
    return out


def read_numbers(numbers: pa.Array, regions: pa.Array | str | None = None, *,
                 stable: bool = False, validity: bool = True) -> dict[str, Any]:
    """What phonenumbers makes of each number (read in its row's region unless it starts with ``+``).

    ``numbers`` are the strings phonenumbers would be given (callers trim/normalise as they do for
    phonenumbers); ``regions`` per row, null or ``''`` when none (or one region for every row). Returns
    numpy arrays (``decided``, ``parsed``, ``possible``, ``valid``) and pyarrow string arrays (``e164``,
    ``digits``):

    - ``decided``: the row was read here; where False the other fields mean nothing (ask phonenumbers);
      a decided row is always ASCII (digits, separators and a leading '+');
    - ``parsed``: ``phonenumbers.parse(number, region)`` succeeds; ``e164``: its E.164 form;
    - ``possible`` / ``valid``: ``is_possible_number`` / ``is_valid_number`` of the parsed number;
    - ``digits``: the ASCII digits of the number, in order;
    - with ``stable=True``, ``stable``: the E.164 form reads back as itself
      (``format_number(parse(e164, None), E164) == e164``; ``+86 0000000`` does not);
    - with ``validity=False``, ``valid`` is not computed (all False): the comparison does not need it.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(numbers)
    numbers = numbers.combine_chunks() if isinstance(numbers, pa.ChunkedArray) else numbers
    text = pc.fill_null(numbers, "") if numbers.null_count else numbers
    digits, simple, plus = scan_numbers(text)

    decided = np.zeros(n, bool)
    same_again = np.zeros(n, bool)
    parsed = np.zeros(n, bool)
    possible = np.zeros(n, bool)
    valid = np.zeros(n, bool)
    e164_parts: list[tuple[np.ndarray, pa.Array]] = []

    # Rows without '+' read in a region: (region, their rows); those with none are refused by phonenumbers
    # (no default region) — decided, not parsed.
    national = simple & ~plus
    by_region: list[tuple[str, np.ndarray]] = []
    if regions is None or isinstance(regions, str):
        if regions:
            by_region = [(regions, np.flatnonzero(national))]
        else:
            decided |= national
    else:
        regions = regions.combine_chunks() if isinstance(regions, pa.ChunkedArray) else regions
        region_arr = pc.fill_null(regions, "")
        has_region = pc.not_equal(region_arr, "").to_numpy(zero_copy_only=False)
        decided |= national & ~has_region
        region_rows = np.flatnonzero(national & has_region)
        if len(region_rows):
            by_region = [(r, region_rows[sel]) for r, sel in _groups(_take(region_arr, region_rows))]

    # Group the readable rows by the metadata their national number is read with.
    groups: list[tuple[np.ndarray, int, _Meta, pa.Array]] = []  # rows, calling code, metadata, N0
    plus_rows = np.flatnonzero(simple & plus)
    if len(plus_rows):
        codes = _calling_codes()[0]
        for cc, width, sel in _calling_code_groups(digits, plus_rows):
            meta = _meta_for_code(cc, codes[cc][0])
            if meta is None:
                continue
            rows = plus_rows[sel]
            groups.append((rows, cc, meta, pc.utf8_slice_codeunits(_take(digits, rows), width)))
    supported = _supported_regions()
    for region, rows in by_region:
        if len(rows) == 0:
            continue
        if region not in supported:
            decided[rows] = True  # parse refuses a region it does not know ("cn", "XX"): not parsed
            continue
        meta = _meta_for_region(region)
        if meta is None:  # pragma: no cover - every supported region has metadata
            continue
        n0 = _take(digits, rows)
        # An international call prefix (00 86 …) or the region's own calling code written without '+'
        # (86 138 …) send phonenumbers down other paths: it decides those.
        odd = _fullmatch(n0, meta.odd)
        if odd.any():
            keep = np.flatnonzero(~odd)
            rows, n0 = rows[keep], _take(n0, keep)
        groups.append((rows, meta.country_code, meta, n0))

    for rows, cc, meta, n0 in groups:
        if len(rows) == 0:
            continue
        lengths0 = _lengths(n0)
        pieces, prefix_decided = _national(meta, n0, lengths0)
        regions_of_cc = _calling_codes()[0].get(cc, ())
        main = _meta_for_code(cc, regions_of_cc[0]) if regions_of_cc else None
        for at, nsn, lengths, known, match in pieces:
            ok = (lengths0[at] >= _MIN_NSN) & prefix_decided[at] & (lengths >= _MIN_NSN) & \
                (lengths <= _MAX_NSN)
            if not ok.any():
                continue
            if not ok.all():
                keep = np.flatnonzero(ok)
                at, nsn, lengths, known, match = at[keep], _take(nsn, keep), lengths[keep], known[keep], \
                    match[keep]
            at = rows[at]
            decided[at] = True
            parsed[at] = True
            possible[at] = main.is_possible(lengths) if main is not None else False
            if validity:
                valid[at] = _validity(cc, nsn, lengths, (meta.general.pattern, known, match))
            e164_parts.append((at, pc.binary_join_element_wise(f"+{cc}", nsn, "")))
            if stable and main is not None:
                # Read back, '+CC NSN' goes through the national-prefix step again with the calling code's
                # main region (calling codes are prefix-free, so the same one is found): stable when it
                # keeps the national number as it is (a stripped prefix makes it shorter).
                again, ok_again = _national(main, nsn, lengths)
                decided[at] &= ok_again
                same = np.ones(len(at), bool)
                for where, _, again_lengths, _, _ in again:
                    same[where] = again_lengths == lengths[where]
                same_again[at] = same

    e164 = pa.nulls(n, pa.string())
    if len(e164_parts) == 1 and len(e164_parts[0][0]) == n:
        e164 = e164_parts[0][1]  # every row, in order (the rows of a piece are ascending)
    elif e164_parts:
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
