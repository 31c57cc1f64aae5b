"""Hashes only find candidates: results are exact whatever the hash does (even if every value collides)."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from portcheck.checks import _arrow
from portcheck.checks._arrow import Repeats, hashes, maybe_repeated


@pytest.fixture(params=["duckdb", "all_collide", "few_buckets"])
def hash_kind(request, monkeypatch):
    real = _arrow.hashes
    if request.param == "all_collide":
        monkeypatch.setattr(_arrow, "hashes", lambda arrays: [np.zeros(len(a), np.int64) for a in arrays])
    elif request.param == "few_buckets":
        monkeypatch.setattr(_arrow, "hashes", lambda arrays: [h & 3 for h in real(arrays)])
    return request.param


def _oracle(values):
    seen, order, count = {}, [], {}
    for i, v in enumerate(values):
        if v is None:
            continue
        count[v] = count.get(v, 0) + 1
        if v not in seen:
            seen[v] = i
            order.append(v)
    repeated = [v for v in order if count[v] > 1]
    rows = [i for i, v in enumerate(values) if v is not None and count[v] > 1]
    return repeated, rows, len(count)


@pytest.mark.parametrize("seed", range(6))
def test_repeats_are_exact(hash_kind, seed):
    rng = random.Random(seed)
    pool = [f"K{rng.randrange(60)}" for _ in range(40)] + ["", " ", "é", "e\u0301"]
    values = [None if rng.random() < 0.1 else rng.choice(pool) for _ in range(rng.randrange(0, 300))]
    arr = pa.array(values, pa.string())
    cut = len(values) // 3
    repeated, rows, distinct = _oracle(values)
    # as one array, and as chunks read where they stand (with the caller's hashes, as fuzzy matching gives)
    for got in (Repeats(arr), Repeats(pa.chunked_array([arr.slice(0, cut), arr.slice(cut)], pa.string()),
                                      _arrow.hashes([arr])[0])):
        assert got.values.to_pylist() == repeated
        assert got.rows.tolist() == rows
        assert got.distinct == distinct
        assert [repeated[c] for c in got.codes] == [values[r] for r in rows]
        firsts = [r for r, f in zip(rows, got.first, strict=True) if f]
        assert firsts == [values.index(v) for v in repeated]


def test_duckdb_hash_is_equal_for_equal_values_across_arrays():
    a = pa.array(["x", "y", None, "中文"])
    b = pa.chunked_array([["中文"], ["x", "z"]])
    ha, hb = hashes([a, b])
    assert ha[0] == hb[1] and ha[3] == hb[0] and ha[0] != ha[1]


def test_maybe_repeated_never_misses_a_repeat():
    rng = np.random.default_rng(1)
    h = rng.integers(-2**63, 2**63 - 1, 50_000, dtype=np.int64)
    h[10:20] = h[0]
    got = set(maybe_repeated(h).tolist())
    assert set(range(10, 20)) | {0} <= got
    assert len(got) < 0.2 * len(h)  # and lets few unique values through


@pytest.mark.parametrize("n", [0, 1, 2, 3, 1000, 70_000, 1_100_000, 4_200_000])
def test_maybe_repeated_is_every_position_of_a_shared_bucket(n):
    """The sliced count gives exactly the positions a bucket count of two or more would give (24-bit
    buckets from a million values on, 25-bit ones above four million)."""
    from portcheck.checks._arrow import _MAX_BUCKET_BITS

    rng = np.random.default_rng(n)
    h = rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64)
    if n > 10:
        h[: n // 10] = h[n // 10 : 2 * (n // 10)]
    bits = min(_MAX_BUCKET_BITS, max(10, int(n).bit_length() + 3))
    bucket = h.view(np.uint64) >> np.uint64(64 - bits)
    _, inverse, counts = np.unique(bucket, return_inverse=True, return_counts=True)
    counted = np.flatnonzero(counts[inverse] >= 2)
    assert (maybe_repeated(h) == counted).all() and len(maybe_repeated(h)) == len(counted)


def test_exact_duplicates_and_fuzzy_clusters_do_not_depend_on_the_hash(monkeypatch):
    from portcheck.canonical import CanonicalTable
    from portcheck.checks.duplicates import exact_duplicates
    from portcheck.checks.fuzzy import find_clusters

    rng = random.Random(3)
    names = ["王伟", "李娜", "Acme Ltd", "ACME Limited", "Foo GmbH"]
    rows = []
    for _ in range(400):
        rows.append({"customer_id": f"C{rng.randrange(350)}",
                     "name": rng.choice(names) + str(rng.randrange(3)),
                     "phone": f"+86 138 0000 {rng.randrange(30):04d}", "email": f"u{rng.randrange(40)}@x.cn",
                     "tax_id": None if rng.random() < 0.5 else f"T{rng.randrange(20)}"})
    table = pa.Table.from_pylist(rows)

    def run():
        _arrow.forget()
        dup = exact_duplicates(table, "customer_id")
        ct = CanonicalTable("customer", table)
        ct.region = "CN"
        clusters = find_clusters(ct)
        return dup, [(c.keys, c.matched_on, c.score) for c in clusters]

    normal = run()
    assert normal[0].keys > 0 and normal[1]
    monkeypatch.setattr(_arrow, "hashes", lambda arrays: [np.zeros(len(a), np.int64) for a in arrays])
    assert run() == normal


def test_block_order_does_not_matter_group_blocks_before_name_blocks():
    # Group blocks (tax_id, phone) before name blocks (prefix, tokens) once crashed: a local array shadowed
    # the hash function. Blocks are a union: any order gives the same clusters.
    from portcheck.canonical import CanonicalTable
    from portcheck.checks.fuzzy import find_clusters, rules_for

    rng = random.Random(8)
    names = ["Acme Trading Ltd", "Acme Trading Limited", "北京星辰科技有限公司", "北京星辰科技公司", "Foo Bar GmbH"]
    rows = [{"customer_id": f"C{i}", "name": rng.choice(names),
             "phone": f"+86 10 8888 {rng.randrange(15):04d}", "tax_id": f"T{rng.randrange(40)}"}
            for i in range(300)]
    ct = CanonicalTable("customer", pa.Table.from_pylist(rows))
    ct.region = "CN"
    blocks = ["tax_id", "phone", "name_prefix:3", "name_tokens"]
    first = find_clusters(ct, rules_for("customer", {"block_on": blocks}))
    again = find_clusters(ct, rules_for("customer", {"block_on": blocks[::-1]}))
    assert first and [(c.keys, c.matched_on) for c in first] == [(c.keys, c.matched_on) for c in again]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 1000, 200_000])
def test_same_hash_keeps_exactly_the_positions_whose_whole_hash_repeats(n):
    from portcheck.checks._arrow import _same_hash

    rng = np.random.default_rng(n + 7)
    h = rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64)
    if n > 4:
        h[: n // 5] = h[n // 5 : 2 * (n // 5)]
        h[-1] = h[0]  # three of one hash
    rows = maybe_repeated(h)
    got = _same_hash(h, rows)
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    want = np.flatnonzero(counts[inverse] >= 2)
    assert got.tolist() == want.tolist()  # ascending, and none missed: every repeat is in its bucket
    if n > 1000:
        assert len(got) < len(rows)  # most of a shared bucket shares only the bucket
