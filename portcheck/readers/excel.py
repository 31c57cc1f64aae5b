"""Excel workbooks (.xlsx, .xlsm, .xls): every worksheet a table of text, read with python-calamine.

- **Header row**: the first of the sheet's first 20 non-blank rows that fills at least half the sheet's width
  with (mostly) text. Rows above it — a title, merged instructions such as 悟空CRM's import templates put in
  row 1 — are kept in ``meta["preamble"]``, not read as data. ``ReadOptions.header_row`` (1-based, as Excel
  numbers rows) overrides. Header text is kept as written (``*客户名称`` keeps its ``*``).
- **Values**: text cells as written; numbers as the shortest decimal text that reads back as the same double,
  never in exponent form, without ``.0`` on integers (a 19-digit ID Excel stored as a double reads
  ``3388926000000166000`` — its damage visible); dates and date-times as ISO text (``2024-01-02``,
  ``2024-01-02T03:04:05``); booleans ``TRUE``/``FALSE``; empty cells null. Rows with no value at all are left
  out (counted in ``meta["blank_rows"]``).
- **Number formats**: for columns holding numbers, the cell number format of the first data rows (read with
  openpyxl or xlrd, only those rows) goes to ``meta["number_formats"]`` — ``0.00E+00`` next to a damaged ID
  tells how Excel shows it (``3.39E+18``).
- **Encrypted workbooks** (Office "Encrypt with password") are decrypted in memory with msoffcrypto-tool and
  ``ReadOptions.password``.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from portcheck.errors import InputError, ReadError
from portcheck.readers._common import column_names, number_text
from portcheck.readers.interface import RawTable, ReadOptions, SourceFile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_WINDOW = 20
FORMAT_ROWS = 50
PASSWORD_HINT = "pass --password, or set PORTCHECK_PASSWORD, with the password the vendor gave"
CORRUPT_HINT = "open it in Excel and save it again, or ask the vendor to export it again"


def read_workbook(
    data: bytes, source: SourceFile, name: str, options: ReadOptions, *, suffix: str = ".xlsx"
) -> list[RawTable]:
    """Read every worksheet of a workbook into a :class:`RawTable` (``book.xlsx#Sheet1``)."""
    import python_calamine as cal

    data, encrypted = _decrypt(data, name, options)
    fmt = "xls" if data[:8] == OLE2_MAGIC else ("xlsm" if suffix == ".xlsm" else "xlsx")
    if fmt != "xls":  # an .xlsx is a ZIP: the archive limits apply to its parts (shared-string bombs)
        from portcheck.readers.archive import check_declared_sizes

        check_declared_sizes(data, name, max_ratio=options.max_ratio, max_total_bytes=options.max_total_bytes)
        check_shared_string_cells(data, name, options.max_total_bytes)
    try:
        with _rust_panics_quiet():
            wb = cal.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(m.name, m.typ, m.visible) for m in wb.sheets_metadata]
    except cal.PasswordError as e:
        raise InputError(f"{name} is password-protected", hint=PASSWORD_HINT) from e
    except (cal.CalamineError, OSError, ValueError) as e:
        raise ReadError(
            f"{name} is not a readable Excel workbook ({_first_line(e)})", hint=CORRUPT_HINT
        ) from e
    except BaseException as e:
        if not _is_panic(e):
            raise
        raise ReadError(f"{name} is not a readable Excel workbook (damaged)", hint=CORRUPT_HINT) from e
    formats = _FormatReader(data, fmt)
    tables: list[RawTable] = []
    for sheet_name, typ, visible in sheets:
        if typ != cal.SheetTypeEnum.WorkSheet:
            continue  # chart sheets, dialog sheets: no cells
        try:
            with _rust_panics_quiet():
                sheet = wb.get_sheet_by_name(sheet_name)
                rows = sheet.to_python(skip_empty_area=True)
            start_row, start_col = sheet.start or (0, 0)
        except (cal.CalamineError, OSError, ValueError) as e:
            raise ReadError(
                f"sheet {sheet_name!r} of {name} cannot be read ({_first_line(e)})", hint=CORRUPT_HINT
            ) from e
        except BaseException as e:
            if not _is_panic(e):
                raise
            raise ReadError(
                f"sheet {sheet_name!r} of {name} cannot be read (damaged)", hint=CORRUPT_HINT
            ) from e
        table = _sheet_table(rows, start_row, start_col, sheet_name, name, source, options, fmt, formats)
        if table is None:
            continue
        table.meta["hidden"] = visible != cal.SheetVisibleEnum.Visible
        if encrypted:
            table.meta["decrypted"] = True
        tables.append(table)
    formats.close()
    return tables


