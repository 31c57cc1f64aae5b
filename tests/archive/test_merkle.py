"""RFC 6962 hashing and proofs against published vectors and an independent computation.

The vectors are the ones the Certificate Transparency reference implementations test against (RFC 6962
leaves ``""``, ``00``, ``10``, ``2021``, ``3031``, ``40414243``, ``5051525354555657``,
``606162636465666768696a6b6c6d6e6f``; roots for sizes 1–8; audit paths and consistency proofs), as listed in
transparency-dev/merkle ``proof/verify_test.go`` and google/certificate-transparency.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.archive.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from portcheck.errors import VerificationError

LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf index, tree size, audit path)
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (old size, new size, consistency proof)
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


def level_by_level_root(leaf_hashes: list[bytes]) -> bytes:
    """An independent MTH: pair nodes level by level, carrying an odd last node up unchanged."""
    if not leaf_hashes:
        return hashlib.sha256(b"").digest()
    level = list(leaf_hashes)
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def vector_tree() -> MerkleTree:
    return MerkleTree(leaf_hash(d) for d in LEAVES)


def test_empty_tree_hash_is_sha256_of_nothing():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert MerkleTree().root() == EMPTY_ROOT
    assert root_hash([]) == EMPTY_ROOT


def test_leaf_and_node_hashes_are_domain_separated():
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert leaf_hash(b"\x01" + b"a" * 32 + b"b" * 32) != node_hash(b"a" * 32, b"b" * 32)


def test_roots_of_the_published_vectors_for_every_size():
    tree = vector_tree()
    for size in range(1, 9):
        assert tree.root(size) == ROOTS[size - 1], size


def test_small_trees_hand_computed_match():
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    three = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + a + b).digest() + c).digest()
    assert root_hash([a]) == a
    assert root_hash([a, b]) == hashlib.sha256(b"\x01" + a + b).digest()
    assert root_hash([a, b, c]) == three


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 9, 13, 31, 32, 33, 100])
def test_root_equals_independent_level_by_level_computation(n):
    leaves = [leaf_hash(str(i).encode()) for i in range(n)]
    tree = MerkleTree(leaves)
    assert tree.root() == level_by_level_root(leaves)
    for size in range(n + 1):
        assert tree.root(size) == level_by_level_root(leaves[:size])


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_audit_paths_match_the_published_vectors(index, size, path):
    tree = vector_tree()
    proof = tree.inclusion_proof(index, size)
    assert [p.hex() for p in proof] == path
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(old, new, path):
    tree = vector_tree()
    proof = tree.consistency_proof(old, new)
    assert [p.hex() for p in proof] == path
    verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_corrupted_inclusion_proofs_are_rejected(index, size, path):
    proof = [bytes.fromhex(p) for p in path]
    leaf, root = leaf_hash(LEAVES[index]), ROOTS[size - 1]
    bad = [
        (index + 1, size, proof, root, leaf), (index ^ 2, size, proof, root, leaf),
        (index, size * 2, proof, root, leaf), (index, size, proof, EMPTY_ROOT, leaf),
        (index, size, proof, root, leaf_hash(b"wrong")), (index, size, proof + [root], root, leaf),
        (index, size, [root] + proof, root, leaf), (index, size, proof[:-1], root, leaf),
        (index, size, [bytes([proof[0][0] ^ 8]) + proof[0][1:]] + proof[1:], root, leaf),
    ]
    if index > 0:
        bad.append((index - 1, size, proof, root, leaf))
    if size > 1:
        bad.append((index, size // 2, proof, root, leaf))
    for i, s, p, r, lf in bad:
        with pytest.raises(VerificationError):
            verify_inclusion(lf, i, s, p, r)


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_corrupted_consistency_proofs_are_rejected(old, new, path):
    proof = [bytes.fromhex(p) for p in path]
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    bad = [
        (old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof), (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof), (old, new // 2, r1, r2, proof), (old, new, r2, r1, proof),
        (old, new, EMPTY_ROOT, r2, proof), (old, new, r1, EMPTY_ROOT, proof), (old, new, r1, r2, []),
        (old, new, r1, r2, proof + [r1]), (old, new, r1, r2, [r2] + proof), (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        bad.append((old, new, r1, r2, flipped))
    for a, b, x, y, p in bad:
        if a == b == 0 or (a == 0 and not p):
            continue  # trivially consistent sizes, not a corruption
        with pytest.raises(VerificationError):
            verify_consistency(a, b, x, y, p)


def test_consistency_edge_cases_follow_rfc_9162():
    r = ROOTS[0]
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    with pytest.raises(VerificationError):
        verify_consistency(3, 3, ROOTS[2], ROOTS[3], [])  # two roots for one size
    with pytest.raises(VerificationError):
        verify_consistency(3, 3, ROOTS[2], ROOTS[2], [EMPTY_ROOT])  # equal sizes need an empty proof
    with pytest.raises(VerificationError):
        verify_consistency(2, 1, r, r, [])  # a tree cannot shrink
    with pytest.raises(VerificationError):
        verify_inclusion(r, 0, 0, [], r)  # nothing is in the empty tree


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_generated_proof_verifies_and_a_changed_leaf_does_not(n, data):
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(n)]
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(min_value=1, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=0, max_value=size))
    root = level_by_level_root(leaves[:size])
    verify_inclusion(leaves[index], index, size, tree.inclusion_proof(index, size), root)
    verify_consistency(old, size, level_by_level_root(leaves[:old]), root, tree.consistency_proof(old, size))
    with pytest.raises(VerificationError):
        verify_inclusion(leaf_hash(b"other"), index, size, tree.inclusion_proof(index, size), root)
    if 0 < old < size:
        changed = list(leaves)
        changed[data.draw(st.integers(min_value=0, max_value=old - 1))] = leaf_hash(b"other")
        forged = MerkleTree(changed)
        with pytest.raises(VerificationError):
            verify_consistency(old, size, level_by_level_root(leaves[:old]), forged.root(size),
                               forged.consistency_proof(old, size))


def test_root_with_replaced_leaves_does_not_change_the_tree():
    leaves = [leaf_hash(bytes([i])) for i in range(11)]
    tree = MerkleTree(leaves)
    before = tree.root()
    changed = list(leaves)
    changed[3], changed[9] = changed[9], changed[3]
    assert tree.root_with(11, {3: leaves[9], 9: leaves[3]}) == level_by_level_root(changed)
    assert tree.root_with(5, {3: leaves[9], 9: leaves[3]}) == level_by_level_root(changed[:5])
    assert tree.root() == before
