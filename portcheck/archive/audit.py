"""Auditing an archive snapshot: recompute the tree from the stored envelopes and name what changed.

What is checked, in order:

1. every checkpoint's signed note (Ed25519, the archive key — or the one pinned with ``--pubkey``);
2. every entry's stored envelope against the leaf hash recorded when it was added (**altered**);
3. the entry numbers: a signed position with no row is **removed**, a row no checkpoint covers is
   **inserted**;
4. the tree against every checkpoint, smallest first. A checkpoint is signed after every append, so the
   first checkpoint the recomputed tree disagrees with pins the entry that changed. The audit then tries the
   explanations that would make the tree agree again with that checkpoint *and the next ones*: the recorded
   leaf hash (the envelope bytes were altered), two entries exchanged (**reordered**), one entry too many
   (**inserted**, later entries renumbered); with fewer entries than signed it is a **removal** (later
   entries renumbered), otherwise the entry was **altered** together with its recorded hash. An explained
   change is undone in the working copy so later checkpoints are checked too; an unexplained one stops the
   walk (later entries cannot be checked without the original);
5. when nothing was found: an RFC 6962 consistency proof from every checkpoint's size to the current size,
   verified with the RFC 9162 algorithm;
6. every RFC 3161 token: its imprint is SHA-256 of its entry's envelope, its signature chains to the TSA
   certificates given (or stored when it was added).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from portcheck.archive.checkpoint import Checkpoint, verify_checkpoint_note
from portcheck.archive.errors import (
    ALTERED,
    CHECKPOINT,
    INSERTED,
    REMOVED,
    REORDERED,
    TIMESTAMP,
    Problem,
)
from portcheck.archive.merkle import EMPTY_ROOT, MerkleTree, leaf_hash, verify_consistency
from portcheck.errors import VerificationError

LOOKAHEAD = 3  # further checkpoints an explanation must also satisfy


@dataclass(frozen=True)
class AuditReport:
    """The outcome of an audit; ``problems`` is empty when the archive is consistent."""

    origin: str
    public_key: bytes  # the archive's (raw Ed25519), or the pinned one
    key_id: str
    entries: int
    root: bytes | None
    checkpoints: int
    checkpoints_signed: int
    latest_checkpoint: int | None
    consistency_proofs: int
    timestamps: int
    timestamps_trusted: int
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def _span(indices: list[int]) -> str:
    if len(indices) == 1:
        return f"entry {indices[0]}"
    return f"entries {indices[0]} to {indices[-1]}"


class _Walk:
    """The working copy of the tree (positions → stored entry numbers) that explanations adjust."""

    def __init__(self, leaves: list[bytes], indices: list[int], recorded: dict[int, bytes],
                 signed_size: int) -> None:
        self.tree = MerkleTree(leaves)
        self.pos = list(indices)
        self.recorded = recorded
        self.signed_size = signed_size

    @staticmethod
    def fits(cp: Checkpoint, tree: MerkleTree) -> bool:
        return cp.size <= len(tree) and tree.root(cp.size) == cp.root

    def fits_ahead(self, tree: MerkleTree, following: list[Checkpoint]) -> bool:
        """Does an explanation also satisfy the next checkpoints (and, near the end, the signed size)?"""
        if not all(self.fits(c, tree) for c in following[:LOOKAHEAD]):
            return False
        return len(following) > LOOKAHEAD or len(tree) == self.signed_size

    def _candidates(self, lo: int, cp: Checkpoint) -> Iterator[tuple[list[bytes], list[int], Problem | None]]:
        leaves, hi = list(self.tree.leaves), cp.size
        # the envelope bytes were altered but not the recorded leaf hash (already reported as altered)
        patched = list(leaves)
        for p in range(lo, hi):
            patched[p] = self.recorded[self.pos[p]]
        if patched != leaves:
            yield patched, list(self.pos), None
        # two entries exchanged
        for i in range(lo, hi):
            for j in range(i + 1, len(leaves)):
                if self.tree.root_with(hi, {i: leaves[j], j: leaves[i]}) != cp.root:
                    continue
                swapped, pos = list(leaves), list(self.pos)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                pos[i], pos[j] = pos[j], pos[i]
                a, b = sorted((self.pos[i], self.pos[j]))
                yield swapped, pos, Problem(REORDERED, (a, b),
                                            f"entries {a} and {b} have been swapped (reordered)")
        # one entry too many
        if len(leaves) > hi:
            for i in range(lo, hi):
                idx = self.pos[i]
                yield leaves[:i] + leaves[i + 1:], self.pos[:i] + self.pos[i + 1:], Problem(
                    INSERTED, (idx,), f"entry {idx} has been inserted: no signed checkpoint ever covered it "
                                      "(the entries after it were renumbered)")

    def explain(self, lo: int, cp: Checkpoint, following: list[Checkpoint], problems: list[Problem],
                deficit: bool) -> bool:
        """Finds why positions ``lo``..``cp.size - 1`` disagree with ``cp``.

        True when explained (and undone in the working copy)."""
        chosen = None
        for cand_leaves, cand_pos, problem in self._candidates(lo, cp):
            t = MerkleTree(cand_leaves)
            if not self.fits(cp, t):
                continue
            if chosen is None:
                chosen = (t, cand_pos, problem)
            if self.fits_ahead(t, following):
                chosen = (t, cand_pos, problem)
                break
        if chosen is not None:
            self.tree, self.pos = chosen[0], chosen[1]
            if chosen[2] is not None:
                problems.append(chosen[2])
            return True
        span = _span(self.pos[lo:cp.size])
        where = f"the signed checkpoint of size {cp.size}"
        if deficit:
            what = f"entry {lo} has" if cp.size - lo == 1 else f"an entry among {span} has"
            problems.append(Problem(REMOVED, (lo,), f"{what} been removed (the entries after it were "
                                                    f"renumbered; {where} covers it)"))
        else:
            problems.append(Problem(ALTERED, tuple(self.pos[lo:cp.size]),
                                    f"{span} has been altered: it no longer matches {where}"))
        return False


def audit_snapshot(snap, *, public_key: bytes | None = None, tsa_certs: bytes | None = None) -> AuditReport:
    """Audits a :class:`portcheck.archive.store.Snapshot` (see the module docstring)."""
    from portcheck.archive.timestamp import verify_timestamp

    problems: list[Problem] = []
    notes: list[str] = []
    key = snap.public_key
    if public_key is not None and public_key != key:
        problems.append(Problem(CHECKPOINT, (), "the archive's key is not the pinned public key "
                                                f"({hashlib.sha256(key).hexdigest()[:16]}…): none of its "
                                                "checkpoints can be trusted"))
        key = public_key

    # 1. checkpoints
    valid: dict[int, Checkpoint] = {}
    for row in snap.checkpoints:
        try:
            cp = verify_checkpoint_note(row.note, key, snap.origin)
        except VerificationError as err:
            problems.append(Problem(CHECKPOINT, (), f"checkpoint of size {row.size}: {err.message}"))
            continue
        if cp.size != row.size or cp.root != row.root_hash:
            problems.append(Problem(CHECKPOINT, (), f"the checkpoint row of size {row.size} differs from its "
                                                    f"signed note (size {cp.size})"))
        if cp.size in valid and valid[cp.size].root != cp.root:
            problems.append(Problem(CHECKPOINT, (), f"two different roots were signed for size {cp.size}"))
        valid.setdefault(cp.size, cp)
    checkpoints = [valid[s] for s in sorted(valid)]
    signed_size = checkpoints[-1].size if checkpoints else 0

    # 2. envelopes against their recorded leaf hashes
    by_idx = {e.index: e for e in snap.entries}
    recomputed = {e.index: leaf_hash(e.envelope) for e in snap.entries}
    recorded = {e.index: e.leaf_hash for e in snap.entries}
    for e in snap.entries:
        if recomputed[e.index] != e.leaf_hash:
            problems.append(Problem(ALTERED, (e.index,),
                                    f"entry {e.index} has been altered: its stored envelope no longer "
                                    "matches the leaf hash recorded when it was added"))

    # 3. entry numbers
    top = max(by_idx, default=-1)  # signed positions past the last row are a shortened tail (step 4)
    missing = [i for i in range(min(signed_size, top + 1)) if i not in by_idx]
    for i in missing:
        problems.append(Problem(REMOVED, (i,), f"entry {i} has been removed (the signed checkpoint of size "
                                               f"{signed_size} covers it)"))
    for i in sorted(i for i in by_idx if i < 0):
        problems.append(Problem(INSERTED, (i,), f"entry {i} has been inserted (entries are numbered from 0)"))
    contiguous = 0
    while contiguous in by_idx:
        contiguous += 1

    # 4. the tree against every checkpoint
    walk = _Walk([recomputed[i] for i in range(contiguous)], list(range(contiguous)), recorded, signed_size)
    verified_to, blocked = 0, False
    for n, cp in enumerate(checkpoints):
        if cp.size == 0:
            if cp.root != EMPTY_ROOT:
                problems.append(Problem(CHECKPOINT, (),
                                        "the checkpoint of size 0 is not the empty tree's hash"))
            continue
        if cp.size > len(walk.tree):
            if not missing:
                gone = list(range(len(walk.tree), signed_size))
                one = len(gone) == 1
                problems.append(Problem(REMOVED, tuple(gone),
                                        f"{_span(gone)} {'has' if one else 'have'} been removed: the signed "
                                        f"checkpoint of size {signed_size} covers {'it' if one else 'them'}"))
            else:
                notes.append(f"checkpoints beyond size {len(walk.tree)} could not be checked: "
                             f"entry {len(walk.tree)} is missing")
            blocked = True
            break
        if walk.fits(cp, walk.tree):
            verified_to = cp.size
            continue
        deficit = len(snap.entries) < signed_size
        if walk.explain(verified_to, cp, checkpoints[n + 1:], problems, deficit):
            verified_to = cp.size
            continue
        blocked = True
        if n + 1 < len(checkpoints):
            notes.append(f"checkpoints beyond size {cp.size} could not be checked: they cover an entry that "
                         "no longer holds what was signed")
        break

    # entries no checkpoint covers
    if not blocked:
        extra = walk.pos[signed_size:]
    else:
        extra = [i for i in by_idx if i >= signed_size]
    extra += [i for i in by_idx if i > contiguous and i >= signed_size and i not in extra]
    for i in sorted(set(extra)):
        problems.append(Problem(INSERTED, (i,),
                                f"entry {i} has been inserted: no signed checkpoint covers it "
                                f"(the latest covers {signed_size} entries)"))

    # 5. consistency proofs from every checkpoint to the current tree
    stored = MerkleTree(recomputed[i] for i in range(contiguous))
    current_root = stored.root() if contiguous == len(snap.entries) else None
    proofs = 0
    if not problems and current_root is not None:
        for cp in checkpoints:
            try:
                proof = stored.consistency_proof(cp.size)
                verify_consistency(cp.size, len(stored), cp.root, current_root, proof)
                proofs += 1
            except VerificationError as err:
                problems.append(Problem(CHECKPOINT, (), f"checkpoint of size {cp.size}: {err.message}"))
    elif problems:
        notes.append("consistency proofs were not computed: the archive already differs from its checkpoints")

    # 6. time-stamp tokens
    stamps = trusted = 0
    for e in snap.entries:
        if e.tsa_token is None:
            continue
        certs = tsa_certs or (e.tsa_certs.encode() if e.tsa_certs else None)
        try:
            when = verify_timestamp(e.tsa_token, e.envelope, certs)
        except VerificationError as err:
            problems.append(Problem(TIMESTAMP, (e.index,), f"entry {e.index}: {err.message}"))
            continue
        stamps += 1
        trusted += bool(certs)
        if e.tsa_time and e.tsa_time != when:
            problems.append(Problem(TIMESTAMP, (e.index,), f"entry {e.index}: the recorded trusted time "
                                                           f"{e.tsa_time} is not its token's ({when})"))
    if stamps > trusted:
        notes.append(f"{stamps - trusted} time-stamp token(s) were checked against their entry only: pass "
                     "--tsa-cert to check who signed them")

    return AuditReport(
        origin=snap.origin, public_key=key, key_id=hashlib.sha256(key).hexdigest(), entries=len(snap.entries),
        root=current_root, checkpoints=len(snap.checkpoints), checkpoints_signed=len(checkpoints),
        latest_checkpoint=checkpoints[-1].size if checkpoints else None, consistency_proofs=proofs,
        timestamps=stamps, timestamps_trusted=trusted, problems=tuple(problems), notes=tuple(notes))
