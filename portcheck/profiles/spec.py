"""The declarative profile format: what a profile (or a user's mapping file) may say, validated.

A profile is a YAML (or TOML) file. Every part is optional in a user mapping; a mapping extends a built-in
profile (``--profile X --mapping M``, or ``extends: X`` inside M) or stands alone. Lists are merged with the
mapping's entries first (so they win), mappings key by key, scalars replaced. The full format::

    name: salesforce                 # profile name (built-ins: canonical, salesforce, hubspot, zoho, wukong)
    vendor: Salesforce
    description: one line
    formats: [Data Export ZIP/CSV, …]  # shown by `portcheck profiles`
    extends: _common                 # another profile this one builds on
    timezone: UTC                    # zone of naive date-times (IANA name); --timezone overrides
    region: US                       # default phone region (ISO 3166 alpha-2); --region overrides
    null_tokens: ["False", "(none)"] # cell values that mean empty
    ids: salesforce                  # plain | salesforce (18-char IDs emitted in their 15-char form)
    id_strip_prefixes: [zcrm_]       # removed from key and link values
    dates: {order: MDY, epoch: auto, excel_serial: true}   # how non-ISO dates are read
    type_columns: [attributes.type]  # where a JSON record says what it is
    column_prefixes: [properties.]   # envelope prefixes ignored when matching column names
    ignore_columns: [attributes.url] # columns that are envelope, not data (not kept as x_ fields)
    transforms: [{unquote_formulas: true, formats: [csv]}]   # raw-table repairs (see transforms.py)
    value_maps: {is_primary: {是: true, 否: false}}   # for every object that has the field
    detect: {columns: [IsDeleted], files: ["Account*.csv"]}   # extra evidence for auto-detection
    objects:
      customer:
        tables:                      # which raw tables hold this object; any rule may match
          - files: ["Account*.csv", "客户*.xls*"]   # globs on the file name, case-insensitive
            sheets: ["Accounts", "客户"]             # globs on the sheet name
            json_paths: [records]                   # the reader's record path
            types: [Account]                        # value of a type column (type_columns)
            columns_any: ["Account: Account Name"]  # the table has at least one of these columns
            columns_all: []
            columns: ["Account: *"]                 # globs: the only columns this object takes
            key: {from: name}                       # override of the object's key rule for this table
            dedupe: true                            # keep the first row of each key
            require_any: [name]                     # drop rows where all these fields are empty
        fields:                      # canonical field (or x_<name>) -> spellings, first found wins
          customer_id: [Id, Account ID, 客户ID]
          name: [Name, Account Name, 客户名称]
        key: {template: "AccountRef{n}"}   # when no key column: n = 1-based row; or {from: name}
        links: {customer_id: {by: [id, ref, name]}}   # how a foreign key finds its parent
        value_maps: {stage: {Closed Won: won}}
        deleted: {columns: [IsDeleted, archived], values: ["true", "1"]}
        full_name: derive            # from first/last name: derive (when empty), missing (only when the
                                     # export has no full-name column), none
        crosswalk: x_legacy_id       # a legacy ID the new system kept (pairs with the reference's key)
        natural_keys: [name]         # fields to pair on when keys differ between systems
        scale: {probability: "100"}  # multiply (e.g. 0-1 probabilities to 0-100)
        ignore_columns: []
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portcheck.errors import ProfileError
from portcheck.profiles.files import HINT, line_of
from portcheck.schema import OBJECTS, load_schema

TOP_KEYS = {"profile", "name", "vendor", "description", "formats", "extends", "timezone", "region",
            "null_tokens", "ids", "id_strip_prefixes", "dates", "type_columns", "column_prefixes",
            "ignore_columns", "value_maps", "detect", "objects", "transforms"}
OBJECT_KEYS = {"tables", "fields", "key", "links", "value_maps", "deleted", "full_name", "crosswalk",
               "natural_keys", "scale", "ignore_columns"}
TABLE_KEYS = {"files", "sheets", "json_paths", "types", "columns_any", "columns_all", "columns", "key",
              "dedupe", "require_any"}
KEY_KEYS = {"template", "from"}
LINK_KEYS = {"by"}
LINK_BY = {"id", "ref", "name"}
DELETED_KEYS = {"columns", "values"}
DATES_KEYS = {"order", "epoch", "excel_serial"}
DETECT_KEYS = {"columns", "files", "sheets", "types"}
ID_STYLES = {"plain", "salesforce"}
DATE_ORDERS = {"MDY", "DMY", "YMD"}
EPOCHS = {"auto", "ms", "s", "none"}
CUSTOM_RE = re.compile(r"^x_[^\s]+$")


# ------------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class KeySpec:
    template: str | None = None  # 'AccountRef{n}'
    from_field: str | None = None  # a canonical field whose value is the key


@dataclass(frozen=True)
class TableRule:
    files: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    json_paths: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    columns_any: tuple[str, ...] = ()
    columns_all: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # globs: the only columns this object takes from the table
    key: KeySpec | None = None
    dedupe: bool = False
    require_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    tables: tuple[TableRule, ...] = ()
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    key: KeySpec = KeySpec()
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # fk field -> by
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    deleted_columns: tuple[str, ...] = ()
    deleted_values: tuple[str, ...] = ("true", "1")
    full_name: str = "derive"
    crosswalk: str | None = None
    natural_keys: tuple[str, ...] = ()
    scale: dict[str, str] = field(default_factory=dict)
    ignore_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    vendor: str = ""
    description: str = ""
    formats: tuple[str, ...] = ()
    timezone: str = "UTC"
    region: str | None = None
    null_tokens: tuple[str, ...] = ()
    ids: str = "plain"
    id_strip_prefixes: tuple[str, ...] = ()
    date_order: str = "YMD"
    epoch: str = "auto"
    excel_serial: bool = True
    type_columns: tuple[str, ...] = ()
    column_prefixes: tuple[str, ...] = ()
    ignore_columns: tuple[str, ...] = ()
    detect_columns: tuple[str, ...] = ()
    detect_files: tuple[str, ...] = ()
    detect_sheets: tuple[str, ...] = ()
    detect_types: tuple[str, ...] = ()
    objects: dict[str, ObjectSpec] = field(default_factory=dict)
    sha256: str = ""
    files: tuple[str, ...] = ()  # the files it was built from (built-in names or paths)
    raw: dict = field(default_factory=dict, compare=False, repr=False)  # merged source, for `profiles show`

    def value_maps(self) -> dict[str, dict[str, dict[str, str]]]:
        return {o: dict(spec.value_maps) for o, spec in self.objects.items() if spec.value_maps}


# ------------------------------------------------------------------------------------------- validation


class _V:
    """Validates one file's data, naming the file and the line of the offending key."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: Any, key: Any, problem: str) -> None:
        line = line_of(where, key)
        at = f", line {line}" if line else ""
        raise ProfileError(f"{self.name}{at}: {problem}", hint=HINT)

    def mapping(self, parent: Any, key: Any, value: Any, what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(parent, key, f"{what} must be a mapping (key: value lines), not {_kind(value)}")
        return value

    def strings(self, parent: Any, key: Any, value: Any, what: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                                   for v in value):
            self.fail(parent, key, f"{what} must be a text or a list of texts, not {_kind(value)}")
        return [str(v) for v in value]

    def string(self, parent: Any, key: Any, value: Any, what: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(parent, key, f"{what} must be a text, not {_kind(value)}")
        return str(value)

    def unknown(self, data: dict, allowed: set[str], what: str) -> None:
        for k in data:
            if k not in allowed:
                self.fail(data, k, f"unknown key {k!r} in {what} (allowed: {', '.join(sorted(allowed))})")


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    names = {dict: "a mapping", list: "a list", str: "a text", bool: "true/false"}
    return names.get(type(value), type(value).__name__)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def validate(data: dict, name: str) -> None:
    """Check one profile or mapping file's structure; raise ProfileError naming the file, line and problem."""
    v = _V(name)
    schema = load_schema()
    v.unknown(data, TOP_KEYS, "the file")
    for k in ("name", "vendor", "description", "extends", "timezone", "region"):
        if k in data:
            v.string(data, k, data[k], k)
    for k in ("formats", "null_tokens", "id_strip_prefixes", "type_columns", "column_prefixes",
              "ignore_columns"):
        if k in data:
            v.strings(data, k, data[k], k)
    if "timezone" in data and data["timezone"]:
        _check_zone(v, data, "timezone", str(data["timezone"]))
    if "ids" in data and data["ids"] not in ID_STYLES:
        v.fail(data, "ids", f"ids must be one of {', '.join(sorted(ID_STYLES))}, not {data['ids']!r}")
    if "dates" in data:
        dates = v.mapping(data, "dates", data["dates"], "dates")
        v.unknown(dates, DATES_KEYS, "dates")
        if "order" in dates and str(dates["order"]).upper() not in DATE_ORDERS:
            v.fail(dates, "order", f"dates.order must be one of MDY, DMY, YMD, not {dates['order']!r}")
        if "epoch" in dates and str(dates["epoch"]) not in EPOCHS:
            v.fail(dates, "epoch", f"dates.epoch must be one of {', '.join(sorted(EPOCHS))}")
        if "excel_serial" in dates and not isinstance(dates["excel_serial"], bool):
            v.fail(dates, "excel_serial", "dates.excel_serial must be true or false")
    if "detect" in data:
        det = v.mapping(data, "detect", data["detect"], "detect")
        v.unknown(det, DETECT_KEYS, "detect")
        for k, val in det.items():
            v.strings(det, k, val, f"detect.{k}")
    if "transforms" in data:
        from portcheck.profiles.transforms import validate as validate_transforms

        validate_transforms(v, data, "transforms", data["transforms"])
    all_fields = {f for o in OBJECTS for f in schema[o].field_names}
    if "value_maps" in data:
        vm = v.mapping(data, "value_maps", data["value_maps"], "value_maps")
        for fname, m in vm.items():
            if fname not in all_fields and not CUSTOM_RE.match(str(fname)):
                v.fail(vm, fname, f"unknown canonical field {fname!r} in value_maps")
            _check_value_map(v, vm, fname, m, schema, None)
    if "objects" in data:
        objs = v.mapping(data, "objects", data["objects"], "objects")
        for oname, ospec in objs.items():
            if oname not in OBJECTS:
                v.fail(objs, oname, f"unknown object {oname!r} (the objects are {', '.join(OBJECTS)})")
            if ospec is None:
                continue
            _validate_object(v, oname, v.mapping(objs, oname, ospec, f"objects.{oname}"), schema)


def _check_zone(v: _V, parent: Any, key: str, zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        v.fail(parent, key, f"unknown time zone {zone!r} (use an IANA name such as Asia/Shanghai or UTC)")


def _check_value_map(v: _V, parent: Any, fname: Any, m: Any, schema: Any, obj: str | None) -> None:
    m = v.mapping(parent, fname, m, f"the value map of {fname!r}")
    for raw, canon in m.items():
        if isinstance(canon, (dict, list)):
            v.fail(m, raw, f"value map {fname!r}: {raw!r} must map to a text, not {_kind(canon)}")
    if fname == "stage":
        from portcheck.schema import STAGES

        for raw, canon in m.items():
            if _scalar_text(canon) not in STAGES:
                v.fail(m, raw, f"value map 'stage': {_scalar_text(canon)!r} is not a canonical stage "
                               f"({', '.join(STAGES)})")


def _field_ok(schema: Any, obj: str, fname: Any) -> bool:
    return isinstance(fname, str) and (fname in schema[obj].field_names or bool(CUSTOM_RE.match(fname)))


def _validate_key(v: _V, parent: Any, k: Any, value: Any, obj: str, schema: Any) -> None:
    key = v.mapping(parent, k, value, f"{obj}.key")
    v.unknown(key, KEY_KEYS, f"objects.{obj}.key")
    if "template" in key:
        t = v.string(key, "template", key["template"], "key.template") or ""
        if "{n}" not in t:
            v.fail(key, "template", "key.template must contain {n} (the 1-based row number)")
    if "from" in key and not _field_ok(schema, obj, key["from"]):
        v.fail(key, "from", f"unknown canonical field {key['from']!r} for object {obj} in key.from")


def _validate_object(v: _V, obj: str, spec: dict, schema: Any) -> None:
    v.unknown(spec, OBJECT_KEYS, f"objects.{obj}")
    if "fields" in spec:
        fields = v.mapping(spec, "fields", spec["fields"], f"objects.{obj}.fields")
        for fname, spellings in fields.items():
            if not _field_ok(schema, obj, fname):
                v.fail(fields, fname, f"unknown canonical field {fname!r} for object {obj} "
                                      f"(fields are {', '.join(schema[obj].field_names)}, or x_<name>)")
            v.strings(fields, fname, spellings, f"the spellings of {obj}.{fname}")
    if "tables" in spec:
        tables = spec["tables"]
        if isinstance(tables, dict):
            tables = [tables]
        if not isinstance(tables, list):
            v.fail(spec, "tables", f"objects.{obj}.tables must be a list of rules, not {_kind(tables)}")
        for rule in tables:
            rule = v.mapping(spec, "tables", rule, f"a table rule of {obj}")
            v.unknown(rule, TABLE_KEYS, f"a table rule of {obj}")
            for k in ("files", "sheets", "json_paths", "types", "columns_any", "columns_all", "columns",
                      "require_any"):
                if k in rule:
                    v.strings(rule, k, rule[k], k)
            for f in v.strings(rule, "require_any", rule.get("require_any"), "require_any"):
                if not _field_ok(schema, obj, f):
                    v.fail(rule, "require_any", f"unknown canonical field {f!r} for object {obj}")
            if "key" in rule:
                _validate_key(v, rule, "key", rule["key"], obj, schema)
            if "dedupe" in rule and not isinstance(rule["dedupe"], bool):
                v.fail(rule, "dedupe", "dedupe must be true or false")
    if "key" in spec:
        _validate_key(v, spec, "key", spec["key"], obj, schema)
    if "links" in spec:
        links = v.mapping(spec, "links", spec["links"], f"objects.{obj}.links")
        fks = schema[obj].foreign_keys
        for fk, link in links.items():
            if fk not in fks:
                v.fail(links, fk, f"{fk!r} is not a link of {obj} (links: {', '.join(fks) or 'none'})")
            link = v.mapping(links, fk, link, f"the link {obj}.{fk}")
            v.unknown(link, LINK_KEYS, f"the link {obj}.{fk}")
            for by in v.strings(link, "by", link.get("by"), "by"):
                if by not in LINK_BY:
                    v.fail(link, "by", f"links resolve by id, ref or name, not {by!r}")
    if "value_maps" in spec:
        vm = v.mapping(spec, "value_maps", spec["value_maps"], f"objects.{obj}.value_maps")
        for fname, m in vm.items():
            if not _field_ok(schema, obj, fname):
                v.fail(vm, fname, f"unknown canonical field {fname!r} for object {obj} in value_maps")
            _check_value_map(v, vm, fname, m, schema, obj)
    if "deleted" in spec:
        d = v.mapping(spec, "deleted", spec["deleted"], f"objects.{obj}.deleted")
        v.unknown(d, DELETED_KEYS, f"objects.{obj}.deleted")
        v.strings(d, "columns", d.get("columns"), "deleted.columns")
        if "values" in d:
            vals = d["values"]
            if not isinstance(vals, list):
                vals = [vals]
            for x in vals:
                if isinstance(x, (dict, list)):
                    v.fail(d, "values", "deleted.values must be a list of texts")
    if "full_name" in spec and spec["full_name"] not in ("derive", "missing", "none"):
        v.fail(spec, "full_name", "full_name must be derive, missing or none")
    if "crosswalk" in spec:
        cw = v.string(spec, "crosswalk", spec["crosswalk"], "crosswalk")
        if cw is not None and not _field_ok(schema, obj, cw):
            v.fail(spec, "crosswalk", f"crosswalk must name a field of {obj} (usually x_<name>), not {cw!r}")
    if "natural_keys" in spec:
        for f in v.strings(spec, "natural_keys", spec["natural_keys"], "natural_keys"):
            if not _field_ok(schema, obj, f):
                v.fail(spec, "natural_keys", f"unknown canonical field {f!r} for object {obj}")
    if "scale" in spec:
        sc = v.mapping(spec, "scale", spec["scale"], f"objects.{obj}.scale")
        for fname, factor in sc.items():
            if not _field_ok(schema, obj, fname):
                v.fail(sc, fname, f"unknown canonical field {fname!r} for object {obj} in scale")
            try:
                from decimal import Decimal

                Decimal(str(factor))
            except Exception:  # noqa: BLE001 - decimal raises several kinds
                v.fail(sc, fname, f"scale of {fname!r} must be a number, not {factor!r}")
    if "ignore_columns" in spec:
        v.strings(spec, "ignore_columns", spec["ignore_columns"], "ignore_columns")


# ------------------------------------------------------------------------------------------------ merge


def merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings key by key, lists with ``over``'s entries first, scalars replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, val in over.items():
            out[k] = merge(base[k], val) if k in base else val
        return out
    if isinstance(base, list) and isinstance(over, list):
        if all(isinstance(x, dict) for x in over + base):
            return list(over) + list(base)  # table rules: the mapping's first
        seen: list = []
        for x in list(over) + list(base):
            if x not in seen:
                seen.append(x)
        return seen
    if isinstance(over, list) and isinstance(base, str):
        return merge([base], over)
    if isinstance(base, list) and isinstance(over, str):
        return merge(base, [over])
    return over


# ------------------------------------------------------------------------------------------------ build


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(_scalar_text(x) for x in value)
    return (_scalar_text(value),)


def _key(value: Any) -> KeySpec | None:
    if not value:
        return None
    return KeySpec(template=value.get("template"), from_field=value.get("from"))


def _vmap(m: dict) -> dict[str, str]:
    return {_scalar_text(k): _scalar_text(val) for k, val in m.items()}


def build(data: dict, *, sha256: str = "", files: tuple[str, ...] = ()) -> Profile:
    """Turn validated (and merged) data into a :class:`Profile`."""
    global_maps = {str(f): _vmap(m) for f, m in (data.get("value_maps") or {}).items()}
    schema = load_schema()
    objects: dict[str, ObjectSpec] = {}
    for oname, spec in (data.get("objects") or {}).items():
        spec = spec or {}
        tables = spec.get("tables") or []
        if isinstance(tables, dict):
            tables = [tables]
        rules = tuple(TableRule(
            files=_strs(r.get("files")), sheets=_strs(r.get("sheets")), json_paths=_strs(r.get("json_paths")),
            types=_strs(r.get("types")), columns_any=_strs(r.get("columns_any")),
            columns_all=_strs(r.get("columns_all")), columns=_strs(r.get("columns")), key=_key(r.get("key")),
            dedupe=bool(r.get("dedupe")),
            require_any=_strs(r.get("require_any"))) for r in tables)
        maps = {f: m for f, m in global_maps.items() if f in schema[oname].field_names}
        for f, m in (spec.get("value_maps") or {}).items():
            maps[str(f)] = {**maps.get(str(f), {}), **_vmap(m)}
        deleted = spec.get("deleted") or {}
        objects[oname] = ObjectSpec(
            name=oname, tables=rules,
            fields={str(f): _strs(s) for f, s in (spec.get("fields") or {}).items()},
            key=_key(spec.get("key")) or KeySpec(),
            links={str(fk): _strs((link or {}).get("by")) or ("id",)
                   for fk, link in (spec.get("links") or {}).items()},
            value_maps=maps,
            deleted_columns=_strs(deleted.get("columns")),
            deleted_values=tuple(x.lower() for x in _strs(deleted.get("values"))) or ("true", "1"),
            full_name=str(spec.get("full_name") or "derive"),
            crosswalk=spec.get("crosswalk"),
            natural_keys=_strs(spec.get("natural_keys")),
            scale={str(f): _scalar_text(x) for f, x in (spec.get("scale") or {}).items()},
            ignore_columns=_strs(spec.get("ignore_columns")))
    dates = data.get("dates") or {}
    detect = data.get("detect") or {}
    return Profile(
        name=str(data.get("name") or "mapping"), vendor=str(data.get("vendor") or ""),
        description=str(data.get("description") or ""), formats=_strs(data.get("formats")),
        timezone=str(data.get("timezone") or "UTC"),
        region=(str(data["region"]) if data.get("region") else None),
        null_tokens=_strs(data.get("null_tokens")), ids=str(data.get("ids") or "plain"),
        id_strip_prefixes=_strs(data.get("id_strip_prefixes")),
        date_order=str(dates.get("order") or "YMD").upper(), epoch=str(dates.get("epoch") or "auto"),
        excel_serial=bool(dates.get("excel_serial", True)),
        type_columns=_strs(data.get("type_columns")), column_prefixes=_strs(data.get("column_prefixes")),
        ignore_columns=_strs(data.get("ignore_columns")),
        detect_columns=_strs(detect.get("columns")), detect_files=_strs(detect.get("files")),
        detect_sheets=_strs(detect.get("sheets")), detect_types=_strs(detect.get("types")),
        objects=objects, sha256=sha256, files=files, raw=data)
