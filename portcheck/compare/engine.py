"""The reference comparison: pairing, counts, compared cells, normalisation and defects (DESIGN, "Comparison rules").

Work that touches every cell is vectorised with pyarrow.compute (pairing by hash join, raw equality,
emptiness); only cells whose raw values differ reach the Python normalisers and classifiers, which are
cached per distinct value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portcheck import schema
from portcheck.compare import classify as cl
from portcheck.compare import normalize as nz

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from portcheck.canonical import CanonicalDataset, CanonicalTable

MATCH, FORMAT = "match", "format"
_SFID = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")

_COUNTRY_NAMES = {
    "china": "CN", "中国": "CN", "中华人民共和国": "CN", "prc": "CN", "united states": "US", "usa": "US",
    "美国": "US", "united kingdom": "GB", "uk": "GB", "英国": "GB", "germany": "DE", "德国": "DE",
    "hong kong": "HK", "香港": "HK", "taiwan": "TW", "台湾": "TW", "japan": "JP", "日本": "JP",
    "singapore": "SG", "新加坡": "SG", "france": "FR", "法国": "FR",
}


@dataclass(frozen=True)
class PairSpec:
    """Which field pairs records: ``export_field`` in the export, ``reference_field`` in the reference."""

    export_field: str
    reference_field: str

    @classmethod
    def parse(cls, text: str) -> tuple[str, PairSpec]:
        """``contact=x_legacy_id:contact_id`` → ("contact", PairSpec("x_legacy_id", "contact_id"))."""
        obj, _, spec = text.partition("=")
        exp, _, ref = spec.partition(":")
        return obj.strip(), cls(exp.strip(), (ref or exp).strip())


@dataclass
class FieldFigures:
    compared: int = 0
    matched: int = 0
    format_differences: int = 0
    defects: Counter = field(default_factory=Counter)


@dataclass
class ObjectComparison:
    object: str
    pair: PairSpec
    reference: int = 0
    export: int = 0
    matched: int = 0
    missing: int = 0
    extra: int = 0
    ambiguous: int = 0
    duplicate_keys: int = 0
    fields: dict[str, FieldFigures] = field(default_factory=dict)
    missing_fields: list[str] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)  # reference keys with no export record
    extra_keys: list[str] = field(default_factory=list)  # export keys with no reference record
    ambiguous_keys: list[str] = field(default_factory=list)
    mismatches: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # key, field, defect, ref, exp
    # reference primary key -> export primary key of the paired record (for FK translation and uniqueness)
    pk_map: dict[str, str] = field(default_factory=dict)
    paired_export_pks: set[str] = field(default_factory=set)
    export_pk_to_ref_pk: dict[str, str] = field(default_factory=dict)

    @property
    def compared(self) -> int:
        return sum(f.compared for f in self.fields.values())

    @property
    def cells_matched(self) -> int:
        return sum(f.matched for f in self.fields.values())

    def defect_totals(self) -> dict[str, int]:
        total: Counter = Counter()
        for f in self.fields.values():
            total.update(f.defects)
        return {k: int(total.get(k, 0)) for k in cl.DEFECT_KINDS}


@dataclass
class CompareOptions:
    pair_on: dict[str, PairSpec] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {reference value: export}
    region: str | None = None  # --region: overrides both profiles' default
    keep_email_local_case: bool = False
    max_mismatch_rows: int = 1_000_000


def _column(t: CanonicalTable, name: str) -> pa.ChunkedArray:
    return t.table.column(name)


def _clean_keys(arr: pa.ChunkedArray) -> pa.Array:
    """Pairing keys as compared: NFC-trimmed text, empty → null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pc.utf8_trim_whitespace(arr.cast(pa.string()))
    if not pc.all(pc.fill_null(pc.equal(pc.string_is_ascii(a), True), True)).as_py():
        a = pc.utf8_normalize(a, "NFC")
    a = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _salesforce_15(a: pa.Array, b: pa.Array) -> tuple[pa.Array, pa.Array]:
    """When one side carries 18-character Salesforce IDs and the other 15, pair them on the first 15."""
    import pyarrow.compute as pc

    def lengths(x: pa.Array) -> set[int]:
        sample = pc.unique(pc.utf8_length(x.slice(0, 2000))).to_pylist()
        return {n for n in sample if n is not None}

    la, lb = lengths(a), lengths(b)
    if not ((18 in la and 15 in lb) or (15 in la and 18 in lb) or (15 in la and 18 in la)):
        return a, b
    if not all(_SFID.match(v) for v in a.slice(0, 200).drop_null().to_pylist() + b.slice(0, 200).drop_null().to_pylist()):
        return a, b
    return pc.utf8_slice_codeunits(a, 0, 15), pc.utf8_slice_codeunits(b, 0, 15)


