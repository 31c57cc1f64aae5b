"""JSON, JSONL/NDJSON and folders of API pages: find the record list, flatten it, keep what the envelope says.

Where the records are (first match wins; ``ReadOptions.json_path`` overrides, dotted, ``$`` for the root):

===========================  ===============================================================
``records``                  Salesforce query results and sfdx data-tree files
``results``                  HubSpot CRM v3 pages
``data`` (a list)            Zoho CRM pages (with ``info``), many Chinese CRM APIs
``value``                    Microsoft Dynamics / Dataverse (OData)
``data.dataList``            纷享销客 (Fxiaoke)
``data.list``                悟空CRM and other ``{code, data: {list, totalRow}}`` APIs
``data.records`` … ``items``  other common shapes
a bare list                  JSON arrays, Kingdee ``ExecuteBillQuery`` (arrays of arrays)
===========================  ===============================================================

Otherwise the one list of objects or arrays found within three levels is used; none, or several, is an
error naming the candidates and ``--json-path``.

Values are text: strings as they are, numbers as their literal text (``1.10`` stays ``1.10``,
``3388926000000166021`` stays exact), booleans ``true``/``false``, ``null`` a null. Nested objects flatten to
dotted names (``Owner.name``, ``properties.email``, ``attributes.type``); lists become their JSON text.
Arrays of arrays take ``ReadOptions.column_names``, else ``col_1`` ….

Declared totals (``totalSize``, ``@odata.count``, ``total``, ``totalRow``, ``info.count``, ``row_count`` …)
and paging state (``done``, ``info.more_records``, ``nextRecordsUrl``, ``paging.next.after``,
``@odata.nextLink``) go to ``RawTable.declared``.

Pages: files of one folder whose names differ only in their numbers (``contacts-1.json``,
``contacts-2.json`` …) and whose records sit at the same path are joined into one table, in numeric order;
its total is the first page's (``info.count``, a per-page count, is summed), its paging state the last
page's.
"""

from __future__ import annotations

import json
import re
from typing import Any

from portcheck.errors import LimitExceeded, ReadError
from portcheck.readers import encoding as enc
from portcheck.readers._common import column_names
from portcheck.readers.interface import DeclaredTotal, RawTable, ReadOptions, SourceFile

KNOWN_PATHS: list[tuple[str, ...]] = [
    ("records",),
    ("results",),
    ("data",),
    ("value",),
    ("data", "dataList"),
    ("data", "list"),
    ("data", "records"),
    ("data", "rows"),
    ("data", "items"),
    ("data", "data"),
    ("items",),
    ("rows",),
    ("list",),
    ("dataList",),
]
TOTAL_KEYS: list[tuple[str, ...]] = [
    ("totalSize",),
    ("@odata.count",),
    ("totalRow",),
    ("totalCount",),
    ("total_count",),
    ("totalRecords",),
    ("row_count",),
    ("total",),
    ("info", "count"),
    ("page", "total"),
    ("paging", "total"),
]
PER_PAGE_TOTALS = {"info.count"}
CURSOR_KEYS: list[tuple[str, ...]] = [
    ("nextRecordsUrl",),
    ("paging", "next", "after"),
    ("@odata.nextLink",),
    ("info", "next_page_token"),
    ("next_page_token",),
    ("nextPageToken",),
    ("next_cursor",),
]
MORE_KEYS: list[tuple[str, ...]] = [("info", "more_records"), ("has_more",), ("hasMore",), ("more_records",)]
DEPTH_HINT = (
    "if the file is genuinely that deep, raise the limit with --max-json-depth or PORTCHECK_MAX_JSON_DEPTH"
)


class NoRecordList(ReadError):
    """A JSON document in which no list of records can be found."""


class Number(str):
    """A JSON number, kept as its literal text."""

    __slots__ = ()


def read_json(
    data: bytes, source: SourceFile, name: str, options: ReadOptions, *, suffix: str = ".json"
) -> list[RawTable]:
    """Read one JSON or JSON Lines file into its record table (a list with one :class:`RawTable`)."""
    if not data.strip():
        raise ReadError(f"{name} is empty", hint="ask for the export again")
    text, detected, decode_issues = _decode(data, name, options)
    fmt = "jsonl" if suffix in (".jsonl", ".ndjson") else "json"
    repeated = _RepeatedKeys()
    if fmt == "json":
        try:
            doc = _loads(text, name, options, repeated)
        except _ExtraData:
            fmt = "jsonl"
    if fmt == "jsonl":
        repeated = _RepeatedKeys()
        doc = _load_lines(text, name, options, repeated)
        path: tuple[str, ...] | None = ()
        records = doc
    else:
        path, records = find_records(doc, name, options.json_path)
    parent_depth = len(path or ())
    table, header, issues = records_table(records, name, options, base_depth=parent_depth + 1)
    if repeated.objects:
        issues.insert(0, repeated.issue())
    issues[:0] = decode_issues
    declared = declared_total(doc, path or ()) if fmt == "json" else None
    json_path = ".".join(path) if path else "$"
    meta: dict[str, Any] = {
        "json_path": json_path,
        "encoding": detected.encoding,
        "confidence": detected.confidence,
        "encoding_method": detected.method,
        "encoding_alternatives": detected.alternatives,
    }
    table_name = name if not path else f"{name}#{json_path}"
    return [
        RawTable(
            name=table_name,
            source=source,
            format=fmt,
            table=table,
            columns=header,
            meta=meta,
            declared=declared,
            issues=issues,
        )
    ]


