"""Trusted time: RFC 3161 time-stamp tokens over an envelope's SHA-256 (built and checked by rfc3161-client).

The request's message imprint is SHA-256 of the entry's envelope bytes (see :mod:`portcheck.archive.bundle`),
with a nonce and a request for the TSA's certificate. portcheck does the HTTP POST itself
(``Content-Type: application/timestamp-query``) and stores the whole ``TimeStampResp`` (DER). A token is
valid for an entry when its imprint is SHA-256 of that entry's envelope and its signature chains to the
trusted certificates (PEM: the self-signed ones are roots, the others intermediates).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from portcheck.errors import InputError, VerificationError

MAX_RESPONSE_BYTES = 1 << 20
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Timestamp:
    """A token and what it says."""

    token: bytes  # DER TimeStampResp
    gen_time: str  # RFC 3339 UTC


def _rfc3339(t: dt.datetime) -> str:
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def load_certificates(pem: bytes, where: str = "the TSA certificate file"):
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as err:
        raise InputError(f"{where} holds no PEM certificate",
                         hint="pass the TSA's CA certificate (and the TSA certificate) as PEM") from err
    return certs


def _verifier(certs_pem: bytes, nonce: int | None = None):
    from rfc3161_client import VerifierBuilder

    certs = load_certificates(certs_pem)
    roots = [c for c in certs if c.subject == c.issuer]
    others = [c for c in certs if c.subject != c.issuer]
    if not roots:
        raise InputError("the TSA certificate file holds no root (self-signed) CA certificate",
                         hint="pass the certificate of the CA that issued the TSA's certificate "
                              "with --tsa-cert")
    builder = VerifierBuilder()
    for c in roots:
        builder = builder.add_root_certificate(c)
    for c in others:
        builder = builder.add_intermediate_certificate(c)
    if nonce is not None:
        builder = builder.nonce(nonce)
    return builder.build()


def parse_token(token: bytes):
    from rfc3161_client import decode_timestamp_response

    try:
        return decode_timestamp_response(token)
    except (ValueError, TypeError) as err:
        raise VerificationError("the time-stamp token cannot be parsed as an RFC 3161 response") from err


def verify_timestamp(token: bytes, data: bytes, certs_pem: bytes | None, *, nonce: int | None = None) -> str:
    """Checks a token over ``data`` and returns its time (RFC 3339 UTC). Raises VerificationError.

    Without ``certs_pem`` only the message imprint is checked (the time is then not trusted).
    """
    from rfc3161_client import PKIStatus
    from rfc3161_client import VerificationError as TspVerificationError

    resp = parse_token(token)
    if PKIStatus(resp.status) != PKIStatus.GRANTED:
        raise VerificationError(f"the time-stamping authority did not grant the token (status {resp.status})")
    imprint = resp.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != "2.16.840.1.101.3.4.2.1":
        raise VerificationError("the time-stamp token is not over a SHA-256 hash")
    if imprint.message != hashlib.sha256(data).digest():
        raise VerificationError("the time-stamp token is over different bytes than the envelope")
    if nonce is not None and resp.tst_info.nonce != nonce:
        raise VerificationError("the time-stamp token answers another request (nonce mismatch)")
    if certs_pem:
        try:
            _verifier(certs_pem, nonce).verify_message(resp, data)
        except TspVerificationError as err:
            found = re.search(r"Verify error: ([^\"]+)", str(err))
            reason = found.group(1) if found else str(err)[:200]
            raise VerificationError(f"the time-stamp token's signature does not verify with the trusted TSA "
                                    f"certificates ({reason})") from err
    return _rfc3339(resp.tst_info.gen_time)


def request_timestamp(data: bytes, url: str, certs_pem: bytes | None = None,
                      *, timeout: float = TIMEOUT_SECONDS) -> Timestamp:
    """Asks the TSA at ``url`` for a token over SHA-256(``data``) and checks the answer.

    Raises InputError when the TSA cannot be reached or answers nonsense, VerificationError when its token
    does not verify.
    """
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"the TSA URL {url!r} is not an http(s) URL", hint="pass --tsa-url https://…")
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    http_req = urllib.request.Request(
        url, data=request.as_bytes(), method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(http_req, timeout=timeout) as resp:  # noqa: S310 (URL checked above)
            body = resp.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise InputError(f"the time-stamping authority at {url} cannot be reached ({err})",
                         hint="check --tsa-url, or archive without trusted time") from err
    if len(body) > MAX_RESPONSE_BYTES:
        raise InputError(f"the time-stamping authority at {url} sent an oversized answer",
                         hint="check --tsa-url")
    try:
        gen_time = verify_timestamp(body, data, certs_pem, nonce=request.nonce)
    except VerificationError as err:
        raise VerificationError(f"the time-stamping authority's answer was refused: {err.message}",
                                hint="check --tsa-url and --tsa-cert") from err
    return Timestamp(body, gen_time)
