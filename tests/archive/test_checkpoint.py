"""Signed checkpoints in the C2SP tlog-checkpoint / signed-note format, checked by hand with Ed25519."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from portcheck.archive.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint_note
from portcheck.archive.merkle import leaf_hash
from portcheck.errors import VerificationError

ORIGIN = "portcheck.archive/0123456789abcdef"


def raw(key) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def key():
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_the_note_is_three_lines_a_blank_line_and_an_ed25519_signature_line(key):
    root = leaf_hash(b"x")
    note = sign_checkpoint(Checkpoint(ORIGIN, 42, root), key)
    text, sig_line = note.split("\n\n")
    assert text == f"{ORIGIN}\n42\n{base64.b64encode(root).decode()}"
    assert sig_line.startswith(f"\u2014 {ORIGIN} ") and sig_line.endswith("\n")
    blob = base64.b64decode(sig_line.rstrip("\n").rsplit(" ", 1)[1])
    # key hash: SHA-256(name || "\n" || 0x01 || raw public key)[:4]; then the signature over the text
    assert blob[:4] == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + raw(key)).digest()[:4]
    key.public_key().verify(blob[4:], (text + "\n").encode())  # raises if it does not verify
    assert verify_checkpoint_note(note, raw(key), ORIGIN) == Checkpoint(ORIGIN, 42, root)


def test_a_changed_size_root_or_origin_is_rejected(key):
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, leaf_hash(b"x")), key)
    forged_root = base64.b64encode(leaf_hash(b"y")).decode()
    for bad in (note.replace("\n7\n", "\n8\n", 1),
                note.replace(base64.b64encode(leaf_hash(b"x")).decode(), forged_root, 1)):
        with pytest.raises(VerificationError, match="does not verify"):
            verify_checkpoint_note(bad, raw(key), ORIGIN)
    with pytest.raises(VerificationError, match="is for archive"):
        verify_checkpoint_note(note, raw(key), "portcheck.archive/other")


def test_a_note_signed_by_another_key_is_rejected(key):
    other = Ed25519PrivateKey.generate()
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, leaf_hash(b"x")), other)
    with pytest.raises(VerificationError, match="no signature by the archive key"):
        verify_checkpoint_note(note, raw(key), ORIGIN)


@pytest.mark.parametrize("text", [
    "", "no blank line\n", f"{ORIGIN}\n07\nAAAA\n\n\u2014 x y\n", f"{ORIGIN}\n1\nnot base64!\n\n\u2014 x y\n",
    f"{ORIGIN}\n1\n{base64.b64encode(b'short').decode()}\n\n\u2014 x y\n",
])
def test_malformed_notes_are_rejected(key, text):
    with pytest.raises(VerificationError):
        verify_checkpoint_note(text, raw(key), ORIGIN)
