"""Test helpers for trial drills: a canary set, what vendors do to it, and the drill report of the result.

``run_drill`` builds the report exactly as ``portcheck check EXPORT --reference CANARY`` does (same
loaders, same ``build_report``), without writing the report folder.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from portcheck.canary.dataset import XLSX_MAX_CELL
from portcheck.canary.generate import generate_canary, load_canary_meta

OBJECTS = ("customer", "contact", "opportunity")
KEYS = {"customer": "customer_id", "contact": "contact_id", "opportunity": "opportunity_id"}


def make_canary(folder: Path, *, customers: int = 40, seed: int = 5, fmt: str = "both") -> Path:
    generate_canary(folder, seed=seed, customers=customers, fmt=fmt)
    return folder


def read_rows(canary_folder: Path) -> dict[str, list[dict[str, str]]]:
    """The canary rows as the CSV files hold them; for an xlsx set, values longer than a cell are blank."""
    meta = load_canary_meta(canary_folder)
    src = canary_folder if meta["format"] == "csv" else canary_folder.parent / "csv"
    out = {}
    for obj in OBJECTS:
        with open(src / f"{obj}.csv", encoding="utf-8", newline="") as fh:
            rows = [dict(r) for r in csv.DictReader(fh)]
        if meta["format"] == "xlsx":
            rows = [{k: ("" if len(v) > XLSX_MAX_CELL else v) for k, v in r.items()} for r in rows]
        out[obj] = rows
    return out


def write_csv(
    rows: dict[str, list[dict[str, str]]], folder: Path, *, encoding: str = "utf-8", errors: str = "strict"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for obj, records in rows.items():
        columns = list(records[0]) if records else []
        with open(folder / f"{obj}.csv", "w", encoding=encoding, errors=errors, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(columns)
            for r in records:
                writer.writerow([r.get(c, "") for c in columns])
    return folder


def run_drill(
    export: Path,
    reference: Path,
    *,
    timezone: str | None = None,
    encoding: str | None = None,
    mask_dir: Path | None = None,
) -> dict[str, Any]:
    """The report ``check EXPORT --reference REFERENCE`` computes (figures, checks, traps)."""
    from portcheck.compare.reference import load_reference
    from portcheck.masking import Masker
    from portcheck.profiles import load_dataset
    from portcheck.readers import ReadOptions, read_export
    from portcheck.run import CheckOptions, build_report, load_policy

    opts = CheckOptions(
        export=str(export),
        reference=str(reference),
        timezone=timezone,
        encoding=encoding,
        mask_dir=mask_dir,
        show_values=True,
    )
    policy = load_policy(opts)
    read_opts = ReadOptions(encoding=encoding)
    export_ds = load_dataset(read_export(export, role="export", options=read_opts), timezone=timezone)
    reference_ds, inputs = load_reference(
        str(reference),
        profile="canonical",
        mapping=None,
        timezone=None,
        region=None,
        read_options=ReadOptions(),
    )
    report, _ = build_report(opts, policy, export_ds, reference_ds, inputs, {}, Masker(None), lambda _m: None)
    return report


def traps_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["trap"]: t for t in report["traps"]}