def _first_and_repeats(keys: pa.Array) -> tuple[pa.Table, pa.Table]:
    """(first row per key, counts per key) for a key column (nulls excluded)."""
    import pyarrow as pa

    t = pa.table({"k": keys, "row": pa.array(range(len(keys)), pa.int64())}).filter(
        pa.compute.is_valid(keys))
    g = t.group_by("k", use_threads=False).aggregate([("row", "min"), ("row", "count")])
    return g, t


def _country_region(value: str | None, default: str | None) -> str | None:
    if value:
        v = nz.text(value)
        if len(v) == 2 and v.isalpha():
            return v.upper()
        code = _COUNTRY_NAMES.get(v.casefold())
        if code:
            return code
    return default


def compare_object(obj: str, ref_t: CanonicalTable, exp_t: CanonicalTable, *, pair: PairSpec,
                   parent_maps: dict[str, dict[str, str]], options: CompareOptions,
                   ref_nulls: frozenset[str] = frozenset(), exp_nulls: frozenset[str] = frozenset(),
                   ) -> ObjectComparison:
    """Compare one object. ``parent_maps``: FK field -> {reference parent pk: export parent pk}."""
    import pyarrow as pa
    import pyarrow.compute as pc

    odef = schema.load_schema()[obj]
    res = ObjectComparison(object=obj, pair=pair, reference=ref_t.rows, export=exp_t.rows)

    rkeys = _clean_keys(_column(ref_t, pair.reference_field)) if pair.reference_field in ref_t.columns \
        else pa.nulls(ref_t.rows, pa.string())
    ekeys = _clean_keys(_column(exp_t, pair.export_field)) if pair.export_field in exp_t.columns \
        else pa.nulls(exp_t.rows, pa.string())
    rkeys, ekeys = _salesforce_15(rkeys, ekeys)

    # Export: the first row of each key pairs; later rows with the same key are duplicates.keys.
    eg, _ = _first_and_repeats(ekeys)
    res.duplicate_keys = int(pc.sum(pc.subtract(eg.column("row_count"), 1)).as_py() or 0)
    # Reference: a repeated key is ambiguous, those records stay unpaired; an empty key too.
    rg, _ = _first_and_repeats(rkeys)
    rep = pc.greater(rg.column("row_count"), 1)
    amb_keys = rg.filter(rep)
    res.ambiguous = int(pc.sum(amb_keys.column("row_count")).as_py() or 0) + rkeys.null_count
    res.ambiguous_keys = amb_keys.column("k").to_pylist()
    r_unique = rg.filter(pc.invert(rep)).rename_columns(["k", "rrow", "rcount"])
    e_first = eg.rename_columns(["k", "erow", "ecount"])
    joined = r_unique.join(e_first, "k", join_type="inner", use_threads=True)
    joined = joined.sort_by("rrow")
    rrows = joined.column("rrow").combine_chunks()
    erows = joined.column("erow").combine_chunks()
    res.matched = len(joined)

    in_export = pc.is_in(r_unique.column("k"), value_set=e_first.column("k"))
    res.missing_keys = r_unique.filter(pc.invert(in_export)).sort_by("rrow").column("k").to_pylist()
    res.missing = len(res.missing_keys)
    paired_or_amb = pa.concat_arrays([r_unique.column("k").combine_chunks(), amb_keys.column("k").combine_chunks()])
    e_extra = e_first.filter(pc.invert(pc.is_in(e_first.column("k"), value_set=r_unique.column("k"))))
    res.extra_keys = e_extra.sort_by("erow").column("k").to_pylist()
    # export = matched + extra + duplicates.keys: rows without a key, and rows whose key is ambiguous in
    # the reference, cannot pair and count as extra.
    res.extra = res.export - res.matched - res.duplicate_keys
    del paired_or_amb

    # Primary-key pairing map, for the children's foreign keys and for uniqueness charging.
    pk = odef.primary_key
    if pk in ref_t.columns and pk in exp_t.columns and res.matched:
        rpk = _clean_keys(_column(ref_t, pk)).take(rrows).to_pylist()
        epk = _clean_keys(_column(exp_t, pk)).take(erows).to_pylist()
        res.pk_map = {r: e for r, e in zip(rpk, epk) if r is not None and e is not None}
        res.export_pk_to_ref_pk = {e: r for r, e in res.pk_map.items()}
        res.paired_export_pks = set(res.export_pk_to_ref_pk)

    # Compared cells: each field the reference has, except the pairing key (and the primary key when pairing
    # on another field: system-assigned IDs change in every migration and are not data).
    skip = {pair.reference_field, pair.export_field}
    if pair.reference_field != pk:
        skip.add(pk)
    ref_fields = [c for c in ref_t.columns if c not in skip and not c.startswith("_")]
    keys_for_rows = rkeys.take(rrows)
    region_default = options.region or exp_t.region or ref_t.region
    country_ref = _column(ref_t, "country").take(rrows).to_pylist() if "country" in ref_t.columns else None
    country_exp = _column(exp_t, "country").take(erows).to_pylist() if "country" in exp_t.columns else None

    for fname in ref_fields:
        fdef = odef.get(fname)
        ftype = fdef.type if fdef else schema.STRING
        figures = res.fields.setdefault(fname, FieldFigures())
        rv = _column(ref_t, fname).take(rrows).combine_chunks().cast(pa.string())
        if fname in parent_maps:
            rv = _translate(rv, parent_maps[fname])
        vmap = options.value_maps.get(fname)
        if vmap:
            rv = _translate(rv, vmap)
        r_empty = _empty_mask(rv, ref_nulls)
        if fname not in exp_t.columns:
            res.missing_fields.append(fname)
            n = int(pc.sum(pc.invert(r_empty)).as_py() or 0)
            figures.compared += n
            figures.defects[cl.MISSING_VALUE] += n
            idx = pc.indices_nonzero(pc.invert(r_empty)).to_pylist()
            vals = rv.to_pylist()
            for i in idx[: options.max_mismatch_rows]:
                res.mismatches.append((keys_for_rows[i].as_py(), fname, cl.MISSING_VALUE, vals[i], ""))
            continue
        ev = _column(exp_t, fname).take(erows).combine_chunks().cast(pa.string())
        e_empty = _empty_mask(ev, exp_nulls)
        either = pc.invert(pc.and_(r_empty, e_empty))
        figures.compared += int(pc.sum(either).as_py() or 0)
        same = pc.fill_null(pc.equal(rv, ev), False)
        differ = pc.and_(either, pc.invert(same))
        idx = pc.indices_nonzero(differ).to_pylist()
        figures.matched += int(pc.sum(pc.and_(either, same)).as_py() or 0)
        if not idx:
            continue
        r_list = rv.take(idx).to_pylist()
        e_list = ev.take(idx).to_pylist()
        r_empty_l = r_empty.take(idx).to_pylist()
        e_empty_l = e_empty.take(idx).to_pylist()
        ref_zone, exp_zone = ref_t.timezone, exp_t.timezone
        for j, i in enumerate(idx):
            r = "" if r_empty_l[j] else (r_list[j] or "")
            e = "" if e_empty_l[j] else (e_list[j] or "")
            region = None
            if ftype == schema.PHONE:
                region = _country_region((country_ref[i] if country_ref else None)
                                         or (country_exp[i] if country_exp else None), region_default)
            verdict = compare_cell(r, e, ftype, ref_zone=ref_zone, exp_zone=exp_zone, region=region,
                                   keep_local_case=options.keep_email_local_case)
            if verdict == MATCH:
                figures.matched += 1
            elif verdict == FORMAT:
                figures.matched += 1
                figures.format_differences += 1
            else:
                figures.defects[verdict] += 1
                if len(res.mismatches) < options.max_mismatch_rows:
                    res.mismatches.append((keys_for_rows[i].as_py(), fname, verdict, r_list[j] or "",
                                           e_list[j] or ""))
    return res


