"""Signing a report folder: ``sign_report_dir`` writes ``report.intoto.jsonl`` and ``public.pem`` into it.

Used by ``portcheck check --sign-key`` (on the staging folder, before it is moved into place) and by
``portcheck sign DIR --sign-key private.pem`` afterwards. The envelope holds one DSSE envelope per line
(portcheck writes one); both files are written atomically (temp file, then ``os.replace``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from portcheck.errors import InputError, OutputError
from portcheck.evidence import ENVELOPE_FILE, PUBLIC_KEY_FILE
from portcheck.evidence.canonical import canonical_json_bytes
from portcheck.evidence.statement import build_statement


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` completely or not at all (temp file in the same folder, then os.replace)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def sign_report_dir(out_dir: str | os.PathLike, private_key_path: str | os.PathLike,
                    passphrase: bytes | None = None) -> Path:
    """Sign the report folder ``out_dir``: writes ``report.intoto.jsonl`` (one DSSE envelope per line) and
    the signer's ``public.pem`` next to it, each atomically. Returns the envelope's path.
    """
    from portcheck.evidence.dsse import envelope_line, sign_envelope
    from portcheck.evidence.keys import load_private_key, public_pem

    out = Path(out_dir)
    if not out.is_dir():
        raise InputError(f"{out} is not a folder", hint="pass the folder `portcheck check --out` wrote")
    private_key = load_private_key(private_key_path, passphrase)
    statement = build_statement(out)
    envelope = sign_envelope(canonical_json_bytes(statement), private_key)
    target = out / ENVELOPE_FILE
    try:
        atomic_write(target, envelope_line(envelope))
        atomic_write(out / PUBLIC_KEY_FILE, public_pem(private_key.public_key()))
    except OSError as e:
        raise OutputError(f"the signature cannot be written into {out} ({e.strerror})",
                          hint="check that you can write to the report folder") from e
    return target
