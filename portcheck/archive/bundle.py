"""Reading what gets archived: the DSSE envelopes of a signed report folder or bundle (.zip).

What an archive entry is, precisely:

- The bundle is a folder holding ``report.intoto.jsonl``, or a .zip holding it at its root or inside its
  single top-level folder.
- ``report.intoto.jsonl`` holds one DSSE envelope per line. Each non-blank line is one entry; its **leaf
  data** is the line's bytes exactly as stored, without the line terminator (``\\n``, or ``\\r\\n``). Those
  bytes are stored verbatim, the Merkle leaf hash is ``SHA-256(0x00 || bytes)``, and an RFC 3161 token is
  requested over ``SHA-256(bytes)``.
- The bundle's SHA-256 is the .zip file's SHA-256, or, for a folder, the SHA-256 of the manifest text made
  of one line ``<sha256 hex>  <relative/path>\\n`` per regular file (not following symlinks), sorted by path,
  leaving out the top-level ``archive-receipt.json`` the archive writes there.
- The receipt goes into the folder as ``archive-receipt.json``, or beside a .zip as
  ``<name>.zip.archive-receipt.json``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from portcheck.errors import InputError, LimitExceeded
from portcheck.inputs import sha256_file

ENVELOPE_FILE = "report.intoto.jsonl"
PUBLIC_KEY_FILE = "public.pem"
MAX_PUBLIC_KEY_BYTES = 64 << 10
RECEIPT_FILE = "archive-receipt.json"
ZIP_RECEIPT_SUFFIX = ".archive-receipt.json"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
MAX_ENVELOPE_FILE_BYTES = 64 << 20


@dataclass(frozen=True)
class Bundle:
    """A signed report ready to archive."""

    path: Path
    is_zip: bool
    source: str  # the folder's or .zip's name
    sha256: str
    envelopes: tuple[bytes, ...]
    public_pem: bytes | None = None  # the signer's public.pem, when the bundle carries one

    @property
    def receipt_path(self) -> Path:
        return receipt_path_for(self.path, self.is_zip)


@dataclass(frozen=True)
class StatementInfo:
    """What ``list`` and ``show`` read from an envelope's in-toto statement (None when absent)."""

    predicate_type: str | None
    verdict: str | None
    generated_at: str | None
    subjects: int


def receipt_path_for(bundle_path: Path, is_zip: bool) -> Path:
    if is_zip:
        return bundle_path.with_name(bundle_path.name + ZIP_RECEIPT_SUFFIX)
    return bundle_path / RECEIPT_FILE


def envelope_source_for_receipt(receipt_path: Path) -> Path:
    """The bundle a receipt speaks of: its folder, or the .zip it sits beside."""
    if receipt_path.name.endswith(ZIP_RECEIPT_SUFFIX) and receipt_path.name != RECEIPT_FILE:
        return receipt_path.with_name(receipt_path.name[: -len(ZIP_RECEIPT_SUFFIX)])
    return receipt_path.parent


def split_envelopes(data: bytes, where: str) -> list[bytes]:
    """The envelope lines of a ``report.intoto.jsonl`` file, each checked to be a DSSE envelope."""
    out: list[bytes] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line.strip():
            continue
        try:
            env = json.loads(line)
        except (ValueError, UnicodeDecodeError) as err:
            raise InputError(f"line {number} of {where} is not JSON",
                             hint="pass a bundle written by portcheck check --sign-key") from err
        if not (isinstance(env, dict) and isinstance(env.get("payload"), str)
                and isinstance(env.get("payloadType"), str) and isinstance(env.get("signatures"), list)
                and env["signatures"]):
            raise InputError(f"line {number} of {where} is not a signed DSSE envelope",
                             hint="pass a bundle written by portcheck check --sign-key")
        out.append(line)
    if not out:
        raise InputError(f"{where} holds no envelope",
                         hint="sign the report first (portcheck check --sign-key)")
    return out


def folder_sha256(folder: Path) -> str:
    """SHA-256 of the sorted ``<sha256>  <path>`` manifest of a folder (without its archive receipt)."""
    rows = sorted(
        (p.relative_to(folder).as_posix(), p) for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink())
    manifest = "".join(f"{sha256_file(p)}  {name}\n" for name, p in rows if name != RECEIPT_FILE)
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def _zip_envelope_member(zf: zipfile.ZipFile, where: str) -> zipfile.ZipInfo:
    candidates = [i for i in zf.infolist() if not i.is_dir()
                  and (i.filename == ENVELOPE_FILE
                       or (i.filename.count("/") == 1 and i.filename.endswith("/" + ENVELOPE_FILE)))]
    if not candidates:
        raise InputError(f"{where} holds no {ENVELOPE_FILE}",
                         hint="pass a signed bundle (portcheck check --sign-key … --bundle PATH.zip)")
    if len(candidates) > 1:
        raise InputError(f"{where} holds more than one {ENVELOPE_FILE}", hint="archive one bundle at a time")
    return candidates[0]