class _ExtraData(Exception):
    pass


class _RepeatedKeys:
    """``object_pairs_hook`` that notices objects holding a key more than once (JSON keeps the last value)."""

    def __init__(self) -> None:
        self.objects = 0
        self.keys: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(pairs)
        if len(d) != len(pairs):
            self.objects += 1
            if len(self.keys) < 5:
                seen: set[str] = set()
                for k, _v in pairs:
                    if k in seen and k not in self.keys:
                        self.keys.append(k)
                    seen.add(k)
        return d

    def issue(self) -> str:
        names = ", ".join(repr(k) for k in self.keys)
        n = self.objects
        return (
            f"{n:,} object{'s' if n != 1 else ''} hold{'s' if n == 1 else ''} the same key more than once "
            f"({names}); only the last value of each is read"
        )


def _decode(data: bytes, name: str, options: ReadOptions) -> tuple[str, enc.Detected, list[str]]:
    """(text, detected encoding, issues about the decoding)."""
    detected = enc.detect(data, options.encoding, name=name)
    if detected.encoding == "utf-8" and detected.method == "utf-8":
        try:
            return data.decode("utf-8"), detected, []
        except UnicodeDecodeError:  # valid at the start only; Chinese vendors do write GBK JSON
            detected = enc.detect_legacy(data, name=name, near_first_non_utf8=True)
    if detected.method in ("detector", "fallback"):
        imperfect = enc.decode_imperfect(data, name=name)  # UTF-8 with a character cut short, or a mix
        if imperfect is not None:
            return imperfect
    return enc.decode(data, detected, name=name), detected, []


def _loads(text: str, name: str, options: ReadOptions, repeated: _RepeatedKeys | None = None) -> Any:
    try:
        return json.loads(
            text, parse_int=Number, parse_float=Number, parse_constant=Number, object_pairs_hook=repeated
        )
    except RecursionError as e:
        raise _too_deep(name, options) from e
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":
            raise _ExtraData() from e
        raise ReadError(
            f"{name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})",
            hint="the download may be incomplete: download the export again",
        ) from e


def _load_lines(
    text: str, name: str, options: ReadOptions, repeated: _RepeatedKeys | None = None
) -> list[Any]:
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(
                json.loads(
                    line,
                    parse_int=Number,
                    parse_float=Number,
                    parse_constant=Number,
                    object_pairs_hook=repeated,
                )
            )
        except RecursionError as e:
            raise _too_deep(name, options) from e
        except json.JSONDecodeError as e:
            raise ReadError(
                f"{name} line {lineno} is not valid JSON ({e.msg}, column {e.colno})",
                hint="JSON Lines files hold one complete JSON value per line",
            ) from e
    return out


def _too_deep(name: str, options: ReadOptions) -> LimitExceeded:
    return LimitExceeded(
        f"{name} is nested more than {options.max_json_depth} levels deep (limit max_json_depth)",
        hint=DEPTH_HINT,
    )


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    cur = doc
    for key in path:
        if isinstance(cur, dict) and key in cur:
            cur = cur[key]
        elif isinstance(cur, list) and key.isdigit() and int(key) < len(cur):
            cur = cur[int(key)]
        else:
            return _MISSING
    return cur


_MISSING = object()


def _split_path(doc: Any, text: str) -> tuple[str, ...]:
    """Split a dotted path, keeping keys that themselves contain dots (``@odata.count``) whole."""
    text = text.strip()
    if text in ("", "$", "."):
        return ()
    if text.startswith("$."):
        text = text[2:]
    parts = text.split(".")
    out: list[str] = []
    cur = doc
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # longest key first
            key = ".".join(parts[i:j])
            if isinstance(cur, dict) and key in cur:
                out.append(key)
                cur = cur[key]
                i = j
                break
        else:
            out.append(parts[i])
            cur = _get(cur, (parts[i],))
            i += 1
    return tuple(out)


