"""Ed25519 signing keys: generate a pair, load them safely, name them by key ID.

- ``private.pem``: PKCS#8, encrypted with the best available scheme when a passphrase is given, created with
  mode 0600 from the first byte (``os.open`` with 0o600; never widened and narrowed afterwards).
- ``public.pem``: SubjectPublicKeyInfo.
- Key ID: the SHA-256 (hex) of the raw 32-byte public key, the same value ``openssl pkey -pubin -in
  public.pem -outform DER | tail -c 32 | sha256sum`` prints.

A private key never appears in a message, a log line or an output file. Passphrases are bytes passed in by
the caller (the CLI reads the prompt, ``PORTCHECK_KEY_PASSPHRASE`` or ``--passphrase-file``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from portcheck.errors import KeyError_, OutputError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_FILE = "private.pem"
PUBLIC_KEY_FILE = "public.pem"


@dataclass(frozen=True)
class KeyInfo:
    """Where a generated key pair was written, and its key ID."""

    key_id: str
    private_path: Path
    public_path: Path
    encrypted: bool


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 hex of the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(raw_public_bytes(public_key)).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_keypair(out_dir: str | os.PathLike, passphrase: bytes | None = None) -> KeyInfo:
    """Write a new Ed25519 ``private.pem`` (0600, encrypted with ``passphrase``) and ``public.pem``.

    Never overwrites an existing key file.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out = Path(out_dir)
    private_path, public_path = out / PRIVATE_KEY_FILE, out / PUBLIC_KEY_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise OutputError(f"{path} already exists and portcheck never overwrites a key",
                              hint="choose another --out folder, or move the old keys away first")
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise OutputError(f"the key folder {out} cannot be created ({e.strerror})",
                          hint="choose a folder you can write to with --out") from e

    private_key = Ed25519PrivateKey.generate()
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as e:
        raise OutputError(f"{private_path} already exists and portcheck never overwrites a key",
                          hint="choose another --out folder") from e
    except OSError as e:
        raise OutputError(f"{private_path} cannot be written ({e.strerror})",
                          hint="choose a folder you can write to with --out") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    del pem

    public_key = private_key.public_key()
    try:
        fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(public_pem(public_key))
    except OSError as e:
        private_path.unlink(missing_ok=True)
        raise OutputError(f"{public_path} cannot be written ({e.strerror})",
                          hint="choose a folder you can write to with --out") from e
    return KeyInfo(key_id=key_id(public_key), private_path=private_path, public_path=public_path,
                   encrypted=bool(passphrase))


def private_key_is_encrypted(path: str | os.PathLike) -> bool:
    """True when the PEM file holds an encrypted private key (so a passphrase must be asked for)."""
    try:
        head = Path(path).read_bytes()[:200]
    except OSError:
        return False
    return b"ENCRYPTED" in head


def check_private_key_mode(path: Path) -> None:
    """Refuse a private key file that anyone but its owner can read or write (POSIX only)."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyError_(f"the private key {path} is readable by other users (mode {mode:04o})",
                        hint=f"chmod 600 {path}")


def load_private_key(path: str | os.PathLike, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load an Ed25519 private key; refuses a group- or world-accessible file, names a wrong passphrase."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    p = Path(path)
    try:
        check_private_key_mode(p)
        data = p.read_bytes()
    except FileNotFoundError as e:
        raise KeyError_(f"the private key {p} does not exist",
                        hint="create one with: portcheck keys generate --out DIR") from e
    except OSError as e:
        raise KeyError_(f"the private key {p} cannot be read ({e.strerror})",
                        hint="check the path and that you own the file") from e
    encrypted = b"ENCRYPTED PRIVATE KEY" in data[:200]
    if encrypted and not passphrase:
        raise KeyError_(f"the private key {p} is protected by a passphrase and none was given",
                        hint="type it at the prompt, set PORTCHECK_KEY_PASSPHRASE, or pass --passphrase-file")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except ValueError:
        if encrypted:
            raise KeyError_(f"the passphrase for {p} is wrong",
                            hint="check PORTCHECK_KEY_PASSPHRASE or the --passphrase-file content") from None
        raise KeyError_(f"{p} is not a PEM private key portcheck can read",
                        hint="use the private.pem written by: portcheck keys generate") from None
    except Exception as e:  # noqa: BLE001 - e.g. UnsupportedAlgorithm; the message never echoes the key
        raise KeyError_(f"{p} is not a PEM private key portcheck can read ({type(e).__name__})",
                        hint="use the private.pem written by: portcheck keys generate") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"{p} is not an Ed25519 key",
                        hint="portcheck signs with Ed25519 keys: create one with portcheck keys generate")
    return key


def load_public_key(path: str | os.PathLike) -> Ed25519PublicKey:
    """Load an Ed25519 public key (PEM SubjectPublicKeyInfo)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise KeyError_(f"the public key {p} cannot be read ({e.strerror})",
                        hint="pass the public.pem of the signer with --pubkey") from e
    return public_key_from_pem(data, str(p))


def public_key_from_pem(data: bytes, name: str) -> Ed25519PublicKey:
    """Parse PEM bytes as an Ed25519 public key; ``name`` says where they came from, for messages."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if b"PRIVATE KEY" in data:
        raise KeyError_(f"{name} holds a private key, not a public key",
                        hint="pass the public.pem written next to it; never share the private key")
    try:
        key = serialization.load_pem_public_key(data)
    except Exception:  # noqa: BLE001 - any parse failure means the same thing to the user
        raise KeyError_(f"{name} is not a PEM public key", hint="pass the signer's public.pem") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyError_(f"{name} is not an Ed25519 public key", hint="pass the signer's public.pem")
    return key
