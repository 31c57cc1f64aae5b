"""Referential integrity: records whose non-empty foreign key names no record of the parent object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.canonical import CanonicalDataset


@dataclass
class FkFindings:
    fk: str
    parent: str
    parent_absent: bool = False
    field_absent: bool = False  # the child table does not carry the FK column
    with_fk: int = 0
    orphans: int = 0
    rows: list[dict[str, str]] = field(default_factory=list)  # {"key","field","value"} in reading order


def orphans(dataset: CanonicalDataset, obj: str, null_tokens: tuple[str, ...] = ()) -> list[FkFindings]:
    """One entry per foreign key of ``obj`` in the canonical schema (keys compared NFC, trimmed)."""
    import pyarrow.compute as pc

    from portcheck.checks._arrow import clean_column
    from portcheck.schema import load_schema

    schema = load_schema()
    child = dataset.get(obj)
    if child is None:
        return []
    odef = schema[obj]
    out = []
    for fk, parent_obj in odef.foreign_keys.items():
        found = FkFindings(fk=fk, parent=parent_obj)
        parent = dataset.get(parent_obj)
        if parent is None:
            found.parent_absent = True
        if fk not in child.columns:
            found.field_absent = True
            out.append(found)
            continue
        values = clean_column(child.table, fk, null_tokens)
        has = pc.is_valid(values)
        found.with_fk = int(pc.sum(has).as_py() or 0)
        if parent is not None:
            parent_keys = clean_column(parent.table, schema[parent_obj].primary_key, null_tokens)
            sel = _absent(values, pc.drop_null(parent_keys))
            found.orphans = len(sel)
            if found.orphans:
                keys = clean_column(child.table, odef.primary_key, null_tokens)
                orphan_keys, orphan_values = pc.take(keys, sel).to_pylist(), pc.take(values, sel).to_pylist()
                for k, v in zip(orphan_keys, orphan_values, strict=True):
                    found.rows.append({"key": k or "", "field": fk, "value": v})
        out.append(found)
    return out


def _absent(values: pa.Array, keys: pa.Array) -> pa.Array:
    """Positions (ascending) of the non-null ``values`` that are not among ``keys``: a hash anti-join in
    DuckDB (exact string equality, both cores), instead of building a hash set of every parent key here."""
    import numpy as np
    import pyarrow as pa

    from portcheck.checks._arrow import duck_cursor

    child = pa.table({"v": values, "i": pa.array(np.arange(len(values), dtype=np.int64))})
    parent = pa.table({"k": keys.cast(pa.string())})
    con = duck_cursor()
    try:
        con.register("c", child)
        con.register("p", parent)
        got = con.sql("SELECT i FROM c ANTI JOIN p ON c.v = p.k WHERE c.v IS NOT NULL").fetchnumpy()["i"]
    finally:
        con.close()
    return pa.array(np.sort(np.asarray(got, np.int64)))
