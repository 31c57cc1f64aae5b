"""Pairing and per-field figures of compare_object equal a plain-Python reading of DESIGN's rules.

The engine pairs sorted fixed-width keys by merging them (no hashing) and reads the paired cells as
slices when both sides run in step; a shuffled export, keys of several widths and null tokens of one side
only take the other paths. The oracle here pairs with dicts and decides each cell with compare_cell.
"""

from __future__ import annotations

import random
from collections import Counter

import pyarrow as pa
import pytest

from portcheck import schema
from portcheck.canonical import CanonicalTable
from portcheck.compare import classify as cl
from portcheck.compare import normalize as nz
from portcheck.compare.engine import (
    CompareOptions,
    PairSpec,
    _clean_keys,
    _pairing,
    _sorted_codes,
    compare_cell,
    compare_object,
)

FIELDS = {"full_name": schema.STRING, "email": schema.EMAIL, "created_at": schema.INSTANT,
          "phone": schema.PHONE}
POOLS = {
    "full_name": ["张三", "李四", "Ann Lee", " Ann Lee ", "ann lee", "N/A", "", " ", None, "王五…", "王"],
    "email": ["a@x.cn", "A@X.CN", " a@x.cn", "b@x.cn", "", None, "N/A", "a@x"],
    "created_at": ["2024-03-01T10:00:00+08:00", "2024-03-01T02:00:00Z", "2024-03-01T03:00:00Z",
                   "2024-03-01 10:00:00", "2024-03-01T10:00:00.000000+08:00", "", None, "N/A", "yesterday"],
    "phone": ["0755-8888 1234", "+86 755 8888 1234", "755 8888 1234", "13800138000", "+86 138 0013 8000",
              "", None, "N/A", "Tel: 0755"],
}


def _key(i: int, width: int | None) -> str:
    return f"P{i:0{width}d}" if width else f"P{i}"


def _sides(seed: int, n: int, *, width: int | None, shuffle: bool) -> tuple[list[dict], list[dict]]:
    """A reference of ``n`` records and an export with records lost, added, repeated and re-valued."""
    rnd = random.Random(seed)
    ref = []
    for i in range(n):
        key = _key(i, width)
        if rnd.random() < 0.01:
            key = None if rnd.random() < 0.5 else _key(i - 1, width)  # no key, or a repeated one
        ref.append({"contact_id": key, **{f: rnd.choice(POOLS[f]) for f in FIELDS}})
    exp = []
    for row in ref:
        if rnd.random() < 0.02:
            continue  # lost
        copy = dict(row)
        for f in FIELDS:
            if rnd.random() < 0.3:
                copy[f] = rnd.choice(POOLS[f])
        exp.append(copy)
        if rnd.random() < 0.01:
            exp.append(dict(copy, full_name="repeat"))  # a second record with the same key
    for j in range(n, n + n // 50):
        exp.append({"contact_id": _key(j, width), **{f: rnd.choice(POOLS[f]) for f in FIELDS}})
    if shuffle:
        rnd.shuffle(exp)
    return ref, exp


def _table(rows: list[dict]) -> CanonicalTable:
    cols = ["contact_id", *FIELDS]
    return CanonicalTable("contact", pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols}),
                          region="CN")


