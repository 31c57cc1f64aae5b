"""Delimited text files (CSV, TSV, TXT): encoding and dialect detection, every value read as text."""

from __future__ import annotations

import csv
import io

from portcheck.errors import ReadError
from portcheck.readers.interface import RawTable, ReadOptions, SourceFile

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def detect_encoding(data: bytes, override: str | None = None) -> tuple[str, float]:
    """Return (encoding, confidence). BOMs are certain; plain UTF-8 that decodes is nearly so."""
    if override:
        return override, 1.0
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc, 1.0
    try:
        data.decode("utf-8")
        return "utf-8", 0.99
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is None:
        raise ReadError("the file is not text in any encoding portcheck knows",
                        hint="check that it is really a CSV export, or pass --encoding")
    enc = best.encoding.lower().replace("_", "-")
    # GB18030 contains GBK and GB2312: prefer it, so that rare characters are not lost.
    if enc in ("gbk", "gb2312", "cp936", "hz"):
        enc = "gb18030"
    return enc, round(1.0 - float(best.chaos), 3)


def read_csv(data: bytes, source: SourceFile, name: str, options: ReadOptions) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    encoding, confidence = detect_encoding(data, options.encoding)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise ReadError(f"{source.name} cannot be decoded as {encoding}",
                        hint="pass --encoding with the file's real encoding (e.g. gb18030, utf-16, cp1252)") from e
    if text.startswith("\ufeff"):
        text = text[1:]
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    utf8 = text.encode("utf-8")
    first_line = sample.split("\n", 1)[0]
    header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    names = _dedupe(header)
    if not names:
        raise ReadError(f"{source.name} has no header row", hint="a CSV export starts with a row of column names")
    issues: list[str] = []

    def on_invalid(row):  # ragged rows are findings, with their line numbers
        issues.append(f"line {row.number}: {row.actual_columns} fields where the header has {row.expected_columns}")
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as e:
        raise ReadError(f"{source.name} is not a well-formed CSV file ({str(e).splitlines()[0]})",
                        hint="check the file for an unclosed quote, or pass --encoding") from e
    return RawTable(name=name, source=source, format="csv", table=table, columns=header,
                    meta={"encoding": encoding, "confidence": confidence, "delimiter": delimiter},
                    issues=issues)


def _dedupe(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        n = seen.get(h, 0) + 1
        seen[h] = n
        out.append(h if n == 1 else f"{h}.{n}")
    return out
