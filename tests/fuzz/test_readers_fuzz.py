"""Fuzzing the readers (Hypothesis over bytes): any input ends in raw tables or a PortcheckError, only.

Each target hands bytes to :func:`portcheck.readers.read_export` under one file name (so every reader and the
content sniffing run): pure random bytes, and mutations of small valid seeds — a CSV, a GBK CSV, a JSON API
page, JSON Lines, an .xlsx, an .xls, a ZIP of CSVs — with bytes overwritten, inserted, deleted, repeated or
cut off. A result must be an :class:`ExportSource` whose tables have only string columns; an exception must
be a :class:`PortcheckError` with a one-line message. Anything else (a KeyError, a Rust panic, a
RecursionError) is a bug, and Hypothesis shrinks it to a small input.

Bounded: ``PORTCHECK_FUZZ_EXAMPLES`` examples per target (default 400, about 15 s for all eight targets on one
core); set it higher for a longer local run. Derandomised in CI (``CI`` set) so that a failure reproduces.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portcheck.errors import PortcheckError
from portcheck.readers import ExportSource, ReadOptions, read_export
from tests.robustness.corpus import small_xls

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("PORTCHECK_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
# Small limits: a fuzzed archive cannot make the test slow or large.
OPTIONS = ReadOptions(max_total_bytes=8 << 20, max_ratio=50, max_nesting=3, max_json_depth=32, max_files=50)


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "name", "amount", "created"])
    ws.append(["C1", "北京客户", 12.5, "2024-01-02"])
    ws.append(["C2", "=1+1", 3388926000000166021, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("customer.csv", 'customer_id,name\nC1,Acme\nC2,"Beta, Inc"\n')
        zf.writestr("inner/contact.json", json.dumps({"records": [{"Id": "1", "Name": "x"}]}))
    return buf.getvalue()


SEEDS: dict[str, tuple[str, bytes]] = {
    "csv": ("customer.csv", b'customer_id,name,notes\nC1,Acme,"multi\nline"\nC2,"Beta ""B""",x\n'),
    "gbk": ("customer.csv", "客户编号,客户名称\nC1,北京客户\n".encode("gbk")),
    "json": (
        "page-1.json",
        json.dumps(
            {
                "totalSize": 2,
                "done": True,
                "records": [
                    {
                        "attributes": {"type": "Account"},
                        "Id": "001",
                        "Name": "Acme",
                        "Owner": {"Name": "王芳"},
                    },
                    {"Id": "002", "Name": None, "Amount": 1.10},
                ],
            }
        ).encode(),
    ),
    "jsonl": ("contacts.jsonl", b'{"id": 1, "email": "a@x"}\n{"id": 2, "tags": ["a", "b"]}\n'),
    "xlsx": ("book.xlsx", _xlsx()),
    "xls": ("book.xls", small_xls()),
    "zip": ("export.zip", _zip()),
}
SUFFIXES = [".csv", ".tsv", ".txt", ".json", ".jsonl", ".xlsx", ".xls", ".zip", ".dat"]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        op = draw(st.sampled_from(["overwrite", "insert", "delete", "repeat", "cut"]))
        at = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if op == "overwrite" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete" and data:
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "repeat" and data:
            chunk = bytes(data[at : at + draw(st.integers(1, 64))])
            data[at:at] = chunk * draw(st.integers(1, 20))
        elif op == "cut":
            del data[at:]
    return bytes(data)


def _read(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            source = read_export(path, options=OPTIONS)
        except PortcheckError as e:
            assert e.message and "\n" not in e.message, repr(e.message)
            return
    assert isinstance(source, ExportSource)
    import pyarrow as pa

    for t in source.tables:
        assert all(f.type == pa.string() for f in t.table.schema), t.table.schema
        assert t.rows == t.table.num_rows


def _zip_with_bad_deflate() -> bytes:
    """The ZIP seed with its first member's deflate data made invalid (block type 11 is reserved)."""
    data = bytearray(SEEDS["zip"][1])
    name_len, extra_len = int.from_bytes(data[26:28], "little"), int.from_bytes(data[28:30], "little")
    data[30 + name_len + extra_len] |= 0b110
    return bytes(data)


REGRESSIONS = {  # inputs fuzzing found, each once a crash (kept so that they stay fixed)
    "csv-lone-cr": ("customer.csv", b"\r!"),  # csv.Error from the header sniffing (CR-only line endings)
    "csv-cr-near-a-footer": ("report.csv", b"Name,Notes\nAcme,x\r y\n\nGrand Totals (1 records)\n"),  # ditto,
    # in the Salesforce footer scan
    "xls-cut-short": ("book.xls", SEEDS["xls"][1][:-180]),  # a Rust panic in calamine (PanicException)
    "zip-bad-deflate": ("export.zip", _zip_with_bad_deflate()),  # zlib.error from a member
}


@pytest.mark.parametrize("case", sorted(REGRESSIONS))
def test_inputs_fuzzing_found(case):
    name, data = REGRESSIONS[case]
    _read(name, data)


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_under_any_name(data, suffix):
    _read("input" + suffix, data)


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_the_seeds_are_read(kind):
    """The seeds themselves read into tables: the mutations start from real files."""
    name, data = SEEDS[kind]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(data)
        assert read_export(Path(tmp) / name, options=OPTIONS).tables


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_mutated_files(kind):
    name, seed = SEEDS[kind]

    @FUZZ
    @given(data=mutated(seed))
    def run(data):
        _read(name, data)

    run()
