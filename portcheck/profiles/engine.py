"""Applying a profile to raw tables: which table is which object, column → field, keys, links, conversions.

Everything here works on whole Arrow columns. The steps, per object (customer, then contact, then
opportunity, so that links can find their parents):

1. *claim* raw tables: the first table rule of the object that matches (file/sheet/JSON path/type, and the
   column conditions); tables no rule claims are offered by their headers (at least two columns and half of
   them recognised, including a key or required field);
2. *map* columns: per field, the first spelling found (exact, then ignoring case, spaces, ``_`` and ``*``,
   and envelope prefixes such as ``properties.``); unmapped data columns become ``x_<name>`` custom fields;
3. *key*: the key column, else the rule's key (``from`` a field, or a ``template`` with the row number);
4. drop rows marked deleted/archived (counted), rows the rule requires and lack, and repeated keys of a
   ``dedupe`` rule;
5. *convert*: null tokens, date-times, dates, value maps, scaling, IDs (Salesforce 18 → 15 characters,
   prefixes such as ``zcrm_`` removed), ``full_name`` derived from first/last name;
6. *link*: each foreign key value is resolved to a parent key — by ID, by ``@ref`` reference, or by name.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portcheck.profiles import convert
from portcheck.profiles.spec import KeySpec, ObjectSpec, Profile, TableRule
from portcheck.schema import DATE, INSTANT, OBJECTS, load_schema

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.canonical import CanonicalDataset, RowSources
    from portcheck.readers.interface import ExportSource, RawTable

# The names of these objects' "display name" fields, for links by name.
NAME_FIELDS = {"customer": "name", "contact": "full_name", "opportunity": "name"}


def norm_col(name: str) -> str:
    """A column name for loose matching: NFKC, case-folded, ``*`` (required marks) and spacing removed."""
    s = unicodedata.normalize("NFKC", str(name)).strip().strip("*").strip()
    s = re.sub(r"[\s_]+", " ", s)
    return s.casefold()


def custom_name(column: str, prefixes: tuple[str, ...] = ()) -> str:
    """``x_<name>`` for an unmapped column (kept as written when it already starts with ``x_``).

    Envelope prefixes (``properties.``) are dropped, so an API page and a UI export name a field alike.
    """
    if column.startswith("x_"):
        return column
    for p in prefixes:
        if column.startswith(p) and len(column) > len(p):
            column = column[len(p):]
            break
    s = unicodedata.normalize("NFKC", column).strip().casefold()
    s = re.sub(r"[^\w]+", "_", s).strip("_")
    return f"x_{s or 'column'}"


def _glob(patterns: tuple[str, ...], value: str | None) -> bool:
    if not value:
        return False
    v = unicodedata.normalize("NFKC", value).casefold()
    return any(fnmatch.fnmatchcase(v, unicodedata.normalize("NFKC", p).casefold()) for p in patterns)


def sheet_of(raw: RawTable) -> str | None:
    sheet = raw.meta.get("sheet") if raw.meta else None
    if sheet:
        return str(sheet)
    if "#" in raw.name and raw.format in ("xlsx", "xls", "xlsm", "ods"):
        return raw.name.rsplit("#", 1)[1]
    return None


def basename(raw: RawTable) -> str:
    name = raw.source.name if raw.source else raw.name
    return name.rsplit("/", 1)[-1]


class ColumnIndex:
    """Finds a table's column by any spelling: exact, then loose (see :func:`norm_col`), prefixes ignored."""

    def __init__(self, columns: list[str], prefixes: tuple[str, ...] = ()) -> None:
        self.columns = list(columns)
        self.exact = {c: c for c in columns}
        self.loose: dict[str, str] = {}
        for c in columns:
            self.loose.setdefault(norm_col(c), c)
        for c in columns:
            for p in prefixes:
                if c.startswith(p) and len(c) > len(p):
                    self.exact.setdefault(c[len(p):], c)
                    self.loose.setdefault(norm_col(c[len(p):]), c)

    def find(self, spelling: str, used: set[str] | None = None) -> tuple[str | None, float]:
        used = used or set()
        c = self.exact.get(spelling)
        if c is not None and c not in used:
            return c, 1.0
        c = self.loose.get(norm_col(spelling))
        if c is not None and c not in used:
            return c, 0.9
        return None, 0.0

    def has(self, spelling: str) -> bool:
        return self.find(spelling)[0] is not None


