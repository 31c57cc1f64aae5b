"""The reference side: a file, folder or ZIP through a profile, or a SQLAlchemy URL to the old system's database.

A database reference is read table by table, in chunks, into the same raw tables of text the file readers
produce, then mapped by the reference profile (tables named after the canonical objects, or a profile's
table and column names). Its ``inputs`` entry is the URL without its password, plus a SHA-256 digest of
the rows read, so the report and the signature can name exactly what was compared.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from portcheck.errors import ReferenceError_

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.canonical import CanonicalDataset
    from portcheck.readers.interface import ReadOptions

CHUNK_ROWS = 50_000
_URL = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)


def is_sql_url(ref: str) -> bool:
    return bool(_URL.match(ref)) and not ref.lower().startswith(("file://", "http://", "https://"))


def load_reference(ref: str, *, profile: str | None, mapping: str | None, timezone: str | None,
                   region: str | None, read_options: ReadOptions, include_deleted: bool = False,
                   ) -> tuple[CanonicalDataset, list[dict[str, Any]]]:
    from portcheck.profiles import load_dataset
    from portcheck.readers import read_export

    if is_sql_url(ref):
        source, inputs = read_sql(ref)
    else:
        source = read_export(ref, role="reference", options=read_options)
        inputs = input_rows(ref, "reference", source.files)
    dataset = load_dataset(source, profile=profile, mapping=mapping, timezone=timezone, region=region,
                           include_deleted=include_deleted)
    meta = canary_meta(ref)
    if meta is not None:
        dataset.detection["canary"] = True
        dataset.detection["canary_meta"] = meta
    return dataset, inputs


def input_rows(root: str, role: str, read: list[Any]) -> list[dict[str, Any]]:
    """``portcheck.inputs.input_files``, reusing the SHA-256 the readers computed while reading ``read``."""
    from portcheck.inputs import input_files

    return input_files(root, role, read)


def canary_meta(ref: str) -> dict[str, Any] | None:
    """The ``canary.json`` of a canary folder (portcheck's own trial-drill dataset), else None."""
    import json
    from pathlib import Path

    p = Path(ref)
    manifest = p / "canary.json" if p.is_dir() else None
    if manifest is None or not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    return str(v)


def _db_reason(e: Exception, password: str | None) -> str:
    """The driver's own first line (``connection refused``, ``no such table``), never the password."""
    orig = getattr(e, "orig", None)
    text = str(orig if orig is not None else e).strip().splitlines()
    reason = text[0].strip() if text else ""
    if password:
        reason = reason.replace(str(password), "")
    reason = reason[:200]
    return f"{type(orig or e).__name__}: {reason}" if reason else type(orig or e).__name__


def read_sql(url: str):  # -> tuple[ExportSource, list[dict]]
    """Read every table of a database as raw tables of text (chunked), with a digest of the rows read."""
    import pyarrow as pa
    import sqlalchemy as sa

    from portcheck.readers.interface import ExportSource, RawTable, SourceFile

    try:
        engine = sa.create_engine(url)
        safe_url = engine.url.render_as_string(hide_password=True).replace("***", "")
    except Exception as e:  # sqlalchemy raises ArgumentError, NoSuchModuleError, ImportError …
        raise ReferenceError_(f"the reference URL cannot be used ({type(e).__name__}: {str(e).splitlines()[0]})",
                              hint="write it as a SQLAlchemy URL, e.g. sqlite:///legacy.db or "
                                   "postgresql+psycopg://user@host/db") from None
    if engine.url.get_backend_name() == "sqlite":
        db = engine.url.database or ""
        import os

        if db and db != ":memory:" and not os.path.exists(db):
            raise ReferenceError_(f"the reference database {db} does not exist",
                                  hint="check the path after sqlite:/// (three slashes, then the path)")
        engine = sa.create_engine(url, connect_args={"uri": True} if db.startswith("file:") else {})
    tables: list[RawTable] = []
    files: list[SourceFile] = []
    total = hashlib.sha256()
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            for name in sorted(insp.get_table_names()):
                tbl = sa.Table(name, sa.MetaData(), autoload_with=conn)
                cols = [c.name for c in tbl.columns]
                h = hashlib.sha256()
                chunks: list[pa.Table] = []
                order = list(tbl.primary_key.columns) or [tbl.columns[0]]
                result = conn.execution_options(stream_results=True).execute(sa.select(tbl).order_by(*order))
                while True:
                    rows = result.fetchmany(CHUNK_ROWS)
                    if not rows:
                        break
                    columns = list(zip(*rows))
                    arrays = [pa.array([_text(v) for v in col], pa.string()) for col in columns]
                    chunk = pa.Table.from_arrays(arrays, names=cols)
                    for row in rows:
                        h.update(repr(tuple(_text(v) for v in row)).encode("utf-8"))
                    chunks.append(chunk)
                table = pa.concat_tables(chunks) if chunks else pa.table(
                    {c: pa.array([], pa.string()) for c in cols})
                digest = h.hexdigest()
                total.update(f"{name}:{digest}\n".encode())
                src = SourceFile(name=name, sha256=digest, bytes=0)
                files.append(src)
                tables.append(RawTable(name=name, source=src, format="sql", table=table, columns=cols,
                                       meta={"table": name}))
    except sa.exc.SQLAlchemyError as e:
        raise ReferenceError_(f"the reference database cannot be read ({_db_reason(e, engine.url.password)})",
                              hint=f"check that {safe_url} is reachable and the user may read it") from None
    finally:
        engine.dispose()
    inputs = [{"role": "reference", "name": f"reference/{safe_url}", "sha256": total.hexdigest(),
               "bytes": 0, "rows": sum(t.rows for t in tables), "kind": "sql"}]
    return ExportSource(root=safe_url, role="reference", files=files, tables=tables), inputs