MIN_SHARED_CELL = 20  # bytes of sheet XML a cell using a shared string takes at least: <c t="s"><v>0</v></c>
SHORT_SHARED = 256  # shared strings up to this long are bounded by their count, longer ones one by one
MAX_LONG_COUNTED = 64  # more long shared strings than this: the sheets are scanned cell by cell
_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
_SHARED_CELL = re.compile(rb"\bt=[\"']s[\"'][^>]*>\s*<(?:\w+:)?v>(\d+)<")


def check_shared_string_cells(data: bytes, name: str, max_total_bytes: int) -> None:
    """Refuse a workbook whose cells repeat shared strings into more text than ``max_total_bytes``.

    Each cell that uses a shared string gets its own copy when the sheet is read, so a small file can ask for
    gigabytes: one 32 KB string used by a million cells is 30 GiB. Bounds first, each an over-estimate: the
    longest shared string times the most cells the sheets' sizes could hold (costs nothing); then the cells
    marked ``t="s"`` times 256 bytes plus each longer string times the times its index appears (byte counts).
    Only when both exceed the limit are the cells read one by one for the exact figure, which decides. The
    parts' sizes were checked already, so reading the sheets here is bounded.
    """
    import zipfile

    from portcheck.errors import LimitExceeded
    from portcheck.readers._common import human_bytes

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            sst = next((i for i in infos if i.filename.lower().endswith("sharedstrings.xml")), None)
            sheets = [
                i
                for i in infos
                if i.filename.lower().startswith("xl/worksheets/") and i.filename.lower().endswith(".xml")
            ]
            if sst is None or not sheets:
                return
            xml = zf.read(sst)
            starts = [m.start() for m in _SI.finditer(xml)] + [len(xml)]
            lengths = [b - a for a, b in zip(starts, starts[1:], strict=False)]
            if (
                not lengths
                or max(lengths) * sum(i.file_size for i in sheets) // MIN_SHARED_CELL <= max_total_bytes
            ):
                return
            long = {k: n for k, n in enumerate(lengths) if n > SHORT_SHARED}
            if len(long) <= MAX_LONG_COUNTED:
                bound = 0
                for info in sheets:
                    sheet = zf.read(info)
                    bound += (sheet.count(b't="s"') + sheet.count(b"t='s'")) * min(SHORT_SHARED, max(lengths))
                    bound += sum(n * sheet.count(b">%d</" % k) for k, n in long.items())
                if bound <= max_total_bytes:
                    return
            total = 0
            for info in sheets:  # the exact figure: each shared-string cell's own string
                sheet = zf.read(info)
                total += sum(lengths[i] for i in map(int, _SHARED_CELL.findall(sheet)) if i < len(lengths))
                if total > max_total_bytes:
                    limit = human_bytes(max_total_bytes)
                    raise LimitExceeded(
                        f"{name}: its cells repeat shared strings into more than {limit} of text "
                        f"(limit max_total_bytes, reached in {info.filename})",
                        hint="this is how spreadsheet bombs look; if you trust the file, raise the limit "
                        "with --max-bytes (e.g. --max-bytes 32G) or PORTCHECK_MAX_BYTES",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error,
            NotImplementedError):
        return  # unreadable as a ZIP: calamine says so in its own words


@contextmanager
def _rust_panics_quiet() -> Iterator[None]:
    """Keep what Rust's panic hook prints (a message, and a backtrace with RUST_BACKTRACE set) off stderr.

    A panic becomes an exception (see :func:`_is_panic`) and then one sentence; anything else calamine writes
    to stderr is passed on when the call returns.
    """
    import os
    import sys
    import tempfile

    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (tests, embedding): nothing to guard
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    panicked = False
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        except BaseException as e:
            panicked = _is_panic(e)
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            if not panicked:
                capture.seek(0)
                text = capture.read()
                if text:
                    os.write(fd, text)