PICK_RE = re.compile(r"^(.+)\[(\d+)\]\.([^.\[\]]+)$")  # 'associations.companies.results[0].id'


def match_fields(index: ColumnIndex, fields: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, float]]:
    """Field → (column, confidence). Exact spellings are matched before loose ones; a column feeds one field.

    A spelling ``column[i].key`` picks ``key`` of the i-th object in a column holding a JSON list (the JSON
    reader writes lists as their JSON text); the column returned is then that same ``column[i].key``.
    """
    used: set[str] = set()
    out: dict[str, tuple[str, float]] = {}
    for loose in (False, True):
        for fname, spellings in fields.items():
            if fname in out:
                continue
            for sp in spellings:
                pick = PICK_RE.match(sp)
                base = pick.group(1) if pick else sp
                c = index.exact.get(base) if not loose else index.loose.get(norm_col(base))
                if c is None:
                    continue
                if pick:
                    c = f"{c}[{pick.group(2)}].{pick.group(3)}"
                if c not in used:
                    out[fname] = (c, 0.9 if loose else 1.0)
                    used.add(c)
                    break
    return out


def base_column(column: str) -> str:
    pick = PICK_RE.match(column)
    return pick.group(1) if pick else column


def column_values(table: pa.Table, column: str) -> pa.Array:
    """A column by name, or ``column[i].key`` picked from JSON list text (vectorised, through DuckDB)."""
    if column in table.column_names:
        return convert.as_string(table.column(column))
    pick = PICK_RE.match(column)
    if pick is None:
        raise KeyError(column)
    import duckdb
    import pyarrow as pa

    values = pa.table({"v": convert.as_string(table.column(pick.group(1)))})
    path = f"$[{int(pick.group(2))}].{pick.group(3)}"
    con = duckdb.connect()
    try:
        con.register("t", values)
        literal = "'" + path.replace("'", "''") + "'"
        rel = con.sql("SELECT CASE WHEN json_valid(v) THEN json_extract_string(v, "
                      f"{literal}) END AS x FROM t")
        out = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    finally:
        con.close()
    return convert.as_string(out.column("x"))


def visible_columns(raw: RawTable, rule: TableRule | None) -> list[str]:
    cols = list(raw.table.column_names)
    if rule is not None and rule.columns:
        cols = [c for c in cols if _glob(rule.columns, c)]
    return cols


def _type_column(raw: RawTable, profile: Profile) -> str | None:
    idx = ColumnIndex(list(raw.table.column_names))
    for tc in profile.type_columns:
        c, _ = idx.find(tc)
        if c is not None:
            return c
    return None


def rule_matches(rule: TableRule, raw: RawTable, profile: Profile) -> bool:
    ident = False
    has_ident = bool(rule.files or rule.sheets or rule.json_paths or rule.types)
    if rule.files and (_glob(rule.files, basename(raw)) or _glob(rule.files, raw.name)):
        ident = True
    if not ident and rule.sheets and _glob(rule.sheets, sheet_of(raw)):
        ident = True
    if not ident and rule.json_paths and _glob(rule.json_paths, str(raw.meta.get("json_path") or "")):
        ident = True
    if not ident and rule.types:
        tc = _type_column(raw, profile)
        if tc is not None:
            import pyarrow.compute as pc

            ident = bool(pc.any(pc.is_in(raw.table.column(tc), value_set=_str_array(rule.types))).as_py())
    if has_ident and not ident:
        return False
    idx = ColumnIndex(list(raw.table.column_names), profile.column_prefixes)
    if rule.columns_any and not any(idx.has(c) for c in rule.columns_any):
        return False
    if rule.columns_all and not all(idx.has(c) for c in rule.columns_all):
        return False
    return has_ident or bool(rule.columns_any or rule.columns_all)


def _str_array(values: Any) -> pa.Array:
    import pyarrow as pa

    return pa.array([str(v) for v in values], pa.string())


@dataclass
class Claim:
    object: str
    rule: TableRule | None  # None: claimed by its headers
    how: str  # 'rule' | 'headers'


@dataclass
class Plan:
    """Which raw table feeds which object, and how (also used for detection and `inspect`)."""

    claims: dict[int, list[Claim]] = field(default_factory=dict)  # table index -> claims


