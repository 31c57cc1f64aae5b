"""The reference comparison: pairing, counts, compared cells, normalisation and defects (DESIGN, "Comparison rules").

Work that touches every cell is vectorised with pyarrow.compute and numpy (pairing by merging sorted keys
or by one dictionary of both sides' keys, raw equality over zero-copy slices when the sides run in step,
emptiness); only cells whose raw values differ reach the vectorised normalisers of ``cells`` and, for what
those cannot decide, the Python normalisers and classifiers, once per distinct value.
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
    from collections.abc import Callable

    import numpy as np
    import pyarrow as pa

    from portcheck.canonical import CanonicalDataset, CanonicalTable

MATCH, FORMAT = "match", "format"
CELL_SLICE = 250_000  # differing cells decided at a time
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
class KeyPairs:
    """Primary keys of paired records: ``ref[i]`` (reference) pairs with ``exp[i]`` (export)."""

    ref: pa.Array
    exp: pa.Array
    unique: bool | None = None  # both sides free of repeats (None: not known yet)
    identity: bool | None = None  # every pair is one key kept as it was (None: not known yet)

    def __len__(self) -> int:
        return len(self.ref)

    def is_unique(self) -> bool:
        if self.unique is None:
            self.unique = _unique(self.ref) and _unique(self.exp)
        return self.unique

    def is_identity(self) -> bool:
        if self.identity is None:
            import pyarrow.compute as pc

            self.identity = bool(pc.all(pc.equal(self.ref, self.exp)).as_py() in (True, None))
        return self.identity


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
    # (reference primary keys, export primary keys) of the paired records, both non-empty, in reference
    # order: the children's foreign keys are translated through them, uniqueness charging reads them.
    pk_pairs: KeyPairs | None = None
    _dicts: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def pk_map(self) -> dict[str, str]:
        """reference primary key -> export primary key of the paired record (built on first use)."""
        if "pk_map" not in self._dicts:
            p = self.pk_pairs
            self._dicts["pk_map"] = (dict(zip(p.ref.to_pylist(), p.exp.to_pylist(), strict=True)) if p
                                     else {})
        return self._dicts["pk_map"]

    @property
    def export_pk_to_ref_pk(self) -> dict[str, str]:
        if "export_pk_to_ref_pk" not in self._dicts:
            self._dicts["export_pk_to_ref_pk"] = {e: r for r, e in self.pk_map.items()}
        return self._dicts["export_pk_to_ref_pk"]

    def reference_keys_of(self, export_keys: list[str]) -> list[str | None]:
        """``export_pk_to_ref_pk.get(k)`` for each key, without building the dict for a million records."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.pk_pairs or not export_keys:
            return [None] * len(export_keys)
        if not self.pk_pairs.is_unique():
            return [self.export_pk_to_ref_pk.get(k) for k in export_keys]
        pos = pc.index_in(pa.array(export_keys, pa.string()), value_set=self.pk_pairs.exp)
        return pc.take(self.pk_pairs.ref, pos).to_pylist()

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


def _unique(arr: pa.Array) -> bool:
    import pyarrow.compute as pc

    return pc.count_distinct(arr).as_py() == len(arr)


def _column(t: CanonicalTable, name: str) -> pa.ChunkedArray:
    return t.table.column(name)


