"""Signed checkpoints: the archive's tree heads, in the C2SP tlog-checkpoint / signed-note text format.

A checkpoint's note text is exactly three lines::

    portcheck.archive/3f9c2a1be0d4c5e6     <- origin: names this archive
    42                                     <- tree size (entries 0..41)
    4H7bn5o5zyAy0l4w2mmbXvx8g+fMaIPy8S9k0EsW4wA=   <- base64 of the RFC 6962 root hash

followed by a blank line and one signature line ``— <origin> <base64(key hash || signature)>``, where the
signature is Ed25519 over the note text (the three lines, each ending in ``\\n``) and the key hash is the
first 4 bytes of ``SHA-256(origin || "\\n" || 0x01 || raw public key)`` (the signed-note convention), so
standard tlog tooling can read and check it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from portcheck.archive.merkle import HASH_SIZE
from portcheck.errors import VerificationError

ED25519_ALG = b"\x01"
SIGNATURE_DASH = "\u2014 "


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the archive's ``origin``, its ``size`` and the root hash at that size."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        if not self.origin or any(c in self.origin for c in "\n ") or "+" in self.origin:
            raise ValueError(f"invalid checkpoint origin {self.origin!r}")
        if self.size < 0 or len(self.root) != HASH_SIZE:
            raise ValueError("invalid checkpoint size or root")
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def key_hash(name: str, public_key_raw: bytes) -> bytes:
    """The 4-byte signed-note key hash of an Ed25519 key named ``name``."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALG + public_key_raw).digest()[:4]


def sign_checkpoint(checkpoint: Checkpoint, private_key) -> str:
    """The signed note for ``checkpoint`` (``private_key``: a cryptography Ed25519PrivateKey)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    text = checkpoint.text()
    raw_pub = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sig = private_key.sign(text.encode())
    blob = base64.b64encode(key_hash(checkpoint.origin, raw_pub) + sig).decode()
    return f"{text}\n{SIGNATURE_DASH}{checkpoint.origin} {blob}\n"


def parse_checkpoint_text(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(line == "" for line in lines[:-1]):
        raise VerificationError("the checkpoint text is not three non-empty lines")
    origin, size_s, root_s = lines[0], lines[1], lines[2]
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise VerificationError(f"the checkpoint size {size_s!r} is not a decimal number")
    try:
        root = base64.b64decode(root_s, validate=True)
    except (binascii.Error, ValueError) as err:
        raise VerificationError("the checkpoint root hash is not base64") from err
    if len(root) != HASH_SIZE:
        raise VerificationError("the checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size_s), root)


def verify_checkpoint_note(note: str, public_key_raw: bytes, origin: str | None = None) -> Checkpoint:
    """Checks a signed note's Ed25519 signature by ``public_key_raw`` and returns its checkpoint.

    Raises VerificationError when the note is malformed, names another origin, or no signature line by this
    key verifies.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(note, str) or "\n\n" not in note:
        raise VerificationError("the checkpoint is not a signed note (no blank line before the signatures)")
    text, _, sigs = note.partition("\n\n")
    text += "\n"
    cp = parse_checkpoint_text(text)
    if origin is not None and cp.origin != origin:
        raise VerificationError(f"the checkpoint is for archive {cp.origin!r}, not {origin!r}")
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key_raw)
    except ValueError as err:
        raise VerificationError("the archive public key is not a raw Ed25519 key") from err
    want_hash = key_hash(cp.origin, public_key_raw)
    for line in sigs.split("\n"):
        if not line.startswith(SIGNATURE_DASH):
            continue
        name, _, blob = line[len(SIGNATURE_DASH):].partition(" ")
        if name != cp.origin:
            continue
        try:
            raw = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) != 4 + 64 or raw[:4] != want_hash:
            continue
        try:
            key.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise VerificationError(
                f"the signature of the checkpoint of size {cp.size} does not verify") from None
        return cp
    raise VerificationError(f"the checkpoint of size {cp.size} carries no signature by the archive key")
