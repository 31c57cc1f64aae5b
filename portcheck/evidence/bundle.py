"""Evidence bundles: a folder or a .zip that anyone can check with sha256sum, python3 and openssl.

A bundle holds the signed report folder's files (report.json, report.html, the CSV and gx files), the DSSE
envelope ``report.intoto.jsonl``, the signer's ``public.pem``, a ``MANIFEST.sha256`` (sha256sum format,
every other file) and ``VERIFY.md`` / ``VERIFY.zh.md``: the exact commands that check it without
portcheck. The report folder is verified before anything is copied, and the
bundle is verified again before it replaces anything, so a bundle is never written from altered files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from portcheck.errors import InputError, KeyError_, OutputError
from portcheck.evidence import ENVELOPE_FILE, MANIFEST_FILE, PUBLIC_KEY_FILE
from portcheck.evidence.sign import _umask
from portcheck.evidence.statement import REPORT_FILE
from portcheck.evidence.templates import VERIFY_DOCS
from portcheck.inputs import sha256_file


def _render(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@@{key}@@", value)
    return template


def _verify_docs(result, report_sha256: str) -> dict[str, str]:  # noqa: ANN001 - VerifyResult
    predicate = result.statement.get("predicate") or {}
    names = [s["name"] for s in result.statement["subject"]]
    values = {
        "VERDICT": str(result.verdict),
        "GENERATED_AT": str(predicate.get("generated_at")),
        "KEY_ID": result.key_id,
        "REPORT_SHA256": report_sha256,
        "EXPORT_COUNT": str(sum(n.startswith("export/") for n in names)),
        "REFERENCE_COUNT": str(sum(n.startswith("reference/") for n in names)),
        "FILE_COUNT": str(sum("/" not in n for n in names)),
    }
    return {name: _render(template, values) for name, template in VERIFY_DOCS.items()}


def _looks_like_bundle(path: Path) -> bool:
    return (path / MANIFEST_FILE).is_file() or (path / ENVELOPE_FILE).is_file()


def _fill(folder: Path, out: Path, files: list[str], public_key_bytes: bytes, docs: dict[str, str]) -> None:
    for name in files:
        shutil.copyfile(out / name, folder / name)
    (folder / PUBLIC_KEY_FILE).write_bytes(public_key_bytes)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    lines = [f"{sha256_file(p)}  {p.name}\n" for p in sorted(folder.iterdir(), key=lambda p: p.name)
             if p.name != MANIFEST_FILE]
    (folder / MANIFEST_FILE).write_text("".join(lines), encoding="utf-8", newline="\n")


def _write_zip(folder: Path, target: Path, top: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        stamp = datetime.now().timetuple()[:6]
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(folder.iterdir(), key=lambda p: p.name):
                info = zipfile.ZipInfo(f"{top}/{p.name}", date_time=stamp)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(p, "rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bundle(out_dir: str | os.PathLike, bundle_path: str | os.PathLike,
                 public_key_path: str | os.PathLike | None = None, *, force: bool = False) -> Path:
    """Write the evidence bundle of the signed report folder ``out_dir`` to ``bundle_path``.

    ``bundle_path`` ending in ``.zip`` gives a zip (its files under one folder named after it), anything else
    a folder. ``public_key_path`` defaults to the ``public.pem`` signing left in ``out_dir``. An existing
    bundle is replaced only with ``force``; a non-bundle path never is. Returns ``bundle_path``.
    """
    from portcheck.evidence.keys import load_public_key
    from portcheck.evidence.verify import verify_bundle

    out, target = Path(out_dir), Path(bundle_path)
    if not (out / ENVELOPE_FILE).is_file():
        raise InputError(f"{out} is not signed (no {ENVELOPE_FILE})",
                         hint="sign it first: portcheck sign DIR --sign-key private.pem")
    key_path = Path(public_key_path) if public_key_path else out / PUBLIC_KEY_FILE
    if not key_path.is_file():
        raise KeyError_(f"no public key to put in the bundle ({key_path} does not exist)",
                        hint="pass the signer's public.pem")
    load_public_key(key_path)  # refuses a private key or a non-Ed25519 file before anything is copied
    result = verify_bundle(out, pubkey=key_path)  # raises naming what broke: never bundle altered files

    as_zip = target.suffix.lower() == ".zip"
    if target.exists() or target.is_symlink():
        if not force:
            raise OutputError(f"{target} already exists",
                              hint="pass --force to replace it, or choose another path")
        if not as_zip and not (target.is_dir() and _looks_like_bundle(target)):
            raise OutputError(f"{target} exists and is not a portcheck bundle, so it is not replaced",
                              hint="choose another bundle path")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"the bundle folder {target.parent} cannot be created ({e.strerror})",
                          hint="choose a path you can write to") from e

    # An archive receipt is not copied: it speaks of the folder it was issued for, not of this bundle.
    files = list(result.files_checked) + [ENVELOPE_FILE]
    docs = _verify_docs(result, hashlib.sha256((out / REPORT_FILE).read_bytes()).hexdigest())
    try:
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
        try:
            _fill(staging, out, files, key_path.read_bytes(), docs)
            verify_bundle(staging, pubkey=key_path)
            if as_zip:
                _write_zip(staging, target, target.stem)
            else:
                os.chmod(staging, 0o755 & ~_umask())
                if target.exists():
                    shutil.rmtree(target)
                os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as e:
        raise OutputError(f"the bundle {target} cannot be written ({e.strerror})",
                          hint="check free space and that you can write there") from e
    return target