def find_records(doc: Any, name: str, json_path: str | None = None) -> tuple[tuple[str, ...], list[Any]]:
    """Return (path, record list) for a parsed JSON document; raise :class:`NoRecordList` if there is none."""
    if json_path is not None:
        path = _split_path(doc, json_path)
        found = _get(doc, path)
        if not isinstance(found, list):
            what = (
                "nothing"
                if found is _MISSING
                else f"a {type(found).__name__ if found is not None else 'null'}"
            )
            raise NoRecordList(
                f"{name} has {what} at --json-path '{json_path}', not a list of records",
                hint=_paths_hint(doc),
            )
        return path, found
    if isinstance(doc, list):
        return (), doc
    if not isinstance(doc, dict):
        raise NoRecordList(
            f"{name} holds a single value, not a list of records",
            hint="pass an export of records (an array, or an API page with a record list)",
        )
    for path in KNOWN_PATHS:
        found = _get(doc, path)
        if isinstance(found, list):
            return path, found
    candidates = list(_list_candidates(doc, (), 0))
    if len(candidates) == 1:
        return candidates[0], _get(doc, candidates[0])
    if not candidates:
        raise NoRecordList(
            f"{name} holds no list of records",
            hint="if the records are somewhere portcheck does not look, name the place with "
            "--json-path (e.g. --json-path data.items)",
        )
    shown = ", ".join(".".join(c) for c in candidates[:5])
    raise NoRecordList(
        f"{name} holds several lists ({shown}) and it is not clear which are the records",
        hint="name the record list with --json-path",
    )


def _list_candidates(node: Any, path: tuple[str, ...], depth: int):
    if depth > 3 or not isinstance(node, dict):
        return
    for key, value in node.items():
        if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value[:20]):
            yield path + (key,)
        elif isinstance(value, dict):
            yield from _list_candidates(value, path + (key,), depth + 1)


def _paths_hint(doc: Any) -> str:
    cands = list(_list_candidates(doc, (), 0)) if isinstance(doc, dict) else []
    if cands:
        return "lists in this file: " + ", ".join(".".join(c) for c in cands[:5])
    return "check the path: keys are separated by dots, e.g. data.dataList; '$' is the whole document"


def records_table(
    records: list[Any], name: str, options: ReadOptions, *, base_depth: int = 1
) -> tuple[Any, list[str], list[str]]:
    """Turn a record list into (Arrow table of strings, header, issues)."""
    import pyarrow as pa

    issues: list[str] = []
    limit = options.max_json_depth
    if base_depth > limit:
        raise _too_deep(name, options)
    dicts = sum(1 for r in records if isinstance(r, dict))
    lists = sum(1 for r in records if isinstance(r, list))
    if records and lists == len(records):  # arrays of arrays (Kingdee)
        width = max((len(r) for r in records), default=0)
        given = list(options.column_names or [])
        header = given[:width] + [f"col_{i}" for i in range(len(given) + 1, width + 1)]
        if options.column_names and len(given) != width:
            issues.append(f"{len(given)} column names were given for rows of up to {width} values")
        cols = [
            [(_text(r[i], base_depth + 1, name, options) if i < len(r) else None) for r in records]
            for i in range(width)
        ]
        names = column_names(header)
        return (
            pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, cols, strict=True)}),
            header,
            issues,
        )
    flat: list[dict[str, str | None]] = []
    others = 0
    for r in records:
        if isinstance(r, dict):
            row: dict[str, str | None] = {}
            _flatten(r, "", row, base_depth + 1, name, options)
            flat.append(row)
        else:
            others += 1
            flat.append({"value": _text(r, base_depth + 1, name, options)})
    if dicts and others:
        issues.append(
            f"{others} of {len(records)} records are not objects; their values are in column 'value'"
        )
    header = list(dict.fromkeys(k for row in flat for k in row))
    # "Owner": null in some records and {"Name": …} in others: the bare, all-null "Owner" column says nothing
    prefixes = {k[:i] for k in header for i in range(len(k)) if k[i] == "."}
    header = [k for k in header if k not in prefixes or any(row.get(k) is not None for row in flat)]
    if not header:  # no records, or only empty objects: rows without columns
        empty = pa.RecordBatch.from_struct_array(pa.array([{}] * len(flat), pa.struct([])))
        return pa.Table.from_batches([empty]), header, issues
    table = pa.table({k: pa.array([row.get(k) for row in flat], pa.string()) for k in header})
    return table, header, issues


def _flatten(
    obj: dict, prefix: str, out: dict[str, str | None], depth: int, name: str, options: ReadOptions
) -> None:
    if depth > options.max_json_depth:
        raise _too_deep(name, options)
    for key, value in obj.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            if value:
                _flatten(value, full + ".", out, depth + 1, name, options)
            else:
                out.setdefault(full, None)
        else:
            out[full] = _text(value, depth + 1, name, options)


