"""A seeded defect planter: make an "export" from a canonical dataset with an exact, logged set of defects.

``plant(dataset, counts=..., seed=...)`` returns ``(export_rows, log)``. The export is a copy of the
dataset in which exactly the asked number of each defect kind of DESIGN's table has been planted, each in
a cell where that kind is the one DESIGN's ordered classification assigns, plus record-level defects
(removed, duplicated and extra records) and format-only variants that must count as matches. The
:class:`PlantLog` says exactly what was done, and :func:`expected_figures` derives from it the figures a
correct comparison reports, so tests never hard-code them.

Guarantees:

- never two changes in one cell; the pairing key, primary and foreign keys, ``x_canary_id`` and
  ``country`` (which decides how phones are parsed) are never touched, so a change in one field cannot
  alter another field's comparison;
- every planted cell is checked with :func:`classify`, this module's reading of DESIGN's rules, before it
  is accepted; a count that cannot be met exactly raises :class:`PlantError`;
- for ``encoding``, ``truncated`` and ``value_changed`` the planter prefers cells whose digits change or
  that hold no digits, so that no reading of "digits equal once leading zeros are stripped" can mistake
  them for ``leading_zero``.

Counts: ``{"truncated": 5, "remove": 2}`` applies to every object of the dataset; ``{"contact":
{"truncated": 5}}`` to one object; ``{"contact": {"truncated": {"notes": 5}}}`` to one field.
"""

from __future__ import annotations

import csv
import os
import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

OBJECTS = ("customer", "contact", "opportunity")
DEFECT_KINDS = (
    "missing_value",
    "numeric_precision",
    "timezone_shift",
    "leading_zero",
    "encoding",
    "truncated",
    "value_changed",
)
FORMAT_KINDS = ("format_email", "format_phone", "format_instant", "format_decimal", "format_spaces")
RECORD_KINDS = ("remove", "duplicate", "duplicate_key", "extra")
ALL_KINDS = DEFECT_KINDS + FORMAT_KINDS + RECORD_KINDS
FORMAT = "format"  # what classify() says of a difference that normalisation removes

# Field types, as portcheck.schema names them.
INSTANT, DATE, DECIMAL, PERCENT, BOOLEAN, STRING, PHONE, EMAIL, CURRENCY, STAGE = (
    "instant",
    "date",
    "decimal",
    "percent",
    "boolean",
    "string",
    "phone",
    "email",
    "currency",
    "stage",
)
_PICKLIST_TYPES = {BOOLEAN, STAGE, CURRENCY}
_NEVER = {"country", "x_canary_id"}
_TRUNCATE_AT = 255


class PlantError(ValueError):
    """The asked counts cannot be planted exactly in this dataset."""


@dataclass(frozen=True)
class Planted:
    object: str
    key: str  # pairing-key value of the record
    field: str
    kind: str  # a defect kind or a format variant
    before: str
    after: str


@dataclass
class PlantLog:
    """Exactly what :func:`plant` did. Keys are pairing-key values."""

    seed: int
    pairing: dict[str, str]  # object -> pairing field
    cells: list[Planted] = field(default_factory=list)  # defects
    formats: list[Planted] = field(default_factory=list)  # format-only variants (matches)
    removed: dict[str, list[str]] = field(default_factory=dict)
    duplicated: dict[str, list[str]] = field(default_factory=dict)  # identical copies (duplicates.rows)
    duplicated_keys: dict[str, list[str]] = field(default_factory=dict)  # same key, different content
    extra: dict[str, list[str]] = field(default_factory=dict)

    def defects(self, obj: str) -> dict[str, list[tuple[str, str, str, str]]]:
        """Per defect kind (all seven listed), the (key, field, before, after) planted in ``obj``."""
        out: dict[str, list[tuple[str, str, str, str]]] = {k: [] for k in DEFECT_KINDS}
        for p in self.cells:
            if p.object == obj:
                out[p.kind].append((p.key, p.field, p.before, p.after))
        return out

    def counts(self, obj: str) -> dict[str, int]:
        return {k: len(v) for k, v in self.defects(obj).items()}

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "pairing": self.pairing,
            "cells": [asdict(p) for p in self.cells],
            "formats": [asdict(p) for p in self.formats],
            "removed": self.removed,
            "duplicated": self.duplicated,
            "duplicated_keys": self.duplicated_keys,
            "extra": self.extra,
        }


