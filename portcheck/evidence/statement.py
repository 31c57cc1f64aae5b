"""The in-toto Statement v1 portcheck signs, and signing a report folder.

Statement::

    {"_type": "https://in-toto.io/Statement/v1",
     "subject": [{"name": "export/Account.csv", "digest": {"sha256": "…"}}, …,      # every input file
                 {"name": "report.json", "digest": {"sha256": "…"}}, …],             # every file check wrote
     "predicateType": "https://portcheck.dev/attestation/report/v1",
     "predicate": {verdict, key figures per object, checks, clauses, options, policy, profile, schema,
                   tool, dependencies, generated_at, signed_at}}

Subjects: every row of report.json ``inputs`` (named as there: ``export/…``, ``reference/…``; their names
always hold a ``/``) and every regular top-level file of the output folder, named by file name, except the
envelope, ``public.pem``, the bundle's ``MANIFEST.sha256`` / ``VERIFY*.md`` and ``archive-receipt.json``
(written after signing), and hidden files. Subfolders are not covered. The payload is the statement as
RFC 8785 canonical JSON. Signing is :func:`portcheck.evidence.sign.sign_report_dir`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from portcheck import __version__
from portcheck.errors import InputError, KeyError_
from portcheck.evidence import NOT_SUBJECTS
from portcheck.inputs import sha256_file

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://portcheck.dev/attestation/report/v1"
REPORT_FILE = "report.json"
# Libraries whose version can change a figure or the way evidence is written.
DEPENDENCIES = ("pandas", "pyarrow", "duckdb", "great-expectations", "phonenumbers", "python-stdnum",
                "rapidfuzz", "python-calamine", "openpyxl", "xlrd", "charset-normalizer", "pyzipper",
                "msoffcrypto-tool", "sqlalchemy", "cryptography", "rfc8785", "jinja2")
_FIGURES = ("records", "completeness", "duplicates", "orphans", "declared_total", "defects", "missing_fields")


def dependency_versions(names: tuple[str, ...] = DEPENDENCIES) -> dict[str, str | None]:
    """Installed version of each distribution (``None`` when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def read_report(out_dir: Path) -> tuple[dict[str, Any], bytes]:
    path = out_dir / REPORT_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{out_dir} holds no {REPORT_FILE}",
                         hint="sign the folder `portcheck check --out` wrote") from None
    except OSError as e:
        raise InputError(f"{path} cannot be read ({e.strerror})",
                         hint="check the folder's permissions") from e
    try:
        report = json.loads(data)
    except ValueError:
        raise InputError(f"{path} is not valid JSON",
                         hint="run portcheck check again to rewrite it") from None
    if not isinstance(report, dict):
        raise InputError(f"{path} is not a portcheck report", hint="run portcheck check again to rewrite it")
    return report, data


def input_subjects(report: dict[str, Any]) -> list[dict[str, Any]]:
    """report.json ``inputs`` as statement subjects, in report order."""
    subjects = []
    for row in report.get("inputs") or []:
        name, digest = row.get("name"), row.get("sha256")
        if not isinstance(name, str) or "/" not in name or not isinstance(digest, str):
            raise InputError(f"report.json names an input without a role prefix or a sha256 ({name!r})",
                             hint="run portcheck check again to rewrite the report")
        subjects.append({"name": name, "digest": {"sha256": digest}})
    return subjects


def output_files(out_dir: Path) -> list[Path]:
    """The files of a report folder that the statement covers (see the module docstring), sorted by name."""
    files = []
    for p in sorted(out_dir.iterdir(), key=lambda p: p.name):
        if p.name.startswith(".") or p.name in NOT_SUBJECTS or p.is_symlink() or not p.is_file():
            continue
        if p.suffix.lower() in (".pem", ".key", ".der") and _holds_private_key(p):
            raise KeyError_(f"the report folder holds a private key ({p.name}), which would travel with it",
                            hint=f"move {p} out of {out_dir} (keep private keys in their own folder)")
        files.append(p)
    return files


def _holds_private_key(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"PRIVATE KEY" in fh.read(4096)
    except OSError:
        return False


def key_figures(report: dict[str, Any]) -> dict[str, Any]:
    """Per object: records, completeness, fidelity (compared, matched, rate), defects, duplicates, orphans."""
    figures: dict[str, Any] = {}
    for name, obj in (report.get("objects") or {}).items():
        if not isinstance(obj, dict):
            continue
        entry = {k: obj[k] for k in _FIGURES if k in obj}
        fidelity = obj.get("fidelity") or {}
        entry["fidelity"] = {k: fidelity.get(k) for k in ("compared", "matched", "rate")}
        figures[name] = entry
    return figures


def build_statement(out_dir: str | os.PathLike, *, signed_at: str | None = None) -> dict[str, Any]:
    """The statement for a report folder: inputs and output files as subjects, figures as predicate."""
    out = Path(out_dir)
    report, _ = read_report(out)
    subjects = input_subjects(report)
    subjects += [{"name": p.name, "digest": {"sha256": sha256_file(p)}} for p in output_files(out)]
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict)]
    status_counts: dict[str, int] = {}
    for c in checks:
        status_counts[str(c.get("status"))] = status_counts.get(str(c.get("status")), 0) + 1
    predicate = {
        "verdict": report.get("verdict"),
        "report": {"name": REPORT_FILE, "report_version": report.get("report_version")},
        "objects": key_figures(report),
        "checks": {"counts": status_counts,
                   "failed_gating": [c.get("id") for c in checks
                                     if c.get("gating") and c.get("status") == "fail"]},
        "clauses": [{"id": c.get("id"), "status": c.get("status")} for c in report.get("clauses") or []
                    if isinstance(c, dict)],
        "options": report.get("options"),
        "policy": report.get("policy"),
        "profile": report.get("profile"),
        "schema": report.get("schema"),
        "tool": {"name": "portcheck", "version": report.get("portcheck_version"),
                 "signer_version": __version__},
        # check --sign-key signs in the process that computed the figures, so these are its versions; a report
        # that records its own (report.json "dependencies") is believed over the signing environment.
        "dependencies": report.get("dependencies") or dependency_versions(),
        "generated_at": report.get("generated_at"),
        "signed_at": signed_at or datetime.now(UTC).replace(microsecond=0).isoformat().replace(
            "+00:00", "Z"),
    }
    return {"_type": STATEMENT_TYPE, "subject": subjects, "predicateType": PREDICATE_TYPE,
            "predicate": predicate}
