"""Masking of customer values in every output, per DESIGN.

A masked value keeps its first and last character, replaces the rest with ``…``, and appends 8 hex
characters of an HMAC-SHA256 keyed with a secret kept in the user's portcheck config directory (created on
first use, mode 0600), so equal values stay recognisable across runs on that machine and cannot be
recovered by guessing. Keys and IDs are never masked.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

SECRET_FILE = "mask-secret"


def config_dir(env: dict[str, str] | None = None) -> Path:
    """portcheck's per-user config directory: $PORTCHECK_CONFIG_DIR, else $XDG_CONFIG_HOME/portcheck."""
    env = dict(os.environ) if env is None else env
    if env.get("PORTCHECK_CONFIG_DIR"):
        return Path(env["PORTCHECK_CONFIG_DIR"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "portcheck"


def load_secret(directory: Path | None = None) -> bytes:
    """Read the masking secret, creating it (0600, atomically) on first use."""
    directory = directory or config_dir()
    path = directory / SECRET_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = directory / f".{SECRET_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # first writer wins; a concurrent run reads the winner's secret
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


class Masker:
    """Masks values for output. ``Masker(None)`` (``--show-values``) returns values unchanged."""

    def __init__(self, secret: bytes | None) -> None:
        self._secret = secret
        if secret is not None:
            # HMAC-SHA256 from its two padded keys, hashed once here: each tag then costs two hash copies
            # instead of a new HMAC object (a third of the time; thousands of values per report)
            key = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
            self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
            self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    @property
    def enabled(self) -> bool:
        return self._secret is not None

    def __call__(self, value: object) -> str | None:
        if value is None:
            return None
        text = str(value)
        if self._secret is None or text == "":
            return text
        inner = self._inner.copy()
        inner.update(text.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        tag = outer.hexdigest()[:8]
        if len(text) <= 2:
            shown = text[0] + "…"
        else:
            shown = f"{text[0]}…{text[-1]}"
        return f"{shown}#{tag}"


def make_masker(show_values: bool, directory: Path | None = None) -> Masker:
    return Masker(None if show_values else load_secret(directory))