# ---- DESIGN's comparison rules, as the planter reads them ---------------------------------------------


def _norm(v: str | None) -> str:
    return unicodedata.normalize("NFC", v or "").strip()


def is_empty(v: str | None, null_tokens: tuple[str, ...] = ()) -> bool:
    n = _norm(v)
    return n == "" or n in null_tokens


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")
_CURRENCY = re.compile(r"^(?:[¥￥$€£]|CNY|RMB|USD|EUR)\s*")


def parse_number(v: str) -> Decimal | None:
    text = _CURRENCY.sub("", _norm(v))
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def parse_instant(v: str, zone: timezone = UTC) -> datetime | None:
    text = _norm(v)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", text):
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone)


def _digits(v: str) -> str:
    return re.sub(r"\D", "", v)


def _digitish(v: str) -> bool:
    return re.fullmatch(r"[\d\s\-().]+", v) is not None and any(c.isdigit() for c in v)


def _e164(v: str, region: str | None) -> str | None:
    import phonenumbers

    text = _norm(v)
    if not text.startswith("+") and not region:
        return None
    try:
        num = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _leading_zero(ref: str, exp: str) -> bool:
    """DESIGN #4, read narrowly: both are digit strings (separators allowed), the export has no '+', and
    their digits are equal once leading zeros are stripped."""
    r, e = _norm(ref), _norm(exp)
    if "+" in e or not (_digitish(r) and _digitish(e)):
        return False
    dr, de = _digits(r), _digits(e)
    return dr != de and dr.lstrip("0") == de.lstrip("0") and dr.lstrip("0") != ""


def _same(ref: str, exp: str, ftype: str, region: str | None) -> bool:
    """Whether normalisation makes the two values equal (DESIGN's 'Normalisation')."""
    r, e = _norm(ref), _norm(exp)
    if r == e:
        return True
    if ftype == EMAIL:
        return r.casefold() == e.casefold()
    if ftype == PHONE:
        if _leading_zero(r, e):
            return False
        er, ee = _e164(r, region), _e164(e, region)
        if er and ee:
            return er == ee
        return bool(_digits(r)) and _digits(r) == _digits(e) and not (r.startswith("+") or e.startswith("+"))
    if ftype == INSTANT:
        a, b = parse_instant(r), parse_instant(e)
        return a is not None and b is not None and a == b
    if ftype == DATE:
        return r[:10] == e[:10] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[:10]) is not None
    if ftype in (DECIMAL, PERCENT):
        a, b = parse_number(r), parse_number(e)
        return a is not None and b is not None and a == b
    return False


_ENCODINGS = ("gbk", "gb18030", "big5", "latin-1", "cp1252")


def _encoding_loss(ref: str, exp: str) -> bool:
    r, e = _norm(ref), _norm(exp)
    if r.isascii():
        return False
    raw = r.encode("utf-8")
    for codec in _ENCODINGS:
        try:
            if raw.decode(codec) == e:
                return True
        except UnicodeDecodeError:
            pass
    if "\ufffd" in e:
        return True
    if (
        len(r) == len(e)
        and "?" in e
        and all(a == b or (b == "?" and not a.isascii()) for a, b in zip(r, e, strict=True))
    ):
        return True
    return e == "".join(c for c in r if ord(c) <= 0xFFFF)


def _truncation(ref: str, exp: str) -> bool:
    r, e = _norm(ref), _norm(exp)
    for tail in ("…", "..."):
        if e.endswith(tail) and len(e) > len(tail):
            e = e[: -len(tail)].rstrip()
            break
    return e != "" and len(e) < len(r) and r.startswith(e)


def classify(
    ref: str | None, exp: str | None, ftype: str = STRING, *, region: str | None = None
) -> str | None:
    """None when the raw values are equal, ``"format"`` when only normalisation tells them apart,
    else the defect kind DESIGN's ordered table assigns (first match wins)."""
    ref, exp = ref or "", exp or ""
    if ref == exp:
        return None
    if (is_empty(ref) and is_empty(exp)) or _same(ref, exp, ftype, region):
        return FORMAT
    if not is_empty(ref) and is_empty(exp):
        return "missing_value"
    a, b = parse_number(ref), parse_number(exp)
    if a is not None and b is not None and a != b:
        return "numeric_precision"
    if ftype == INSTANT:
        ta, tb = parse_instant(ref), parse_instant(exp)
        if ta is not None and tb is not None:
            delta = abs((ta - tb).total_seconds())
            if 0 < delta <= 14 * 3600 and delta % 900 == 0:
                return "timezone_shift"
    if _leading_zero(ref, exp):
        return "leading_zero"
    if ftype == STRING and not is_empty(ref):
        if _encoding_loss(ref, exp):
            return "encoding"
        if _truncation(ref, exp):
            return "truncated"
    return "value_changed"


