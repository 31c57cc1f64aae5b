"""``verify_bundle``: is this signed report whole, unaltered, signed by this key, and about these inputs?

Works on a report folder, a bundle folder or a bundle .zip. It raises :class:`BundleInvalid` (a
VerificationError, exit 1) naming every file, hash or key that does not hold, and an InputError /
KeyError_ (exit 2) when there is nothing usable to verify (no envelope, no public key, unreadable zip).
Checks, in order:

1. the DSSE signature over the exact PAE bytes, with ``--pubkey`` or the bundle's ``public.pem``
   (the key ID is reported; a key taken from the bundle itself proves integrity, not identity);
2. the statement is an in-toto Statement v1 with portcheck's predicate type, and names report.json;
3. every output file the statement names is present with the signed SHA-256, and every other file in the
   bundle is a known companion (envelope, public key, manifest, VERIFY docs, archive receipt);
4. ``MANIFEST.sha256``, when present, agrees with the files;
5. report.json's own ``inputs`` are exactly the statement's input subjects, and its verdict is the signed one;
6. given ``export`` / ``reference`` paths, their files are exactly the signed inputs of that role
   (missing, extra and changed files are named);
7. an archive receipt — ``archive-receipt.json`` in a folder, ``NAME.zip.archive-receipt.json`` beside a
   .zip — is checked by ``portcheck.archive.receipt.verify_receipt_file`` when present.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portcheck.errors import InputError, KeyError_, VerificationError
from portcheck.evidence import ENVELOPE_FILE, MANIFEST_FILE, NOT_SUBJECTS, PUBLIC_KEY_FILE, RECEIPT_FILE
from portcheck.evidence.statement import PREDICATE_TYPE, REPORT_FILE, STATEMENT_TYPE
from portcheck.inputs import input_files

CHUNK = 1 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
ROLES = ("export", "reference")


class BundleInvalid(VerificationError):
    """The bundle does not verify; ``problems`` lists each file, hash or key that broke."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        message = "the evidence does not verify: " + "; ".join(self.problems)
        super().__init__(message, hint="the files were altered after signing, or they are not the files the "
                                       "signed report speaks of")


@dataclass(frozen=True)
class VerifyResult:
    """What a successful verification established."""

    key_id: str
    key_source: str  # "bundle" (its own public.pem) or the --pubkey path
    verdict: str | None
    statement: dict[str, Any]
    files_checked: tuple[str, ...]
    inputs_checked: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    receipt: str | None = None  # the archive receipt that was checked too, if any
    receipt_archive: str | None = None  # the archive it was checked against (None: checked on its own)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": True, "key_id": self.key_id, "key_source": self.key_source, "verdict": self.verdict,
                "files_checked": list(self.files_checked), "inputs_checked": dict(self.inputs_checked),
                "warnings": list(self.warnings), "archive_receipt": self.receipt,
                "receipt_checked_against_archive": self.receipt_archive,
                "generated_at": (self.statement.get("predicate") or {}).get("generated_at")}


# ----------------------------------------------------------------------------------------------------------
# A read-only view of a folder or a zip's top level


class _View:
    label: str

    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> Any:
        raise NotImplementedError

    def read(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def sha256(self, name: str) -> str:
        h = hashlib.sha256()
        with self.open(name) as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        return h.hexdigest()

    def close(self) -> None:
        pass


class _FolderView(_View):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if not p.name.startswith(".") and p.is_file())

    def open(self, name: str) -> Any:
        return open(self.root / name, "rb")


