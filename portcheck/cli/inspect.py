"""CLI: ``portcheck inspect EXPORT`` — what portcheck reads in an export, before any check.

Also the home of the reader options every command that reads an export shares (``reader_options``, a click
decorator, and ``read_options_from``, which turns its values into :class:`~portcheck.readers.ReadOptions`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

WIDTH = 80
SAMPLES = 3
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_FOOTER_BOILERPLATE = re.compile(r"^(grand totals?\b|copyright\b|confidential information\b)", re.IGNORECASE)


def _size(value: str | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    m = _SIZE_RE.match(str(value))
    if not m:
        raise click.BadParameter(f"{value!r} is not a size (examples: 500M, 8G, 1073741824)")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def reader_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Click options for reading an export (encoding, passwords, JSON paths, safety limits)."""
    opts = [
        click.option(
            "--encoding", help="Encoding of CSV/TXT files (default: detected), e.g. gb18030, big5, utf-16."
        ),
        click.option(
            "--password",
            envvar="PORTCHECK_PASSWORD",
            show_envvar=True,
            help="Password of encrypted ZIPs or workbooks.",
        ),
        click.option(
            "--json-path", help="Where the record list is in JSON files, dotted (data.items); '$' = root."
        ),
        click.option(
            "--column-names", help="Comma-separated names for JSON arrays of arrays (default col_1, …)."
        ),
        click.option(
            "--header-row",
            type=click.IntRange(min=1),
            help="Row number of the header in sheets and CSV files (default: detected).",
        ),
        click.option(
            "--max-bytes",
            envvar="PORTCHECK_MAX_BYTES",
            show_envvar=True,
            metavar="SIZE",
            help="Limit on bytes decompressed from archives, all together (default 8G).",
        ),
        click.option(
            "--max-ratio",
            type=float,
            envvar="PORTCHECK_MAX_RATIO",
            show_envvar=True,
            help="Limit on how many times a ZIP member may expand its compressed size (default 200).",
        ),
        click.option(
            "--max-nesting",
            type=int,
            envvar="PORTCHECK_MAX_NESTING",
            show_envvar=True,
            help="Limit on ZIPs inside ZIPs (default 4).",
        ),
        click.option(
            "--max-json-depth",
            type=int,
            envvar="PORTCHECK_MAX_JSON_DEPTH",
            show_envvar=True,
            help="Limit on JSON nesting depth (default 64).",
        ),
        click.option(
            "--max-files",
            type=int,
            envvar="PORTCHECK_MAX_FILES",
            show_envvar=True,
            help="Limit on files and archive members, all together (default 10000).",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


READER_OPTION_NAMES = (
    "encoding",
    "password",
    "json_path",
    "column_names",
    "header_row",
    "max_bytes",
    "max_ratio",
    "max_nesting",
    "max_json_depth",
    "max_files",
)


def read_options_from(kw: dict[str, Any]) -> Any:
    """Build ReadOptions from the values of :func:`reader_options` (popping them from ``kw``)."""
    from portcheck.readers import ReadOptions
    from portcheck.readers.encoding import check_codec

    values = {k: kw.pop(k, None) for k in READER_OPTION_NAMES}
    opts = ReadOptions()
    if values["encoding"]:
        check_codec(values["encoding"])
        opts.encoding = values["encoding"]
    opts.password = values["password"] or None
    opts.json_path = values["json_path"]
    if values["column_names"]:
        opts.column_names = [c.strip() for c in values["column_names"].split(",")]
    opts.header_row = values["header_row"]
    if values["max_bytes"] is not None:
        try:
            opts.max_total_bytes = _size(values["max_bytes"])  # type: ignore[assignment]
        except click.BadParameter as e:
            raise click.BadParameter(e.message, param_hint="--max-bytes") from None
    for key, attr in (
        ("max_ratio", "max_ratio"),
        ("max_nesting", "max_nesting"),
        ("max_json_depth", "max_json_depth"),
        ("max_files", "max_files"),
    ):
        if values[key] is not None:
            setattr(opts, attr, values[key])
    return opts


@click.command("inspect")
@click.argument("export", type=str)
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (stable keys) instead of text."
)
@click.option("--show-values", is_flag=True, help="Show sample values unmasked (default: masked).")
@click.option(
    "--samples",
    type=click.IntRange(0, 20),
    default=SAMPLES,
    show_default=True,
    help="Sample values shown per column.",
)
@click.option("--profile", help="Also map the export with this profile and show what each object gets.")
@click.option("--mapping", type=click.Path(dir_okay=False), help="Mapping file extending (or replacing) the profile.")
@reader_options
def inspect_command(export: str, as_json: bool, show_values: bool, samples: int, profile: str | None,
                    mapping: str | None, **kw: Any) -> None:
    """Show what portcheck reads in EXPORT (a file, folder or ZIP): per table its file, encoding,
    delimiter, sheet or JSON path, rows, columns, declared totals, issues and a few masked sample values,
    and the profile the export most looks like. With --profile/--mapping, also what each canonical object
    gets: rows, mapped fields, columns kept as custom fields, deleted records.
    """
    from portcheck.masking import make_masker
    from portcheck.readers import read_export

    options = read_options_from(kw)
    source = read_export(export, options=options)
    masker = make_masker(show_values)
    doc = inspect_document(source, masker, samples=samples)
    if profile or mapping:
        doc["mapping"] = mapping_document(source, profile=profile, mapping=mapping)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False))
    else:
        click.echo(render_text(doc))


