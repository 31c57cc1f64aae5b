"""Declarative raw-table transforms: vendor-neutral repairs a profile asks for before its columns are mapped.

Some exports are not tables of values yet: positional arrays need column names, a spreadsheet guard
character must be undone, one record spans several rows, a name is an object of translations. A profile (or a
user's mapping) lists such repairs under ``transforms``; each entry names one kind and, optionally, which raw
tables it applies to (``files``, ``sheets`` and ``json_paths`` globs, ``formats``, ``columns_any``). Entries
run in order, on every matching table, before detection scores and before mapping; a mapping's entries come
first (lists merge that way), and the input files are never touched. ``delimiters`` selects CSV files by the
delimiter they were read with (a ``;`` file from a decimal-comma locale)::

    transforms:
      - column_names: [FCUSTID, FNumber, FName]   # positional columns col_1, col_2 … of arrays of arrays
        files: ["BD_Customer*"]
      - unquote_formulas: true                    # "'+33 1 25" → "+33 1 25" (a ' put before = + -)
        formats: [csv]
      - loss_markers:                             # a cell holding this text lost its value: read as empty
          texts: ["The content of this cell is too long for an XLSX file*"]
          reason: "longer than 32,767 characters"
      - fold_rows:                                # a row whose key columns are empty continues the record
          when_empty: [External ID, id]           # above it (one2many lines); its values are appended
          separator: ", "
      - multilingual: {prefer: [zh_CN, en_US]}    # name.zh_CN, name.en_US … → name, in the first language
      - decimal_comma: {columns: [Amount]}        # "1.234,50" → "1234.50"
      - local_dates: {columns: [closeDate]}       # epoch ms/s, or an ISO instant with Z/offset → the
                                                  # calendar day it is in the profile's zone
      - coalesce:                                 # a new column: the first source with a value
          into: stage_derived
          from:
            - {column: statecode, map: {"1": Won, "2": Lost}}   # with a map, only mapped values count
            - {column: stepname}

Everything works on whole Arrow columns; folding runs one DuckDB ``string_agg`` per table.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.profiles.spec import Profile
    from portcheck.readers.interface import ExportSource, RawTable

SELECTOR_KEYS = {"files", "sheets", "json_paths", "formats", "columns_any", "delimiters"}
KINDS = {
    "column_names",
    "unquote_formulas",
    "loss_markers",
    "fold_rows",
    "multilingual",
    "decimal_comma",
    "local_dates",
    "coalesce",
}
POSITIONAL_RE = re.compile(r"^col_(\d+)$")
LANG_RE = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?)$")
FORMULA_RE = r"^'([=+\-])"
EPOCH_MS = r"^\s*-?\d{12,13}\s*$"
EPOCH_S = r"^\s*-?\d{9,10}\s*$"
# "1.234.567,89", "1234,5", "-12,00 €", "€ 1.234,50": group dots (or spaces), one decimal comma.
DECIMAL_COMMA_RE = (
    r"^\s*[^\d\s,.\-]{0,3}\s*-?\s*(?:\d{1,3}(?:[.\s\x{00A0}\x{202F}]\d{3})+|\d+)(?:,\d+)?"
    r"\s*[^\d\s,.\-]{0,3}\s*$"
)


# ----------------------------------------------------------------------------------------------- validation


def validate(v: Any, parent: Any, key: str, entries: Any) -> None:
    """Check a ``transforms`` list; ``v`` is the spec validator (it names the file and the line)."""
    if not isinstance(entries, list):
        v.fail(parent, key, "transforms must be a list of entries (- kind: options)")
    for entry in entries:
        entry = v.mapping(parent, key, entry, "a transforms entry")
        kinds = [k for k in entry if k in KINDS]
        for k in entry:
            if k not in KINDS and k not in SELECTOR_KEYS:
                v.fail(
                    entry,
                    k,
                    f"unknown key {k!r} in a transforms entry (kinds: {', '.join(sorted(KINDS))}; "
                    f"selectors: {', '.join(sorted(SELECTOR_KEYS))})",
                )
        if len(kinds) != 1:
            v.fail(
                parent,
                key,
                "each transforms entry names exactly one kind "
                f"({', '.join(sorted(KINDS))}), not {len(kinds)}",
            )
        for k in SELECTOR_KEYS & set(entry):
            v.strings(entry, k, entry[k], k)
        kind = kinds[0]
        opts = entry[kind]
        if kind == "column_names":
            names = v.strings(
                entry, kind, opts.get("names") if isinstance(opts, dict) else opts, "column_names"
            )
            if not names:
                v.fail(entry, kind, "column_names needs the list of names (the query's FieldKeys, in order)")
        elif kind == "unquote_formulas":
            if not isinstance(opts, bool):
                v.fail(entry, kind, "unquote_formulas must be true or false")
        elif kind == "loss_markers":
            opts = v.mapping(entry, kind, opts, "loss_markers")
            _only(v, opts, {"texts", "reason"}, "loss_markers")
            if not v.strings(opts, "texts", opts.get("texts"), "loss_markers.texts"):
                v.fail(entry, kind, "loss_markers needs texts: the warning texts that replaced a value")
            v.string(opts, "reason", opts.get("reason"), "loss_markers.reason")
        elif kind == "fold_rows":
            opts = v.mapping(entry, kind, opts, "fold_rows")
            _only(v, opts, {"when_empty", "separator"}, "fold_rows")
            if not v.strings(opts, "when_empty", opts.get("when_empty"), "fold_rows.when_empty"):
                v.fail(
                    entry, kind, "fold_rows needs when_empty: the key columns a continuation row leaves empty"
                )
            v.string(opts, "separator", opts.get("separator"), "fold_rows.separator")
        elif kind == "multilingual":
            opts = v.mapping(entry, kind, opts, "multilingual")
            _only(v, opts, {"prefer", "languages"}, "multilingual")
            if not v.strings(opts, "prefer", opts.get("prefer"), "multilingual.prefer"):
                v.fail(entry, kind, "multilingual needs prefer: the language codes to read, best first")
            v.strings(opts, "languages", opts.get("languages"), "multilingual.languages")
        elif kind in ("decimal_comma", "local_dates"):
            opts = v.mapping(entry, kind, opts, kind)
            _only(v, opts, {"columns"}, kind)
            if not v.strings(opts, "columns", opts.get("columns"), f"{kind}.columns"):
                v.fail(entry, kind, f"{kind} needs columns: the source columns it applies to")
        elif kind == "coalesce":
            opts = v.mapping(entry, kind, opts, "coalesce")
            _only(v, opts, {"into", "from"}, "coalesce")
            if not v.string(opts, "into", opts.get("into"), "coalesce.into"):
                v.fail(entry, kind, "coalesce needs into: the name of the column it makes")
            sources = opts.get("from")
            if not isinstance(sources, list) or not sources:
                v.fail(opts, "from", "coalesce.from must be a list of {column: NAME, map: {…}} entries")
            for src in sources:
                src = v.mapping(opts, "from", src, "a coalesce source")
                _only(v, src, {"column", "map"}, "a coalesce source")
                if not v.string(src, "column", src.get("column"), "coalesce source column"):
                    v.fail(opts, "from", "each coalesce source needs column")
                if "map" in src:
                    m = v.mapping(src, "map", src["map"], "a coalesce map")
                    for raw, val in m.items():
                        if isinstance(val, (dict, list)):
                            v.fail(m, raw, "a coalesce map maps a value to a text")


def _only(v: Any, opts: dict, allowed: set[str], what: str) -> None:
    for k in opts:
        if k not in allowed:
            v.fail(opts, k, f"unknown key {k!r} in {what} (allowed: {', '.join(sorted(allowed))})")


# ------------------------------------------------------------------------------------------------ model


@dataclasses.dataclass(frozen=True)
class Transform:
    kind: str
    options: Any
    files: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    json_paths: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    columns_any: tuple[str, ...] = ()
    delimiters: tuple[str, ...] = ()  # CSV delimiters the table must have been read with


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(x) for x in value)
    return (str(value),)


def transforms_of(profile: Profile) -> list[Transform]:
    """The profile's transforms, in the order they run."""
    out = []
    for entry in (profile.raw or {}).get("transforms") or []:
        kind = next(k for k in entry if k in KINDS)
        out.append(
            Transform(
                kind=kind,
                options=entry[kind],
                files=_strs(entry.get("files")),
                sheets=_strs(entry.get("sheets")),
                json_paths=_strs(entry.get("json_paths")),
                formats=tuple(f.lower() for f in _strs(entry.get("formats"))),
                columns_any=_strs(entry.get("columns_any")),
                delimiters=_strs(entry.get("delimiters")),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ apply


def prepare(source: ExportSource, profile: Profile, *, timezone: str | None = None) -> ExportSource:
    """``source`` with the profile's transforms applied (the same object when there are none).

    Tables keep their names and order (so inventory indices still hold); a changed table is a new
    :class:`RawTable` whose ``meta["transforms"]`` lists what was done and whose ``issues`` say what was lost.
    """
    steps = transforms_of(profile)
    if not steps:
        return source
    zone = timezone or profile.timezone or "UTC"
    tables = []
    changed = False
    for raw in source.tables:
        new = raw
        for step in steps:
            if _selected(step, new, profile):
                new = _apply(step, new, profile, zone)
        changed = changed or new is not raw
        tables.append(new)
    if not changed:
        return source
    return dataclasses.replace(source, tables=tables)


def _selected(step: Transform, raw: RawTable, profile: Profile) -> bool:
    from portcheck.profiles.engine import ColumnIndex, _glob, basename, sheet_of

    if step.formats and raw.format.lower() not in step.formats:
        return False
    if step.delimiters and str(raw.meta.get("delimiter") or "") not in step.delimiters:
        return False
    if step.files and not (_glob(step.files, basename(raw)) or _glob(step.files, raw.name)):
        return False
    if step.sheets and not _glob(step.sheets, sheet_of(raw)):
        return False
    if step.json_paths and not _glob(step.json_paths, str(raw.meta.get("json_path") or "")):
        return False
    if step.columns_any:
        idx = ColumnIndex(list(raw.table.column_names), profile.column_prefixes)
        if not any(idx.has(c) for c in step.columns_any):
            return False
    return True


def _apply(step: Transform, raw: RawTable, profile: Profile, zone: str) -> RawTable:
    fn = {
        "column_names": _column_names,
        "unquote_formulas": _unquote,
        "loss_markers": _loss_markers,
        "fold_rows": _fold_rows,
        "multilingual": _multilingual,
        "decimal_comma": _decimal_comma,
        "local_dates": _local_dates,
        "coalesce": _coalesce,
    }[step.kind]
    result = fn(raw, step.options, profile, zone)
    if result is None:
        return raw
    table, note, issues = result
    meta = dict(raw.meta)
    meta["transforms"] = [*meta.get("transforms", []), note]
    return dataclasses.replace(
        raw, table=table, meta=meta, issues=[*raw.issues, *issues], columns=list(table.column_names)
    )


def _find(raw: RawTable, profile: Profile, names: tuple[str, ...] | list[str]) -> list[str]:
    """Columns of ``raw`` named by ``names`` (exact, then loose spellings), in the order given."""
    from portcheck.profiles.engine import ColumnIndex

    idx = ColumnIndex(list(raw.table.column_names), profile.column_prefixes)
    out: list[str] = []
    for n in names:
        c, _ = idx.find(str(n))
        if c is not None and c not in out:
            out.append(c)
    return out


def _string_columns(table: pa.Table) -> list[str]:
    import pyarrow as pa

    return [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, values)
    return table.append_column(name, values)


def _col(table: pa.Table, name: str) -> pa.Array:
    from portcheck.profiles import convert

    return convert.as_string(table.column(name))


# ------------------------------------------------------------------------------------------------- kinds


def _column_names(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """Arrays of arrays: the reader names columns col_1 … col_n; give them the query's field names."""
    cols = list(raw.table.column_names)
    if not cols or not all(POSITIONAL_RE.match(c) for c in cols):
        return None
    names = list(_strs(opts.get("names") if isinstance(opts, dict) else opts))
    order = sorted(cols, key=lambda c: int(POSITIONAL_RE.match(c).group(1)))
    mapping = {
        c: names[int(POSITIONAL_RE.match(c).group(1)) - 1]
        for c in order
        if int(POSITIONAL_RE.match(c).group(1)) <= len(names)
    }
    issues = []
    if len(order) != len(names):
        issues.append(
            f"rows have {len(order)} values but the profile names {len(names)} fields "
            f"({', '.join(names[:4])}{', …' if len(names) > 4 else ''}); check the query's FieldKeys"
        )
    table = raw.table.rename_columns([mapping.get(c, c) for c in cols])
    return table, f"column_names: {len(mapping)} positional columns named", issues


def _unquote(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """Undo the ``'`` an exporter put before values starting ``=``, ``+`` or ``-`` (a formula guard)."""
    import pyarrow.compute as pc

    if not opts:
        return None
    table = raw.table
    count = 0
    for name in _string_columns(table):
        arr = _col(table, name)
        hit = pc.fill_null(pc.match_substring_regex(arr, FORMULA_RE), False)
        n = int(pc.sum(hit).as_py() or 0)
        if n:
            count += n
            table = _set(table, name, pc.replace_substring_regex(arr, pattern=FORMULA_RE, replacement=r"\1"))
    if not count:
        return None
    return table, f"unquote_formulas: {count} cells", []


def _glob_regex(pattern: str) -> str:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return "^" + "".join(parts) + "$"


def _loss_markers(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """A cell that is an exporter's warning text ("too long for an XLSX file") lost its value: null it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = _strs(opts.get("texts"))
    reason = str(opts.get("reason") or "the exporter replaced the value with a warning")
    regex = "|".join(f"(?:{_glob_regex(t)})" for t in texts)
    table = raw.table
    lost: dict[str, int] = {}
    for name in _string_columns(table):
        arr = _col(table, name)
        hit = pc.fill_null(
            pc.match_substring_regex(pc.utf8_trim_whitespace(arr), regex, ignore_case=True), False
        )
        n = int(pc.sum(hit).as_py() or 0)
        if n:
            lost[name] = n
            table = _set(table, name, pc.if_else(hit, pa.scalar(None, pa.string()), arr))
    if not lost:
        return None
    total = sum(lost.values())
    where = ", ".join(f"{c} ({n})" for c, n in lost.items())
    issues = [
        f"{total} cell(s) hold the exporter's warning instead of their value ({reason}): {where}; "
        "read as empty, so each one counts as a lost value"
    ]
    return table, f"loss_markers: {total} cells", issues


def _fold_rows(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """Rows whose key columns are all empty continue the record above: their values are appended to it."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.profiles import convert

    keys = _find(raw, profile, _strs(opts.get("when_empty")))
    table = raw.table
    if not keys or table.num_rows < 2:
        return None
    cont = None
    for k in keys:
        e = convert.is_empty(_col(table, k))
        cont = e if cont is None else pc.and_(cont, e)
    if not pc.any(cont).as_py():
        return None
    sep = str(opts.get("separator") if opts.get("separator") is not None else ", ")
    starts = pc.cast(pc.invert(cont), pa.int64())
    group = pc.cumulative_sum(starts)
    cols = list(table.column_names)
    work = {
        f"c{i}": pc.if_else(convert.is_empty(_col(table, c)), pa.scalar(None, pa.string()), _col(table, c))
        for i, c in enumerate(cols)
    }
    work["g"] = group
    work["i"] = pa.array(range(table.num_rows), pa.int64())
    con = duckdb.connect()
    try:
        con.register("t", pa.table(work))
        literal = "'" + sep.replace("'", "''") + "'"
        aggs = ", ".join(f"string_agg(c{i}, {literal} ORDER BY i) AS c{i}" for i in range(len(cols)))
        rel = con.sql(f"SELECT {aggs} FROM t GROUP BY g ORDER BY g")
        out = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    finally:
        con.close()
    folded = pa.table({c: convert.as_string(out.column(f"c{i}")) for i, c in enumerate(cols)})
    n = table.num_rows - folded.num_rows
    return folded, f"fold_rows: {n} continuation rows folded into their records", []


def _multilingual(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """``name.zh_CN``, ``name.en_US`` … (a JSON object of translations, flattened) → ``name``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    prefer = [p.replace("-", "_").casefold() for p in _strs(opts.get("prefer"))]
    allowed = {p.replace("-", "_").casefold() for p in _strs(opts.get("languages"))} or None
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in raw.table.column_names:
        m = LANG_RE.match(c)
        if not m:
            continue
        lang = m.group("lang").replace("-", "_").casefold()
        if allowed is not None and lang not in allowed and lang not in prefer:
            continue
        if allowed is None and lang not in prefer and "_" not in lang:
            continue  # 'Owner.id' is not a language
        groups.setdefault(m.group("base"), []).append((lang, c))
    table = raw.table
    done = []
    for base, members in groups.items():
        if base in table.column_names:
            continue
        ranked = sorted(members, key=lambda lc: prefer.index(lc[0]) if lc[0] in prefer else len(prefer))
        values = None
        for _, c in ranked:
            arr = _col(table, c)
            arr = pc.if_else(
                pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arr), ""), True),
                pa.scalar(None, pa.string()),
                arr,
            )
            values = arr if values is None else pc.coalesce(values, arr)
        table = table.drop_columns([c for _, c in members]).append_column(base, values)
        done.append(base)
    if not done:
        return None
    return (
        table,
        f"multilingual: {', '.join(done)} read in {prefer[0] if prefer else 'the first language'}",
        [],
    )


def _decimal_comma(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """Locale numbers with a decimal comma (``1.234,50``, ``12,5``) → ``1234.50``; other values unchanged."""
    import pyarrow.compute as pc

    table = raw.table
    done = []
    for name in _find(raw, profile, _strs(opts.get("columns"))):
        arr = _col(table, name)
        hit = pc.fill_null(pc.match_substring_regex(arr, DECIMAL_COMMA_RE), False)
        if not pc.any(hit).as_py():
            continue
        digits = pc.replace_substring_regex(arr, pattern=r"[^0-9,\-]", replacement="")
        plain = pc.replace_substring(digits, pattern=",", replacement=".")
        table = _set(table, name, pc.if_else(hit, plain, arr))
        done.append(name)
    if not done:
        return None
    return table, f"decimal_comma: {', '.join(done)}", []


ISO_INSTANT = (
    r"^\s*(?P<d>\d{4}-\d{2}-\d{2})[T ](?P<t>\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*"
    r"(?P<z>Z|z|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})?)\s*$"
)


def _local_dates(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """Instants that stand for a calendar day → that day in the profile's zone.

    A vendor stores a date as the instant of its midnight in the tenant's zone: 2024-09-30 in Shanghai is
    epoch 1727625600000, or ``2024-09-29T16:00:00.000Z``; read in UTC it would be the day before. Epoch
    milliseconds or seconds, and ISO instants with ``Z`` or an offset, are converted; other values stay.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    table = raw.table
    done = []
    for name in _find(raw, profile, _strs(opts.get("columns"))):
        arr = _col(table, name)
        out = arr
        for regex, factor in ((EPOCH_MS, 1), (EPOCH_S, 1000)):
            hit = pc.fill_null(pc.match_substring_regex(arr, regex), False)
            if not pc.any(hit).as_py():
                continue
            n = pc.cast(pc.utf8_trim_whitespace(pc.if_else(hit, arr, "0")), pa.int64())
            utc = pc.cast(pc.multiply(n, factor), pa.timestamp("ms", tz="UTC"))
            out = pc.if_else(hit, _day_in(utc, zone), out)
        hit = pc.fill_null(pc.match_substring_regex(arr, ISO_INSTANT), False)
        if pc.any(hit).as_py():
            parts = pc.extract_regex(pc.if_else(hit, arr, "2000-01-01T00:00:00Z"), ISO_INSTANT)
            time = parts.field("t")
            time = pc.if_else(
                pc.equal(pc.utf8_length(time), 5), pc.binary_join_element_wise(time, ":00", ""), time
            )
            local = pc.strptime(
                pc.binary_join_element_wise(parts.field("d"), time, "T"),
                format="%Y-%m-%dT%H:%M:%S",
                unit="ms",
            )
            oh = pc.cast(
                pc.fill_null(pc.if_else(pc.equal(parts.field("oh"), ""), "0", parts.field("oh")), "0"),
                pa.int64(),
            )
            om = pc.cast(
                pc.fill_null(pc.if_else(pc.equal(parts.field("om"), ""), "0", parts.field("om")), "0"),
                pa.int64(),
            )
            minutes = pc.add(pc.multiply(oh, 60), om)
            minutes = pc.if_else(pc.equal(parts.field("sign"), "-"), pc.negate(minutes), minutes)
            utc_ms = pc.subtract(pc.cast(local, pa.int64()), pc.multiply(minutes, 60_000))
            utc = pc.cast(utc_ms, pa.timestamp("ms", tz="UTC"))
            out = pc.if_else(hit, _day_in(utc, zone), out)
        if out is not arr:
            table = _set(table, name, out)
            done.append(name)
    if not done:
        return None
    return table, f"local_dates: {', '.join(done)} read as days in {zone}", []


def _day_in(utc: pa.Array, zone: str) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.strftime(pc.cast(utc, pa.timestamp("ms", tz=zone)), format="%Y-%m-%d")


def _coalesce(raw: RawTable, opts: Any, profile: Profile, zone: str):
    """A new column holding, per row, the first source column with a value (mapped values only, if mapped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.profiles import convert

    into = str(opts.get("into"))
    table = raw.table
    values = None
    used = []
    for src in opts.get("from") or []:
        found = _find(raw, profile, [str(src.get("column"))])
        if not found:
            continue
        arr = _col(table, found[0])
        if src.get("map"):
            mapping = {convert._norm_key(str(k)): str(v) for k, v in src["map"].items()}
            arr = convert.apply_value_map(arr, {k: v for k, v in src["map"].items()})
            keys = pa.array(sorted({str(v) for v in mapping.values()}), pa.string())
            arr = pc.if_else(
                pc.fill_null(pc.is_in(arr, value_set=keys), False), arr, pa.scalar(None, pa.string())
            )
        arr = pc.if_else(convert.is_empty(arr), pa.scalar(None, pa.string()), arr)
        values = arr if values is None else pc.coalesce(values, arr)
        used.append(found[0])
    if values is None:
        return None
    return _set(table, into, values), f"coalesce: {into} from {', '.join(used)}", []
