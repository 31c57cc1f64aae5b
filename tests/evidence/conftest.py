"""Fixtures for signed evidence.

``report_case`` builds, under tmp_path, the smallest thing portcheck signs:

- ``export/``: ``customer.csv`` (2 records) and ``contact.csv`` (1 record) — the vendor's export;
- ``reference/``: ``customer.csv`` (3 records) — the source system's data;
- ``out/``: what ``check`` writes, per DESIGN: ``report.json`` (canonical JSON; its ``inputs`` computed with
  ``portcheck.inputs.input_files`` over both folders; verdict ``fail`` because customer completeness is 2/3),
  ``report.html``, ``missing-customer.csv`` (the one missing record), ``mismatches-customer.csv`` (one
  truncated name) and ``gx-customer.json``.

``keys`` is a fresh unencrypted Ed25519 pair in ``keys/`` (private.pem 0600); ``other_keys`` a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from portcheck.evidence.canonical import canonical_json_bytes
from portcheck.evidence.keys import KeyInfo, generate_keypair
from portcheck.inputs import input_files


@dataclass
class ReportCase:
    root: Path
    export: Path
    reference: Path
    out: Path


def make_report(out: Path, export: Path, reference: Path) -> dict:
    inputs = input_files(export, "export") + input_files(reference, "reference")
    report = {
        "report_version": 1, "portcheck_version": "0.1.0", "generated_at": "2025-01-02T03:04:05Z",
        "verdict": "fail",
        "options": {"profile": "canonical", "match_on": {}, "timezone": "UTC", "engine": "duckdb",
                    "files": {"mapping": None, "policy": None, "clauses": None}},
        "policy": {"completeness": 0.99, "fidelity": 0.99, "uniqueness": 0.99, "orphans": 0.01,
                   "overrides": {}},
        "inputs": inputs,
        "inventory": [],
        "profile": {"name": "canonical", "sha256": "0" * 64},
        "schema": {"name": "crm", "version": "1", "sha256": "1" * 64},
        "objects": {
            "customer": {
                "records": {"reference": 3, "export": 2, "matched": 2, "missing": 1, "extra": 0, "deleted": 0,
                            "ambiguous": 0},
                "completeness": 0.66667,
                "duplicates": {"keys": 0, "rows": 0, "fuzzy_clusters": 0, "fuzzy_records": 0},
                "orphans": {}, "declared_total": None,
                "fidelity": {"compared": 4, "matched": 3, "rate": 0.75,
                             "fields": {"name": {"compared": 2, "matched": 1, "rate": 0.5}}},
                "defects": {"missing_value": 0, "numeric_precision": 0, "timezone_shift": 0,
                            "leading_zero": 0, "encoding": 0, "truncated": 1, "value_changed": 0},
                "format_differences": {}, "unmapped_columns": [], "missing_fields": [],
            },
        },
        "checks": [{"id": "customer.completeness", "status": "fail", "gating": True, "observed": 0.66667,
                    "threshold": 0.99, "message": "2 of 3 customers came back"}],
        "clauses": [],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_bytes(canonical_json_bytes(report))
    (out / "report.html").write_text("<!doctype html><title>portcheck</title><p>fail</p>\n", encoding="utf-8")
    (out / "missing-customer.csv").write_text("key\nC3\n", encoding="utf-8")
    (out / "mismatches-customer.csv").write_text(
        "key,field,defect,reference,export\nC2,name,truncated,B…a1b2c3d4,B…e5f6a7b8\n", encoding="utf-8")
    (out / "gx-customer.json").write_text('{"success": false, "results": []}\n', encoding="utf-8")
    return report


@pytest.fixture
def report_case(tmp_path: Path) -> ReportCase:
    export, reference, out = tmp_path / "export", tmp_path / "reference", tmp_path / "out"
    export.mkdir()
    reference.mkdir()
    (export / "customer.csv").write_text("customer_id,name\nC1,Alpha\nC2,Bet\n", encoding="utf-8")
    (export / "contact.csv").write_text("contact_id,customer_id,full_name\nP1,C1,王小明\n", encoding="utf-8")
    (reference / "customer.csv").write_text("customer_id,name\nC1,Alpha\nC2,Beta\nC3,Gamma\n",
                                            encoding="utf-8")
    make_report(out, export, reference)
    return ReportCase(tmp_path, export, reference, out)


@pytest.fixture
def keys(tmp_path: Path) -> KeyInfo:
    return generate_keypair(tmp_path / "keys")


@pytest.fixture
def other_keys(tmp_path: Path) -> KeyInfo:
    return generate_keypair(tmp_path / "other-keys")


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``portcheck ARGS`` in-process through the real entry point; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv("PORTCHECK_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("PORTCHECK_DEBUG", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        from portcheck.cli import main

        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return exc.value.code, captured.out, captured.err

    return run