COMMANDS = [inspect_command]


# ---------------------------------------------------------------------------------------------- the document


def inspect_document(source: Any, masker: Callable[[Any], str | None], *, samples: int = SAMPLES) -> dict:
    """The machine form of ``inspect`` (``--json``); the text form renders this."""
    tables = [_table_doc(t, masker, samples) for t in source.tables]
    return {
        "inspect_version": 1,
        "export": source.root,
        "role": source.role,
        "masked": bool(getattr(masker, "enabled", True)),
        "files": [
            {"name": f.name, "bytes": f.bytes, "sha256": f.sha256, "mtime": _iso(f.mtime)}
            for f in source.files
        ],
        "tables": tables,
        "skipped": [{"name": n, "reason": r} for n, r in source.skipped],
        "profile": likely_profile(source),
    }


def mapping_document(source: Any, *, profile: str | None, mapping: str | None) -> dict:
    """What the given profile (and mapping) make of the export, per canonical object."""
    from portcheck.profiles import load_dataset

    ds = load_dataset(source, profile=profile, mapping=mapping)
    objects = {}
    for name, t in ds.objects.items():
        if t is None:
            objects[name] = None
            continue
        objects[name] = {"rows": t.rows, "sources": list(t.sources), "mapped_fields": list(t.mapped_fields),
                         "custom_fields": list(t.unmapped_columns), "deleted": t.deleted,
                         "declared": t.declared, "timezone": t.timezone, "region": t.region}
    return {"profile": ds.profile_name, "profile_sha256": ds.profile_sha256, "objects": objects,
            "unmapped_tables": [i.name for i in ds.inventory if not i.mapped_to]}


