"""The hostile-input corpus: every bad input portcheck is known to meet, built by code, with what must happen.

Each :class:`Case` writes its input into a fresh folder (large inputs are generated, never committed) and
names the portcheck command to run on it. What must happen is one of two outcomes, asserted by
``test_corpus.py``:

- ``refused``: exit 2, stderr is one ``portcheck: …`` sentence and one ``hint: …`` line, no traceback, and
  the sentence matches ``message`` (a regular expression);
- ``finding``: the command completes (exit 0 or 1) and ``finding`` (a function of the parsed report.json or
  ``inspect --json`` document) finds what the input did wrong, in the report.

Every case runs in a subprocess with its address space (``RLIMIT_AS``) and CPU time bounded and a wall-clock
timeout, so a regression that loops or allocates without bound fails the test instead of taking the machine
down. The same list generates ``bad-inputs.md`` (see ``test_corpus.py``), the README's troubleshooting table.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Case:
    id: str
    input: str  # what the input is, in the README table's words
    build: Callable[[Path], list[str]]  # writes the input under the folder, returns the portcheck arguments
    outcome: str  # "refused" | "finding"
    message: str | None = None  # refused: regular expression the one sentence must match
    finding: Callable[[dict[str, Any]], str] | None = None  # finding: returns the finding's text, or fails
    memory: int = 3 * GiB  # RLIMIT_AS of the subprocess
    timeout: float = 60  # wall clock, seconds
    note: str = ""  # what the table says when the outcome is a finding


# ---------------------------------------------------------------------------------------------- helpers


def write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def inspect(path: str) -> list[str]:
    return ["inspect", path, "--json"]


def check(path: str, *extra: str) -> list[str]:
    return ["check", path, "--out", "out", *extra]


CUSTOMER_HEADER = "customer_id,name,email,phone,notes\n"
CUSTOMER_ROWS = (
    "C1,Acme Ltd,ops@acme.example,+8675588881234,first\nC2,Beta GmbH,info@beta.example,+4930123456,second\n"
)


def _ooxml(
    sheet_xml: str,
    shared: bytes | None = None,
    extra: dict[str, bytes] | None = None,
    workbook_extra: str = "",
    rels_extra: str = "",
    types_extra: str = "",
    shared_compress: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal .xlsx written part by part, so that a test controls every byte of it."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else ""
        )
        + types_extra
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets>' + workbook_extra + "</workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        + (
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            if shared is not None
            else ""
        )
        + rels_extra
        + "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        if shared is not None:
            zf.writestr(zipfile.ZipInfo("xl/sharedStrings.xml"), shared, compress_type=shared_compress)
    return buf.getvalue()


def _sheet(rows: list[list[str]]) -> str:
    """Sheet XML from rows of ready-made ``<c>`` cell elements."""
    body = "".join(f'<row r="{i}">{"".join(cells)}</row>' for i, cells in enumerate(rows, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _deflate_stream(total: int, chunk: bytes, head: bytes = b"") -> bytes:
    """A raw deflate stream inflating to ``total`` bytes (``chunk`` repeated), built in milliseconds.

    One MiB of ``chunk`` is compressed once, ending in a full flush (byte-aligned, no back-references across
    it), so the same compressed bytes can be repeated: the stream for gigabytes costs no compression time.
    """
    block = chunk * max(1, MiB // len(chunk))
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    start = b""
    if head:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    return start + compressed * (total // len(block)) + final


def _zip_with_raw_member(
    name: str, deflated: bytes, size: int, crc: int, declared_size: int | None = None
) -> bytes:
    """A one-member ZIP whose member is the given raw deflate stream (headers may declare a false size)."""
    declared = size if declared_size is None else declared_size
    fname = name.encode()
    local = (
        struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(deflated), declared, len(fname), 0
        )
        + fname
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(deflated),
            declared,
            len(fname),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + fname
    )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(deflated), 0)
    return local + deflated + central + end


# ---------------------------------------------------------------------------------------------- builders


def _empty(d: Path) -> list[str]:
    write(d, "customer.csv", b"")
    return check("customer.csv")


def _whitespace_only(d: Path) -> list[str]:
    write(d, "customer.csv", "\ufeff  \r\n\r\n")
    return check("customer.csv")


def _header_only(d: Path) -> list[str]:
    write(d, "export/customer.csv", CUSTOMER_HEADER)
    return check("export", "--profile", "canonical")


def _header_only_finding(r: dict) -> str:
    rec = r["objects"]["customer"]["records"]
    assert rec["export"] == 0, rec
    return "customer: 0 records"


def _ragged(d: Path) -> list[str]:
    write(
        d,
        "export/customer.csv",
        CUSTOMER_HEADER
        + "C1,Acme,a@x.example,1,n,SURPLUS,MORE\nC2,Beta\n"
        + CUSTOMER_ROWS.replace("C1", "C3").replace("C2", "C4"),
    )
    return check("export", "--profile", "canonical")


def _issues(r: dict) -> list[str]:
    return [i for entry in r.get("inventory", []) for i in entry.get("issues", [])]


def _ragged_finding(r: dict) -> str:
    issues = _issues(r)
    assert any("line 2: 7 fields where the header has 5" in i for i in issues), issues
    assert any("line 3: 2 fields where the header has 5" in i for i in issues), issues
    assert "_extra_1" in r["objects"]["customer"]["unmapped_columns"]
    return "; ".join(issues[:2])


def _unclosed_quote(d: Path) -> list[str]:
    write(
        d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS + 'C3,"Gamma, never closed\nC4,Delta,d@x\n'
    )
    return check("export", "--profile", "canonical")


def _unclosed_quote_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "line 4: a quote opens a value that is never closed" in i]
    assert hit, issues
    return hit[0]


def _nul_bytes(d: Path) -> list[str]:
    rows = "".join(f"C{i},Name {i},e{i}@x.example,+861380000{i:04d},n\n" for i in range(1, 201))
    rows = rows.replace("Name 5,", "Na\x00me 5,").replace("Name 9,", "Name\x00\x00 9,")
    write(d, "export/customer.csv", CUSTOMER_HEADER + rows)
    return check("export", "--profile", "canonical")


def _nul_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "line 6: 3 NUL bytes" in i]
    assert hit, issues
    return hit[0]


def _binary_as_csv(d: Path) -> list[str]:
    write(d, "customer.csv", bytes(range(256)) * 64)
    return check("customer.csv")


def _mixed_encodings(d: Path) -> list[str]:
    text = (
        CUSTOMER_HEADER.encode()
        + "C1,北京客户,a@x.example,1,第一\n".encode() * 50
        + "C2,上海客户,b@x.example,2,第二\n".encode("gbk") * 50
    )
    write(d, "export/customer.csv", text)
    return check("export", "--profile", "canonical")


def _mixed_late(d: Path) -> list[str]:
    """Two MiB of UTF-8 rows (past the part the encoding detector samples), then GBK rows."""
    utf8 = "".join(f"C{i},北京客户{i},a{i}@x.example,1,第一\n" for i in range(1, 50_001)).encode("utf-8")
    gbk = "".join(f"D{i},上海客户{i},b{i}@x.example,2,第二\n" for i in range(1, 101)).encode("gbk")
    write(d, "export/customer.csv", CUSTOMER_HEADER.encode() + utf8 + gbk)
    return check("export", "--profile", "canonical")


def _mixed_late_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "line 50002: the file mixes encodings; 100 lines read as gb18030" in i]
    assert hit, issues
    assert r["objects"]["customer"]["records"]["export"] == 50_100
    return hit[0]


def _mixed_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "line 52: the file mixes encodings; 50 lines read as gb18030" in i]
    assert hit, issues
    return hit[0]


def _cut_character(d: Path) -> list[str]:
    """UTF-8 rows, one name cut mid-character by a byte limit (上 keeps 2 of its 3 bytes)."""
    rows = "".join(f"C{i},北京客户{i},c{i}@x.example,+86138000{i:05d},备注\n" for i in range(1, 101)).encode()
    rows = rows.replace("C7,北京客户7,".encode(), "C7,北京客户7".encode() + "上".encode()[:2] + b",")
    write(d, "export/customer.csv", CUSTOMER_HEADER.encode() + rows)
    return check("export", "--profile", "canonical")


def _cut_character_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "line 8: 1 byte sequence is not valid UTF-8" in i]
    assert hit, issues
    return hit[0]


def _big_cell(d: Path) -> list[str]:
    with open(d / "customer.csv", "wb") as fh:
        fh.write(CUSTOMER_HEADER.encode())
        fh.write(b'C1,"')
        block = b"x" * MiB
        for _ in range(50):
            fh.write(block)
        fh.write(b'",a@x.example,1,n\n')
    return inspect("customer.csv")


def _big_cell_finding(r: dict) -> str:
    t = r["tables"][0]
    assert t["rows"] == 1 and [c["name"] for c in t["columns"]][:2] == ["customer_id", "name"], t
    return "read: 1 row, a 50 MiB value"


def _wide(d: Path) -> list[str]:
    header = ",".join(f"c{i}" for i in range(20_000))
    row = ",".join(str(i) for i in range(20_000))
    write(d, "wide.csv", f"{header}\n{row}\n{row}\n")
    return inspect("wide.csv")


def _wide_finding(r: dict) -> str:
    t = r["tables"][0]
    assert t["rows"] == 2 and len(t["columns"]) == 20_000, (t["rows"], len(t["columns"]))
    return "read: 2 rows of 20,000 columns"


def _duplicate_columns(d: Path) -> list[str]:
    write(
        d, "export/customer.csv", "customer_id,name,email,email,name\nC1,Acme,a@x.example,b@x.example,Other\n"
    )
    return check("export", "--profile", "canonical")


def _duplicate_columns_finding(r: dict) -> str:
    issues = _issues(r)
    hit = [i for i in issues if "the header repeats 'name', 'email'" in i and "'email.2'" in i]
    assert hit, issues
    return hit[0]


def _json_invalid_utf8(d: Path) -> list[str]:
    """UTF-8 JSON whose one value ends in a character cut short (a byte limit cut 上 in half)."""
    records = [{"Id": str(i), "Name": f"北京客户{i}"} for i in range(1, 51)]
    text = json.dumps({"records": records}, ensure_ascii=False).encode("utf-8")
    text = text.replace('北京客户7"'.encode(), "北京客户7".encode() + "上".encode()[:2] + b'"')
    write(d, "export/customers.json", text)
    return [*inspect("export"), "--show-values"]


def _json_invalid_utf8_finding(r: dict) -> str:
    t = r["tables"][0]
    assert t["rows"] == 50 and t["encoding"] == "utf-8", t
    names = {c["name"]: c["samples"] for c in t["columns"]}["Name"]
    assert names[0] == "北京客户1", names  # the rest of the file is not read in another encoding
    hit = [i for i in t["issues"] if "1 byte sequence is not valid UTF-8" in i]
    assert hit, t["issues"]
    return hit[0]


def _json_deep(d: Path) -> list[str]:
    write(d, "deep.json", "[" * 100_000 + "]" * 100_000)
    return inspect("deep.json")


def _json_deep_object(d: Path) -> list[str]:
    write(d, "deep.json", '{"records": [{"a": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}]}")
    return inspect("deep.json")


def _json_duplicate_keys(d: Path) -> list[str]:
    write(d, "export/customers.json", '{"records": [{"Id": "1", "Name": "Acme", "Name": "Evil"}]}')
    return inspect("export")


def _json_dup_finding(r: dict) -> str:
    issues = r["tables"][0]["issues"]
    hit = [i for i in issues if "same key more than once ('Name')" in i]
    assert hit, issues
    return hit[0]


def _json_truncated(d: Path) -> list[str]:
    write(d, "customers.json", '{"records": [{"Id": "1", "Name": "Acme"}, {"Id": "2", "Na')
    return inspect("customers.json")


def _json_scalar(d: Path) -> list[str]:
    write(d, "customers.json", "42")
    return inspect("customers.json")


def _xlsx_formulas(d: Path) -> list[str]:
    # Built by xlsx_with_formulas_and_links(); the test of record is test_xlsx_links.py, which also watches
    # the network and the file system. Here: the outcome and its table row.
    write(d, "book.xlsx", xlsx_with_formulas_and_links("http://127.0.0.1:9/steal", "/etc/passwd"))
    return [*inspect("book.xlsx"), "--show-values"]


def xlsx_with_formulas_and_links(url: str, path: str) -> bytes:
    """A workbook whose cells are formulas (with cached values) pointing at an external workbook and a URL."""
    rows = [
        [
            _inline("A1", "customer_id"),
            _inline("B1", "name"),
            _inline("C1", "phone"),
            _inline("D1", "website"),
        ],
        [
            _inline("A2", "C1"),
            '<c r="B2" t="str"><f>[1]Sheet1!$A$1</f><v>Cached Name</v></c>',
            '<c r="C2"><f>WEBSERVICE("' + url + '")</f><v>42</v></c>',
            '<c r="D2" t="str"><f>HYPERLINK("' + url + '","site")</f><v>site</v></c>',
        ],
        [
            _inline("A3", "C2"),
            '<c r="B3" t="str"><f>1+1</f></c>',
            '<c r="C3"><f>SUM(1,2)</f><v>3</v></c>',
            '<c r="D3" t="str"><f>\'file:///' + path.lstrip("/") + "'#$Sheet1.A1</f><v>linked</v></c>",
        ],
    ]
    link = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>Cached Name</v></cell></row>'
        "</sheetData></sheetDataSet></externalBook></externalLink>"
    )
    link_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        f'Target="file:///{path.lstrip("/")}" TargetMode="External"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
        f'Target="{url}" TargetMode="External"/></Relationships>'
    )
    return _ooxml(
        _sheet(rows),
        extra={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
        workbook_extra='<externalReferences><externalReference r:id="rId3"/></externalReferences>',
        rels_extra='<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" '
        'Target="externalLinks/externalLink1.xml"/>',
        types_extra='<Override PartName="/xl/externalLinks/externalLink1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>',
    )


def _xlsx_formulas_finding(r: dict) -> str:
    t = r["tables"][0]
    samples = {c["name"]: c["samples"] for c in t["columns"]}
    # the values Excel saved with the formulas; a formula saved without a value reads as empty
    assert samples == {
        "customer_id": ["C1", "C2"],
        "name": ["Cached Name"],
        "phone": ["42", "3"],
        "website": ["site", "linked"],
    }, samples
    return "the values Excel saved are read (a formula without one reads as empty)"


def _xlsx_encrypted(d: Path) -> list[str]:
    import msoffcrypto.format.ooxml as ooxml
    import openpyxl

    plain = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["customer_id", "name"])
    wb.active.append(["C1", "Acme"])
    wb.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt("s3cret", out)
    write(d, "locked.xlsx", out.getvalue())
    return check("locked.xlsx")


def _xlsx_shared_strings_bomb(d: Path) -> list[str]:
    """sharedStrings.xml: 3 GiB of 1 KiB strings, deflated to 7 MiB; its headers declare the true size."""
    unit = b"<si><t>" + b"A" * 1017 + b"</t></si>"  # 1 KiB per shared string
    size = 3 * GiB
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    deflated = _deflate_stream(size, unit, head)
    sheet = _sheet(
        [
            [_inline("A1", "customer_id"), _inline("B1", "name")],
            [_inline("A2", "C1"), '<c r="B2" t="s"><v>0</v></c>'],
        ]
    )
    book = _ooxml(
        sheet,
        shared=None,
        types_extra=(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        ),
        rels_extra=(
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        ),
    )
    # The sst element is never closed: the stream ends inside it (a reader stops long before, or fails).
    write(d, "bomb.xlsx", _append_raw_member(book, "xl/sharedStrings.xml", deflated, size, 0))
    return check("bomb.xlsx")


def _append_raw_member(zip_bytes: bytes, name: str, deflated: bytes, size: int, crc: int) -> bytes:
    """Add a member whose deflate stream is given, rewriting the central directory (ZIP64 when needed)."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        infos = zf.infolist()
        cd_offset = zf.start_dir
    body = zip_bytes[:cd_offset]
    fname = name.encode()
    zip64 = size >= 0xFFFFFFFF
    extra_local = struct.pack("<HHQQ", 1, 16, size, len(deflated)) if zip64 else b""
    local = (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            45 if zip64 else 20,
            0,
            8,
            0,
            0x21,
            crc,
            0xFFFFFFFF if zip64 else len(deflated),
            0xFFFFFFFF if zip64 else size,
            len(fname),
            len(extra_local),
        )
        + fname
        + extra_local
    )
    offset = len(body)
    body += local + deflated
    central = b""
    for info in infos:
        central += _central_record(
            info.filename.encode(),
            info.CRC,
            info.compress_size,
            info.file_size,
            info.header_offset,
            info.compress_type,
        )
    extra_c = struct.pack("<HHQQ", 1, 16, size, len(deflated)) if zip64 else b""
    central += (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            45 if zip64 else 20,
            45 if zip64 else 20,
            0,
            8,
            0,
            0x21,
            crc,
            0xFFFFFFFF if zip64 else len(deflated),
            0xFFFFFFFF if zip64 else size,
            len(fname),
            len(extra_c),
            0,
            0,
            0,
            0,
            offset,
        )
        + fname
        + extra_c
    )
    count = len(infos) + 1
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def _central_record(fname: bytes, crc: int, csize: int, usize: int, offset: int, method: int) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            method,
            0,
            0x21,
            crc,
            csize,
            usize,
            len(fname),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + fname
    )