def _oracle(ref: list[dict], exp: list[dict], ref_tokens: frozenset, exp_tokens: frozenset) -> dict:
    """DESIGN's pairing and counting rules, record by record and cell by cell."""
    def key(v: str | None) -> str | None:
        return nz.text(v) or None

    r_count = Counter(key(r["contact_id"]) for r in ref)
    e_first: dict[str, int] = {}
    e_count: Counter = Counter()
    for j, row in enumerate(exp):
        k = key(row["contact_id"])
        if k is not None:
            e_count[k] += 1
            e_first.setdefault(k, j)
    pairs = [(i, e_first[key(r["contact_id"])]) for i, r in enumerate(ref)
             if key(r["contact_id"]) is not None and r_count[key(r["contact_id"])] == 1
             and key(r["contact_id"]) in e_first]
    out = {"matched": len(pairs), "duplicate_keys": sum(c - 1 for c in e_count.values()),
           "ambiguous": sum(c for k, c in r_count.items() if k is not None and c > 1) + r_count[None],
           "missing_keys": [key(r["contact_id"]) for r in ref if key(r["contact_id"]) is not None
                            and r_count[key(r["contact_id"])] == 1 and key(r["contact_id"]) not in e_first],
           "extra_keys": [k for k, j in sorted(e_first.items(), key=lambda kv: kv[1]) if r_count[k] != 1],
           "fields": {}, "mismatches": []}
    for f, ftype in FIELDS.items():
        compared = matched = fmt = 0
        defects: Counter = Counter()
        for i, j in pairs:
            rv, ev = ref[i][f], exp[j][f]
            r_empty, e_empty = nz.is_empty(rv, ref_tokens), nz.is_empty(ev, exp_tokens)
            if r_empty and e_empty:
                continue
            compared += 1
            if rv is not None and rv == ev:
                matched += 1
                continue
            verdict = compare_cell("" if r_empty else rv, "" if e_empty else ev, ftype, region="CN")
            if verdict in ("match", "format"):
                matched += 1
                fmt += verdict == "format"
            else:
                defects[verdict] += 1
                out["mismatches"].append((key(ref[i]["contact_id"]), f, verdict, rv or "", ev or ""))
        out["fields"][f] = (compared, matched, fmt, dict(defects))
    return out


def _engine(ref: list[dict], exp: list[dict], ref_tokens: frozenset, exp_tokens: frozenset) -> dict:
    res = compare_object("contact", _table(ref), _table(exp), pair=PairSpec("contact_id", "contact_id"),
                         parent_maps={}, options=CompareOptions(region="CN"), ref_nulls=ref_tokens,
                         exp_nulls=exp_tokens)
    return {"matched": res.matched, "duplicate_keys": res.duplicate_keys, "ambiguous": res.ambiguous,
            "missing_keys": res.missing_keys, "extra_keys": res.extra_keys,
            "fields": {f: (v.compared, v.matched, v.format_differences, dict(v.defects))
                       for f, v in res.fields.items()},
            "mismatches": res.mismatches}


@pytest.mark.parametrize(("width", "shuffle", "tokens"), [
    (5, False, (frozenset(), frozenset())),  # sorted keys of one width, in step: merge and slices
    (5, True, (frozenset(), frozenset())),  # shuffled export: hashed keys, taken cells
    (None, False, (frozenset(), frozenset())),  # keys of several widths
    (5, False, (frozenset({"N/A"}), frozenset())),  # a null token of the reference only
    (5, False, (frozenset(), frozenset({"N/A"}))),  # a null token of the export only
    (5, True, (frozenset({"N/A"}), frozenset({"N/A"}))),
])
def test_compare_object_counts_as_the_rules_read_cell_by_cell(width, shuffle, tokens):
    ref, exp = _sides(7 + (width or 0), 6000, width=width, shuffle=shuffle)
    assert _engine(ref, exp, *tokens) == _oracle(ref, exp, *tokens)