def header_claim(raw: RawTable, profile: Profile) -> tuple[str, float] | None:
    """The object a table's headers say it holds, with the share of columns recognised."""
    schema = load_schema()
    best: tuple[str, float] | None = None
    cols = list(raw.table.column_names)
    if not cols:
        return None
    idx = ColumnIndex(cols, profile.column_prefixes)
    for obj, spec in profile.objects.items():
        m = match_fields(idx, spec.fields)
        if len(m) < 2:
            continue
        odef = schema[obj]
        if not any(f in m for f in (odef.primary_key, *odef.required)):
            continue
        share = len(m) / len(cols)
        if share >= 0.5 and (best is None or share > best[1]):
            best = (obj, share)
    return best


def make_plan(source: ExportSource, profile: Profile) -> Plan:
    plan = Plan()
    for i, raw in enumerate(source.tables):
        if basename(raw).casefold() == "canary.json":
            continue  # a canary set's manifest, not data
        claims: list[Claim] = []
        for obj in OBJECTS:
            spec = profile.objects.get(obj)
            if spec is None:
                continue
            for rule in spec.tables:
                if rule_matches(rule, raw, profile):
                    claims.append(Claim(obj, rule, "rule"))
                    break
        if not claims:
            hc = header_claim(raw, profile)
            if hc is not None:
                claims.append(Claim(hc[0], None, "headers"))
        if claims:
            plan.claims[i] = claims
    return plan


# --------------------------------------------------------------------------------------------- mapping


@dataclass
class _Part:
    """One raw table's contribution to an object."""

    table: pa.Table
    source: str
    mapped: list[str]
    unmapped: list[str]
    deleted: int
    raw_rows: int


def _control_columns(raw: RawTable, profile: Profile, spec: ObjectSpec, cols: list[str]) -> set[str]:
    idx = ColumnIndex(cols, profile.column_prefixes)
    ctl: set[str] = set()
    for name in (*profile.type_columns, *spec.deleted_columns, *profile.ignore_columns, *spec.ignore_columns):
        c, _ = idx.find(name)
        if c is not None:
            ctl.add(c)
        ctl.update(c for c in cols if _glob((name,), c) and any(ch in name for ch in "*?["))
    return ctl


def _map_table(raw: RawTable, claim: Claim, spec: ObjectSpec, profile: Profile, n_offset: int,
               include_deleted: bool = False) -> _Part:
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = load_schema()
    odef = schema[spec.name]
    cols = visible_columns(raw, claim.rule)
    table = raw.table
    raw_rows = table.num_rows
    # Rows of another type (a JSON list mixing objects) are not this object's, nor are the columns only
    # those rows fill.
    if claim.rule is not None and claim.rule.types:
        tc = _type_column(raw, profile)
        if tc is not None:
            keep = pc.fill_null(pc.is_in(table.column(tc), value_set=_str_array(claim.rule.types)), False)
            if not pc.all(keep).as_py():
                table = table.filter(keep)
                cols = [c for c in cols if table.column(c).null_count < table.num_rows]
            raw_rows = table.num_rows
    idx = ColumnIndex(cols, profile.column_prefixes)
    matches = match_fields(idx, spec.fields)
    control = _control_columns(raw, profile, spec, cols)
    length = table.num_rows
    out: dict[str, pa.Array] = {}
    for fname, (col, _) in matches.items():
        out[fname] = convert.nullify(column_values(table, col), profile.null_tokens)
    # The key: its column, else the table rule's or the object's key rule.
    pk = odef.primary_key
    key_rule: KeySpec = (claim.rule.key if claim.rule is not None and claim.rule.key else None) or spec.key
    if pk not in out:
        if key_rule.from_field and key_rule.from_field in out:
            out[pk] = out[key_rule.from_field]
        elif key_rule.template:
            prefix, _, suffix = key_rule.template.partition("{n}")
            n = pa.array(range(n_offset + 1, n_offset + length + 1), pa.int64())
            out[pk] = pc.binary_join_element_wise(prefix, pc.cast(n, pa.string()), suffix, "")
    # Unmapped data columns are kept as custom fields.
    used = {base_column(c) for c, _ in matches.values()} | control
    unmapped = [c for c in cols if c not in used]
    for c in unmapped:
        name = custom_name(c, profile.column_prefixes)
        while name in out:
            name += "_"
        out[name] = convert.nullify(convert.as_string(table.column(c)), profile.null_tokens)
    result = pa.table(out) if out else _no_columns(length)
    # Deleted / archived rows.
    deleted = 0
    if spec.deleted_columns and length:
        flag = None
        for name in spec.deleted_columns:
            c, _ = idx.find(name)
            if c is None:
                c, _ = ColumnIndex(list(table.column_names), profile.column_prefixes).find(name)
            if c is None:
                continue
            v = pc.utf8_lower(pc.utf8_trim_whitespace(convert.as_string(table.column(c))))
            hit = pc.fill_null(pc.is_in(v, value_set=_str_array(spec.deleted_values)), False)
            flag = hit if flag is None else pc.or_(flag, hit)
        if flag is not None:
            deleted = int(pc.sum(pc.cast(flag, pa.int64())).as_py() or 0)
            if not include_deleted:
                result = _filter(result, pc.invert(flag))
    return _Part(result, raw.name, [f for f in matches if not f.startswith("x_")] +
                 ([pk] if pk in out and pk not in matches else []),
                 unmapped, deleted, raw_rows)