class _ZipView(_View):
    def __init__(self, path: Path) -> None:
        self.label = str(path)
        try:
            self.zf = zipfile.ZipFile(path)
            infos = [i for i in self.zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError(f"{path} cannot be read as a zip file ({e})",
                             hint="pass the bundle .zip portcheck wrote, or the unpacked folder") from e
        # A bundle zip holds its files under one folder (bundle-name/…); accept them at the root too.
        tops = {i.filename.split("/", 1)[0] for i in infos}
        prefix = next(iter(tops)) + "/" if len(tops) == 1 and all("/" in i.filename for i in infos) else ""
        self.members: dict[str, zipfile.ZipInfo] = {}
        twice = []
        for info in infos:
            rest = info.filename[len(prefix):]
            if rest and "/" not in rest and not rest.startswith("."):
                if rest in self.members:
                    twice.append(rest)
                self.members[rest] = info
        if twice:  # which copy a tool unpacks is anyone's guess: evidence must be unambiguous
            self.zf.close()
            raise BundleInvalid([f"the zip holds {name} more than once" for name in sorted(set(twice))])

    def names(self) -> list[str]:
        return sorted(self.members)

    def open(self, name: str) -> Any:
        return self.zf.open(self.members[name])

    def sha256(self, name: str) -> str:
        try:
            return super().sha256(name)
        except zipfile.BadZipFile as e:
            raise BundleInvalid([f"{name} is damaged inside the zip ({e})"]) from e

    def close(self) -> None:
        self.zf.close()


def _open_view(path: Path) -> _View:
    if path.is_dir():
        return _FolderView(path)
    if path.is_file():
        return _ZipView(path)
    raise InputError(f"{path} does not exist",
                     hint="pass a bundle folder, a bundle .zip or a signed report folder")


# ----------------------------------------------------------------------------------------------------------


def _statement(body: bytes) -> dict[str, Any]:
    try:
        statement = json.loads(body)
    except ValueError:
        raise BundleInvalid(["the signed payload is not JSON"]) from None
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise BundleInvalid(["the signed payload is not an in-toto Statement v1"])
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise BundleInvalid([f"the signed statement's predicateType is {statement.get('predicateType')!r}, "
                             f"not portcheck's {PREDICATE_TYPE}"])
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise BundleInvalid(["the signed statement names no subject"])
    for s in subjects:
        digest = (s.get("digest") or {}).get("sha256") if isinstance(s, dict) else None
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not isinstance(digest, str) \
                or not _HEX64.match(digest):
            raise BundleInvalid([f"the signed statement has a malformed subject ({s!r:.80})"])
    return statement


def _subjects(statement: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}


def _load_public_key(view: _View, pubkey: str | os.PathLike | None) -> tuple[Any, str]:
    from portcheck.evidence.keys import load_public_key, public_key_from_pem

    if pubkey is not None:
        return load_public_key(pubkey), str(pubkey)
    if PUBLIC_KEY_FILE not in view.names():
        raise KeyError_(f"{view.label} holds no {PUBLIC_KEY_FILE} to check the signature with",
                        hint="pass the signer's public key with --pubkey public.pem")
    return public_key_from_pem(view.read(PUBLIC_KEY_FILE), f"{PUBLIC_KEY_FILE} in {view.label}"), "bundle"


def _manifest_problems(view: _View, actual: dict[str, str], already: set[str]) -> list[str]:
    problems = []
    try:
        text = view.read(MANIFEST_FILE).decode("utf-8")
    except UnicodeDecodeError:
        return [f"{MANIFEST_FILE} is not UTF-8 text"]
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = re.match(r"^([0-9a-fA-F]{64}) [ *](.+)$", line)
        if not m:
            problems.append(f"line {number} of {MANIFEST_FILE} is not in sha256sum format")
            continue
        digest, name = m.group(1).lower(), m.group(2)
        if name in already:
            continue
        if name not in actual:
            problems.append(f"{MANIFEST_FILE} lists {name}, which is not in the bundle")
        elif actual[name] != digest:
            problems.append(f"{MANIFEST_FILE} says {name} has sha256 {digest}, the file has {actual[name]}")
    return problems


def _input_problems(role: str, root: Path, signed: dict[str, str]) -> tuple[list[str], int]:
    if not root.exists():
        raise InputError(f"the {role} path {root} does not exist",
                         hint=f"pass the {role} the report was run on")
    try:
        on_disk = {row["name"]: row["sha256"] for row in input_files(root, role)}
    except OSError as e:
        raise InputError(f"the {role} files under {root} cannot be read ({e.strerror})",
                         hint="check the path and its permissions") from e
    expected = {n: d for n, d in signed.items() if n.startswith(f"{role}/")}
    problems = []
    if not expected:
        problems.append(f"the signed statement names no {role} file, but --{role} was given")
    for name in sorted(expected.keys() - on_disk.keys()):
        problems.append(f"{name} is named in the signed statement but missing from {root}")
    for name in sorted(on_disk.keys() - expected.keys()):
        problems.append(f"{name} is in {root} but not among the signed inputs")
    for name in sorted(expected.keys() & on_disk.keys()):
        if expected[name] != on_disk[name]:
            problems.append(f"{name} has changed: its sha256 is {on_disk[name]}, the signed statement says "
                            f"{expected[name]}")
    return problems, len(on_disk)


def _report_problems(report_bytes: bytes, statement: dict[str, Any], signed: dict[str, str]) -> list[str]:
    try:
        report = json.loads(report_bytes)
    except ValueError:
        return [f"{REPORT_FILE} is not valid JSON"]
    problems = []
    listed = {row.get("name"): row.get("sha256") for row in report.get("inputs") or []
              if isinstance(row, dict)}
    signed_inputs = {n: d for n, d in signed.items() if "/" in n}
    for name in sorted(listed.keys() - signed_inputs.keys(), key=str):
        problems.append(f"{REPORT_FILE} lists input {name} but the signed statement does not name it")
    for name in sorted(signed_inputs.keys() - listed.keys()):
        problems.append(f"the signed statement names input {name} but {REPORT_FILE} does not list it")
    for name in sorted(signed_inputs.keys() & listed.keys()):
        if listed[name] != signed_inputs[name]:
            problems.append(f"{REPORT_FILE} gives input {name} sha256 {listed[name]}, the signed statement "
                            f"{signed_inputs[name]}")
    signed_verdict = (statement.get("predicate") or {}).get("verdict")
    if report.get("verdict") != signed_verdict:
        problems.append(f"{REPORT_FILE} says the verdict is {report.get('verdict')!r}, the signed statement "
                        f"{signed_verdict!r}")
    return problems


def _receipt_path(path: Path) -> Path | None:
    """Where the archive keeps a bundle's receipt: in its folder, or beside the .zip (``x.zip.archive-…``)."""
    candidate = path / RECEIPT_FILE if path.is_dir() else path.with_name(f"{path.name}.{RECEIPT_FILE}")
    return candidate if candidate.is_file() else None


def _check_receipt(receipt: Path, archive_url: str | None, implicit: bool = False) -> str | None:
    """Hook: check an archive receipt with the archive module, when this install has it (raises if bad).

    Returns None when receipts cannot be checked here, ``"archive"`` when it was also checked against
    ``archive_url`` (the archive still holds the entry and has only grown since), ``"alone"`` when only the
    receipt itself was checked: no archive given, or this machine's own archive (``implicit``) did not issue it.
    """
    try:
        from portcheck.archive.receipt import ReceiptFromAnotherArchive, verify_receipt_file
    except ImportError:
        return None
    if archive_url is None:
        verify_receipt_file(receipt)
        return "alone"
    try:
        verify_receipt_file(receipt, archive_url)
    except ReceiptFromAnotherArchive:
        if not implicit:
            raise
        verify_receipt_file(receipt)
        return "alone"
    return "archive"


def _verify_view(view: _View, pubkey: str | os.PathLike | None, inputs: dict[str, Path],
                 receipt_path: Path | None, archive_url: str | None = None,
                 implicit_archive: bool = False) -> VerifyResult:
    from portcheck.evidence.dsse import parse_envelope_lines, verify_envelope
    from portcheck.evidence.keys import key_id

    names = view.names()
    if ENVELOPE_FILE not in names:
        raise InputError(f"{view.label} holds no signature ({ENVELOPE_FILE})",
                         hint="sign the report with: portcheck sign DIR --sign-key private.pem")
    envelopes = parse_envelope_lines(view.read(ENVELOPE_FILE), ENVELOPE_FILE)
    public_key, key_source = _load_public_key(view, pubkey)
    kid = key_id(public_key)
    statements = [_statement(verify_envelope(env, public_key)) for env in envelopes]

    problems: list[str] = []
    warnings: list[str] = []
    if key_source == "bundle":
        warnings.append(f"the public key was taken from the bundle itself: this proves the files are "
                        f"unaltered since signing, not who signed; confirm key ID {kid} with the signer, "
                        "or pass --pubkey")
    signed: dict[str, str] = {}
    for statement in statements:
        signed.update(_subjects(statement))
    outputs = {n: d for n, d in signed.items() if "/" not in n}
    if REPORT_FILE not in outputs:
        problems.append(f"the signed statement does not name {REPORT_FILE}")

    actual = {name: view.sha256(name) for name in names}
    broken: set[str] = set()
    for name, digest in sorted(outputs.items()):
        if name not in names:
            problems.append(f"{name} is named in the signed statement but missing from the bundle")
            broken.add(name)
        elif actual[name] != digest:
            problems.append(f"{name} has changed since it was signed: its sha256 is {actual[name]}, "
                            f"the signed statement says {digest}")
            broken.add(name)
    for name in names:
        if name not in outputs and name not in NOT_SUBJECTS:
            problems.append(f"{name} is in the bundle but not covered by the signature")
            broken.add(name)
    if MANIFEST_FILE in names:
        problems += _manifest_problems(view, actual, broken)

    if REPORT_FILE in outputs and REPORT_FILE not in broken:
        for statement in statements:
            problems += _report_problems(view.read(REPORT_FILE), statement, signed)

    inputs_checked: dict[str, int] = {}
    for role, root in inputs.items():
        found, count = _input_problems(role, root, signed)
        problems += found
        inputs_checked[role] = count
    if problems:
        raise BundleInvalid(problems)

    receipt = None
    receipt_archive = None
    if receipt_path is not None:
        checked = _check_receipt(receipt_path, archive_url, implicit_archive)
        if checked is not None:
            receipt = str(receipt_path)
            receipt_archive = _without_password(archive_url) if checked == "archive" and archive_url else None
        else:
            warnings.append(f"{receipt_path.name} is present but this install cannot check archive receipts")
    predicate = statements[0].get("predicate") or {}
    return VerifyResult(key_id=kid, key_source=key_source, verdict=predicate.get("verdict"),
                        statement=statements[0], files_checked=tuple(sorted(outputs)),
                        inputs_checked=inputs_checked, warnings=tuple(warnings), receipt=receipt,
                        receipt_archive=receipt_archive)


def _without_password(url: str) -> str:
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1@", url)


def verify_bundle(path: str | os.PathLike, *, pubkey: str | os.PathLike | None = None,
                  export: str | os.PathLike | None = None,
                  reference: str | os.PathLike | None = None,
                  archive_url: str | None = None, implicit_archive: bool = False) -> VerifyResult:
    """Verify a signed report folder, bundle folder or bundle .zip; raise BundleInvalid naming what broke."""
    inputs = {role: Path(p) for role, p in (("export", export), ("reference", reference)) if p is not None}
    view = _open_view(Path(path))
    try:
        return _verify_view(view, pubkey, inputs, _receipt_path(Path(path)), archive_url, implicit_archive)
    finally:
        view.close()


def iter_problems(err: VerificationError) -> Iterator[str]:
    """Each problem of a verification error, one per line (for the CLI)."""
    yield from (err.problems if isinstance(err, BundleInvalid) else [err.message])