def _xlsx_not_a_zip(d: Path) -> list[str]:
    write(d, "book.xlsx", b"PK\x03\x04" + b"\x00" * 200)
    return check("book.xlsx")


def _xlsx_shared_cells_bomb(d: Path) -> list[str]:
    """300,000 cells using one 32,000-character shared string: a 3 MiB file asking for 9 GiB of text."""
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>" + "A" * 32_000 + "</t></si></sst>"
    ).encode()
    body = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" t="s"><v>0</v></c></row>'
        for i in range(2, 300_002)
    )
    sheet = _sheet([[_inline("A1", "customer_id"), _inline("B1", "notes")]]).replace(
        "</sheetData>", body + "</sheetData>"
    )
    write(d, "cells.xlsx", _ooxml(sheet, shared=sst))
    return check("cells.xlsx")


def _xlsx_bomb_lying(d: Path) -> list[str]:
    """The shared-strings bomb with headers declaring 64 KiB: the reader stops there and finds it damaged."""
    unit = b"<si><t>" + b"A" * 1017 + b"</t></si>"
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    sheet = _sheet(
        [
            [_inline("A1", "customer_id"), _inline("B1", "name")],
            [_inline("A2", "C1"), '<c r="B2" t="s"><v>0</v></c>'],
        ]
    )
    book = _ooxml(
        sheet,
        types_extra=(
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        ),
        rels_extra=(
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        ),
    )
    write(
        d,
        "bomb.xlsx",
        _append_raw_member(book, "xl/sharedStrings.xml", _deflate_stream(3 * GiB, unit, head), 64 * 1024, 0),
    )
    return check("bomb.xlsx")


