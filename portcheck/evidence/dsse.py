"""DSSE envelopes (Dead Simple Signing Envelope, v1.0.0) signed with Ed25519.

The signature covers the Pre-Authentication Encoding of the payload type and the payload bytes, exactly as
the DSSE protocol defines it::

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

where LEN is the ASCII decimal byte length without leading zeros. The envelope is JSON::

    {"payloadType": "application/vnd.in-toto+json", "payload": "<base64>",
     "signatures": [{"keyid": "<sha256 of the raw public key>", "sig": "<base64 of 64 bytes>"}]}

Standard base64 is written; standard and URL-safe are both accepted, as the protocol requires.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from portcheck.errors import VerificationError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
ED25519_SIGNATURE_BYTES = 64


def pae(payload_type: str | bytes, body: bytes) -> bytes:
    """The DSSE v1 Pre-Authentication Encoding of ``payload_type`` (UTF-8) and ``body``."""
    t = payload_type.encode("utf-8") if isinstance(payload_type, str) else bytes(payload_type)
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def b64decode(text: str, what: str) -> bytes:
    """Decode standard or URL-safe base64 strictly; a malformed value is a VerificationError naming it."""
    if not isinstance(text, str):
        raise VerificationError(f"the envelope's {what} is not a base64 string",
                                hint="the envelope file was altered or is not a DSSE envelope")
    s = text.replace("-", "+").replace("_", "/")
    s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"the envelope's {what} is not valid base64",
                                hint="the envelope file was altered or is not a DSSE envelope") from None


def sign_envelope(body: bytes, private_key: Ed25519PrivateKey,
                  payload_type: str = IN_TOTO_PAYLOAD_TYPE) -> dict[str, Any]:
    """Sign ``PAE(payload_type, body)``, wrapped in a DSSE JSON envelope (keyid: SHA-256 of the raw key)."""
    from portcheck.evidence.keys import key_id

    signature = private_key.sign(pae(payload_type, body))
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(body).decode("ascii"),
        "signatures": [{"keyid": key_id(private_key.public_key()),
                        "sig": base64.b64encode(signature).decode("ascii")}],
    }


def envelope_line(envelope: dict[str, Any]) -> bytes:
    """One envelope as a JSON Lines record (compact JSON, ``\\n``-terminated)."""
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def parse_envelope_lines(data: bytes, name: str) -> list[dict[str, Any]]:
    """The envelopes of a ``.intoto.jsonl`` file (blank lines skipped); bad JSON is a VerificationError."""
    envelopes: list[dict[str, Any]] = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            env = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            raise VerificationError(f"line {number} of {name} is not valid JSON",
                                    hint="the envelope file was altered or damaged") from None
        if not isinstance(env, dict) or not {"payloadType", "payload", "signatures"} <= env.keys():
            raise VerificationError(f"line {number} of {name} is not a DSSE envelope",
                                    hint="the envelope file was altered or damaged")
        envelopes.append(env)
    if not envelopes:
        raise VerificationError(f"{name} holds no envelope",
                                hint="the envelope file was emptied or truncated")
    return envelopes


def verify_envelope(envelope: dict[str, Any], public_key: Ed25519PublicKey,
                    payload_type: str = IN_TOTO_PAYLOAD_TYPE) -> bytes:
    """Return the payload bytes when a signature in ``envelope`` verifies with ``public_key``; else raise.

    The VerificationError names the key the envelope says signed it and the key that was tried.
    """
    from cryptography.exceptions import InvalidSignature

    from portcheck.evidence.keys import key_id

    trusted = key_id(public_key)
    body = b64decode(envelope.get("payload"), "payload")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise VerificationError("the envelope carries no signature",
                                hint="the envelope file was altered, or the report was never signed")
    problems: list[str] = []
    message = pae(str(envelope.get("payloadType", "")), body)
    for entry in signatures:
        if not isinstance(entry, dict):
            problems.append("a signature entry is not an object")
            continue
        named = str(entry.get("keyid") or "(none)")
        sig = b64decode(entry.get("sig"), "signature")
        if len(sig) != ED25519_SIGNATURE_BYTES:
            problems.append(f"the signature by key {named} is {len(sig)} bytes long, an Ed25519 signature is "
                            f"{ED25519_SIGNATURE_BYTES} (truncated or altered)")
            continue
        try:
            public_key.verify(sig, message)
        except InvalidSignature:
            if named != trusted:
                problems.append(f"the envelope was signed by key {named}, not by the public key {trusted}")
            else:
                problems.append(f"the signature does not verify with public key {trusted}: the payload or "
                                "the signature was altered")
            continue
        if envelope.get("payloadType") != payload_type:
            raise VerificationError(f"the envelope's payloadType is {envelope.get('payloadType')!r}, "
                                    f"expected {payload_type!r}", hint="this is not a portcheck statement")
        return body
    raise VerificationError("; ".join(problems),
                            hint="the report was altered after signing, or it was signed by another key "
                                 "(pass the signer's public.pem with --pubkey)")