def likely_profile(source: Any) -> dict:
    """The best-fitting profile, when the profiles package offers ``detect``."""
    try:
        from portcheck.profiles import detect
    except (ImportError, AttributeError):
        return {"status": "not_available", "name": None, "score": None, "reason": None, "ranking": []}
    from portcheck.errors import PortcheckError

    try:
        ranked = detect(source)
    except PortcheckError as e:
        return {"status": "none_fits", "name": None, "score": None, "reason": e.message, "ranking": []}
    ranking = [{"name": n, "score": s, "reason": r} for n, s, r in ranked]
    if not ranking or not ranking[0]["score"]:
        return {"status": "none_fits", "name": None, "score": None, "reason": None, "ranking": ranking}
    best = ranking[0]
    return {
        "status": "ok",
        "name": best["name"],
        "score": best["score"],
        "reason": best["reason"],
        "ranking": ranking,
    }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _samples(column: Any, n: int) -> list[str]:
    """The first ``n`` distinct non-empty values of a column (looking at its first 2,000 rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if n <= 0 or len(column) == 0:
        return []
    head = column.slice(0, 2000)
    if isinstance(head, pa.ChunkedArray):
        head = head.combine_chunks()
    head = pc.drop_null(head)
    head = head.filter(pc.not_equal(pc.utf8_trim_whitespace(head), ""))
    return [v for v in pc.unique(head).slice(0, n).to_pylist()]


def _table_doc(t: Any, masker: Callable[[Any], str | None], samples: int) -> dict:
    meta = dict(t.meta)
    columns = []
    for written, key in zip(_written_names(t), t.table.column_names, strict=True):
        columns.append(
            {
                "name": written,
                "key": key,
                "samples": [masker(v) for v in _samples(t.table.column(key), samples)],
            }
        )
    declared = None
    if t.declared is not None:
        d = t.declared
        declared = {
            "total": d.total,
            "key": d.key,
            "done": d.done,
            "next_cursor": d.next_cursor is not None,
            "pages": d.pages,
        }
    if "footer" in meta:
        meta["footer"] = [
            line if _FOOTER_BOILERPLATE.match(line) else masker(line) for line in meta["footer"]
        ]
    if "preamble" in meta:
        meta["preamble"] = [masker(line) for line in meta["preamble"]]
    doc = {
        "name": t.name,
        "file": t.source.name,
        "files": [p.name for p in t.parts] or [t.source.name],
        "format": t.format,
        "rows": t.rows,
        "columns": columns,
        "encoding": meta.pop("encoding", None),
        "confidence": meta.pop("confidence", None),
        "encoding_method": meta.pop("encoding_method", None),
        "encoding_alternatives": meta.pop("encoding_alternatives", []),
        "delimiter": meta.pop("delimiter", None),
        "sheet": meta.pop("sheet", None),
        "json_path": meta.pop("json_path", None),
        "header_row": meta.pop("header_row", None),
        "declared": declared,
        "issues": list(t.issues),
        "meta": _jsonable(meta),
    }
    return doc


def _written_names(t: Any) -> list[str]:
    cols = list(t.columns)
    names = t.table.column_names
    if len(cols) < len(names):  # _extra_ columns have no written name
        cols += names[len(cols) :]
    return cols[: len(names)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------- the text form


def _cell_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells (CJK count two), ending in … when cut."""
    text = text.replace("\r\n", "⏎").replace("\r", "⏎").replace("\n", "⏎").replace("\t", " ")
    if _cell_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    text = _fit(text, width)
    return text + " " * (width - _cell_width(text))


def _size_text(n: int) -> str:
    from portcheck.readers._common import human_bytes

    return human_bytes(n)


def _encoding_text(t: dict) -> str | None:
    enc = t.get("encoding")
    if not enc:
        return None
    method = t.get("encoding_method")
    if method == "option":
        return f"{enc} (given with --encoding)"
    if method == "bom":
        return f"{enc} (byte-order mark: certain)"
    if method == "utf-8":
        return f"{enc} (valid UTF-8)"
    conf = t.get("confidence")
    text = f"{enc} (confidence {conf:.2f}" if isinstance(conf, (int, float)) else f"{enc} ("
    alts = t.get("encoding_alternatives") or []
    if alts:
        text += f"; also decodes as {', '.join(alts)}: pass --encoding if the text looks wrong"
    return text + ")"


def _declared_text(d: dict | None) -> str:
    if not d:
        return "nothing"
    parts = []
    if d.get("total") is not None:
        parts.append(f"{d['total']:,} records ({d.get('key')})")
    if d.get("done") is True:
        parts.append("done")
    elif d.get("done") is False:
        parts.append(
            "NOT done: more pages exist" + (" (next-page cursor present)" if d.get("next_cursor") else "")
        )
    if d.get("pages"):
        parts.append(f"{d['pages']} pages")
    return "; ".join(parts) or "nothing"


