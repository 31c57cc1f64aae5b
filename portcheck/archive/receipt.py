"""Archive receipts: proof, kept with a bundle, that its envelope is entry N of a signed Merkle log.

``archive-receipt.json`` (in the bundle folder, or ``<bundle>.zip.archive-receipt.json`` beside a .zip)::

    {
      "receipt_version": 1,
      "archive": {"origin": "portcheck.archive/…", "public_key": "<base64 raw Ed25519>", "key_id": "<hex>"},
      "bundle": {"source": "acme-exit", "sha256": "<hex>"},
      "entries": [{"index": 12, "leaf_hash": "<hex>", "envelope_sha256": "<hex>", "added_at": "…",
                   "claimed_time": "…" | null, "time_label": "claimed" | "rfc3161",
                   "timestamp": null | {"time": "…", "token": "<base64 DER TimeStampResp>"},
                   "inclusion_proof": ["<hex>", …]}],
      "checkpoint": {"size": 13, "root_hash": "<hex>", "note": "<signed note text>"}
    }

One entry per envelope line of the bundle's ``report.intoto.jsonl`` (usually one). Anyone can check a
receipt without portcheck: the checkpoint note's last line is an Ed25519 signature over its first three
lines; each ``leaf_hash`` is SHA-256(0x00 || envelope line bytes); the inclusion proof is an RFC 6962 audit
path to ``root_hash``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from portcheck.archive.bundle import envelope_source_for_receipt, read_bundle
from portcheck.archive.checkpoint import Checkpoint, verify_checkpoint_note
from portcheck.archive.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from portcheck.errors import InputError, VerificationError

RECEIPT_VERSION = 1


def build_receipt(origin: str, public_key: bytes, entries, tree: MerkleTree, note: str,
                  cp: Checkpoint) -> dict:
    """A receipt (JSON-ready dict) for ``entries`` (EntryRow) against checkpoint ``cp`` of ``tree``."""
    import hashlib

    first = entries[0]
    return {
        "receipt_version": RECEIPT_VERSION,
        "archive": {"origin": origin, "public_key": base64.b64encode(public_key).decode(),
                    "key_id": hashlib.sha256(public_key).hexdigest()},
        "bundle": {"source": first.source, "sha256": first.bundle_sha256},
        "entries": [{
            "index": e.index,
            "leaf_hash": e.leaf_hash.hex(),
            "envelope_sha256": e.envelope_sha256,
            "added_at": e.added_at,
            "claimed_time": e.claimed_time,
            "time_label": "rfc3161" if e.tsa_token else "claimed",
            "timestamp": None if not e.tsa_token else {
                "time": e.tsa_time, "token": base64.b64encode(e.tsa_token).decode()},
            "inclusion_proof": [p.hex() for p in tree.inclusion_proof(e.index, cp.size)],
        } for e in entries],
        "checkpoint": {"size": cp.size, "root_hash": cp.root.hex(), "note": note},
    }


def write_receipt(receipt: dict, path: Path) -> None:
    """Writes a receipt completely or not at all (write, then rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(receipt, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _hex32(value, what: str) -> bytes:
    try:
        b = bytes.fromhex(value)
    except (TypeError, ValueError):
        b = b""
    if len(b) != 32:
        raise VerificationError(f"the receipt's {what} is not a SHA-256 hash in hex")
    return b


def check_receipt(receipt: dict, envelopes: list[bytes] | None = None) -> tuple[Checkpoint, bytes]:
    """Checks a receipt on its own: the checkpoint's signature, each inclusion proof, and — given the
    bundle's envelope lines — that they are the archived ones. Returns the checkpoint and public key."""
    from portcheck.archive.timestamp import verify_timestamp

    try:
        if receipt.get("receipt_version") != RECEIPT_VERSION:
            raise VerificationError(
                f"the receipt version {receipt.get('receipt_version')!r} is not supported")
        archive, cp_part, entries = receipt["archive"], receipt["checkpoint"], receipt["entries"]
        public_key = base64.b64decode(archive["public_key"], validate=True)
        origin = archive["origin"]
        note = cp_part["note"]
        if not isinstance(entries, list) or not entries:
            raise VerificationError("the receipt names no entry")
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as err:
        if isinstance(err, VerificationError):
            raise
        raise VerificationError("the receipt is malformed (a required field is missing or invalid)") from err
    cp = verify_checkpoint_note(note, public_key, origin)
    if cp_part.get("size") != cp.size or cp_part.get("root_hash") != cp.root.hex():
        raise VerificationError("the receipt's checkpoint fields differ from its signed note")
    if envelopes is not None and len(envelopes) != len(entries):
        raise VerificationError(
            f"the bundle holds {len(envelopes)} envelope(s), the receipt names {len(entries)}")
    for n, e in enumerate(entries):
        try:
            index, proof = e["index"], [_hex32(p, "inclusion proof") for p in e["inclusion_proof"]]
            recorded = _hex32(e["leaf_hash"], "leaf hash")
        except (KeyError, TypeError) as err:
            raise VerificationError("the receipt is malformed (an entry lacks its index or proof)") from err
        if not isinstance(index, int) or isinstance(index, bool):
            raise VerificationError("the receipt is malformed (an entry index is not a number)")
        if envelopes is not None and leaf_hash(envelopes[n]) != recorded:
            raise VerificationError(f"the bundle's envelope is not the one archived as entry {index}",
                                    hint="the envelope was changed after it was archived")
        try:
            verify_inclusion(recorded, index, cp.size, proof, cp.root)
        except VerificationError as err:
            raise VerificationError(f"entry {index}: {err.message}") from err
        ts = e.get("timestamp")
        if ts and envelopes is not None:
            try:
                token = base64.b64decode(ts["token"], validate=True)
            except (KeyError, TypeError, binascii.Error, ValueError) as err:
                raise VerificationError(
                    f"entry {index}: the receipt's time-stamp token is not base64") from err
            verify_timestamp(token, envelopes[n], None)
    return cp, public_key


def load_receipt(path: str | Path) -> dict:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"the receipt {p} cannot be read ({err.strerror})", hint="check the path") from err
    except (ValueError, UnicodeDecodeError) as err:
        raise VerificationError(f"the receipt {p} is not JSON") from err
    if not isinstance(data, dict):
        raise VerificationError(f"the receipt {p} is not a JSON object")
    return data


class ReceiptFromAnotherArchive(VerificationError):
    """The receipt was issued by a different archive than the one it was checked against."""


def check_receipt_against_archive(receipt: dict, cp: Checkpoint, public_key: bytes, archive) -> None:
    """Checks that the archive is the receipt's and still holds its entries: same key and origin, the
    entries unchanged, and the current tree an extension of the receipt's checkpoint (consistency proof)."""
    snap = archive.snapshot()
    if snap.public_key != public_key or snap.origin != cp.origin:
        raise ReceiptFromAnotherArchive(f"the receipt is from archive {cp.origin}, not from {snap.origin} at "
                                f"{archive.url}",
                                hint="pass the --db of the archive that issued the receipt")
    if not snap.checkpoints:
        raise VerificationError("the archive has no signed checkpoint")
    latest = verify_checkpoint_note(snap.checkpoints[-1].note, snap.public_key, snap.origin)
    stored = snap.entries[: latest.size]
    if [e.index for e in stored] != list(range(latest.size)):
        raise VerificationError("the archive has lost entries since its latest checkpoint",
                                hint="run portcheck archive verify to see which")
    tree = MerkleTree(leaf_hash(e.envelope) for e in stored)
    if tree.root() != latest.root:
        raise VerificationError("the archive's entries no longer match its latest signed checkpoint",
                                hint="run portcheck archive verify to see which entries changed")
    for e in receipt["entries"]:
        i = e["index"]
        if i >= latest.size or tree.leaves[i].hex() != e["leaf_hash"]:
            raise VerificationError(f"the archive's entry {i} is not the one this receipt speaks of",
                                    hint="run portcheck archive verify to see which entries changed")
    if cp.size > latest.size:
        raise VerificationError(f"the receipt's checkpoint covers {cp.size} entries, the archive only "
                                f"{latest.size}: entries were removed")
    try:
        verify_consistency(cp.size, latest.size, cp.root, latest.root, tree.consistency_proof(cp.size))
    except VerificationError as err:
        raise VerificationError(
            f"the archive was rewritten since this receipt was issued ({err.message})") from err


def verify_receipt_file(receipt_path: str | Path, db_url: str | None = None, *,
                        envelopes: bytes | None = None) -> None:
    """Verifies an archive receipt; returns nothing or raises.

    Always: the checkpoint's signature (by the key in the receipt), each entry's inclusion proof, that the
    bundle's envelope file still holds exactly the archived envelope(s), and any time-stamp token's imprint.
    The envelope file is read from the bundle the receipt belongs to (the folder holding
    ``archive-receipt.json``, or the .zip beside ``<bundle>.zip.archive-receipt.json``), unless its bytes are
    passed as ``envelopes`` (e.g. when the receipt was taken out of a .zip). With ``db_url``: also that this
    archive issued the receipt, still holds those entries, and has only grown since (RFC 6962 consistency
    proof from the receipt's checkpoint to the archive's latest).

    Raises VerificationError (exit 1) when something does not hold; InputError / ArchiveError (exit 2) when
    the receipt, the bundle or the database cannot be read.
    """
    from portcheck.archive.bundle import ENVELOPE_FILE, split_envelopes
    from portcheck.archive.store import Archive

    path = Path(receipt_path)
    receipt = load_receipt(path)
    if envelopes is None:
        source = envelope_source_for_receipt(path)
        if source.is_dir() and not (source / ENVELOPE_FILE).is_file():
            raise InputError(f"the receipt {path} has no {ENVELOPE_FILE} beside it",
                             hint="keep the receipt in its bundle folder, or beside its .zip")
        lines = list(read_bundle(source).envelopes)
    else:
        lines = split_envelopes(envelopes, ENVELOPE_FILE)
    cp, public_key = check_receipt(receipt, lines)
    if db_url:
        with Archive.open(db_url) as archive:
            check_receipt_against_archive(receipt, cp, public_key, archive)