def _no_columns(rows: int) -> pa.Table:
    import pyarrow as pa

    return pa.table({"_": pa.nulls(rows, pa.string())}).drop(["_"])


def _filter(table: pa.Table, mask: pa.Array) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    if table.num_columns == 0:
        return _no_columns(int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0))
    return table.filter(mask)


def _require(table: pa.Table, fields: tuple[str, ...]) -> pa.Table:
    import pyarrow.compute as pc

    present = [f for f in fields if f in table.column_names]
    if not fields or table.num_rows == 0:
        return table
    if not present:
        return table.slice(0, 0)
    keep = None
    for f in present:
        has = pc.invert(convert.is_empty(convert.as_string(table.column(f))))
        keep = has if keep is None else pc.or_(keep, has)
    return table.filter(keep)


def _dedupe(table: pa.Table, key: str) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    if key not in table.column_names or table.num_rows == 0:
        return table
    idx = pa.array(range(table.num_rows), pa.int64())
    t = pa.table({"k": table.column(key), "i": idx})
    first = t.group_by("k", use_threads=False).aggregate([("i", "min")]).column("i_min")
    mask = pc.is_in(idx, value_set=first)
    return table.filter(mask)


def _concat(parts: list[pa.Table]) -> pa.Table:
    import pyarrow as pa

    cols: list[str] = []
    for p in parts:
        for c in p.column_names:
            if c not in cols:
                cols.append(c)
    fixed = []
    for p in parts:
        arrays = [p.column(c) if c in p.column_names else pa.nulls(p.num_rows, pa.string()) for c in cols]
        fixed.append(pa.table(dict(zip(cols, arrays, strict=True)),
                              schema=pa.schema([(c, pa.string()) for c in cols])))
    if not fixed:
        return pa.table({})
    return pa.concat_tables(fixed).combine_chunks()


def _convert_object(table: pa.Table, spec: ObjectSpec, profile: Profile) -> pa.Table:
    import pyarrow as pa

    schema = load_schema()
    odef = schema[spec.name]
    id_fields = {odef.primary_key, *odef.foreign_keys}
    cols = {}
    for name in table.column_names:
        arr = convert.as_string(table.column(name))
        fdef = odef.get(name)
        if fdef is not None and fdef.type == INSTANT:
            arr = convert.to_instant(arr, order=profile.date_order, epoch=profile.epoch,
                                     excel_serial=profile.excel_serial)
        elif fdef is not None and fdef.type == DATE:
            arr = convert.to_date(arr, order=profile.date_order, epoch=profile.epoch,
                                  excel_serial=profile.excel_serial)
        if name in spec.scale:
            arr = convert.apply_scale(arr, spec.scale[name])
        if name in spec.value_maps:
            arr = convert.apply_value_map(arr, spec.value_maps[name])
        if name in id_fields:
            arr = convert.strip_prefixes(arr, profile.id_strip_prefixes)
            if profile.ids == "salesforce":
                arr = convert.salesforce_15(arr)
        cols[name] = arr
    wants = spec.full_name == "derive" or (spec.full_name == "missing" and "full_name" not in cols)
    if spec.name == "contact" and wants and ("first_name" in cols or "last_name" in cols):
        derived = convert.derive_full_name(cols.get("first_name"), cols.get("last_name"), table.num_rows)
        if "full_name" in cols:
            import pyarrow.compute as pc

            cols["full_name"] = pc.if_else(convert.is_empty(cols["full_name"]), derived, cols["full_name"])
        else:
            cols["full_name"] = derived
    return pa.table(cols, schema=pa.schema([(c, pa.string()) for c in cols])) if cols else table