@pytest.mark.parametrize(("form", "as_integers"), [
    ("K{:03d}", True),  # short keys: numbers
    ("CUSTOMER-{:05d}", True),  # a shared head, then eight bytes: numbers
    ("{}{:09d}", False),  # heads that differ ('A…', 'B…') beyond eight bytes: compared as bytes
])
def test_sorted_keys_of_one_width_are_paired_by_merging_as_hashing_pairs_them(form, as_integers):
    """The merge path is taken for sorted fixed-width keys (with nulls and repeats on both sides) and
    pairs as the dictionary of both sides' keys does."""
    from portcheck.compare.engine import _as_integers, _fixed_width

    def key(i: int) -> str:
        return form.format("AB"[i % 2], i) if form.startswith("{}") else form.format(i)

    pool = [key(i) for i in range(60)]
    rnd = random.Random(3)
    sample = pa.array(sorted(pool), pa.string())
    assert (_as_integers(_fixed_width(sample), _fixed_width(sample)) is not None) == as_integers
    if as_integers:
        nums = _as_integers(_fixed_width(sample), _fixed_width(sample))[0]
        assert (nums[1:] > nums[:-1]).all()  # the keys' order kept
    for trial in range(30):
        r = sorted(rnd.choice(pool) for _ in range(rnd.randint(1, 80)))
        e = sorted(rnd.choice(pool) for _ in range(rnd.randint(1, 80)))
        r = [None if rnd.random() < 0.05 else v for v in r]
        e = [None if rnd.random() < 0.05 else v for v in e]
        rk, ek = pa.array(r, pa.string()), pa.array(e, pa.string())
        assert _sorted_codes(rk, ek) is not None, trial
        merged = _pairing(rk, ek)
        # The same keys with a longer one appended to each side: not one width, paired by hashing.
        hashed = _pairing(pa.array([*r, "A-LONGER-KEY-OF-THE-REFERENCE"], pa.string()),
                          pa.array([*e, "A-LONGER-KEY-OF-THE-EXPORT"], pa.string()))
        assert _sorted_codes(pa.array([*r, "A-LONGER-KEY-OF-THE-REFERENCE"], pa.string()), ek) is None
        assert merged["rrows"].tolist() == hashed["rrows"].tolist()
        assert merged["erows"].tolist() == hashed["erows"].tolist()
        for k in ("duplicate_keys", "ambiguous", "ambiguous_keys"):
            assert merged[k] == hashed[k], (trial, k)
        assert merged["missing_keys"] + ["A-LONGER-KEY-OF-THE-REFERENCE"] == hashed["missing_keys"]
        assert merged["extra_keys"] + ["A-LONGER-KEY-OF-THE-EXPORT"] == hashed["extra_keys"]


def test_unsorted_or_nul_holding_keys_are_not_merged():
    assert _sorted_codes(pa.array(["B", "A"]), pa.array(["A", "B"])) is None
    assert _sorted_codes(pa.array(["A\x00", "B\x00"]), pa.array(["A\x00"])) is None
    assert _sorted_codes(pa.array(["A", "B"]), pa.array(["A", "B"])) is not None


def test_keys_left_as_they_are_only_when_cleaning_would_not_change_them():
    """_clean_keys returns printable ASCII keys untouched and cleans every other kind exactly as trimming,
    NFC and nulling empty values do."""
    import pyarrow.compute as pc

    def slow(a: pa.Array) -> list:
        t = pc.utf8_normalize(pc.utf8_trim_whitespace(a), "NFC")
        return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t).to_pylist()

    plain = pa.array(["P1", "P2", None, "A b"], pa.string())
    assert _clean_keys(plain) is plain or _clean_keys(plain).equals(plain)
    cases = [["P1", " P2"], ["P1", "P2 "], ["P1", ""], ["P1", "\tP2"], ["P1", "P2\x1f"], ["P1", "e\u0301"],
             ["P1", "P2\u3000"], ["P1", "\x7f"], ["\x00P1", "P2"], [None, None], ["P1", None, " "],
             [chr(c) + "x" for c in range(0x80)], ["x" + chr(c) for c in range(0x80)]]
    for values in cases:
        arr = pa.array(values, pa.string())
        assert _clean_keys(arr).to_pylist() == slow(arr), values
        assert _clean_keys(pa.chunked_array([arr.slice(0, 1), arr.slice(1)])).to_pylist() == slow(arr)


def test_the_defect_kinds_found_are_the_fixed_ordered_ones():
    ref, exp = _sides(11, 3000, width=5, shuffle=False)
    got = _engine(ref, exp, frozenset(), frozenset())
    kinds = {k for _, _, _, d in got["fields"].values() for k in d}
    assert kinds and kinds <= set(cl.DEFECT_KINDS)
