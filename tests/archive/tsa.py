"""A local RFC 3161 time-stamping authority for tests: a test CA, a TSA certificate (extendedKeyUsage critical
timeStamping), ``openssl ts -reply`` answering POSTs from a tiny http.server on 127.0.0.1. No network.

The token embeds only the TSA's own certificate (no ``certs =`` chain): OpenSSL writes a SignedData
certificate SET that is not in DER order when it holds several, and rfc3161-client's strict DER parser
refuses that (ASN.1 InvalidSetOrdering); the CA is the trust anchor given to the verifier instead.

``LocalTSA(dir, stamp_other_bytes=True)`` answers every request with a token over *other* bytes (SHA-256 of
``b"something else"``), to show such a token is refused.
"""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

OPENSSL_CONF = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2.1
other_policies = 1.3.6.1.4.1.57264.2.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "portcheck tests")])


def make_ca_and_tsa(directory: Path) -> tuple[Path, Path, Path]:
    """Writes ca.pem, tsa.pem, tsa.key (EC P-256) into ``directory``; returns their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    def usage(*, signer: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=signer, content_commitment=signer, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=not signer,
                             crl_sign=not signer, encipher_only=False, decipher_only=False)

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)  # noqa: UP017 (3.10 has no dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("portcheck test CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(signer=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (x509.CertificateBuilder().subject_name(_name("portcheck test TSA")).issuer_name(ca.subject)
           .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(usage(signer=True), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                          critical=False)
           .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "tsa.pem", directory / "tsa.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(tsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    paths[2].chmod(0o600)
    return paths


class LocalTSA:
    """``with LocalTSA(dir) as tsa:`` — ``tsa.url`` answers RFC 3161 requests; ``tsa.ca`` is the CA PEM."""

    def __init__(self, directory: Path, *, stamp_other_bytes: bool = False) -> None:
        self.openssl = shutil.which("openssl")
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca, self.cert, self.key = make_ca_and_tsa(self.dir)
        (self.dir / "tsaserial").write_text("01\n")
        self.conf = self.dir / "tsa.cnf"
        self.conf.write_text(OPENSSL_CONF.format(dir=self.dir))
        self.stamp_other_bytes = stamp_other_bytes
        self.requests = 0
        self._lock = threading.Lock()

    def reply(self, query: bytes) -> bytes:
        with self._lock, tempfile.TemporaryDirectory(dir=self.dir) as tmp:
            q, r = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
            if self.stamp_other_bytes:
                other = Path(tmp) / "other"
                other.write_bytes(b"something else")
                subprocess.run([self.openssl, "ts", "-query", "-data", str(other), "-sha256", "-cert",
                                "-out", str(q)], check=True, capture_output=True)
            else:
                q.write_bytes(query)
            subprocess.run([self.openssl, "ts", "-reply", "-config", str(self.conf), "-queryfile", str(q),
                            "-out", str(r)], check=True, capture_output=True)
            self.requests += 1
            return r.read_bytes()

    def __enter__(self) -> LocalTSA:
        tsa = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                answer = tsa.reply(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsr"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