def _clean_keys(arr: pa.ChunkedArray) -> pa.Array:
    """Pairing keys as compared: NFC-trimmed text, empty → null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = arr.cast(pa.string())
    if isinstance(a, pa.ChunkedArray):
        a = a.chunk(0) if a.num_chunks == 1 else a.combine_chunks()
    if _clean_already(a):
        return a
    a = pc.utf8_trim_whitespace(a)
    if not pc.all(pc.fill_null(pc.equal(pc.string_is_ascii(a), True), True)).as_py():
        a = pc.utf8_normalize(a, "NFC")
    a = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _clean_already(a: pa.Array) -> bool:
    """Whether every value is ASCII, not empty, and starts and ends with a printable character (so that
    trimming, NFC and nulling empty values leave the keys as they are): a look at the bytes, no copy."""
    import numpy as np
    import pyarrow as pa

    n = len(a)
    if n == 0 or a.null_count == n or not pa.types.is_string(a.type) or a.buffers()[2] is None:
        return False
    off = np.frombuffer(a.buffers()[1], np.int32)[a.offset:a.offset + n + 1]
    data = np.frombuffer(a.buffers()[2], np.uint8)[off[0]:off[-1]]
    if len(data) == 0 or data.max() >= 0x7F:
        return False
    starts, ends = off[:-1] - off[0], off[1:] - off[0]
    if a.null_count:
        keep = _valid_mask(a)
        starts, ends = starts[keep], ends[keep]
    if (ends <= starts).any():
        return False
    return bool((data[starts] > 0x20).all() and (data[ends - 1] > 0x20).all())


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


def _country_region(value: str | None, default: str | None) -> str | None:
    if value:
        v = nz.text(value)
        if len(v) == 2 and v.isalpha():
            return v.upper()
        code = _COUNTRY_NAMES.get(v.casefold())
        if code:
            return code
    return default


def _fixed_width(keys: pa.Array) -> np.ndarray | None:
    """The non-null values of a string array as numpy bytes (dtype ``S<w>``, no copy) when every one has
    the same byte width ``w`` and no NUL byte (numpy then compares them as Arrow does: byte by byte), and
    null slots hold no bytes; else None."""
    import numpy as np
    import pyarrow as pa

    n = len(keys)
    if n == 0 or not pa.types.is_string(keys.type) or keys.buffers()[2] is None:
        return None
    off = np.frombuffer(keys.buffers()[1], np.int32)[keys.offset:keys.offset + n + 1]
    lengths = np.diff(off)
    width = int(lengths.max())
    if width == 0:
        return None
    if keys.null_count:
        valid = _valid_mask(keys)
        if (lengths[valid] != width).any() or (lengths[~valid] != 0).any():
            return None
    elif (lengths != width).any():
        return None
    data = np.frombuffer(keys.buffers()[2], np.uint8)[off[0]:off[-1]]
    if not data.all():  # a NUL byte
        return None
    return data.view(f"S{width}")


def _valid_mask(arr: pa.Array) -> np.ndarray:
    import numpy as np
    import pyarrow.compute as pc

    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), bool)


def _sorted_codes(rkeys: pa.Array, ekeys: pa.Array) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(reference codes, export codes, number of distinct keys), a code per distinct key and -1 for null,
    when both sides' keys are of one byte width and each side is in ascending order (an export in its
    IDs' order): one stable merge of the two sorted runs, no hashing. None otherwise."""
    import numpy as np

    a, b = _fixed_width(rkeys), _fixed_width(ekeys)
    if a is None or b is None or a.dtype != b.dtype:
        return None
    packed = _as_integers(a, b)
    if packed is not None:
        a, b = packed
    if (a[1:] < a[:-1]).any() or (b[1:] < b[:-1]).any():
        return None
    both = np.concatenate([a, b])
    order = np.argsort(both, kind="stable")  # two ascending runs: merged in one pass
    ranked = both[order]
    new = np.ones(len(ranked), bool)
    new[1:] = ranked[1:] != ranked[:-1]
    group = np.cumsum(new) - 1
    codes = np.empty(len(both), np.int64)
    codes[order] = group
    out = []
    for keys, part in ((rkeys, codes[:len(a)]), (ekeys, codes[len(a):])):
        if keys.null_count:
            full = np.full(len(keys), -1, np.int64)
            full[_valid_mask(keys)] = part
            part = full
        out.append(part)
    return out[0], out[1], int(group[-1]) + 1


