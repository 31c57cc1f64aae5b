"""Helpers for the vendor-profile tests (part 2): fixture cases, reading an export as the CLI does.

A case is a folder ``fixtures/<profile>/<variant>/`` with ``export/`` and ``expected/`` (canonical CSVs and
``facts.json``). Facts used here, beyond part 1's (needs_readers, deleted, declared, inventory):

- ``detect``: the profile auto-detection must pick (the layout is distinctive);
- ``ambiguous``: profiles detection must name when it refuses to guess (generic Chinese labels);
- ``options``: keyword arguments for ``load_dataset`` (e.g. the exporting user's time zone);
- ``mapping``: a mapping file beside ``export/`` that the case is read with (the tenant's own codes).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
VENDORS = ("dynamics365", "odoo", "suitecrm", "fxiaoke", "xiaoshouyi", "jiandaoyun", "kingdee", "yonyou")
CHINESE_LABEL_VENDORS = ("fxiaoke", "jiandaoyun", "kingdee", "yonyou")


def cases() -> list[tuple[str, Path]]:
    out = []
    for name in VENDORS:
        for expected in sorted((FIXTURES / name).rglob("expected")):
            out.append((name, expected.parent))
    return out


def case_id(case: Path) -> str:
    return str(case.relative_to(FIXTURES))


def facts(case: Path) -> dict:
    path = case / "expected" / "facts.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def needs_reader(fmt: str) -> None:
    import importlib

    modules = {
        "xlsx": "portcheck.readers.excel",
        "xls": "portcheck.readers.excel",
        "json": "portcheck.readers.jsonfile",
        "zip": "portcheck.readers.archive",
    }
    try:
        importlib.import_module(modules[fmt])
    except ImportError:
        pytest.skip(f"the {fmt} reader is not in portcheck/readers yet")


def read(path: Path, role: str = "export"):
    from portcheck.readers import read_export

    return read_export(path, role=role)


def read_case(case: Path):
    for fmt in facts(case).get("needs_readers", []):
        needs_reader(fmt)
    return read(case / "export")


def load_case(case: Path, profile: str | None):
    """The case's export mapped the way its facts say (profile, mapping, options)."""
    from portcheck.profiles import load_dataset

    f = facts(case)
    mapping = case / f["mapping"] if "mapping" in f else None
    return load_dataset(read_case(case), profile=profile, mapping=mapping, **f.get("options", {}))


def expected_rows(path: Path) -> list[dict[str, str | None]]:
    """An expected canonical CSV: empty cells mean empty (None)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


def table_rows(table, columns: list[str]) -> list[dict[str, str | None]]:
    rows = table.select([c for c in columns if c in table.column_names]).to_pylist()
    return [{c: (r.get(c) if r.get(c) != "" else None) for c in columns} for r in rows]


def column(ds, obj: str, field: str) -> list:
    return ds.objects[obj].table.column(field).to_pylist()