def compare_cell(ref: str, exp: str, ftype: str, *, ref_zone: str = "UTC", exp_zone: str = "UTC",
                 region: str | None = None, keep_local_case: bool = False) -> str:
    """``match``, ``format`` (equal after normalisation) or the defect kind of one compared cell."""
    if ref == exp:
        return MATCH
    if nz.text(ref) == "" or nz.text(exp) == "":
        return cl.classify(ref, exp, ftype, ref_zone=ref_zone, exp_zone=exp_zone)
    if ftype == schema.PHONE and cl.phone_lost_trunk_zero(ref, exp):
        return cl.LEADING_ZERO
    a = nz.normalise(ref, ftype, zone=ref_zone, region=region, keep_local_case=keep_local_case)
    b = nz.normalise(exp, ftype, zone=exp_zone, region=region, keep_local_case=keep_local_case)
    if a == b:
        return FORMAT
    return cl.classify(ref, exp, ftype, ref_zone=ref_zone, exp_zone=exp_zone)


def _empty_mask(arr: pa.Array, null_tokens: frozenset[str]) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    t = pc.utf8_trim_whitespace(arr)
    empty = pc.fill_null(pc.equal(t, ""), True)
    if null_tokens:
        empty = pc.or_(empty, pc.fill_null(pc.is_in(t, value_set=pa.array(sorted(null_tokens))), False))
    return empty