def _text(value: Any, depth: int, name: str, options: ReadOptions) -> str | None:
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return str(value)
    return _json_text(value, depth, name, options)


def _json_text(value: Any, depth: int, name: str, options: ReadOptions) -> str:
    """JSON text of a list or object with numbers written exactly as they were read."""
    if depth > options.max_json_depth:
        raise _too_deep(name, options)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v, depth + 1, name, options) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{json.dumps(str(k), ensure_ascii=False)}: {_json_text(v, depth + 1, name, options)}"
                for k, v in value.items()
            )
            + "}"
        )
    return json.dumps(value)  # pragma: no cover - json.loads makes nothing else


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


def declared_total(doc: Any, record_path: tuple[str, ...]) -> DeclaredTotal | None:
    """What an API page envelope says about the whole: total, done, next-page cursor."""
    if not isinstance(doc, dict):
        return None
    parent = record_path[:-1]
    scopes = [()] if not parent else [parent, ()]
    total = key = None
    for scope in scopes:
        for k in TOTAL_KEYS:
            v = _as_int(_get(doc, scope + k))
            if v is not None:
                total, key = v, ".".join(scope + k)
                break
        if total is not None:
            break
    done: bool | None = None
    v = _get(doc, ("done",))
    if isinstance(v, bool):
        done = v
    for scope in scopes:
        for k in MORE_KEYS:
            v = _get(doc, scope + k)
            if isinstance(v, bool) and done is None:
                done = not v
    cursor = None
    for scope in scopes:
        for k in CURSOR_KEYS:
            v = _get(doc, scope + k)
            if isinstance(v, str) and v:
                cursor = str(v)
                break
        if cursor:
            break
    if cursor and done is None:
        done = False
    if total is None and done is None and cursor is None:
        return None
    return DeclaredTotal(total=total, done=done, next_cursor=cursor, key=key)


_DIGITS = re.compile(r"\d+")


def join_pages(tables: list[RawTable]) -> list[RawTable]:
    """Join JSON tables that are numbered pages of one listing (see the module docstring)."""
    import pyarrow as pa

    groups: dict[tuple[str, str, str, str], list[RawTable]] = {}
    for t in tables:
        if t.format not in ("json", "jsonl"):
            continue
        folder, _, base = t.source.name.rpartition("/")
        if not _DIGITS.search(base):
            continue
        key = (folder, _DIGITS.sub("*", base), t.format, str(t.meta.get("json_path")))
        groups.setdefault(key, []).append(t)
    merged: dict[int, RawTable | None] = {}
    for (folder, pattern, _fmt, json_path), pages in groups.items():
        if len(pages) < 2:
            continue
        pages.sort(key=lambda t: [int(n) for n in _DIGITS.findall(t.source.name.rpartition("/")[2])])
        header = list(dict.fromkeys(c for p in pages for c in p.columns))
        table = pa.concat_tables([p.table for p in pages], promote_options="default")
        issues = [f"{p.source.name}: {i}" for p in pages for i in p.issues]
        declared = _join_declared(pages, issues)
        prefix = f"{folder}/" if folder else ""
        name = f"{prefix}{pattern}" + (f"#{json_path}" if json_path != "$" else "")
        meta = dict(pages[0].meta)
        meta["pages"] = [p.source.name for p in pages]
        joined = RawTable(
            name=name,
            source=pages[0].source,
            format=pages[0].format,
            table=table,
            columns=header,
            meta=meta,
            declared=declared,
            issues=issues,
            parts=[p.source for p in pages],
        )
        merged[id(pages[0])] = joined
        for p in pages[1:]:
            merged[id(p)] = None
    out = []
    for t in tables:
        if id(t) in merged:
            if merged[id(t)] is not None:
                out.append(merged[id(t)])
        else:
            out.append(t)
    return out


def _join_declared(pages: list[RawTable], issues: list[str]) -> DeclaredTotal | None:
    decls = [p.declared for p in pages]
    if all(d is None for d in decls):
        return None
    first = next((d for d in decls if d is not None and d.total is not None), None)
    total = key = None
    if first is not None:
        key = first.key
        if key in PER_PAGE_TOTALS:
            total = sum(d.total for d in decls if d is not None and d.total is not None)
        else:
            total = first.total
            others = {d.total for d in decls if d is not None and d.total is not None}
            if len(others) > 1:
                issues.append(
                    f"the pages declare different totals ({', '.join(map(str, sorted(others)))}); "
                    f"the first page's {total} is used"
                )
    last = decls[-1]
    return DeclaredTotal(
        total=total,
        done=last.done if last else None,
        next_cursor=last.next_cursor if last else None,
        key=key,
        pages=len(pages),
    )