def small_xls() -> bytes:
    """A three-row legacy .xls workbook (sheet "Accounts": Id, Name; one Chinese name)."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Accounts")
    for r, row in enumerate([["Id", "Name"], ["1", "Acme"], ["2", "客户"]]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xls_cut_short(d: Path) -> list[str]:
    """An .xls download cut off 180 bytes early (it made calamine panic before portcheck caught that)."""
    write(d, "book.xls", small_xls()[:-180])
    return check("book.xls")


def _check_max_bytes(d: Path) -> list[str]:
    """A 3 MiB CSV in a ZIP, read with --max-bytes 1M."""
    rows = "".join(
        f"C{i},Customer {i * 7919 % 100003},{i * 104729 % 999983}@x.example,1,n\n" for i in range(60_000)
    )
    write(d, "export.zip", _zip({"customer.csv": CUSTOMER_HEADER + rows}))
    return check("export.zip", "--max-bytes", "1M")


def _inspect_max_files(d: Path) -> list[str]:
    for i in range(12):
        write(d, f"export/part-{i:02d}.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return ["inspect", "export", "--max-files", "10"]


def _check_max_json_depth(d: Path) -> list[str]:
    write(d, "customers.json", '{"records": [{"a": ' + '{"a": ' * 10 + "1" + "}" * 10 + "}]}")
    return check("customers.json", "--max-json-depth", "8")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _zip_slip(d: Path) -> list[str]:
    write(
        d,
        "export.zip",
        _zip({"customer.csv": CUSTOMER_HEADER + CUSTOMER_ROWS, "../../evil.csv": "a,b\n1,2\n"}),
    )
    return check("export.zip")


def _zip_absolute(d: Path) -> list[str]:
    write(
        d,
        "export.zip",
        _zip({"customer.csv": CUSTOMER_HEADER + CUSTOMER_ROWS, "/tmp/evil.csv": "a,b\n1,2\n"}),
    )
    return check("export.zip")


def _zip_bomb(d: Path) -> list[str]:
    """One member inflating 1,000 times and more: 1 GiB of zeros in about 1 MiB."""
    data = _deflate_stream(GiB, b"\x00")
    crc = 0  # never reached: the read stops on the ratio long before the end
    write(d, "export.zip", _zip_with_raw_member("customer.csv", data, GiB, crc))
    return check("export.zip")


def _zip_bomb_lying(d: Path) -> list[str]:
    """The same bomb, its headers claiming the member is 1 KiB (sizes in ZIP headers are not trusted)."""
    data = _deflate_stream(GiB, b"\x00")
    write(d, "export.zip", _zip_with_raw_member("customer.csv", data, GiB, 0, declared_size=1024))
    return check("export.zip")


def _zip_nested(d: Path) -> list[str]:
    data = _zip({"customer.csv": CUSTOMER_HEADER + CUSTOMER_ROWS})
    for i in range(19):
        data = _zip({f"level{19 - i}.zip": data})
    write(d, "export.zip", data)
    return check("export.zip")


def _zip_truncated(d: Path) -> list[str]:
    data = _zip({"customer.csv": (CUSTOMER_HEADER + CUSTOMER_ROWS * 100).encode()})
    write(d, "export.zip", data[: len(data) // 2])
    return check("export.zip")


def _zip_encrypted(d: Path) -> list[str]:
    import pyzipper

    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"s3cret")
        zf.writestr("customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    write(d, "export.zip", buf.getvalue())
    return check("export.zip")


def _symlink_out(d: Path) -> list[str]:
    write(d, "secret/passwords.csv", "user,password\nroot,hunter2\n")
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    os.symlink(d / "secret" / "passwords.csv", d / "export" / "contact.csv")
    return check("export")


def _symlink_dir_out(d: Path) -> list[str]:
    write(d, "secret/passwords.csv", "user,password\nroot,hunter2\n")
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    os.symlink(d / "secret", d / "export" / "more")
    return check("export")


def _alias_bomb(width: int, names: str, value: str) -> str:
    """YAML whose aliases expand to ``width ** (len(names) + 1)`` values (a "billion laughs")."""
    lines = ["a: &a [" + ",".join([f'"{value}"'] * width) + "]"]
    prev = "a"
    for name in names:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def _yaml_bomb(d: Path) -> list[str]:
    write(d, "mapping.yaml", _alias_bomb(9, "bcdefghi", "lol"))
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return check("export", "--mapping", "mapping.yaml")


def _policy_bomb(d: Path) -> list[str]:
    write(d, "policy.yaml", _alias_bomb(10, "bcdefghij", "x"))
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return check("export", "--policy", "policy.yaml")


def _sql_nowhere(d: Path) -> list[str]:
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return check(
        "export",
        "--profile",
        "canonical",
        "--reference",
        "postgresql+psycopg://nobody:pw@127.0.0.1:9/crm?connect_timeout=3",
    )


def _sql_sqlite_missing(d: Path) -> list[str]:
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return check("export", "--profile", "canonical", "--reference", f"sqlite:///{d}/no/such/crm.db")


def _sql_not_a_database(d: Path) -> list[str]:
    write(d, "export/customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    write(d, "legacy.db", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return check("export", "--profile", "canonical", "--reference", "sqlite:///legacy.db")


def _missing_path(d: Path) -> list[str]:
    return check("no-such-export")


def _png_named_csv(d: Path) -> list[str]:
    write(d, "customer.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    return check("customer.csv")


def _zip_named_zip_not_zip(d: Path) -> list[str]:
    write(d, "export.zip", b"<html>404 Not Found</html>")
    return check("export.zip")


def _bad_encoding_option(d: Path) -> list[str]:
    write(d, "customer.csv", CUSTOMER_HEADER + CUSTOMER_ROWS)
    return ["inspect", "customer.csv", "--encoding", "klingon-8"]


def _fifo(d: Path) -> list[str]:
    os.mkfifo(d / "customer.csv")
    return check("customer.csv")


CASES: list[Case] = [
    Case("empty-file", "an empty file (0 bytes)", _empty, "refused", r"customer\.csv is empty \(0 bytes\)"),
    Case(
        "whitespace-only",
        "a file holding only a BOM and blank lines",
        _whitespace_only,
        "refused",
        r"customer\.csv has no header row \(it holds only blank lines\)",
    ),
    Case(
        "header-only",
        "a header row and no records",
        _header_only,
        "finding",
        finding=_header_only_finding,
        note="0 records for the object (not an error)",
    ),
    Case(
        "ragged-rows",
        "rows with more or fewer fields than the header",
        _ragged,
        "finding",
        finding=_ragged_finding,
        note="each such line listed; surplus kept in `_extra_N` columns",
    ),
    Case(
        "unclosed-quote",
        "a quote opened on the last rows and never closed",
        _unclosed_quote,
        "finding",
        finding=_unclosed_quote_finding,
        note="the line where the quote opens is named",
    ),
    Case(
        "nul-bytes",
        "NUL bytes inside a CSV",
        _nul_bytes,
        "finding",
        finding=_nul_finding,
        note="the NUL bytes are counted and named",
    ),
    Case(
        "binary-as-csv",
        "binary bytes named .csv",
        _binary_as_csv,
        "refused",
        r"customer\.csv contains binary data, not (delimited )?text",
    ),
    Case(
        "png-as-csv",
        "a PNG image named .csv",
        _png_named_csv,
        "refused",
        r"customer\.csv contains binary data, not (delimited )?text",
    ),
    Case(
        "mixed-encodings",
        "UTF-8 rows followed by GBK rows in one file",
        _mixed_encodings,
        "finding",
        finding=_mixed_finding,
        note="each line read in its own encoding; the mix is named",
    ),
    Case(
        "mixed-encodings-late",
        "2 MiB of UTF-8 rows, then GBK rows",
        _mixed_late,
        "finding",
        finding=_mixed_late_finding,
        note="each line read in its own encoding; the mix is named",
    ),
    Case(
        "csv-cut-character",
        "a UTF-8 CSV with one character cut in half",
        _cut_character,
        "finding",
        finding=_cut_character_finding,
        note="read as UTF-8; the broken character becomes U+FFFD",
    ),
    Case(
        "50mb-cell",
        "one 50 MiB cell",
        _big_cell,
        "finding",
        finding=_big_cell_finding,
        memory=4 * GiB,
        note="read in full",
    ),
    Case("20000-columns", "20,000 columns", _wide, "finding", finding=_wide_finding, note="read in full"),
    Case(
        "duplicate-columns",
        "the same column name twice",
        _duplicate_columns,
        "finding",
        finding=_duplicate_columns_finding,
        note="repeats renamed `.2`, `.3` and named",
    ),
    Case(
        "json-invalid-utf8",
        "invalid UTF-8 in a JSON file (a character cut short)",
        _json_invalid_utf8,
        "finding",
        finding=_json_invalid_utf8_finding,
        note="read as UTF-8; the broken character becomes U+FFFD",
    ),
    Case(
        "json-100000-deep",
        "JSON nested 100,000 levels deep",
        _json_deep,
        "refused",
        r"deep\.json is nested more than 64 levels deep \(limit max_json_depth\)",
    ),
    Case(
        "json-1000-deep-record",
        "a JSON record nested 1,000 levels deep",
        _json_deep_object,
        "refused",
        r"deep\.json is nested more than 64 levels deep",
    ),
    Case(
        "json-duplicate-keys",
        "a JSON object with the same key twice",
        _json_duplicate_keys,
        "finding",
        finding=_json_dup_finding,
        note="the key and the record are named",
    ),
    Case(
        "json-truncated",
        "a JSON file cut off mid-record",
        _json_truncated,
        "refused",
        r"customers\.json is not valid JSON \(line 1, column \d+",
    ),
    Case(
        "json-scalar",
        "a JSON file holding one number",
        _json_scalar,
        "refused",
        r"customers\.json holds a single value, not a list of records",
    ),
    Case(
        "xlsx-formulas-links",
        "an .xlsx with formulas, external links and WEBSERVICE()",
        _xlsx_formulas,
        "finding",
        finding=_xlsx_formulas_finding,
        note="the values Excel saved are read; no formula is evaluated, no link followed",
    ),
    Case(
        "xlsx-encrypted",
        "an encrypted .xlsx, no password given",
        _xlsx_encrypted,
        "refused",
        r"locked\.xlsx is password-protected",
    ),
    Case(
        "xlsx-shared-strings-bomb",
        "an .xlsx whose shared strings inflate to 3 GiB",
        _xlsx_shared_strings_bomb,
        "refused",
        r"bomb\.xlsx.*(expands more than|limit max_)",
        timeout=120,
    ),
    Case(
        "xlsx-shared-cells-bomb",
        "an .xlsx whose 300,000 cells all use one 32,000-character shared string",
        _xlsx_shared_cells_bomb,
        "refused",
        r"cells\.xlsx: its cells repeat shared strings into more than 8\.0 GiB of text "
        r"\(limit max_total_bytes",
    ),
    Case(
        "xlsx-bomb-lying-header",
        "the same workbook, its header claiming the part is 64 KiB",
        _xlsx_bomb_lying,
        "refused",
        r"bomb\.xlsx is not a readable Excel workbook",
    ),
    Case("xlsx-not-a-zip", "a damaged .xlsx", _xlsx_not_a_zip, "refused", r"book\.xlsx is not a readable"),
    Case(
        "xls-cut-short",
        "an .xls cut off mid-download",
        _xls_cut_short,
        "refused",
        r"book\.xls is not a readable Excel workbook \(damaged\)",
    ),
    Case(
        "check-max-bytes",
        "a ZIP expanding past `check --max-bytes 1M`",
        _check_max_bytes,
        "refused",
        r"archives in the export expand to more than 1\.0 MiB \(limit max_total_bytes, reached in "
        r"export\.zip/customer\.csv\)",
    ),
    Case(
        "inspect-max-files",
        "12 files with `--max-files 10`",
        _inspect_max_files,
        "refused",
        r"the export holds more than 10 files \(limit max_files, reached at part-10\.csv\)",
    ),
    Case(
        "check-max-json-depth",
        "a record nested 11 deep with `check --max-json-depth 8`",
        _check_max_json_depth,
        "refused",
        r"customers\.json is nested more than 8 levels deep",
    ),
    Case(
        "zip-slip",
        "a ZIP with a `../` member path",
        _zip_slip,
        "refused",
        r"export\.zip contains a member whose path leaves the archive \('\.\./\.\./evil\.csv'\)",
    ),
    Case(
        "zip-absolute",
        "a ZIP with an absolute member path",
        _zip_absolute,
        "refused",
        r"export\.zip contains a member whose path leaves the archive \('/tmp/evil\.csv'\)",
    ),
    Case(
        "zip-bomb",
        "a ZIP member inflating 1,000× (1 GiB of zeros)",
        _zip_bomb,
        "refused",
        r"export\.zip/customer\.csv expands more than 200 times its compressed size",
    ),
    Case(
        "zip-bomb-lying-header",
        "the same bomb, its header claiming 1 KiB",
        _zip_bomb_lying,
        "refused",
        r"export\.zip/customer\.csv (expands more than 200 times|is damaged)",
    ),
    Case(
        "zip-nested-20",
        "ZIPs nested 20 deep",
        _zip_nested,
        "refused",
        r"is a ZIP nested 5 levels deep \(limit max_nesting = 4\)",
    ),
    Case(
        "zip-truncated",
        "a ZIP cut off mid-download",
        _zip_truncated,
        "refused",
        r"export\.zip is not a readable ZIP archive",
    ),
    Case(
        "zip-encrypted",
        "an AES-encrypted ZIP, no password given",
        _zip_encrypted,
        "refused",
        r"export\.zip/customer\.csv is encrypted",
    ),
    Case(
        "zip-not-zip",
        "an HTML error page named .zip",
        _zip_named_zip_not_zip,
        "refused",
        r"export\.zip is named \.zip but is not a ZIP archive",
    ),
    Case(
        "symlink-file-out",
        "a symbolic link from the export folder to a file outside it",
        _symlink_out,
        "refused",
        r"contact\.csv is a symbolic link to .*, outside the export folder",
    ),
    Case(
        "symlink-folder-out",
        "a symbolic link from the export folder to a folder outside it",
        _symlink_dir_out,
        "refused",
        r"more is a symbolic link to .*, outside the export folder",
    ),
    Case(
        "fifo",
        "a named pipe instead of a file",
        _fifo,
        "refused",
        r"customer\.csv is neither a file nor a folder",
    ),
    Case(
        "yaml-alias-bomb-mapping",
        "a mapping file whose YAML aliases expand to 387 million values",
        _yaml_bomb,
        "refused",
        r"mapping\.yaml, line 2: YAML aliases \(\*a\) are not allowed",
    ),
    Case(
        "yaml-alias-bomb-policy",
        "a policy file whose YAML aliases expand exponentially",
        _policy_bomb,
        "refused",
        r"policy\.yaml expands to more than 100,000 values \(YAML aliases\)",
    ),
    Case(
        "sql-url-nowhere",
        "a SQLAlchemy URL to a server that is not there",
        _sql_nowhere,
        "refused",
        r"the reference database cannot be read \(OperationalError: .*Connection refused\)",
    ),
    Case(
        "sql-sqlite-missing",
        "a SQLite URL to a file that does not exist",
        _sql_sqlite_missing,
        "refused",
        r"the reference database .*/no/such/crm\.db does not exist",
    ),
    Case(
        "sql-not-a-database",
        "a SQLite URL to a file that is not a database",
        _sql_not_a_database,
        "refused",
        r"the reference database cannot be read \(DatabaseError: file is not a database\)",
    ),
    Case(
        "missing-path",
        "a path that does not exist",
        _missing_path,
        "refused",
        r"no-such-export does not exist",
    ),
    Case("unknown-encoding", "--encoding naming no codec", _bad_encoding_option, "refused", r"klingon-8"),
]