def _as_integers(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Keys of one byte width (numpy ``S<w>``) as unsigned 64-bit integers in the same order, when all
    but their last eight bytes are the same on both sides (``P00000001``: the 'P'); else None."""
    import numpy as np

    width = a.dtype.itemsize
    ma, mb = a.view(np.uint8).reshape(len(a), width), b.view(np.uint8).reshape(len(b), width)
    lead = width - 8
    if lead > 0:
        first = (ma if len(ma) else mb)[0, :lead]
        for m in (ma, mb):
            for j in range(lead):  # column by column: most keys differ early when they differ at all
                if (m[:, j] != first[j]).any():
                    return None
    tail = min(width, 8)

    def pack(m: np.ndarray) -> np.ndarray:
        out = np.zeros((len(m), 8), np.uint8)
        out[:, 8 - tail:] = m[:, width - tail:]
        return out.view(">u8").reshape(-1).astype(np.uint64)  # big-endian: byte order is number order

    return pack(ma), pack(mb)


def _pairing(rkeys: pa.Array, ekeys: pa.Array) -> dict[str, Any]:
    """Pair reference and export rows by key: a code per distinct key of both sides (a merge when both
    are sorted, else one dictionary of both sides' keys), numpy after."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n_r, n_e = len(rkeys), len(ekeys)
    rkeys, ekeys = rkeys.cast(pa.string()), ekeys.cast(pa.string())
    sorted_codes = _sorted_codes(rkeys, ekeys)
    if sorted_codes is not None:
        rc, ec, k = sorted_codes
    else:
        enc = pc.dictionary_encode(pa.concat_arrays([rkeys, ekeys]))
        k = len(enc.dictionary)
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)
        rc, ec = codes[:n_r], codes[n_r:]

    def first_and_count(c: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.flatnonzero(c >= 0)
        count = np.bincount(c[rows], minlength=k)
        first = np.full(k, n, np.int64)
        np.minimum.at(first, c[rows], rows)
        return first, count

    r_first, r_count = first_and_count(rc, n_r)
    e_first, e_count = first_and_count(ec, n_e)
    unique_ref = r_count == 1
    matched = np.flatnonzero(unique_ref & (e_count >= 1))
    order = np.argsort(r_first[matched], kind="stable")
    matched = matched[order]

    def keys_at(keys: pa.Array, rows: np.ndarray) -> list[str]:
        """The keys of the first rows of some codes, in row order."""
        return keys.take(pa.array(np.sort(rows), pa.int64())).to_pylist()

    ambiguous = np.flatnonzero(r_count > 1)
    missing = np.flatnonzero(unique_ref & (e_count == 0))
    extra = np.flatnonzero((e_count >= 1) & ~unique_ref)
    return {
        "rrows": r_first[matched], "erows": e_first[matched],
        "duplicate_keys": int((e_count[e_count > 0] - 1).sum()),
        "ambiguous": int(r_count[ambiguous].sum()) + rkeys.null_count,
        "ambiguous_keys": keys_at(rkeys, r_first[ambiguous]),
        "missing_keys": keys_at(rkeys, r_first[missing]),
        "extra_keys": keys_at(ekeys, e_first[extra]),
    }


def compare_object(obj: str, ref_t: CanonicalTable, exp_t: CanonicalTable, *, pair: PairSpec,
                   parent_maps: dict[str, Any], options: CompareOptions,
                   ref_nulls: frozenset[str] = frozenset(), exp_nulls: frozenset[str] = frozenset(),
                   ) -> ObjectComparison:
    """Compare one object. ``parent_maps``: FK field -> the parent's ``pk_pairs`` (reference primary keys,
    export primary keys), or a dict {reference parent pk: export parent pk}."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.compare import cells

    odef = schema.load_schema()[obj]
    res = ObjectComparison(object=obj, pair=pair, reference=ref_t.rows, export=exp_t.rows)

    clean_cache: dict[tuple[str, str], pa.Array] = {}

    def cleaned(side: str, t: CanonicalTable, name: str) -> pa.Array:
        if (side, name) not in clean_cache:
            clean_cache[(side, name)] = _clean_keys(_column(t, name)) if name in t.columns \
                else pa.nulls(t.rows, pa.string())
        return clean_cache[(side, name)]

    rkeys, ekeys = _salesforce_15(cleaned("r", ref_t, pair.reference_field),
                                  cleaned("e", exp_t, pair.export_field))

    # The first export row of each key pairs; later rows with the same key are duplicates.keys. A key that
    # repeats in the reference is ambiguous: those records stay unpaired; an empty key too.
    p = _pairing(rkeys, ekeys)
    res.duplicate_keys = p["duplicate_keys"]
    res.ambiguous, res.ambiguous_keys = p["ambiguous"], p["ambiguous_keys"]
    res.missing_keys, res.extra_keys = p["missing_keys"], p["extra_keys"]
    res.missing = len(res.missing_keys)
    rr, er = np.asarray(p["rrows"], np.int64), np.asarray(p["erows"], np.int64)
    rrows, erows = pa.array(rr), pa.array(er)
    res.matched = len(rr)
    # export = matched + extra + duplicates.keys: rows without a key, and rows whose key is ambiguous in
    # the reference, cannot pair and count as extra.
    res.extra = res.export - res.matched - res.duplicate_keys

    # Primary-key pairs, for the children's foreign keys and for uniqueness charging.
    pk = odef.primary_key
    if pk in ref_t.columns and pk in exp_t.columns and res.matched:
        rpk = cleaned("r", ref_t, pk).take(rrows)
        epk = cleaned("e", exp_t, pk).take(erows)
        both = pc.and_(pc.is_valid(rpk), pc.is_valid(epk))
        # Paired on the primary key itself (no 15/18-character cut): each key pairs once on each side.
        known_unique = pair.reference_field == pk == pair.export_field and rkeys is clean_cache[("r", pk)] \
            and ekeys is clean_cache[("e", pk)]
        res.pk_pairs = KeyPairs(rpk.filter(both), epk.filter(both), unique=True if known_unique else None)

    # Compared cells: each field the reference has, except the pairing key (and the primary key when pairing
    # on another field: system-assigned IDs change in every migration and are not data).
    skip = {pair.reference_field, pair.export_field}
    if pair.reference_field != pk:
        skip.add(pk)
    ref_fields = [c for c in ref_t.columns if c not in skip and not c.startswith("_")]
    region_default = options.region or exp_t.region or ref_t.region
    ref_zone, exp_zone = ref_t.timezone, exp_t.timezone
    # Each column is read whole (emptiness, translation) and its paired cells side by side: as slices
    # when the paired rows run in step on both sides (an export in the reference's order), else taken.
    bounds = _runs(rr, er)

    for fname in ref_fields:
        fdef = odef.get(fname)
        ftype = fdef.type if fdef else schema.STRING
        figures = res.fields.setdefault(fname, FieldFigures())
        rcol = _string_column(ref_t, fname)
        if fname in parent_maps:
            rcol = _translate(rcol, parent_maps[fname])
        vmap = options.value_maps.get(fname)
        if vmap:
            rcol = _translate(rcol, vmap)
        if fname not in parent_maps and not vmap:  # the column as it stands (see reference_tasks)
            r_empty = _reference_empty(ref_t, fname, ref_nulls)[rr]
        else:
            r_empty = _empty_mask(rcol, ref_nulls)[rr]
        if fname not in exp_t.columns:
            res.missing_fields.append(fname)
            present = np.flatnonzero(~r_empty)
            figures.compared += len(present)
            figures.defects[cl.MISSING_VALUE] += len(present)
            sel = pa.array(rr[present[: options.max_mismatch_rows]])
            for k, v in zip(rkeys.take(sel).to_pylist(), rcol.take(sel).to_pylist(), strict=True):
                res.mismatches.append((k, fname, cl.MISSING_VALUE, v, ""))
            continue
        ecol = _string_column(exp_t, fname)
        rv, ev = _paired(rcol, rr, rrows, bounds), _paired(ecol, er, erows, bounds)
        same = cells._np_bool(pc.equal(rv, ev))
        if ref_nulls == exp_nulls:
            # Equal cells are empty on both sides or on neither: the export's emptiness is read only where
            # the values differ.
            diff = np.flatnonzero(~same)
            e_d = ev.take(pa.array(diff)) if bounds is None else ecol.take(pa.array(er[diff]))
            e_empty = _empty_mask(e_d, exp_nulls)
            shown = ~(r_empty[diff] & e_empty)  # differing cells not empty on both sides: compared
            idx = diff[shown]
            r_same_empty = int(np.count_nonzero(r_empty)) - int(np.count_nonzero(r_empty[diff]))
            figures.compared += len(rr) - r_same_empty - int(np.count_nonzero(~shown))
            figures.matched += len(rr) - len(diff) - r_same_empty
            if len(idx) and not shown.all():
                e_d, e_empty = e_d.filter(pa.array(shown)), e_empty[shown]
        else:  # a null token of one side only: an equal cell may be empty on that side alone
            e_all = _empty_mask(ecol, exp_nulls)[er]
            either = ~(r_empty & e_all)
            figures.compared += int(either.sum())
            figures.matched += int((either & same).sum())
            idx = np.flatnonzero(either & ~same)
            e_d = ev.take(pa.array(idx)) if bounds is None else ecol.take(pa.array(er[idx]))
            e_empty = e_all[idx]
        if not len(idx):
            continue
        r_at, e_at = rr[idx], er[idx]  # the differing cells' rows on each side
        r_d = rv.take(pa.array(idx)) if bounds is None else rcol.take(pa.array(r_at))
        regions = None
        if ftype == schema.PHONE:
            regions = _cell_regions(ref_t, exp_t, r_at, e_at, region_default)
        # In slices: a re-formatted column differs in every cell, and each slice's temporaries are freed
        # before the next one is read.
        codes = np.concatenate([
            cells.cell_verdicts(r_d.slice(i, CELL_SLICE), e_d.slice(i, CELL_SLICE),
                                r_empty[idx[i:i + CELL_SLICE]], e_empty[i:i + CELL_SLICE], ftype,
                                ref_zone=ref_zone, exp_zone=exp_zone,
                                regions=regions.slice(i, CELL_SLICE) if regions is not None else None,
                                keep_local_case=options.keep_email_local_case)
            for i in range(0, len(idx), CELL_SLICE)])
        counts = np.bincount(codes.astype(np.int64), minlength=len(cells.VERDICTS))
        figures.matched += int(counts[cells.CODE[MATCH]] + counts[cells.CODE[FORMAT]])
        figures.format_differences += int(counts[cells.CODE[FORMAT]])
        for kind in cl.DEFECT_KINDS:
            if counts[cells.CODE[kind]]:
                figures.defects[kind] += int(counts[cells.CODE[kind]])
        room = options.max_mismatch_rows - len(res.mismatches)
        defects = np.flatnonzero(codes >= cells.CODE[cl.DEFECT_KINDS[0]])[: max(room, 0)]
        if len(defects):
            at = pa.array(defects)
            kinds = [cells.VERDICTS[c] for c in codes[defects]]
            for k, kind, r, e in zip(rkeys.take(pa.array(r_at[defects])).to_pylist(), kinds,
                                     r_d.take(at).to_pylist(), e_d.take(at).to_pylist(), strict=True):
                res.mismatches.append((k, fname, kind, r or "", e or ""))
    return res


_MAX_RUNS = 4096  # more runs than this (a shuffled export): the paired cells are taken instead


def _runs(rr: np.ndarray, er: np.ndarray) -> np.ndarray | None:
    """Bounds of the runs in which both sides' paired rows advance one by one together (pair i of a run
    is reference row rr[start] + i and export row er[start] + i), or None when there are too many."""
    import numpy as np

    if len(rr) == 0:
        return None
    cut = np.flatnonzero((np.diff(rr) != 1) | (np.diff(er) != 1)) + 1
    if len(cut) >= _MAX_RUNS:
        return None
    return np.concatenate([[0], cut, [len(rr)]]).astype(np.int64)


def _string_column(t: CanonicalTable, name: str) -> pa.Array:
    """A column as one string array."""
    import pyarrow as pa

    col = _column(t, name)
    if isinstance(col, pa.ChunkedArray):  # one chunk is taken as it is (combine_chunks would copy it)
        col = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    return col if pa.types.is_string(col.type) else col.cast(pa.string())


def _reference_empty(ref_t: CanonicalTable, name: str, null_tokens: frozenset[str]) -> np.ndarray:
    """:func:`_empty_mask` of a reference column as it stands, computed once per table."""
    from portcheck.checks._arrow import memoized

    return memoized(ref_t.table, ("compare.empty", name, tuple(sorted(null_tokens))),
                    lambda: _empty_mask(_string_column(ref_t, name), null_tokens))


def reference_tasks(reference: CanonicalDataset, value_maps: dict[str, Any]) -> list[Callable[[], Any]]:
    """Work of the comparison that reads the reference alone (which cells are empty), as small tasks the
    reference's thread may run while the export is still being loaded: the comparison then finds it done.
    Foreign keys and mapped fields are translated before that test, so they are left to the comparison."""
    tasks: list[Callable[[], Any]] = []
    nulls = frozenset(reference.null_tokens)
    for obj in schema.OBJECTS:
        t = reference.get(obj)
        if t is None:
            continue
        skip = set(schema.load_schema()[obj].foreign_keys) | set(value_maps)
        tasks += [lambda t=t, f=f: _reference_empty(t, f, nulls) for f in t.columns
                  if f not in skip and not f.startswith("_")]
    return tasks


def _paired(col: pa.Array, rows: np.ndarray, taken: pa.Array, bounds: np.ndarray | None,
            ) -> pa.Array | pa.ChunkedArray:
    """The values at ``rows``: slices of ``col`` run by run (no copy), or taken when ``bounds`` is None."""
    import pyarrow as pa

    if bounds is None:
        return col.take(taken)
    return pa.chunked_array([col.slice(int(rows[a]), int(b - a))
                             for a, b in zip(bounds[:-1], bounds[1:], strict=True)], col.type)


def _cell_regions(ref_t: CanonicalTable, exp_t: CanonicalTable, r_rows: np.ndarray, e_rows: np.ndarray,
                  default: str | None) -> pa.Array:
    """The phone region of each compared cell (reference row ``r_rows[i]``, export row ``e_rows[i]``):
    the record's country (the reference's, else the export's) read as a region, else the default region."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(r_rows)
    cr = _string_column(ref_t, "country").take(pa.array(r_rows)) if "country" in ref_t.columns \
        else pa.nulls(n, pa.string())
    ce = _string_column(exp_t, "country").take(pa.array(e_rows)) if "country" in exp_t.columns \
        else pa.nulls(n, pa.string())
    chosen = pc.if_else(pc.fill_null(pc.not_equal(cr, ""), False), cr, ce)  # Python's `or` on text
    enc = pc.dictionary_encode(chosen)
    mapped = pa.array([_country_region(v, default) for v in enc.dictionary.to_pylist()], pa.string())
    out = pc.take(mapped, enc.indices)
    return pc.if_else(pc.is_valid(enc.indices), out, pa.scalar(default, pa.string()))


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


# First bytes of the UTF-8 characters Arrow may trim as white space (ASCII controls and space; U+0085 and
# U+00A0; U+1680; U+2000-U+205F; U+3000; and, to be safe, U+F000-U+FFFF): a value starting with any other
# byte is not blank.
_MAYBE_BLANK = bytes(range(0x21)) + b"\xc2\xe1\xe2\xe3\xef"


def _empty_mask(arr: pa.Array, null_tokens: frozenset[str]) -> np.ndarray:
    """Empty cells (DESIGN's "empty"): null, blank after trimming, or a declared null token."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from portcheck.compare.cells import _np_bool

    def trimmed_empty(a: pa.Array) -> np.ndarray:
        t = pc.utf8_trim_whitespace(a)
        empty = pc.fill_null(pc.equal(t, ""), True)
        if null_tokens:
            empty = pc.or_(empty, pc.fill_null(pc.is_in(t, value_set=pa.array(sorted(null_tokens))), False))
        return _np_bool(empty)

    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if null_tokens or not pa.types.is_string(arr.type) or len(arr) == 0:
        return trimmed_empty(arr)
    # Only values that are null, empty or start with a possible white-space byte need trimming.
    offsets = np.frombuffer(arr.buffers()[1], np.int32)[arr.offset:arr.offset + len(arr) + 1]
    buffer = arr.buffers()[2]
    data = np.frombuffer(buffer, np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1]
    first = np.take(data, starts, mode="clip") if len(data) else np.zeros(len(arr), np.uint8)
    maybe = np.zeros(256, bool)
    maybe[list(_MAYBE_BLANK)] = True
    candidates = (offsets[1:] == starts) | np.take(maybe, first)
    if arr.null_count:
        candidates |= ~_np_bool(pc.is_valid(arr))
    out = np.zeros(len(arr), bool)
    rows = np.flatnonzero(candidates)
    if len(rows) == len(arr):
        return trimmed_empty(arr)
    if len(rows):
        out[rows] = trimmed_empty(arr.take(pa.array(rows)))
    return out


def _translate(arr: pa.Array, mapping: dict[str, str] | KeyPairs | None) -> pa.Array:
    """Replace values found in ``mapping`` (trimmed), keep the others. ``mapping`` is a dict, or key pairs
    (reference keys → export keys) where a repeated key takes its last value, as a dict built from them
    would."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if mapping is None or len(mapping) == 0:
        return arr
    if isinstance(mapping, KeyPairs) and isinstance(arr, pa.Array) and mapping.is_identity() \
            and _clean_already(arr):
        return arr  # the IDs were kept and are written plainly: every value found maps to itself
    trimmed = pc.utf8_trim_whitespace(arr)
    if isinstance(mapping, dict):
        keys = pa.array(list(mapping.keys()), pa.string())
        vals = pa.array(list(mapping.values()), pa.string())
    else:
        if mapping.is_identity() and pc.all(pc.string_is_ascii(arr)).as_py() in (True, None) and \
                pc.all(pc.equal(trimmed, arr)).as_py() in (True, None):
            return arr  # the IDs were kept: every value found maps to itself as written
        keys, vals = mapping.ref, mapping.exp
        if not mapping.is_unique():  # index_in finds the first occurrence: reversed, the last one wins
            back = pa.array(range(len(keys) - 1, -1, -1))
            keys, vals = keys.take(back), vals.take(back)
    idx = pc.index_in(trimmed, value_set=keys)
    mapped = pc.take(vals, idx)
    return pc.if_else(pc.is_valid(idx), mapped, arr)


def parent_pairing_maps(obj: str, done: dict[str, ObjectComparison]) -> dict[str, Any]:
    """FK field -> the parent's ``pk_pairs`` (reference pks, export pks) from the parents compared already."""
    odef = schema.load_schema()[obj]
    return {fk: done[parent].pk_pairs for fk, parent in odef.foreign_keys.items() if parent in done}


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