def _is_panic(e: BaseException) -> bool:
    """A Rust panic inside calamine on a malformed workbook: pyo3 raises it as PanicException, which derives
    from BaseException (so that ``except Exception`` does not swallow it); here it means a damaged file."""
    return type(e).__name__ == "PanicException"


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _decrypt(data: bytes, name: str, options: ReadOptions) -> tuple[bytes, bool]:
    """Decrypt an Office-encrypted workbook in memory; plain workbooks pass through untouched."""
    if data[:8] != OLE2_MAGIC:
        return data, False
    import msoffcrypto
    from msoffcrypto import exceptions as mse

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except Exception as e:  # noqa: BLE001 - a damaged OLE2 file fails in olefile/msoffcrypto in many ways
        raise ReadError(
            f"{name} is not a readable Excel workbook ({_first_line(e)})", hint=CORRUPT_HINT
        ) from e
    if not encrypted:
        return data, False
    if not options.password:
        raise InputError(f"{name} is password-protected", hint=PASSWORD_HINT)
    out = io.BytesIO()
    try:
        office.load_key(password=options.password)
        office.decrypt(out)
    except (mse.InvalidKeyError, mse.DecryptionError) as e:
        raise InputError(f"the password does not open {name}", hint=PASSWORD_HINT) from e
    except Exception as e:  # noqa: BLE001 - as above: damaged, whatever the library raises
        raise ReadError(f"{name} cannot be decrypted ({_first_line(e)})", hint=CORRUPT_HINT) from e
    return out.getvalue(), True


def _is_blank(v: Any) -> bool:
    return v is None or v == ""


def detect_header(rows: list[list[Any]]) -> int:
    """Index (into ``rows``) of the header row: see the module docstring."""
    window = rows[:HEADER_WINDOW]
    counts = [sum(1 for v in r if not _is_blank(v)) for r in window]
    widest = max(counts, default=0)
    first = next((i for i, c in enumerate(counts) if c), 0)
    for i, r in enumerate(window):
        filled = [v for v in r if not _is_blank(v)]
        if len(filled) < max(2, (widest + 1) // 2):
            continue
        texts = sum(1 for v in filled if isinstance(v, str))
        if texts >= 0.8 * len(filled):
            return i
    return first


def _sheet_table(
    rows: list[list[Any]],
    start_row: int,
    start_col: int,
    sheet_name: str,
    name: str,
    source: SourceFile,
    options: ReadOptions,
    fmt: str,
    formats: _FormatReader,
) -> RawTable | None:
    import pyarrow as pa

    if not any(not _is_blank(v) for r in rows for v in r):
        return None  # an empty sheet is not a table
    if options.header_row:
        h = max(0, options.header_row - 1 - start_row)
        if h >= len(rows):
            raise ReadError(
                f"sheet {sheet_name!r} of {name} has no row {options.header_row}",
                hint="check --header-row (rows are numbered as in Excel, from 1)",
            )
    else:
        h = detect_header(rows)
    header_cells = rows[h] if rows else []
    width = max((len(r) for r in rows), default=0)
    header = [_header_text(header_cells[i]) if i < len(header_cells) else "" for i in range(width)]
    body = [r for r in rows[h + 1 :] if any(not _is_blank(v) for v in r)]
    blank_rows = len(rows) - h - 1 - len(body)
    body = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in body]
    columns = list(zip(*body, strict=True)) if body else [() for _ in range(width)]
    names = column_names(header)
    arrays = []
    numeric: list[int] = []
    for i in range(width):
        col = columns[i] if i < len(columns) else ()
        arrays.append(pa.array([_cell(v) for v in col], pa.string()))
        if any(type(v) is float or type(v) is int for v in col):
            numeric.append(i)
    # drop trailing columns with neither a header nor a value (Excel's "used range" often has them)
    keep = [i for i in range(width) if header[i] or arrays[i].null_count < len(arrays[i])]
    table = pa.table({names[i]: arrays[i] for i in keep}) if keep else pa.table({})
    kept_header = [header[i] for i in keep]
    meta: dict[str, Any] = {"sheet": sheet_name, "header_row": start_row + h + 1}
    preamble = [" ".join(str(v) for v in r if not _is_blank(v)) for r in rows[:h]]
    preamble = [p for p in preamble if p]
    if preamble:
        meta["preamble"] = preamble
    if blank_rows:
        meta["blank_rows"] = blank_rows
    if numeric:
        meta["numeric_columns"] = [names[i] for i in numeric if i in keep]
        found = formats.sample(sheet_name, start_row + h + 1, start_col, numeric)
        if found:
            meta["number_formats"] = {names[i]: f for i, f in found.items() if i in keep}
    return RawTable(
        name=f"{name}#{sheet_name}",
        source=source,
        format=fmt,
        table=table,
        columns=kept_header,
        meta=meta,
        issues=[],
    )


