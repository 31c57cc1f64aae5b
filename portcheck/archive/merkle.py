"""RFC 6962 / RFC 9162 Merkle tree hashing, audit paths and consistency proofs.

Hashing (RFC 6962 §2.1, RFC 9162 §2.1.1), with SHA-256:

- the empty tree's hash is ``SHA-256("")`` (``e3b0c442…``);
- a leaf's hash is ``SHA-256(0x00 || data)``;
- an interior node's hash is ``SHA-256(0x01 || left || right)``;
- ``MTH(D[n])`` splits ``D`` at ``k``, the largest power of two strictly smaller than ``n``.

Proof generation follows RFC 6962 §2.1.1 (``PATH``) and §2.1.2 (``PROOF`` / ``SUBPROOF``) literally;
verification follows the step-by-step algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. Subtree hashes of
complete (power-of-two, aligned) subtrees are cached, so a root, a proof or a root at an older size costs
O(log n) hashes once the tree has been hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from portcheck.errors import VerificationError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one log entry."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An in-memory RFC 6962 tree over a list of leaf hashes, with cached complete subtrees."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._leaves: list[bytes] = list(leaf_hashes)
        self._cache: dict[tuple[int, int], bytes] = {}

    def __len__(self) -> int:
        return len(self._leaves)

    @property
    def leaves(self) -> Sequence[bytes]:
        return tuple(self._leaves)

    def append(self, h: bytes) -> int:
        """Appends a leaf hash and returns its index (cached subtrees stay valid)."""
        self._leaves.append(h)
        return len(self._leaves) - 1

    def set_leaf(self, index: int, h: bytes) -> None:
        """Replaces one leaf hash (used when diagnosing tampering), dropping the cached subtrees over it."""
        self._leaves[index] = h
        self._cache = {k: v for k, v in self._cache.items() if not (k[0] <= index < k[1])}

    def replace_leaves(self, leaf_hashes: Iterable[bytes]) -> None:
        self._leaves = list(leaf_hashes)
        self._cache = {}

    # -- hashing --------------------------------------------------------------------------------------

    def _mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for ``hi > lo``."""
        n = hi - lo
        if n == 1:
            return self._leaves[lo]
        complete = n & (n - 1) == 0
        if complete:
            cached = self._cache.get((lo, hi))
            if cached is not None:
                return cached
        k = split_point(n)
        h = node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))
        if complete:
            self._cache[(lo, hi)] = h
        return h

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return len(self._leaves)
        if not 0 <= size <= len(self._leaves):
            raise ValueError(f"tree size {size} is outside 0..{len(self._leaves)}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """The Merkle tree hash of the first ``size`` leaves (all of them by default)."""
        size = self._check_size(size)
        return EMPTY_ROOT if size == 0 else self._mth(0, size)

    def root_with(self, size: int, overrides: dict[int, bytes]) -> bytes:
        """The root of the first ``size`` leaves with some replaced (``{position: leaf hash}``), without
        changing the tree: cached subtrees that hold no replaced position are reused."""
        size = self._check_size(size)
        marks = sorted(p for p in overrides if p < size)

        def mth(lo: int, hi: int) -> bytes:
            if not any(lo <= p < hi for p in marks):
                return self._mth(lo, hi)
            if hi - lo == 1:
                return overrides[lo]
            k = split_point(hi - lo)
            return node_hash(mth(lo, lo + k), mth(lo + k, hi))

        return EMPTY_ROOT if size == 0 else mth(0, size)

    # -- proofs ---------------------------------------------------------------------------------------

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path PATH(index, D[0:size]) of RFC 6962 §2.1.1, leaf-side first."""
        size = self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} is outside a tree of size {size}")

        def path(m: int, lo: int, hi: int) -> list[bytes]:
            n = hi - lo
            if n == 1:
                return []
            k = split_point(n)
            if m < k:
                return path(m, lo, lo + k) + [self._mth(lo + k, hi)]
            return path(m - k, lo + k, hi) + [self._mth(lo, lo + k)]

        return path(index, 0, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2 (empty when the sizes are equal or 0)."""
        new_size = self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"old size {old_size} is outside 0..{new_size}")
        if old_size in (0, new_size):
            return []

        def subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
            n = hi - lo
            if m == n:
                return [] if b else [self._mth(lo, hi)]
            k = split_point(n)
            if m <= k:
                return subproof(m, lo, lo + k, b) + [self._mth(lo + k, hi)]
            return subproof(m - k, lo + k, hi, False) + [self._mth(lo, lo + k)]

        return subproof(old_size, 0, new_size, True)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes."""
    return MerkleTree(leaf_hashes).root()


# -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------------------


def _check_hash(h: bytes, what: str) -> None:
    if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
        raise VerificationError(f"the {what} is not a {HASH_SIZE}-byte SHA-256 hash")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an audit path leads to (RFC 9162 §2.1.3.2 steps 1–5, without the final comparison)."""
    _check_hash(leaf, "leaf hash")
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn = index, size - 1
    r = bytes(leaf)
    for p in proof:
        _check_hash(p, "audit path element")
        if sn == 0:
            raise VerificationError("the audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the audit path is shorter than the tree is deep")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raises VerificationError unless ``proof`` puts leaf ``index`` in the tree of ``size`` with ``root``."""
    _check_hash(root, "root hash")
    if root_from_inclusion_proof(leaf, index, size, proof) != root:
        raise VerificationError(
            f"the inclusion proof of entry {index} does not lead to the root of size {size}")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Raises VerificationError unless ``proof`` shows tree ``size1`` is a prefix of tree ``size2``."""
    _check_hash(root1, "first root hash")
    _check_hash(root2, "second root hash")
    if size1 < 0 or size2 < size1:
        raise VerificationError(f"a tree of size {size2} cannot extend one of size {size1}")
    if size1 == size2:
        if proof:
            raise VerificationError("a consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise VerificationError(f"two different roots were signed for size {size1}")
        return
    if size1 == 0:
        if proof:
            raise VerificationError("a consistency proof from the empty tree must be empty")
        return
    # RFC 9162 §2.1.4.2
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = [bytes(p) for p in proof]
    for p in path:
        _check_hash(p, "consistency proof element")
    if size1 & (size1 - 1) == 0:
        path = [bytes(root1)] + path
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != root1 or sr != root2:
        raise VerificationError(f"the tree of size {size2} is not an extension of the one of size {size1}")