def _translate(arr: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Replace values found in ``mapping`` (trimmed), keep the others."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not mapping:
        return arr
    keys = pa.array(list(mapping.keys()), pa.string())
    vals = pa.array(list(mapping.values()), pa.string())
    trimmed = pc.utf8_trim_whitespace(arr)
    idx = pc.index_in(trimmed, value_set=keys)
    mapped = pc.take(vals, idx)
    return pc.if_else(pc.is_valid(idx), mapped, arr)


def parent_pairing_maps(obj: str, done: dict[str, ObjectComparison]) -> dict[str, dict[str, str]]:
    """FK field -> {reference parent pk: export parent pk} from the parents compared already."""
    odef = schema.load_schema()[obj]
    return {fk: done[parent].pk_map for fk, parent in odef.foreign_keys.items() if parent in done}


def compare_datasets(reference: CanonicalDataset, export: CanonicalDataset,
                     options: CompareOptions) -> dict[str, ObjectComparison | None]:
    """Compare every object present on both sides, parents first (customer, contact, opportunity)."""
    done: dict[str, ObjectComparison] = {}
    out: dict[str, ObjectComparison | None] = {}
    for obj in schema.OBJECTS:
        r, e = reference.get(obj), export.get(obj)
        if r is None:
            out[obj] = None
            continue
        if e is None:
            e = _empty_like(e, r, obj)
        pk = schema.load_schema()[obj].primary_key
        pair = options.pair_on.get(obj, PairSpec(pk, pk))
        out[obj] = done[obj] = compare_object(
            obj, r, e, pair=pair, parent_maps=parent_pairing_maps(obj, done), options=options,
            ref_nulls=frozenset(reference.null_tokens), exp_nulls=frozenset(export.null_tokens))
    return out


def _empty_like(_: Any, ref_t: CanonicalTable, obj: str) -> CanonicalTable:
    import pyarrow as pa

    from portcheck.canonical import CanonicalTable

    return CanonicalTable(object=obj, table=pa.table({c: pa.array([], pa.string()) for c in ref_t.columns}),
                          timezone=ref_t.timezone, region=ref_t.region)
