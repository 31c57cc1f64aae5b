"""Normalisers: what makes two differently written values the same value (DESIGN, "Normalisation").

Each normaliser maps a raw text value to a comparable form, or ``None`` when the value cannot be read as
that type (the comparison then falls back to the string form, and the classifiers decide the defect).
Normalisers are pure and cached per distinct value: the comparison calls them only on cells whose raw
values differ, and real exports repeat values a lot.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from portcheck import schema

_CACHE = 1 << 18


def text(value: str | None) -> str:
    """NFC and trimmed; ``''`` for None."""
    if value is None:
        return ""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFC", value).strip()


def is_empty(value: str | None, null_tokens: frozenset[str] = frozenset()) -> bool:
    t = text(value)
    return t == "" or t in null_tokens


# --- numbers ---------------------------------------------------------------------------------------------

_CURRENCY_CHARS = "¥￥$€£₩₹元 \u00a0\u202f'"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234.50
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234,50
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")  # 1234,5 (only when no other reading exists)
_SCIENTIFIC = re.compile(r"^[+-]?\d(\.\d+)?[eE][+-]?\d+$")


@lru_cache(maxsize=_CACHE)
def number(value: str) -> Decimal | None:
    """Read a decimal: ``¥1,234.50``, ``1.234,50``, ``3.38893E+18``, ``-12``, ``80%``. None if not a number."""
    t = text(value)
    if not t:
        return None
    if t[-1] == "%":
        t = t[:-1]
    t = t.strip(_CURRENCY_CHARS)
    if len(t) >= 3 and t[:3].isalpha() and t[:3].isupper():  # 'CNY 1,234.50'
        t = t[3:].strip()
    if _PLAIN_NUMBER.match(t):
        s = t
    elif _GROUPED_DOT.match(t):
        s = t.replace(",", "")
    elif _GROUPED_COMMA.match(t):
        s = t.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.match(t):
        s = t.replace(",", ".")
    else:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def is_scientific(value: str) -> bool:
    return bool(_SCIENTIFIC.match(text(value)))


# --- instants and dates ----------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@lru_cache(maxsize=64)
def _zone(name: str) -> timezone:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)  # type: ignore[return-value]


def _offset(tz: str) -> timedelta:
    if tz in ("Z", "z"):
        return timedelta(0)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return sign * timedelta(hours=hours, minutes=minutes)


@lru_cache(maxsize=_CACHE)
def instant(value: str, zone: str = "UTC") -> datetime | None:
    """The UTC moment a value names; naive values are read in ``zone``. None if not an instant."""
    t = text(value)
    m = _ISO.match(t)
    if m:
        y, mo, d, h, mi, s, frac, tz = m.groups()
    else:
        m2 = _SLASHED.match(t)
        if not m2:
            return None
        y, mo, d, h, mi, s = m2.groups()
        frac, tz = None, None
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
    except ValueError:
        return None
    try:
        if tz:
            return (naive - _offset(tz)).replace(tzinfo=timezone.utc)
        try:
            aware = naive.replace(tzinfo=_zone(zone))
        except Exception:  # unknown zone names are rejected where the option is parsed
            aware = naive.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc)
    except OverflowError:  # '0001-01-01T00:00:00+08:00' (a "no date" sentinel) has no UTC moment in range
        return None


@lru_cache(maxsize=_CACHE)
def day(value: str) -> date | None:
    """The calendar day a value names (the date part of a date or date-time as written)."""
    t = text(value)
    m = _ISO.match(t) or _SLASHED.match(t)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# --- phones and emails -----------------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^[\d\s()+\-./]+$")
_NON_DIGITS = re.compile(r"\D")


def digits(value: str) -> str:
    return _NON_DIGITS.sub("", value)


def looks_like_phone(value: str) -> bool:
    return bool(_PHONE_CHARS.match(value)) and any(c.isdigit() for c in value)


@lru_cache(maxsize=_CACHE)
def phone(value: str, region: str | None) -> str | None:
    """E.164 when the number can be read (``+`` prefix, or a region), else None."""
    t = text(value)
    if not t or not looks_like_phone(t):
        return None
    if not t.startswith("+") and not region:
        return None
    import phonenumbers

    try:
        n = phonenumbers.parse(t, None if t.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(n):  # '01' with a region: too short to be any number
        return None
    e164 = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    try:  # '000000000' gives '+8600000000', which reads back as '+860000000': no stable form
        again = phonenumbers.format_number(
            phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.E164
        )
    except phonenumbers.NumberParseException:
        return None
    return e164 if again == e164 else None


def email(value: str, keep_local_case: bool = False) -> str:
    t = text(value)
    if not keep_local_case:
        return t.casefold()
    local, _, domain = t.rpartition("@")
    return f"{local}@{domain.casefold()}" if local else t


# --- booleans and picklists --------------------------------------------------------------------------------

_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "真", "√", "on", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "假", "×", "off"})


def boolean(value: str) -> bool | None:
    t = text(value).casefold()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def picklist(value: str, mapping: dict[str, str] | None = None) -> str:
    t = text(value)
    if mapping:
        t = mapping.get(t, mapping.get(t.casefold(), t))
    return t.casefold().replace(" ", "_")


# --- one entry point --------------------------------------------------------------------------------------

def normalise(value: str, ftype: str, *, zone: str = "UTC", region: str | None = None,
              keep_local_case: bool = False, mapping: dict[str, str] | None = None) -> object:
    """The comparable form of a non-empty value of a canonical type (falls back to the NFC-trimmed text)."""
    if ftype == schema.INSTANT:
        return instant(value, zone) or text(value)
    if ftype == schema.DATE:
        return day(value) or text(value)
    if ftype in (schema.DECIMAL, schema.PERCENT):
        n = number(value)
        return n.normalize() if n is not None else text(value)
    if ftype == schema.PHONE:
        # A number phonenumbers cannot read compares as its digits, keeping a leading '+' (so that the form
        # reads the same when normalised again); a value with other characters ("'+86 …", 'Tel: …') is not
        # written as a phone number and compares as its text.
        t = text(value)
        if not looks_like_phone(t):
            return t
        return phone(t, region) or ("+" if t.startswith("+") else "") + digits(t)
    if ftype == schema.EMAIL:
        return email(value, keep_local_case)
    if ftype == schema.BOOLEAN:
        b = boolean(value)
        return b if b is not None else text(value)
    if ftype in (schema.STAGE,):
        return picklist(value, mapping)
    if ftype == schema.CURRENCY:
        return text(value).upper()
    if mapping:
        t = text(value)
        return mapping.get(t, t)
    return text(value)