# ---- the planter ------------------------------------------------------------------------------------


def field_types(obj: str, columns: list[str]) -> dict[str, str]:
    """Canonical type per column; custom ``x_`` fields and unknown columns are strings."""
    from portcheck.schema import load_schema

    try:
        odef = load_schema()[obj]
    except KeyError:
        return {c: STRING for c in columns}
    out = {}
    for c in columns:
        fdef = odef.get(c)
        out[c] = fdef.type if fdef is not None else STRING
    return out


def _fmt_offset(minutes: int) -> str:
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def _shift_offset(value: str) -> str | None:
    text = _norm(value)
    dt = parse_instant(text)
    if dt is None:
        return None
    m = _OFFSET.search(text)
    wall = text[: m.start()] if m else text
    old = int(dt.utcoffset().total_seconds() // 60) if m else 0
    new = old - 480 if old >= 0 else old + 480
    return wall + _fmt_offset(new)


def _mojibake(value: str) -> str | None:
    raw = value.encode("utf-8")
    for codec in ("gbk", "cp1252"):
        try:
            out = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if out != value:
            return out
    return raw.decode("gbk", errors="replace")


def _defect_value(kind: str, value: str, ftype: str) -> str | None:
    """The export value that plants ``kind`` in a cell holding ``value``, or None when it cannot."""
    v = _norm(value)
    if v == "":
        return None
    if kind == "missing_value":
        return ""
    if kind == "numeric_precision":
        if re.match(r"[+-]?0\d", v):
            return None
        if ftype == PHONE and v.isdigit() and len(v) >= 8:
            return format(Decimal(v), ".5E")  # a spreadsheet took the phone number for a number
        if ftype == STRING and v.isdigit() and len(v) >= 12:
            return format(Decimal(v), ".5E")  # what Excel shows for a 19-digit ID: 3.38893E+18
        if ftype not in (DECIMAL, PERCENT):
            return None
        n = parse_number(v)
        if n is None:
            return None
        if n != n.to_integral_value():
            return str(n.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return f"{v}.0000001" if "." not in v else f"{v}0000001"
    if kind == "timezone_shift":
        return _shift_offset(v) if ftype == INSTANT else None
    if kind == "leading_zero":
        if ftype not in (PHONE, STRING) or not _digitish(v):
            return None
        out = re.sub(r"^(\(?)0+(?=\d)", r"\1", v)
        return out if out != v else None
    if kind == "encoding":
        return _mojibake(v) if ftype == STRING and not v.isascii() else None
    if kind == "truncated":
        if ftype != STRING or len(v) < 2:
            return None
        cut = _TRUNCATE_AT if len(v) > _TRUNCATE_AT else len(v) // 2
        out = v[:cut]
        if "?" in out or "\ufffd" in out or out.strip() == "":
            return None
        return out
    if kind == "value_changed":
        return f"{v} (copy)" if ftype in (STRING, EMAIL) else None
    raise ValueError(kind)


def _format_value(kind: str, value: str, ftype: str, region: str | None) -> str | None:
    v = value
    if _norm(v) == "":
        return None
    if kind == "format_email":
        return v.upper() if ftype == EMAIL and v.upper() != v else None
    if kind == "format_phone":
        if ftype != PHONE:
            return None
        import phonenumbers

        text = _norm(v)
        try:
            num = phonenumbers.parse(text, None if text.startswith("+") else region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(num):
            return None
        style = phonenumbers.PhoneNumberFormat
        out = phonenumbers.format_number(num, style.E164 if text.startswith("+") else style.INTERNATIONAL)
        return out if out != text else None
    if kind == "format_instant":
        dt = parse_instant(v) if ftype == INSTANT else None
        if dt is None or not _OFFSET.search(_norm(v)):
            return None
        return (
            dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            + (f".{dt.microsecond:06d}" if dt.microsecond else "")
            + "Z"
        )
    if kind == "format_decimal":
        n = parse_number(v) if ftype == DECIMAL else None
        if n is None or n.as_tuple().exponent < -2:
            return None
        return f"{n:,.2f}"
    if kind == "format_spaces":
        return f"{v} " if ftype == STRING else None
    raise ValueError(kind)


def _robust(kind: str, before: str, after: str) -> bool:
    """Whether a planted cell stays in its kind under any reading of the leading-zero rule."""
    if kind not in ("encoding", "truncated", "value_changed"):
        return True
    db, da = _digits(before).lstrip("0"), _digits(after).lstrip("0")
    return _digits(before) == "" or db != da


def _parse_counts(counts: Mapping, objects: list[str]) -> dict[str, dict[str, int | dict[str, int]]]:
    if any(k in OBJECTS for k in counts):
        nested = {obj: dict(counts.get(obj, {})) for obj in objects}
    else:
        nested = {obj: dict(counts) for obj in objects}
    for per in nested.values():
        for kind in per:
            if kind not in ALL_KINDS:
                raise PlantError(f"unknown kind {kind!r}; known: {', '.join(ALL_KINDS)}")
    return nested


def load_canonical(folder: str | os.PathLike) -> dict[str, list[dict[str, str]]]:
    """Read customer.csv / contact.csv / opportunity.csv (UTF-8) from a folder, values as strings."""
    out: dict[str, list[dict[str, str]]] = {}
    for obj in OBJECTS:
        path = Path(folder) / f"{obj}.csv"
        if path.is_file():
            with open(path, encoding="utf-8-sig", newline="") as fh:
                out[obj] = [dict(row) for row in csv.DictReader(fh)]
    return out


def write_canonical(rows: Mapping[str, list[dict[str, str]]], folder: str | os.PathLike) -> list[Path]:
    """Write each object as ``<object>.csv``: UTF-8, header of field names, minimal quoting, LF line ends."""
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    written = []
    for obj, records in rows.items():
        columns: dict[str, None] = {}
        for r in records:
            columns.update(dict.fromkeys(r))
        path = base / f"{obj}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(list(columns))
            for r in records:
                writer.writerow([r.get(c) or "" for c in columns])
        written.append(path)
    return written


def small_dataset(
    n_customers: int = 100, seed: int = 0, lang: str = "mixed"
) -> dict[str, list[dict[str, str]]]:
    """A realistic canonical dataset without deliberate traps: 3 contacts and 2 opportunities per customer."""
    from portcheck.canary.dataset import build_canary

    return build_canary(seed, n_customers, lang, traps=False).rows


def plant(
    dataset: Mapping[str, list[dict[str, str]]] | str | os.PathLike,
    *,
    counts: Mapping,
    seed: int = 0,
    pair_on: Mapping[str, str] | None = None,
    protect: Mapping[str, list[str]] | None = None,
) -> tuple[dict[str, list[dict[str, str]]], PlantLog]:
    """Plant exactly ``counts`` defects (see the module docstring) and return ``(export_rows, log)``.

    The input is never modified. Export rows keep the reference's order; a duplicate follows its
    original; extra records come last.
    """
    from portcheck.canary.dataset import PRIMARY_KEYS

    reference = load_canonical(dataset) if isinstance(dataset, (str, os.PathLike)) else dict(dataset)
    rng = random.Random(f"portcheck-planter:{seed}")
    objects = [o for o in OBJECTS if o in reference] + [o for o in reference if o not in OBJECTS]
    wanted = _parse_counts(counts, objects)
    pairing = {obj: (pair_on or {}).get(obj) or PRIMARY_KEYS.get(obj, "id") for obj in objects}
    log = PlantLog(seed=seed, pairing=pairing)
    export: dict[str, list[dict[str, str]]] = {}
    removed_keys: dict[str, set[str]] = {}
    for obj in objects:
        export[obj] = _plant_object(
            obj,
            reference[obj],
            pairing[obj],
            wanted.get(obj, {}),
            rng,
            seed,
            log,
            removed_keys,
            (protect or {}).get(obj, []),
        )
    return export, log


def _plant_object(
    obj: str,
    rows: list[dict[str, str]],
    key: str,
    per: Mapping,
    rng: random.Random,
    seed: int,
    log: PlantLog,
    removed_keys: dict[str, set[str]],
    protect: list[str],
) -> list[dict[str, str]]:
    """Plant one object's share of the counts; returns its export rows (see :func:`plant`)."""
    from portcheck.canary.dataset import PRIMARY_KEYS

    columns = list(dict.fromkeys(c for r in rows for c in r))
    types = field_types(obj, columns)
    fks = {c for c in columns if c.endswith("_id") and c != key and c in PRIMARY_KEYS.values()}
    locked = {key, PRIMARY_KEYS.get(obj, key), *fks, *_NEVER, *protect}
    editable = [c for c in columns if c not in locked]
    n_rows = len(rows)

    def amount(kind: str) -> int:
        v = per.get(kind, 0)
        return sum(v.values()) if isinstance(v, Mapping) else int(v)

    # Record-level: removals first, then the rows that will be copied.
    order = list(range(n_rows))
    rng.shuffle(order)
    n_remove, n_dup, n_dupkey = amount("remove"), amount("duplicate"), amount("duplicate_key")
    if n_remove + n_dup + n_dupkey > n_rows:
        raise PlantError(
            f"{obj} has {n_rows} records: cannot remove {n_remove} and duplicate {n_dup + n_dupkey}"
        )
    removed = sorted(order[:n_remove])
    dup = sorted(order[n_remove : n_remove + n_dup])
    dupkey = sorted(order[n_remove + n_dup : n_remove + n_dup + n_dupkey])
    removed_set = set(removed)
    log.removed[obj] = [rows[i][key] for i in removed]
    removed_keys[obj] = set(log.removed[obj])
    live = [i for i in range(n_rows) if i not in removed_set]

    new_rows: dict[int, dict[str, str]] = {}
    used: set[tuple[int, str]] = set()

    def region_of(i: int) -> str | None:
        return (rows[i].get("country") or "").strip().upper() or None

    def try_cell(i: int, col: str, kind: str, strict: bool) -> Planted | None:
        if (i, col) in used:
            return None
        before = rows[i].get(col) or ""
        ftype = types[col]
        if kind in DEFECT_KINDS:
            after = _defect_value(kind, before, ftype)
            if after is None or (strict and not _robust(kind, before, after)):
                return None
            if classify(before, after, ftype, region=region_of(i)) != kind:
                return None
        else:
            after = _format_value(kind, before, ftype, region_of(i))
            if after is None or classify(before, after, ftype, region=region_of(i)) != FORMAT:
                return None
        return Planted(obj, rows[i][key], col, kind, before, after)

    def pick(kind: str, n: int, fields: list[str]) -> list[tuple[int, Planted]]:
        chosen: list[tuple[int, Planted]] = []
        if n <= 0:
            return chosen
        if not fields or not live:
            raise PlantError(f"no {obj} cell can take {kind}")
        for _ in range(40 * n + 400):  # random probing first: cheap on large tables
            i, col = live[rng.randrange(len(live))], fields[rng.randrange(len(fields))]
            p = try_cell(i, col, kind, strict=True)
            if p is not None:
                used.add((i, col))
                chosen.append((i, p))
                if len(chosen) == n:
                    return chosen
        for strict in (True, False):  # then every cell, in a seeded order
            cells = [(i, c) for i in live for c in fields]
            rng.shuffle(cells)
            for i, col in cells:
                p = try_cell(i, col, kind, strict)
                if p is not None:
                    used.add((i, col))
                    chosen.append((i, p))
                    if len(chosen) == n:
                        return chosen
        raise PlantError(f"only {len(chosen)} {obj} cells can take {kind}, {n} asked")

    for kind in DEFECT_KINDS + FORMAT_KINDS:
        spec = per.get(kind, 0)
        targets = spec.items() if isinstance(spec, Mapping) else [(None, spec)]
        for col, n in targets:
            if col is not None and col not in editable:
                raise PlantError(f"{obj}.{col} cannot take planted values (absent, or a key)")
            for i, p in pick(kind, int(n), [col] if col else editable):
                row = new_rows.setdefault(i, dict(rows[i]))
                row[p.field] = p.after
                (log.cells if kind in DEFECT_KINDS else log.formats).append(p)

    out: list[dict[str, str]] = []
    dup_set, dupkey_set = set(dup), set(dupkey)
    log.duplicated[obj], log.duplicated_keys[obj] = [], []
    for i in live:
        row = new_rows.get(i, rows[i])
        out.append(row)
        if i in dup_set:
            out.append(dict(row))
            log.duplicated[obj].append(row[key])
        elif i in dupkey_set:
            copy = dict(row)
            col = next((c for c in editable if types[c] == STRING and _norm(copy.get(c))), None)
            if col is None:
                raise PlantError(f"a {obj} record has no text field to vary in a same-key duplicate")
            copy[col] = f"{_norm(copy[col])} (duplicate)"
            out.append(copy)
            log.duplicated_keys[obj].append(row[key])
    log.extra[obj] = []
    taken = {r.get(key) for r in rows}
    for k in range(amount("extra")):
        template = _extra_template(rows, live, fks, removed_keys, rng)
        extra = dict(template)
        new_key = f"XTRA{seed}-{obj[:3].upper()}{k + 1:05d}"
        while new_key in taken:
            new_key += "X"
        taken.add(new_key)
        extra[key] = new_key
        if "x_canary_id" in extra:
            extra["x_canary_id"] = new_key
        token = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
        for c in ("name", "full_name", "first_name", "last_name"):
            if c in extra:
                extra[c] = token.capitalize() if c != "last_name" else token[::-1]
        for c in columns:
            if types.get(c) == EMAIL and extra.get(c):
                extra[c] = f"{token}@extra.invalid"
            if types.get(c) == PHONE or c == "tax_id":
                extra[c] = ""
        out.append(extra)
        log.extra[obj].append(new_key)
    return out


def _extra_template(rows, live, fks, removed_keys, rng) -> dict[str, str]:
    """A live record whose parents are all kept, so an extra record never adds an orphan."""
    if not live:
        raise PlantError("cannot add extra records to an object whose records are all removed")
    for _ in range(200):
        row = rows[live[rng.randrange(len(live))]]
        parents_ok = all(row.get(fk) not in removed_keys.get(fk[: -len("_id")], set()) for fk in fks)
        if parents_ok:
            return row
    raise PlantError("no record with kept parents to copy as an extra record")


def expected_figures(reference: Mapping[str, list[dict[str, str]]], log: PlantLog) -> dict[str, dict]:
    """The figures a correct comparison of ``plant()``'s export against ``reference`` reports, per object.

    Follows DESIGN's counting rules: compared cells are, for each paired record, each reference field
    except the pairing key where either side has a value; defects and format differences are the logged
    ones. Rates are exact fractions (``Fraction``), None when the denominator is zero.
    """
    planted: dict[tuple[str, str, str], Planted] = {
        (p.object, p.key, p.field): p for p in log.cells + log.formats
    }
    out: dict[str, dict] = {}
    for obj, rows in reference.items():
        key = log.pairing.get(obj)
        removed = set(log.removed.get(obj, []))
        columns = [c for c in dict.fromkeys(c for r in rows for c in r) if c != key]
        fields = {c: {"compared": 0, "matched": 0} for c in columns}
        for r in rows:
            k = r.get(key)
            if k in removed:
                continue
            for c in columns:
                before = r.get(c) or ""
                p = planted.get((obj, k, c))
                after = p.after if p else before
                if is_empty(before) and is_empty(after):
                    continue
                fields[c]["compared"] += 1
                if p is None or p.kind in FORMAT_KINDS:
                    fields[c]["matched"] += 1
        fields = {c: f for c, f in fields.items() if f["compared"]}
        for f in fields.values():
            f["rate"] = Fraction(f["matched"], f["compared"])
        compared = sum(f["compared"] for f in fields.values())
        matched = sum(f["matched"] for f in fields.values())
        n_ref, n_removed = len(rows), len(removed)
        dup_keys = len(log.duplicated.get(obj, [])) + len(log.duplicated_keys.get(obj, []))
        n_extra = len(log.extra.get(obj, []))
        fmt: dict[str, int] = {}
        for p in log.formats:
            if p.object == obj:
                fmt[p.field] = fmt.get(p.field, 0) + 1
        out[obj] = {
            "records": {
                "reference": n_ref,
                "export": n_ref - n_removed + n_extra + dup_keys,
                "matched": n_ref - n_removed,
                "missing": n_removed,
                "extra": n_extra,
            },
            "completeness": Fraction(n_ref - n_removed, n_ref) if n_ref else None,
            "duplicates": {"keys": dup_keys, "rows": len(log.duplicated.get(obj, []))},
            "fidelity": {
                "compared": compared,
                "matched": matched,
                "rate": Fraction(matched, compared) if compared else None,
                "fields": fields,
            },
            "defects": log.counts(obj),
            "format_differences": dict(sorted(fmt.items())),
        }
    return out