def _resolve_links(table: pa.Table, spec: ObjectSpec, parents: dict[str, pa.Table]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = load_schema()
    odef = schema[spec.name]
    for fk, parent_obj in odef.foreign_keys.items():
        if fk not in table.column_names:
            continue
        parent = parents.get(parent_obj)
        by = spec.links.get(fk, ("id",))
        values = convert.as_string(table.column(fk))
        if parent is None or schema[parent_obj].primary_key not in parent.column_names:
            if "ref" in by:
                values = _strip_at(values)
            table = table.set_column(table.column_names.index(fk), fk, values)
            continue
        if "ref" not in by and "name" not in by:
            table = table.set_column(table.column_names.index(fk), fk, values)
            continue  # links by ID only: values stay as written (nothing to resolve them through)
        keys = convert.as_string(parent.column(schema[parent_obj].primary_key))
        key_set = pc.unique(keys.filter(pc.is_valid(keys)))
        resolved = pc.fill_null(pc.is_in(values, value_set=key_set), False)
        out = values
        if "ref" in by and not pc.all(resolved).as_py():
            stripped = _strip_at(values)
            hit = pc.and_(pc.invert(resolved), pc.fill_null(pc.is_in(stripped, value_set=key_set), False))
            out = pc.if_else(hit, stripped, out)
            resolved = pc.or_(resolved, hit)
            # An unresolved reference still loses its '@' so that it reads like the key it points at.
            out = pc.if_else(resolved, out, stripped)
        name_field = NAME_FIELDS.get(parent_obj)
        if "name" in by and name_field in parent.column_names and not pc.all(resolved).as_py():
            names = convert.as_string(parent.column(name_field))
            t = pa.table({"n": pc.utf8_trim_whitespace(names), "k": keys,
                          "i": pa.array(range(parent.num_rows), pa.int64())})
            t = t.filter(pc.and_(pc.is_valid(t.column("n")), pc.is_valid(t.column("k"))))
            firsts = t.group_by("n", use_threads=False).aggregate([("i", "min")])
            name_values = firsts.column("n")
            name_keys = pc.take(keys, firsts.column("i_min"))
            pos = pc.index_in(pc.utf8_trim_whitespace(values), value_set=name_values)
            hit = pc.and_(pc.invert(resolved), pc.is_valid(pos))
            hit = pc.fill_null(hit, False)
            out = pc.if_else(hit, pc.take(name_keys, pc.fill_null(pos, 0)), out)
        table = table.set_column(table.column_names.index(fk), fk, out)
    return table


def _strip_at(values: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    starts = pc.fill_null(pc.starts_with(values, "@"), False)
    return pc.if_else(starts, pc.utf8_slice_codeunits(values, 1), values)


def _declared(raws: list[RawTable], rows_read: int) -> dict[str, int] | None:
    totals = [r.declared.total for r in raws if r.declared is not None and r.declared.total is not None]
    if not totals:
        return None
    if len(totals) > 1 and len(set(totals)) == 1:
        declared = totals[0]  # pages of one query repeat the same total
    else:
        declared = sum(totals)
    read = sum(r.rows for r in raws if r.declared is not None and r.declared.total is not None)
    del rows_read
    return {"declared": int(declared), "read": int(read)}


def _repeated(table: pa.Table, key: str, row_sources: RowSources) -> int:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if key not in table.column_names or len(row_sources.names()) < 2:
        return 0
    number = {name: i for i, name in enumerate(row_sources.names())}
    source = np.repeat([number[name] for name, _ in row_sources.runs], [n for _, n in row_sources.runs])
    t = pa.table({"k": table.column(key), "s": pa.array(source)})
    t = t.filter(pc.is_valid(t.column("k")))
    g = t.group_by("k", use_threads=False).aggregate([("s", "count_distinct")])
    return int(pc.sum(pc.cast(pc.greater(g.column("s_count_distinct"), 1), pa.int64())).as_py() or 0)


def apply_profile(source: ExportSource, profile: Profile, *, timezone: str | None = None,
                  region: str | None = None, include_deleted: bool = False,
                  detection: dict | None = None) -> CanonicalDataset:
    """Map an export's raw tables to canonical tables with ``profile``."""

    from portcheck.canonical import CanonicalDataset, CanonicalTable, InventoryEntry, RowSources

    schema = load_schema()
    plan = make_plan(source, profile)
    zone = timezone or profile.timezone or "UTC"
    reg = region or profile.region
    objects: dict[str, CanonicalTable | None] = {o: None for o in OBJECTS}
    parents: dict[str, pa.Table] = {}
    for obj in OBJECTS:
        spec = profile.objects.get(obj)
        if spec is None:
            continue
        pk = schema[obj].primary_key
        parts: list[_Part] = []
        raws: list[RawTable] = []
        offset = 0
        for i, raw in enumerate(source.tables):
            for claim in plan.claims.get(i, []):
                if claim.object != obj:
                    continue
                part = _map_table(raw, claim, spec, profile, offset, include_deleted)
                offset += part.raw_rows
                if claim.rule is not None and claim.rule.require_any:
                    part.table = _require(part.table, claim.rule.require_any)
                if claim.rule is not None and claim.rule.dedupe:
                    part.table = _dedupe(part.table, pk)
                parts.append(part)
                raws.append(raw)
        if not parts:
            continue
        table = _concat([p.table for p in parts])
        row_sources = RowSources([(p.source, p.table.num_rows) for p in parts])
        if table.num_columns == 0:
            table = _no_columns(len(row_sources))
        table = _convert_object(table, spec, profile)
        table = _resolve_links(table, spec, parents)
        table = _order_columns(table, obj)
        parents[obj] = table
        mapped: list[str] = []
        unmapped: list[str] = []
        for p in parts:
            mapped += [f for f in p.mapped if f not in mapped]
            unmapped += [c for c in p.unmapped if c not in unmapped]
        if obj == "contact" and "full_name" in table.column_names and "full_name" not in mapped:
            mapped.append("full_name")
        objects[obj] = CanonicalTable(
            object=obj, table=table, sources=[p.source for p in parts], mapped_fields=mapped,
            unmapped_columns=unmapped, deleted=sum(p.deleted for p in parts),
            declared=_declared(raws, table.num_rows),
            repeated_across_pages=_repeated(table, pk, row_sources) if len(parts) > 1 else 0,
            timezone=zone, region=reg, row_sources=row_sources)
    inventory = []
    for i, raw in enumerate(source.tables):
        claims = plan.claims.get(i, [])
        inventory.append(InventoryEntry(name=raw.name, rows=raw.rows,
                                        mapped_to=",".join(c.object for c in claims) or None,
                                        format=raw.format, columns=raw.table.num_columns,
                                        issues=list(raw.issues)))
    for name, reason in source.skipped:
        inventory.append(InventoryEntry(name=name, rows=0, mapped_to=None, format="unread", columns=0,
                                        issues=[reason]))
    natural = {}
    for obj, spec in profile.objects.items():
        keys = [spec.crosswalk] if spec.crosswalk else []
        keys += [k for k in spec.natural_keys if k != spec.crosswalk]
        if keys:
            natural[obj] = keys
    det = dict(detection or {"method": "given"})
    det.setdefault("profile", profile.name)
    crosswalk = {o: s.crosswalk for o, s in profile.objects.items() if s.crosswalk}
    if crosswalk:
        det["crosswalk"] = crosswalk
    return CanonicalDataset(
        role=source.role, root=source.root, profile_name=profile.name, profile_sha256=profile.sha256,
        objects=objects, inputs=list(source.files), inventory=inventory, detection=det,
        value_maps=profile.value_maps(), null_tokens=tuple(profile.null_tokens), natural_keys=natural)


def _order_columns(table: pa.Table, obj: str) -> pa.Table:
    order = list(load_schema()[obj].field_names)
    cols = [c for c in order if c in table.column_names] + [c for c in table.column_names if c not in order]
    return table.select(cols) if cols else table
