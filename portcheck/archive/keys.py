"""The archive's own Ed25519 signing key (it signs checkpoints; it is not the report signer's key).

Where the private key lives (PKCS#8 PEM, unencrypted, mode 0600, created on first use):

- SQLite archive ``…/archive.db``: beside it, ``…/archive.db.key``;
- any other database: ``<config dir>/archive-keys/<16 hex of SHA-256 of the URL without password>.key``
  (config dir: ``$PORTCHECK_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/portcheck``);
- or wherever ``--key`` / ``PORTCHECK_ARCHIVE_KEY`` says.

Only appending needs the private key; ``list``, ``show`` and ``verify`` use the public key stored in the
archive (or one given to pin it).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from portcheck.errors import KeyError_

KEY_SUFFIX = ".key"


def default_key_path(url, config_dir: Path) -> Path:
    """Where the private key of the archive at ``url`` (a SQLAlchemy URL object) is kept by default."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        return db.with_name(db.name + KEY_SUFFIX)
    safe = url.render_as_string(hide_password=True)
    digest = hashlib.sha256(safe.encode()).hexdigest()[:16]
    return config_dir / "archive-keys" / f"{digest}{KEY_SUFFIX}"


def public_raw(private_key) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_key(path: Path):
    """Reads an archive private key, refusing one that others can read."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError as err:
        raise KeyError_(f"the archive key {path} cannot be read ({err.strerror})",
                        hint="pass the archive's key with --key, or check the file's permissions") from err
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyError_(f"the archive key {path} can be read by other users",
                        hint=f"chmod 600 {path}")
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise KeyError_(f"the archive key {path} is not an unencrypted PEM private key",
                        hint="pass the archive's own key file with --key") from err
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"the archive key {path} is not an Ed25519 key",
                        hint="pass the archive's own key file with --key")
    return key


def load_or_create_key(path: Path):
    """The key at ``path``, created (0600, atomically: the first of concurrent creators wins) if absent."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    if path.exists():
        return load_key(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    except OSError as err:
        raise KeyError_(f"the archive key {path} cannot be created ({err.strerror})",
                        hint="pass a writable location with --key") from err
    return load_key(path)
