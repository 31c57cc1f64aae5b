"""Defect classifiers: why a cell that still differs after normalisation differs (DESIGN, "Defect kinds").

Each classifier is a small predicate on (reference, export) raw text; :func:`classify` applies them in
DESIGN's order, first match wins. They see only cells whose values differ after normalisation.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from portcheck import schema
from portcheck.compare import normalize as nz

MISSING_VALUE = "missing_value"
NUMERIC_PRECISION = "numeric_precision"
TIMEZONE_SHIFT = "timezone_shift"
LEADING_ZERO = "leading_zero"
ENCODING = "encoding"
TRUNCATED = "truncated"
VALUE_CHANGED = "value_changed"

DEFECT_KINDS: tuple[str, ...] = (MISSING_VALUE, NUMERIC_PRECISION, TIMEZONE_SHIFT, LEADING_ZERO, ENCODING,
                                 TRUNCATED, VALUE_CHANGED)

_STRING_TYPES = {schema.STRING, schema.EMAIL, schema.PHONE, schema.STAGE, schema.CURRENCY}
_QUARTER_HOUR = timedelta(minutes=15)
_MAX_SHIFT = timedelta(hours=14)
_MOJIBAKE_CODECS = ("gbk", "gb18030", "big5", "latin-1", "cp1252")


def is_missing_value(ref: str, exp: str) -> bool:
    return nz.text(ref) != "" and nz.text(exp) == ""


def is_numeric_precision(ref: str, exp: str) -> bool:
    """Both read as numbers with different values, or the export is scientific notation that lost digits."""
    a, b = nz.number(ref), nz.number(exp)
    if a is None or b is None:
        return False
    if a != b:
        return True
    return nz.is_scientific(exp) and not nz.is_scientific(ref) and len(nz.digits(ref)) > len(nz.digits(exp))


def is_timezone_shift(ref: str, exp: str, ref_zone: str = "UTC", exp_zone: str = "UTC") -> bool:
    a, b = nz.instant(ref, ref_zone), nz.instant(exp, exp_zone)
    if a is None or b is None or a == b:
        return False
    delta = abs(a - b)
    return delta <= _MAX_SHIFT and delta % _QUARTER_HOUR == timedelta(0)


def is_leading_zero(ref: str, exp: str) -> bool:
    """The digits are equal once leading zeros are stripped (and they differed before)."""
    r, e = nz.text(ref), nz.text(exp)
    if not (nz.looks_like_phone(r) and nz.looks_like_phone(e)):
        return False
    dr, de = nz.digits(r), nz.digits(e)
    return dr != de and dr.lstrip("0") == de.lstrip("0") != ""


def phone_lost_trunk_zero(ref: str, exp: str) -> bool:
    """DESIGN's phone exception: export digits = reference digits without their leading zeros, and no '+'."""
    r, e = nz.text(ref), nz.text(exp)
    if e.startswith("+") or not (nz.looks_like_phone(r) and nz.looks_like_phone(e)):
        return False
    dr, de = nz.digits(r), nz.digits(e)
    return dr.startswith("0") and dr.lstrip("0") == de and de != ""


@lru_cache(maxsize=1 << 14)
def _replacement_pattern(ref: str) -> re.Pattern[str]:
    """The reference with each non-ASCII character allowed to survive or become 1–4 '?'/U+FFFD."""
    parts = []
    for ch in ref:
        parts.append(re.escape(ch) if ch.isascii() else f"(?:{re.escape(ch)}|[?\ufffd]{{1,4}})")
    return re.compile("".join(parts), re.DOTALL)


def is_encoding(ref: str, exp: str) -> bool:
    """UTF-8 read with another codec, non-ASCII replaced by '?'/U+FFFD, or characters outside the BMP lost."""
    r, e = nz.text(ref), nz.text(exp)
    if r.isascii() or not e:
        return False
    # The bytes of the reference as written (with and without the white space around it) and of its NFC
    # form: they differ for decomposed text and CJK compatibility ideographs (U+FA2A 飯 is U+98EF after NFC),
    # and the vendor garbled what was written.
    for raw in dict.fromkeys((ref.encode("utf-8"), ref.strip().encode("utf-8"), r.encode("utf-8"))):
        for codec in _MOJIBAKE_CODECS:
            for errors in ("strict", "replace", "ignore"):
                try:
                    if nz.text(raw.decode(codec, errors=errors)) == e:
                        return True
                except UnicodeDecodeError:
                    continue
    if "?" in e or "\ufffd" in e:
        candidates = {r, ref.strip()}  # the NFC form, and the reference as written (e.g. decomposed)
        for c in candidates:
            non_ascii = sum(1 for ch in c if not ch.isascii())
            if len(c) - non_ascii <= len(e) <= len(c) + 3 * non_ascii and _replacement_pattern(c).fullmatch(e):
                return True
    if any(ord(ch) > 0xFFFF for ch in r):
        stripped = "".join(ch for ch in r if ord(ch) <= 0xFFFF).strip()
        if e == stripped or e.replace("?", "").replace("\ufffd", "") == stripped:
            return True
    return False


def is_truncated(ref: str, exp: str) -> bool:
    r, e = nz.text(ref), nz.text(exp)
    for suffix in ("…", "..."):
        if e.endswith(suffix) and len(e) > len(suffix):
            stem = e[: -len(suffix)].rstrip()
            if len(stem) < len(r) and r.startswith(stem):
                return True
    return 0 < len(e) < len(r) and r.startswith(e)


def classify(ref: str, exp: str, ftype: str, *, ref_zone: str = "UTC", exp_zone: str = "UTC") -> str:
    """The one defect kind of a differing cell, in DESIGN's order (first match wins)."""
    if is_missing_value(ref, exp):
        return MISSING_VALUE
    if nz.text(exp) and nz.text(ref):
        if is_numeric_precision(ref, exp):
            return NUMERIC_PRECISION
        if ftype == schema.INSTANT and is_timezone_shift(ref, exp, ref_zone, exp_zone):
            return TIMEZONE_SHIFT
        if is_leading_zero(ref, exp):
            return LEADING_ZERO
        if ftype in _STRING_TYPES:
            if is_encoding(ref, exp):
                return ENCODING
            if is_truncated(ref, exp):
                return TRUNCATED
    return VALUE_CHANGED
