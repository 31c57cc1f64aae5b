"""Write a canary set: the data files to import into a trial CRM, and ``canary.json`` describing its traps.

Same seed, sizes and language give byte-identical files: rows come from one seeded generator, CSV is
written with fixed dialect and line endings, and the workbook's ZIP entries and document properties carry
fixed timestamps.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from portcheck.canary.catalog import detect_traps
from portcheck.canary.dataset import (
    CANARY_ID_FIELD,
    LANGS,
    NATURAL_KEYS,
    PRIMARY_KEYS,
    SYSTEM_MANAGED,
    XLSX_MAX_CELL,
    CanaryData,
    build_canary,
)
from portcheck.errors import OutputError, UsageError

CANARY_VERSION = 1
META_FILE = "canary.json"
XLSX_FILE = "canary.xlsx"
FORMATS = ("csv", "xlsx", "both")
OBJECTS = ("customer", "contact", "opportunity")
_FIXED_W3CDTF = b"1980-01-01T00:00:00Z"
_XLSX_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass
class CanaryInfo:
    """What :func:`generate_canary` wrote. ``sets`` holds one entry per complete canary folder."""

    out_dir: Path
    format: str
    seed: int
    lang: str
    sizes: dict[str, int]
    sets: list[CanarySet] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [p for s in self.sets for p in s.files]


@dataclass
class CanarySet:
    folder: Path
    format: str  # csv | xlsx
    files: list[Path]  # data files, then canary.json
    meta: dict


def generate_canary(
    out_dir: str | os.PathLike, *, seed: int = 0, customers: int = 500, fmt: str = "csv", lang: str = "mixed"
) -> CanaryInfo:
    """Write a canary set into ``out_dir`` (``fmt="both"``: a complete set in each of ``csv/``, ``xlsx/``).

    Existing files of the same names are replaced; refusing a non-empty folder is the caller's decision.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown canary format {fmt!r}", hint="use --format csv, xlsx or both")
    if lang not in LANGS:
        raise UsageError(f"unknown canary language {lang!r}", hint="use --lang zh, en or mixed")
    if customers < 1:
        raise UsageError("a canary needs at least one customer", hint="pass --customers 1 or more")
    data = build_canary(seed, customers, lang)
    root = Path(out_dir)
    info = CanaryInfo(out_dir=root, format=fmt, seed=seed, lang=lang, sizes=data.sizes)
    targets = [("csv", root / "csv"), ("xlsx", root / "xlsx")] if fmt == "both" else [(fmt, root)]
    for kind, folder in targets:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(
                f"cannot create the folder {folder} ({e.strerror})",
                hint="choose another --out folder, or check its permissions",
            ) from e
        info.sets.append(_write_set(data, folder, kind))
    return info


def _write_set(data: CanaryData, folder: Path, kind: str) -> CanarySet:
    if kind == "xlsx":
        data = _for_xlsx(data)
        files = [_write_atomic(folder / XLSX_FILE, xlsx_bytes(data))]
    else:
        files = [
            _write_atomic(folder / f"{obj}.csv", csv_bytes(data.rows[obj], data.columns[obj]))
            for obj in OBJECTS
        ]
    meta = canary_meta(data, kind, files)
    text = json.dumps(meta, ensure_ascii=False, indent=1) + "\n"
    files.append(_write_atomic(folder / META_FILE, text.encode("utf-8")))
    return CanarySet(folder=folder, format=kind, files=files, meta=meta)


def _for_xlsx(data: CanaryData) -> CanaryData:
    """The same rows without values longer than an Excel cell holds (those notes are left empty)."""
    rows = {
        obj: [{k: ("" if len(v) > XLSX_MAX_CELL else v) for k, v in row.items()} for row in rows]
        for obj, rows in data.rows.items()
    }
    return CanaryData(seed=data.seed, lang=data.lang, rows=rows, columns=data.columns)


def canary_meta(data: CanaryData, kind: str, files: list[Path]) -> dict:
    """The ``canary.json`` document: what was generated, file hashes, keys, and every trap's records."""
    objects = {}
    for obj in OBJECTS:
        objects[obj] = {
            "source": f"{XLSX_FILE}#{obj}" if kind == "xlsx" else f"{obj}.csv",
            "records": len(data.rows[obj]),
            "primary_key": PRIMARY_KEYS[obj],
            "canary_id": CANARY_ID_FIELD,
            "natural_key": NATURAL_KEYS[obj],
            "fields": list(data.columns[obj]),
            # Aligned lists: record i has these canary ID, primary key and natural key. A drill report uses
            # them to find a trap's records whichever key the comparison paired on.
            "index": {
                f: [row[f] for row in data.rows[obj]]
                for f in dict.fromkeys((CANARY_ID_FIELD, PRIMARY_KEYS[obj], NATURAL_KEYS[obj]))
            },
        }
    from portcheck import __version__

    return {
        "canary": "portcheck",
        "canary_version": CANARY_VERSION,
        "generator": f"portcheck {__version__}",
        "seed": data.seed,
        "lang": data.lang,
        "format": kind,
        "sizes": data.sizes,
        "files": [
            {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
            for p in files
        ],
        "objects": objects,
        "system_managed": list(SYSTEM_MANAGED),
        "traps": detect_traps(data),
    }


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> bytes:
    """UTF-8 (no BOM), header of field names, minimal quoting, LF line ends; values exactly as given."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue().encode("utf-8")


def _xlsx_text(value: str) -> str:
    """Escape a string the way Excel stores it: a literal ``_xHHHH_`` is protected, CR becomes ``_x000D_``.

    Without this an XML parser folds CR LF into LF on reading, and the carriage return is lost.
    """
    return _XLSX_ESCAPE.sub(r"_x005F_\1", value).replace("\r", "_x000D_")


def xlsx_bytes(data: CanaryData) -> bytes:
    """One workbook, a sheet per object; every value a text cell (``=1+1`` stays text, never a formula)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for obj in OBJECTS:
        ws = wb.create_sheet(obj)
        columns = data.columns[obj]
        ws.append(list(columns))
        for r, row in enumerate(data.rows[obj], start=2):
            for c, name in enumerate(columns, start=1):
                value = row.get(name, "")
                if value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=_xlsx_text(value))
                cell.data_type = "s"  # openpyxl makes '=…' a formula unless told it is text
    wb.properties.creator = "portcheck canary"
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible_zip(buf.getvalue())


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a ZIP (an .xlsx) with fixed entry timestamps and fixed document-property dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            content = src.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _FIXED_W3CDTF, content
                )
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def _write_atomic(path: Path, content: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"cannot write {path} ({e.strerror})",
            hint="choose another --out folder, or check its permissions and free space",
        ) from e
    return path


def load_canary_meta(folder: str | os.PathLike) -> dict | None:
    """The ``canary.json`` of a folder when it is a portcheck canary set, else None."""
    path = Path(folder) / META_FILE
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("canary") == "portcheck" else None