def _header_text(v: Any) -> str:
    if _is_blank(v):
        return ""
    text = _cell(v)
    return text if text is not None else ""


def _cell(v: Any) -> str | None:
    t = type(v)
    if t is str:
        return v if v != "" else None
    if t is float:
        if v.is_integer() and -1e15 < v < 1e15:  # the common case, exact: no .0, no exponent
            return str(int(v))
        return number_text(v)
    if t is int:
        return str(v)
    if t is bool:
        return "TRUE" if v else "FALSE"
    if t is datetime:
        return v.isoformat()
    if t is date:
        return v.isoformat()
    if t is time:
        return v.isoformat()
    if t is timedelta:
        total = v.total_seconds()
        sign = "-" if total < 0 else ""
        total = abs(total)
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{sign}{int(hours):02d}:{int(minutes):02d}:{number_text(round(seconds, 6)).zfill(2)}"
    if v is None:
        return None
    return str(v)


class _FormatReader:
    """Reads the number formats of a few rows, lazily (only for sheets that hold numbers)."""

    def __init__(self, data: bytes, fmt: str) -> None:
        self.data = data
        self.fmt = fmt
        self._book: Any = None
        self._failed = False

    def sample(self, sheet: str, header_row: int, start_col: int, columns: list[int]) -> dict[int, str]:
        """{column index: number format} for numeric cells in the FORMAT_ROWS rows after the header row."""
        if self._failed:
            return {}
        try:
            if self.fmt == "xls":
                return self._sample_xls(sheet, header_row, start_col, set(columns))
            return self._sample_xlsx(sheet, header_row, start_col, set(columns))
        except Exception:  # noqa: BLE001 - formats are a nicety; the values are already read
            self._failed = True
            return {}

    def _sample_xlsx(self, sheet: str, header_row: int, start_col: int, columns: set[int]) -> dict[int, str]:
        import openpyxl

        if self._book is None:
            self._book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
        ws = self._book[sheet]
        found: dict[int, str] = {}
        for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + FORMAT_ROWS):
            for cell in row:
                col = getattr(cell, "column", None)
                if col is None:
                    continue
                i = col - 1 - start_col
                if i in columns and i not in found and cell.data_type == "n" and cell.value is not None:
                    found[i] = cell.number_format or "General"
        return found

    def _sample_xls(self, sheet: str, header_row: int, start_col: int, columns: set[int]) -> dict[int, str]:
        import xlrd

        if self._book is None:
            self._book = xlrd.open_workbook(file_contents=self.data, formatting_info=True, on_demand=True)
        book = self._book
        ws = book.sheet_by_name(sheet)
        found: dict[int, str] = {}
        for r in range(header_row, min(ws.nrows, header_row + FORMAT_ROWS)):
            for c in range(ws.ncols):
                i = c - start_col
                if i in columns and i not in found and ws.cell_type(r, c) == xlrd.XL_CELL_NUMBER:
                    xf = book.xf_list[ws.cell_xf_index(r, c)]
                    found[i] = book.format_map[xf.format_key].format_str
        return found

    def close(self) -> None:
        if self._book is not None and hasattr(self._book, "close"):
            self._book.close()
        elif self._book is not None and hasattr(self._book, "release_resources"):
            self._book.release_resources()
        self._book = None