def render_text(doc: dict) -> str:
    """The human form of ``inspect``: readable in 80 columns."""
    lines: list[str] = []
    n_files, n_tables, n_skipped = len(doc["files"]), len(doc["tables"]), len(doc["skipped"])
    lines.append(_fit(f"export: {doc['export']}", WIDTH))
    lines.append(
        f"{_n(n_files, 'file')}, {_n(n_tables, 'table')}"
        f", {n_skipped} skipped" + ("; values masked (--show-values to see them)" if doc["masked"] else "")
    )
    lines.extend(_profile_lines(doc["profile"]))
    if doc.get("mapping"):
        lines.extend(_mapping_lines(doc["mapping"]))
    files = {f["name"]: f for f in doc["files"]}
    for i, t in enumerate(doc["tables"], start=1):
        lines.append("")
        lines.append(_fit(f"[{i}] {t['name']}", WIDTH))
        f = files.get(t["file"])

        def row(key: str, value: str) -> None:
            lines.append(_fit(f"    {key:<11}{value}", WIDTH))

        if len(t["files"]) > 1:
            row("files", f"{len(t['files'])} pages: {t['files'][0]} … {t['files'][-1]}")
        elif f:
            row("file", f"{t['file']} ({_size_text(f['bytes'])}, sha256 {f['sha256'][:12]}…)")
        fmt = t["format"]
        where = []
        if t.get("delimiter") is not None:
            where.append(
                "delimiter "
                + {"\t": "tab", ",": "comma ,", ";": "semicolon ;", "|": "pipe |"}.get(
                    t["delimiter"], repr(t["delimiter"])
                )
            )
        if t.get("sheet") is not None:
            where.append(f"sheet {t['sheet']!r}")
        if t.get("json_path") is not None:
            where.append(f"records at {t['json_path']}")
        if t.get("header_row") not in (None, 1):
            where.append(f"header in row {t['header_row']}")
        row("format", ", ".join([fmt] + where))
        enc = _encoding_text(t)
        if enc:
            row("encoding", enc)
        row("rows", f"{_n(t['rows'], 'row')}, {_n(len(t['columns']), 'column')}")
        row("declared", _declared_text(t["declared"]))
        meta = t.get("meta") or {}
        if meta.get("footer"):
            row("footer", f"{_n(len(meta['footer']), 'report footer line')} left out of the data")
        if meta.get("preamble"):
            row("preamble", f"{_n(len(meta['preamble']), 'row')} above the header left out of the data")
        if meta.get("number_formats"):
            nf = ", ".join(f"{k}: {v}" for k, v in meta["number_formats"].items())
            row("num. fmts", nf)
        issues = t["issues"]
        if issues:
            row("issues", f"{len(issues)}" + (" (first 5)" if len(issues) > 5 else ""))
            for issue in issues[:5]:
                lines.append(_fit(f"      - {issue}", WIDTH))
        if t["columns"]:
            lines.append("    columns")
            name_w = min(28, max(_cell_width(c["name"]) for c in t["columns"]) + 2)
            for c in t["columns"]:
                sample = "  ".join(s for s in c["samples"] if s is not None) or "(empty)"
                lines.append(_fit(f"      {_pad(c['name'] or '(no name)', name_w)}{sample}", WIDTH))
    if doc["skipped"]:
        lines.append("")
        lines.append("skipped (not read as tables)")
        for s in doc["skipped"]:
            lines.append(_fit(f"    {s['name']}: {s['reason']}", WIDTH))
    return "\n".join(lines)


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _mapping_lines(m: dict) -> list[str]:
    out = [f"mapped with profile {m['profile']}:"]
    for name, o in m["objects"].items():
        if o is None:
            out.append(f"    {name:<12} absent")
            continue
        extra = f", {o['deleted']} deleted" if o["deleted"] else ""
        out.append(_fit(f"    {name:<12} {o['rows']:,} rows{extra}; fields: {', '.join(o['mapped_fields'])}", WIDTH))
        if o["custom_fields"]:
            out.append(_fit(f"    {'':<12} kept as custom fields: {', '.join(o['custom_fields'])}", WIDTH))
    if m["unmapped_tables"]:
        out.append(_fit(f"    not mapped: {', '.join(m['unmapped_tables'])}", WIDTH))
    return out


def _profile_lines(p: dict) -> list[str]:
    if p["status"] == "not_available":
        return ["profile: (profiles not available)"]
    if p["status"] == "none_fits":
        out = ["profile: none of the built-in profiles fits"]
    else:
        out = [f"profile: {p['name']} (score {p['score']:.2f})"]
    if p.get("reason"):
        out.append(_fit(f"    {p['reason']}", WIDTH))
    return out
