"""DSSE: the PAE bytes are exactly the spec's, and Ed25519 envelopes sign and verify over them.

The test vector is the one published in secure-systems-lab/dsse protocol.md ("Test Vectors"): payload type
``http://example.com/HelloWorld``, body ``hello world``, and an ECDSA P-256 (deterministic, raw r||s)
signature over the PAE by the key (X, Y) given there.
"""

from __future__ import annotations

import base64

import pytest

from portcheck.errors import VerificationError
from portcheck.evidence.dsse import IN_TOTO_PAYLOAD_TYPE, pae, sign_envelope, verify_envelope
from portcheck.evidence.keys import key_id, load_private_key, load_public_key

SPEC_TYPE = "http://example.com/HelloWorld"
SPEC_BODY = b"hello world"
SPEC_PAE = b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
SPEC_X = 46950820868899156662930047687818585632848591499744589407958293238635476079160
SPEC_Y = 5640078356564379163099075877009565129882514886557779369047442380624545832820
SPEC_SIG = "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="


def test_pae_matches_the_spec_test_vector():
    assert pae(SPEC_TYPE, SPEC_BODY) == SPEC_PAE


def test_the_spec_vector_signature_verifies_over_our_pae_bytes():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    public_key = ec.EllipticCurvePublicNumbers(SPEC_X, SPEC_Y, ec.SECP256R1()).public_key()
    raw = base64.b64decode(SPEC_SIG)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public_key.verify(der, pae(SPEC_TYPE, SPEC_BODY), ec.ECDSA(hashes.SHA256()))  # raises if our PAE differs


def test_pae_lengths_are_byte_lengths_not_character_counts():
    assert pae("t/é", "王".encode()) == b"DSSEv1 4 t/\xc3\xa9 3 \xe7\x8e\x8b"


def test_envelope_signs_and_verifies_with_ed25519(keys):
    private_key = load_private_key(keys.private_path)
    envelope = sign_envelope(b'{"x":1}', private_key)
    assert envelope["payloadType"] == IN_TOTO_PAYLOAD_TYPE == "application/vnd.in-toto+json"
    assert base64.b64decode(envelope["payload"]) == b'{"x":1}'
    assert envelope["signatures"][0]["keyid"] == keys.key_id
    public_key = load_public_key(keys.public_path)
    assert verify_envelope(envelope, public_key) == b'{"x":1}'
    # the signature is over the PAE bytes, not the bare payload
    signature = base64.b64decode(envelope["signatures"][0]["sig"])
    public_key.verify(signature, pae(IN_TOTO_PAYLOAD_TYPE, b'{"x":1}'))


def test_url_safe_base64_is_accepted_as_the_protocol_requires(keys):
    body = b"\xfb\xff payload with + and / in base64 \xfe"
    envelope = sign_envelope(body, load_private_key(keys.private_path))
    for entry in [envelope, *envelope["signatures"]]:
        for field in ("payload", "sig"):
            if field in entry:
                entry[field] = entry[field].replace("+", "-").replace("/", "_").rstrip("=")
    assert verify_envelope(envelope, load_public_key(keys.public_path)).startswith(b"\xfb\xff")


def test_a_changed_payload_type_breaks_the_signature(keys):
    envelope = sign_envelope(b"{}", load_private_key(keys.private_path))
    envelope["payloadType"] = "application/json"
    with pytest.raises(VerificationError, match="does not verify"):
        verify_envelope(envelope, load_public_key(keys.public_path))


def test_another_key_is_named_with_both_key_ids(keys, other_keys):
    envelope = sign_envelope(b"{}", load_private_key(other_keys.private_path))
    with pytest.raises(VerificationError) as exc:
        verify_envelope(envelope, load_public_key(keys.public_path))
    assert other_keys.key_id in exc.value.message and keys.key_id in exc.value.message
    assert key_id(load_public_key(keys.public_path)) == keys.key_id