def read_bundle(path: str | Path) -> Bundle:
    """Reads a bundle folder or .zip (never modifying it). Raises InputError when it is not one."""
    p = Path(path)
    if p.is_dir():
        env_path = p / ENVELOPE_FILE
        if not env_path.is_file():
            raise InputError(f"{p} holds no {ENVELOPE_FILE}",
                             hint="pass the folder portcheck check --sign-key wrote, or its bundle")
        if env_path.stat().st_size > MAX_ENVELOPE_FILE_BYTES:
            raise LimitExceeded(f"{env_path} is larger than {MAX_ENVELOPE_FILE_BYTES >> 20} MiB",
                                hint="this is not an envelope file portcheck wrote")
        data = env_path.read_bytes()
        pub_path = p / PUBLIC_KEY_FILE
        small = pub_path.is_file() and pub_path.stat().st_size <= MAX_PUBLIC_KEY_BYTES
        pub = pub_path.read_bytes() if small else None
        envelopes = tuple(split_envelopes(data, str(env_path)))
        return Bundle(p, False, p.resolve().name, folder_sha256(p), envelopes, pub)
    if p.is_file():
        try:
            with zipfile.ZipFile(p) as zf:
                info = _zip_envelope_member(zf, str(p))
                if info.file_size > MAX_ENVELOPE_FILE_BYTES:
                    raise LimitExceeded(f"{info.filename} in {p} is larger than "
                                        f"{MAX_ENVELOPE_FILE_BYTES >> 20} MiB",
                                        hint="this is not an envelope file portcheck wrote")
                data = zf.read(info)
                prefix = info.filename[: -len(ENVELOPE_FILE)]
                pub_info = next((i for i in zf.infolist() if i.filename == prefix + PUBLIC_KEY_FILE), None)
                pub = zf.read(pub_info) if pub_info and pub_info.file_size <= MAX_PUBLIC_KEY_BYTES else None
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
            raise InputError(f"{p} is not a readable .zip bundle ({err})",
                             hint="pass a bundle folder or .zip written by portcheck check --bundle") from err
        envelopes = tuple(split_envelopes(data, f"{p}!{info.filename}"))
        return Bundle(p, True, p.name, sha256_file(p), envelopes, pub)
    raise InputError(f"{p} does not exist", hint="pass a bundle folder or .zip")


def _find(obj: object, keys: tuple[str, ...], depth: int = 2) -> object | None:
    """The first value under one of ``keys`` in a dict, searching nested dicts breadth-first."""
    level = [obj]
    for _ in range(depth + 1):
        nxt = []
        for d in level:
            if isinstance(d, dict):
                for k in keys:
                    if k in d and not isinstance(d[k], (dict, list)):
                        return d[k]
                nxt.extend(v for v in d.values() if isinstance(v, dict))
        level = nxt
    return None


def statement_info(envelope: bytes) -> StatementInfo:
    """Reads the predicate type, verdict and claimed generation time of an envelope's statement."""
    try:
        env = json.loads(envelope)
        payload = base64.b64decode(env["payload"], validate=True)
        statement = json.loads(payload)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        return StatementInfo(None, None, None, 0)
    if not isinstance(statement, dict):
        return StatementInfo(None, None, None, 0)
    predicate = statement.get("predicate")
    verdict = _find(predicate, ("verdict",))
    generated = _find(predicate, ("generated_at", "generatedAt"))
    subjects = statement.get("subject")
    return StatementInfo(
        statement.get("predicateType") if isinstance(statement.get("predicateType"), str) else None,
        str(verdict) if verdict is not None else None,
        str(generated) if generated is not None else None,
        len(subjects) if isinstance(subjects, list) else 0,
    )


def check_signatures(b: Bundle, pubkey_pem: bytes | None = None) -> str:
    """Checks each envelope's DSSE signature with portcheck.evidence, when this install has it.

    Uses ``pubkey_pem`` (the signer's key, proving who signed) or else the bundle's own ``public.pem``
    (proving only that the envelope is intact). Returns how the signatures were checked, in words; raises
    VerificationError when one does not verify. The archive itself never depends on it: a leaf is over the
    envelope bytes, whatever they say.
    """
    try:
        from portcheck.evidence.dsse import verify_envelope
        from portcheck.evidence.keys import key_id, public_key_from_pem
    except ImportError:
        return "not checked (this portcheck has no signing module)"
    if pubkey_pem is not None:
        pem, source = pubkey_pem, "the given public key"
    elif b.public_pem is not None:
        pem, source = b.public_pem, f"the bundle's own {PUBLIC_KEY_FILE} (integrity only)"
    else:
        return "not checked (no public key: pass --pubkey)"
    key = public_key_from_pem(pem, source)
    for env in b.envelopes:
        verify_envelope(json.loads(env), key)
    return f"verified with {source}, key ID {key_id(key)}"
