"""Helpers for the single-export checks: canonical tables and datasets built directly from small columns.

Tables are built in the tests themselves (each test's docstring or case says how its data differs from a
clean export), so no profile or reader is involved unless a test says so.
"""

from __future__ import annotations

import pyarrow as pa

from portcheck.canonical import CanonicalDataset, CanonicalTable


def table(obj: str, region: str | None = None, declared: dict | None = None, repeated: int = 0,
          **columns: list) -> CanonicalTable:
    """A canonical table of string columns (``None`` = absent cell)."""
    t = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    return CanonicalTable(obj, t, mapped_fields=list(columns), region=region, declared=declared,
                          repeated_across_pages=repeated)


def dataset(**objects: CanonicalTable | None) -> CanonicalDataset:
    objs = {o: objects.get(o) for o in ("customer", "contact", "opportunity")}
    return CanonicalDataset(role="export", root="test", profile_name="canonical", profile_sha256="",
                            objects=objs, inputs=[])
