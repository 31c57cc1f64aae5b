"""Signed evidence: keys, in-toto statements in DSSE envelopes, bundles and their verification.

- :mod:`portcheck.evidence.canonical`  canonical JSON bytes (RFC 8785) for report.json and statements
- :mod:`portcheck.evidence.keys`       Ed25519 key pairs: generate, load (refusing unsafe files), key IDs
- :mod:`portcheck.evidence.dsse`       DSSE envelopes: PAE, sign, verify
- :mod:`portcheck.evidence.statement`  the in-toto Statement v1 portcheck signs
- :mod:`portcheck.evidence.sign`       ``sign_report_dir``: sign a report folder
- :mod:`portcheck.evidence.bundle`     ``write_bundle``: a folder or .zip anyone can check with openssl
- :mod:`portcheck.evidence.verify`     ``verify_bundle``: raises VerificationError naming what broke

Nothing here imports ``cryptography`` at import time (it is imported inside the functions that need it).
"""

from __future__ import annotations

ENVELOPE_FILE = "report.intoto.jsonl"
PUBLIC_KEY_FILE = "public.pem"
MANIFEST_FILE = "MANIFEST.sha256"
VERIFY_FILES = ("VERIFY.md", "VERIFY.zh.md")
RECEIPT_FILE = "archive-receipt.json"
# Files that travel with a report but are not themselves subjects of the signed statement.
NOT_SUBJECTS = frozenset({ENVELOPE_FILE, PUBLIC_KEY_FILE, MANIFEST_FILE, RECEIPT_FILE, *VERIFY_FILES})

_PUBLIC = {
    "canonical_json_bytes": "portcheck.evidence.canonical",
    "generate_keypair": "portcheck.evidence.keys",
    "load_private_key": "portcheck.evidence.keys",
    "load_public_key": "portcheck.evidence.keys",
    "KeyInfo": "portcheck.evidence.keys",
    "build_statement": "portcheck.evidence.statement",
    "sign_report_dir": "portcheck.evidence.sign",
    "write_bundle": "portcheck.evidence.bundle",
    "verify_bundle": "portcheck.evidence.verify",
    "VerifyResult": "portcheck.evidence.verify",
    "BundleInvalid": "portcheck.evidence.verify",
}


def __getattr__(name: str):  # noqa: ANN202 - lazy re-exports keep `import portcheck.evidence` light
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'portcheck.evidence' has no attribute {name!r}")
