"""One `check` run: export (+ reference) → canonical tables → findings → verdict → report folder.

The CLI builds :class:`CheckOptions` and calls :func:`run_check`; everything else happens here, in one
direction: read, map, check, compare, decide, render, write, sign. Nothing here prints or exits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portcheck import __version__, schema
from portcheck.checks.interface import Check, ObjectFindings
from portcheck.errors import UsageError
from portcheck.policy import INFORMATIONAL, Policy, passes_at_least, rate

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.canonical import CanonicalDataset
    from portcheck.compare.engine import ObjectComparison

SYSTEM_MANAGED = ("created_at", "updated_at", "owner")
EXAMPLES_PER_FIELD_KIND = 3


@dataclass
class CheckOptions:
    export: str
    out: str = "portcheck-report"
    profile: str | None = None
    mapping: str | None = None
    reference: str | None = None
    reference_profile: str = "canonical"
    reference_mapping: str | None = None
    pair_on: list[str] = field(default_factory=list)  # OBJ=EXPORT_FIELD[:REFERENCE_FIELD]
    value_maps: list[str] = field(default_factory=list)  # FIELD=FILE.csv
    timezone: str | None = None
    reference_timezone: str | None = None
    region: str | None = None
    threshold: float | None = None
    policy_file: str | None = None
    clauses_file: str | None = None
    force: bool = False
    sign_key: str | None = None
    passphrase: bytes | None = None
    bundle: str | None = None
    lang: str = "en"
    show_values: bool = False
    encoding: str | None = None
    password: str | None = None
    engine: str = "fast"
    fuzzy: bool = True
    include_deleted: bool = False
    requested_at: str | None = None
    delivered_at: str | None = None
    mask_dir: Path | None = None  # where the masking secret lives (tests point it at a temp dir)
    read_options: Any = None  # ReadOptions for the export (limits, JSON path, header row …); None: defaults


@dataclass
class RunResult:
    report: dict[str, Any]
    out: Path
    exit_code: int
    files: list[str]


Progress = Callable[[str], None]


def _sha256_file(path: str | None) -> str | None:
    if not path:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_policy(opts: CheckOptions) -> Policy:
    if opts.threshold is not None and opts.policy_file:
        raise UsageError("--threshold and --policy cannot be used together",
                         hint="put the threshold in the policy file instead")
    if opts.threshold is not None:
        if not 0 <= opts.threshold <= 1:
            raise UsageError(f"--threshold {opts.threshold} is not a rate between 0 and 1",
                             hint="write it as a fraction: --threshold 0.99")
        return Policy.with_threshold(opts.threshold)
    if opts.policy_file:
        from portcheck.policy import parse_policy
        from portcheck.safeyaml import load_yaml_file

        return parse_policy(load_yaml_file(opts.policy_file), opts.policy_file)
    return Policy()


def _value_maps(specs: list[str]) -> dict[str, dict[str, str]]:
    import csv

    out: dict[str, dict[str, str]] = {}
    for spec in specs:
        fname, sep, path = spec.partition("=")
        if not sep or not fname or not path:
            raise UsageError(f"--value-map {spec!r} is not FIELD=FILE.csv", hint="e.g. --value-map owner=users.csv")
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                rows = [r for r in csv.reader(fh) if r]
        except OSError as e:
            raise UsageError(f"--value-map file {path} cannot be read ({e.strerror})",
                             hint="give a CSV file with two columns: old value, new value") from e
        if rows and len(rows[0]) >= 2 and rows[0][0].strip().lower() in ("old", "reference", "from", "source"):
            rows = rows[1:]
        bad = [i for i, r in enumerate(rows, 1) if len(r) < 2]
        if bad:
            raise UsageError(f"--value-map file {path}: row {bad[0]} does not have two columns",
                             hint="each row is: old value, new value")
        out[fname.strip()] = {r[0].strip(): r[1].strip() for r in rows}
    return out


def _check(cid: str, status: str, gating: bool, observed: float | None, threshold: float | None,
           message: str) -> Check:
    return Check(id=cid, status=status, gating=gating, observed=observed, threshold=threshold, message=message)


def _rate_check(cid: str, num: int, den: int, threshold: float | str, what: str, at_most: bool = False) -> Check:
    if threshold == INFORMATIONAL:
        observed = rate(num, den)
        status = "not_assessed" if den == 0 else ("pass" if num == den else "warn")
        return _check(cid, status, False, observed, None, f"{what}: {num:,} of {den:,} (informational)")
    t = float(threshold)
    if den == 0:
        return _check(cid, "not_assessed", True, None, t, f"{what}: nothing to assess")
    ok = (Fraction(num, den) <= Fraction(str(t))) if at_most else passes_at_least(num, den, t)
    return _check(cid, "pass" if ok else "fail", True, rate(num, den), t, f"{what}: {num:,} of {den:,}")


def _control_totals(ref_t: Any, exp_t: Any, masker: Any = None) -> dict[str, Any]:
    """Sums of amount per currency and counts per stage and per owner, reference vs export.

    Owners are people: their names are masked like any other value (currencies and stages are not).
    """
    out: dict[str, Any] = {}
    for name in _TOTALS:
        r, e = _side_total(ref_t, name), _side_total(exp_t, name)
        if r is None and e is None:
            continue
        keys = sorted(set(r or {}) | set(e or {}))
        label = ((lambda k: k if k == "(empty)" else masker(k)) if masker is not None and name == "count_by_owner"
                 else (lambda k: k))
        out[name] = {label(k): {"reference": (r or {}).get(k) if r is not None else None,
                                "export": (e or {}).get(k) if e is not None else None} for k in keys}
    return out


_TOTALS = ("amount_by_currency", "count_by_stage", "count_by_owner")


def _side_total(t: Any, name: str) -> dict[str, Any] | None:
    """One side's figures of one control total (None when the column is absent), once per table."""
    if t is None:
        return None
    from portcheck.checks._arrow import memoized

    return memoized(t.table, ("control", name), lambda: _compute_side_total(t, name))


def _compute_side_total(t: Any, name: str) -> dict[str, Any] | None:
    if name == "amount_by_currency":
        if "amount" not in t.columns:
            return None
        from portcheck.compare.normalize import number

        sums = _amount_sums(t, number)
        return {k: format(v.normalize(), "f") if hasattr(v, "normalize") else str(v) for k, v in sums.items()}
    col = name.removeprefix("count_by_")
    if col not in t.columns:
        return None
    import pyarrow.compute as pc

    vc = pc.value_counts(t.table.column(col).fill_null(""))
    return {(v["values"] or "(empty)"): v["counts"] for v in vc.to_pylist()}


def _reference_tasks(reference: CanonicalDataset, value_maps: dict[str, Any]) -> list[Callable[[], Any]]:
    """What the comparison and the control totals read of the reference alone, as small tasks."""
    from portcheck.compare.engine import reference_tasks

    totals = [lambda t=t, name=name: _side_total(t, name) for obj in schema.OBJECTS
              if (t := reference.get(obj)) is not None for name in _TOTALS]
    return totals + reference_tasks(reference, value_maps)


def _amount_sums(t: Any, number: Callable[[str], Any]) -> dict[str, Any]:
    """{currency: exact Decimal sum of the amounts ``number`` reads}, currencies as written (trimmed,
    upper-cased, '(none)' when empty). Plain amounts (``1234.50``) are summed as Arrow decimals; the others
    are read one by one; when a total might exceed Decimal's 28 digits, everything is summed in Python,
    as the context would round it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def as_array(name: str) -> pa.Array:
        col = t.table.column(name) if name in t.columns else pa.nulls(t.rows, pa.string())
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        return col.cast(pa.string())

    amount, cur = as_array("amount"), as_array("currency")
    enc = pc.dictionary_encode(cur)
    labels = [(c or "").strip().upper() or "(none)" for c in enc.dictionary.to_pylist()] + ["(none)"]
    key_idx = np.asarray(pc.fill_null(enc.indices, len(labels) - 1).to_numpy(zero_copy_only=False), np.int64)
    present = np.asarray(pc.fill_null(pc.not_equal(amount, ""), False).to_numpy(zero_copy_only=False), bool)
    plain = present & np.asarray(pc.fill_null(pc.match_substring_regex(amount, r"^[0-9]+(?:[.][0-9]+)?$"),
                                              False).to_numpy(zero_copy_only=False), bool)
    rows = np.flatnonzero(plain)
    scale = 0
    if len(rows):
        dot = np.asarray(pc.find_substring(amount.take(pa.array(rows)), ".").to_numpy(zero_copy_only=False))
        length = np.asarray(pc.utf8_length(amount.take(pa.array(rows))).to_numpy(zero_copy_only=False))
        scale = int(np.where(dot >= 0, length - dot - 1, 0).max())
    sums: dict[str, Any] = {}
    if scale <= 18 and len(rows):
        dec = pc.cast(amount.take(pa.array(rows)), pa.decimal128(38, scale))
        grouped = pa.table({"k": pa.array(key_idx[rows]), "v": dec}).group_by("k").aggregate([("v", "sum")])
        arrow_part = dict(zip(grouped.column("k").to_pylist(), grouped.column("v_sum").to_pylist(),
                              strict=True))
    else:
        arrow_part = {}
        plain[:] = False
    bound = sum(abs(v) for v in arrow_part.values())
    for i in np.flatnonzero(present & ~plain).tolist():
        n = number(amount[i].as_py())
        if n is None:
            continue
        key = labels[key_idx[i]]
        sums[key] = sums.get(key, 0) + n
        bound += abs(n)
    if bound and bound.adjusted() + scale + 2 >= 28:  # Decimal's context (28 digits) might have rounded
        return _amount_sums_python(amount, cur, number)
    for k, v in arrow_part.items():
        sums[labels[k]] = sums.get(labels[k], 0) + v
    return sums


def _amount_sums_python(amount: Any, cur: Any, number: Callable[[str], Any]) -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for c, a in zip(cur.to_pylist(), amount.to_pylist(), strict=True):
        n = number(a) if a else None
        if n is None:
            continue
        key = (c or "").strip().upper() or "(none)"
        sums[key] = sums.get(key, 0) + n
    return sums


def _fallback_findings(dataset: CanonicalDataset) -> dict[str, ObjectFindings]:
    """Duplicates by key when the checks package is not available (keeps `check` usable on its own)."""
    out = {}
    for obj in schema.OBJECTS:
        t = dataset.get(obj)
        if t is None:
            continue
        f = ObjectFindings(object=obj, declared_total=t.declared)
        pk = schema.load_schema()[obj].primary_key
        if pk in t.columns:
            import pyarrow.compute as pc

            vc = pc.value_counts(t.table.column(pk).drop_null())
            f.duplicate_keys = sum(c - 1 for c in vc.field("counts").to_pylist() if c > 1)
        out[obj] = f
    return out


# What a check imports once its reads are done: the checks, the comparison, phone metadata. Imported where
# first used, they held the GIL against the other thread (0.1 s of a 1M-contact run). The reference's thread
# imports them when its side is read (the export's, converting more, takes longer: that core would wait);
# without a reference a thread of their own does, beside the one reading. A thread importing beside two
# reading ones slowed the reads, and kept both input files mapped longer (peak RSS +0.2-0.4 GB). The list
# only saves time: whatever is missing is imported where used.
AHEAD_IMPORTS = (
    "portcheck.profiles.engine", "portcheck.profiles.transforms", "portcheck.profiles.convert", "yaml",
    "numpy.ma", "encodings.unicode_escape", "zoneinfo", "dateutil.relativedelta",
    "phonenumbers", "rapidfuzz", "portcheck.checks.run", "portcheck.checks.fuzzy", "portcheck.checks.rules",
    "portcheck.checks.phones", "portcheck.checks.normalize", "portcheck.checks.validity",
    "portcheck.checks.suite", "portcheck.checks.integrity", "portcheck.checks.duplicates",
    "portcheck.compare.engine", "portcheck.compare.cells", "portcheck.compare.classify",
    "portcheck.compare.normalize", "portcheck.compare.reference", "portcheck.report.clauses",
    "portcheck.report.writer",
)


def import_ahead() -> None:
    """Import :data:`AHEAD_IMPORTS` (a failure is left for the import where the module is used)."""
    import importlib

    for name in AHEAD_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - imported again where used, which reports it
            continue


def run_check(opts: CheckOptions, progress: Progress | None = None) -> RunResult:
    """Run a whole check and write the report folder. Returns the report and the exit code (0 or 1)."""
    import threading

    from portcheck.masking import make_masker
    from portcheck.profiles import load_dataset
    from portcheck.readers import ReadOptions, hash_ahead, read_export
    from portcheck.readers import _ahead as inputs_ahead
    from portcheck.report.writer import ReportFolder

    say = progress or (lambda _msg: None)
    policy = load_policy(opts)
    value_maps = _value_maps(opts.value_maps)
    masker = make_masker(opts.show_values, opts.mask_dir)
    folder = ReportFolder(opts.out, force=opts.force)  # refuse early, before reading gigabytes
    try:
        # the inputs' digests on the other core while this one imports what reading needs
        hash_ahead([opts.export, *([opts.reference] if opts.reference else [])])
        from portcheck.checks._arrow import start_duckdb

        start_duckdb()  # before the reads, whose freed buffers its start would give back to the kernel
        read_opts = opts.read_options or ReadOptions(encoding=opts.encoding, password=opts.password)
        # The reference shares the export's limits, encoding and password, not its layout hints.
        from dataclasses import replace

        ref_opts = replace(read_opts, json_path=None, column_names=None, header_row=None)

        def read_reference() -> tuple[CanonicalDataset, list[dict[str, Any]]]:
            from portcheck.compare.reference import load_reference

            loaded = load_reference(opts.reference, profile=opts.reference_profile,
                                    mapping=opts.reference_mapping, timezone=opts.reference_timezone,
                                    region=opts.region, read_options=ref_opts,
                                    include_deleted=opts.include_deleted or policy.include_deleted)
            import_ahead()  # while the export's thread finishes (its load converts more), or at once
            # and, while it still does, what the comparison will read of the reference alone
            for task in _reference_tasks(loaded[0], value_maps):
                if export_done.is_set():
                    break
                task()
            return loaded

        export_done = threading.Event()

        def read_export_side() -> CanonicalDataset:
            try:
                export_src = read_export(opts.export, role="export", options=read_opts)
                # the canonical tables are what the rest reads: the raw ones go when this returns
                return load_dataset(export_src, profile=opts.profile, mapping=opts.mapping,
                                    timezone=opts.timezone, region=opts.region,
                                    include_deleted=opts.include_deleted or policy.include_deleted)
            finally:
                export_done.set()

        reference = None
        reference_inputs: list[dict[str, Any]] = []
        if opts.reference:
            # Both sides are read at once (two cores); an unusable export is reported first, as before.
            say("reading the export and the reference")
            export, (reference, reference_inputs) = _both(read_export_side, read_reference)
        else:
            say("reading the export")
            threading.Thread(target=import_ahead, name="portcheck-imports", daemon=True).start()
            export = read_export_side()
        inputs_ahead.forget()
        report, tables = build_report(opts, policy, export, reference, reference_inputs, value_maps, masker, say)
        say("writing the report")
        _write_outputs(folder, report, tables, opts, masker)
        if opts.sign_key:
            from portcheck.evidence.sign import sign_report_dir

            sign_report_dir(folder.staging, opts.sign_key, opts.passphrase)
        out = folder.commit()
    except BaseException:
        inputs_ahead.forget()
        folder.abort()
        raise
    if opts.bundle:
        from portcheck.evidence.bundle import write_bundle

        write_bundle(out, opts.bundle, None, force=opts.force)
    return RunResult(report=report, out=out, exit_code=0 if report["verdict"] == "pass" else 1,
                     files=sorted(p.name for p in out.iterdir()))


def _both(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run ``second`` on a second thread while ``first`` runs here; both results, or ``first``'s error
    before ``second``'s (pyarrow and numpy release the GIL, so the two use both cores)."""
    try:
        from portcheck.checks.run import Background
    except ImportError:  # pragma: no cover - the checks package is part of every install
        return first(), second()
    later = Background(second)
    return first(), later.result()


def _pair_specs(opts: CheckOptions, export: CanonicalDataset, reference: CanonicalDataset | None) -> dict:
    from portcheck.compare.engine import PairSpec

    specs: dict[str, PairSpec] = {}
    for text in opts.pair_on:
        obj, spec = PairSpec.parse(text)
        if obj not in schema.OBJECTS or not spec.export_field:
            raise UsageError(f"--pair-on {text!r} is not OBJECT=EXPORT_FIELD[:REFERENCE_FIELD]",
                             hint="e.g. --pair-on contact=x_legacy_id:contact_id (objects: customer, contact, "
                                  "opportunity)")
        specs[obj] = spec
    if reference is not None:
        # A profile's crosswalk column (a legacy ID the new system kept) pairs with the reference's key.
        for obj, column in (export.detection.get("crosswalk") or {}).items():
            if obj in specs or obj not in schema.OBJECTS:
                continue
            t = export.get(obj)
            if t is not None and column in t.columns:
                specs[obj] = PairSpec(column, schema.load_schema()[obj].primary_key)
    if reference is not None and reference.detection.get("canary"):
        _auto_pairing(specs, export, reference)
    return specs


def _auto_pairing(specs: dict, export: CanonicalDataset, reference: CanonicalDataset) -> None:
    """A canary reference pairs by its canary ID when the vendor kept it, else by its natural keys."""
    import pyarrow.compute as pc

    from portcheck.compare.engine import PairSpec

    for obj in schema.OBJECTS:
        if obj in specs:
            continue
        r, e = reference.get(obj), export.get(obj)
        natural = reference.natural_keys.get(obj)
        if r is None or e is None or not natural:
            continue
        pk = schema.load_schema()[obj].primary_key
        if "x_canary_id" in r.columns and "x_canary_id" in e.columns and e.rows:
            filled = e.rows - pc.sum(pc.equal(pc.utf8_trim_whitespace(e.table.column("x_canary_id").fill_null("")),
                                             "")).as_py()
            if filled >= 0.5 * e.rows:
                specs[obj] = PairSpec("x_canary_id", "x_canary_id")
                continue
        if pk in e.columns and pk in r.columns:
            ek = set(e.table.column(pk).drop_null().to_pylist()[:1000])
            if ek and len(ek & set(r.table.column(pk).to_pylist())) >= 0.5 * len(ek):
                continue  # the vendor kept the IDs
        f = natural[0]
        if f in e.columns:
            specs[obj] = PairSpec(f, f)


def build_report(opts: CheckOptions, policy: Policy, export: CanonicalDataset, reference: CanonicalDataset | None,
                 reference_inputs: list[dict[str, Any]], value_maps: dict[str, dict[str, str]], masker: Any,
                 say: Progress) -> tuple[dict[str, Any], dict[str, Any]]:
    """Compute every figure and check; return (report dict, tables for the CSV files)."""
    from portcheck.compare.classify import DEFECT_KINDS
    from portcheck.compare.engine import CompareOptions, compare_datasets
    from portcheck.compare.reference import input_rows

    sch = schema.load_schema()
    is_drill = reference is not None and bool(reference.detection.get("canary"))
    if is_drill:
        for obj in schema.OBJECTS:
            policy.mark_informational(obj, list(SYSTEM_MANAGED))

    comparisons: dict[str, ObjectComparison | None] = {o: None for o in schema.OBJECTS}
    pair_specs = _pair_specs(opts, export, reference)
    compare = None
    if reference is not None:
        compare_options = CompareOptions(pair_on=pair_specs, value_maps=value_maps, region=opts.region,
                                          keep_email_local_case=policy.email_local_part_case)

        def compare() -> tuple[dict[str, ObjectComparison | None], dict[str, Any],
                               dict[str, dict[str, bytes]]]:
            # the control totals too: they read only the tables, and the report waits for nothing else here;
            # and the comparison's files, masked, which would otherwise be written after everything else
            compared = compare_datasets(reference, export, compare_options)
            totals = {obj: _control_totals(reference.get(obj), export.get(obj), masker)
                      for obj in schema.OBJECTS}
            files = {obj: _comparison_files(obj, c, masker) for obj, c in compared.items() if c is not None}
            return compared, totals, files

    totals: dict[str, Any] = {}
    files: dict[str, dict[str, bytes]] = {}
    try:
        from portcheck.checks.run import run_checks_alongside
    except ImportError:
        say("checking the export")
        findings = _fallback_findings(export)
        if compare is not None:
            say("comparing with the reference")
            comparisons, totals, files = compare()
    else:
        # The comparison runs beside the checks, on the second core (both only read the tables).
        findings, compared = run_checks_alongside(export, policy, engine=opts.engine, fuzzy=opts.fuzzy,
                                                  progress=say, alongside=compare, then=_prepare_report)
        if compare is not None:
            comparisons, totals, files = compared

    checks: list[Check] = []
    objects: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for obj in schema.OBJECTS:
        odef = sch[obj]
        et = export.get(obj)
        rt = reference.get(obj) if reference is not None else None
        f = findings.get(obj) or ObjectFindings(object=obj)
        c = comparisons.get(obj)
        n_export = et.rows if et is not None else 0

        records: dict[str, Any] = {"reference": None, "export": n_export, "matched": None, "missing": None,
                                   "extra": None, "deleted": et.deleted if et is not None else 0,
                                   "ambiguous": None}
        entry: dict[str, Any] = {"records": records, "completeness": None}
        dup_keys = f.duplicate_keys
        if c is not None:
            records.update(reference=c.reference, matched=c.matched, missing=c.missing, extra=c.extra,
                           ambiguous=c.ambiguous)
            dup_keys = c.duplicate_keys
            entry["completeness"] = rate(c.matched, c.reference)
            checks.append(_rate_check(f"{obj}.completeness", c.matched, c.reference,
                                      policy.threshold(obj, "completeness"), "records delivered"))

        # Uniqueness: a fuzzy cluster whose records all pair with distinct reference records was already in
        # the source: reported, not charged.
        charged_fuzzy = 0
        fuzzy_records = 0
        for cl in f.fuzzy:
            surplus = max(len(cl.keys) - 1, 0)
            fuzzy_records += surplus
            if c is not None and c.pk_pairs is not None and len(c.pk_pairs):
                refs = c.reference_keys_of(cl.keys)
                if all(refs) and len(set(refs)) == len(refs):
                    continue
            charged_fuzzy += surplus
        entry["duplicates"] = {"keys": dup_keys, "rows": f.duplicate_rows, "fuzzy_clusters": len(f.fuzzy),
                               "fuzzy_records": fuzzy_records}
        if et is not None:
            checks.append(_rate_check(f"{obj}.uniqueness", n_export - min(n_export, dup_keys + charged_fuzzy),
                                      n_export, policy.threshold(obj, "uniqueness"), "records not duplicated"))
        else:
            checks.append(_check(f"{obj}.uniqueness", "not_assessed", True, None, policy.uniqueness,
                                 "the export holds no such records"))

        # Orphans, required fields and declared totals: the checks package's gating checks when the object
        # was read; an absent object fails its required fields (DESIGN: an absent object has a failing check).
        entry["orphans"] = {fk: f.orphans.get(fk, 0) for fk in odef.foreign_keys}
        declared = f.declared_total if f.declared_total is not None else (et.declared if et is not None else None)
        entry["declared_total"] = declared
        if et is not None and f.checks:
            checks.extend(f.checks)
        else:
            missing_required = [r for r in odef.required if et is None or r not in et.columns]
            checks.append(_check(f"{obj}.required_fields", "fail" if missing_required else "pass", True,
                                 None, None, ("required fields not mapped: " + ", ".join(missing_required))
                                 if missing_required else "every required field is mapped"))
            checks.append(_check(f"{obj}.declared_total", "not_assessed", True, None, None,
                                 "the export declares no total" if et is not None else "the export holds no "
                                 "such records"))

        # Fidelity
        fields_out: dict[str, Any] = {}
        defects = {k: 0 for k in DEFECT_KINDS}
        fmt: dict[str, int] = {}
        if c is not None:
            for fname, ff in c.fields.items():
                fields_out[fname] = {"compared": ff.compared, "matched": ff.matched,
                                     "rate": rate(ff.matched, ff.compared)}
                if ff.format_differences:
                    fmt[fname] = ff.format_differences
                checks.append(_rate_check(f"{obj}.fidelity.{fname}", ff.matched, ff.compared,
                                          policy.threshold(obj, "fidelity", fname), f"{fname} values intact"))
            defects = c.defect_totals()
            entry["fidelity"] = {"compared": c.compared, "matched": c.cells_matched,
                                 "rate": rate(c.cells_matched, c.compared), "fields": fields_out}
        else:
            entry["fidelity"] = {"compared": 0, "matched": 0, "rate": None, "fields": {}}
        entry["defects"] = defects
        entry["format_differences"] = fmt
        entry["unmapped_columns"] = list(et.unmapped_columns) if et is not None else []
        entry["missing_fields"] = list(c.missing_fields) if c is not None else []
        entry["control_totals"] = totals[obj] if obj in totals else _control_totals(rt, et, masker)
        entry["examples"] = _examples(c, masker)
        entry["orphan_examples"] = [{"key": r["key"], "field": r["field"], "value": r["value"]}
                                    for r in f.orphan_rows[:10]]
        entry["fuzzy_examples"] = [{"cluster": i + 1, "keys": cl.keys, "matched_on": cl.matched_on}
                                   for i, cl in enumerate(f.fuzzy[:10])]
        checks.extend(f.validity_checks)
        objects[obj] = entry
        tables[obj] = {"comparison": c, "findings": f, "present": et is not None, "files": files.get(obj, {})}

    verdict = "fail" if any(ch.gating and ch.status == "fail" for ch in checks) else "pass"
    export_inputs = input_rows(opts.export, "export", export.inputs)
    report: dict[str, Any] = {
        "report_version": 1,
        "portcheck_version": __version__,
        "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "verdict": verdict,
        "lang": opts.lang,
        "show_values": opts.show_values,
        "options": {
            "profile": export.profile_name,
            "reference_profile": reference.profile_name if reference is not None else None,
            "match_on": {o: f"{s.export_field}:{s.reference_field}" for o, s in pair_specs.items()},
            "timezone": opts.timezone or _zone_of(export),
            "reference_timezone": (opts.reference_timezone or _zone_of(reference)) if reference else None,
            "region": opts.region,
            "encoding": opts.encoding,
            "engine": opts.engine,
            "include_deleted": opts.include_deleted or policy.include_deleted,
            "threshold": opts.threshold,
            "files": {k: v for k, v in {
                "mapping": _sha256_file(opts.mapping), "policy": _sha256_file(opts.policy_file),
                "clauses": _sha256_file(opts.clauses_file),
                **{f"value_map.{s.partition('=')[0]}": _sha256_file(s.partition('=')[2]) for s in opts.value_maps},
            }.items() if v},
        },
        "policy": policy.to_dict(),
        "inputs": export_inputs + reference_inputs,
        "inventory": [{"name": i.name, "rows": i.rows, "mapped_to": i.mapped_to,
                       **({"issues": i.issues} if i.issues else {})} for i in export.inventory],
        "profile": {"name": export.profile_name, "sha256": export.profile_sha256},
        "schema": {"name": sch.name, "version": sch.version, "sha256": sch.sha256},
        "detection": export.detection,
        "objects": objects,
        "checks": [ch.to_dict() for ch in checks],
        "clauses": [],
    }
    if opts.requested_at:
        report["requested_at"] = opts.requested_at
    report["delivered_at"] = opts.delivered_at or _newest_mtime(export)
    report["clauses"] = _clauses(report, opts)
    if is_drill:
        report["traps"] = _traps(reference, comparisons)
    return report, tables


def _zone_of(ds: CanonicalDataset | None) -> str | None:
    if ds is None:
        return None
    for t in ds.objects.values():
        if t is not None:
            return t.timezone
    return "UTC"


def _newest_mtime(ds: CanonicalDataset) -> str | None:
    times = [f.mtime for f in ds.inputs if f.mtime]
    if not times:
        return None
    return datetime.fromtimestamp(max(times), timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def _clauses(report: dict[str, Any], opts: CheckOptions) -> list[dict[str, Any]]:
    """Evaluate the contract clauses; the hand-over checks they name are added to ``report["checks"]``."""
    from datetime import date

    from portcheck.report.clauses import contract_checks, evaluate_clauses, load_clauses

    try:
        requested = date.fromisoformat(opts.requested_at) if opts.requested_at else None
        delivered = None
        if report.get("delivered_at"):
            delivered = datetime.fromisoformat(str(report["delivered_at"]).replace("Z", "+00:00"))
    except ValueError as e:
        raise UsageError(f"--requested-at/--delivered-at: {e}",
                         hint="write dates as YYYY-MM-DD (and times as YYYY-MM-DDTHH:MM:SS+08:00)") from None
    clauses = load_clauses(opts.clauses_file)
    report["checks"].extend(contract_checks(report, clauses, requested_at=requested, delivered_at=delivered))
    return evaluate_clauses(report, clauses, requested_at=requested, delivered_at=delivered)


def _traps(reference: CanonicalDataset, comparisons: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        from portcheck.canary.traps import traps_section
    except ImportError:
        return []
    meta = reference.detection.get("canary_meta") or {}
    return traps_section(meta, comparisons)


def _examples(c: ObjectComparison | None, masker: Any) -> list[dict[str, str]]:
    if c is None:
        return []
    seen: dict[tuple[str, str], int] = {}
    out = []
    for key, fname, defect, r, e in c.mismatches:
        n = seen.get((fname, defect), 0)
        if n >= EXAMPLES_PER_FIELD_KIND:
            continue
        seen[(fname, defect)] = n + 1
        out.append({"key": key, "field": fname, "defect": defect, "reference": masker(r), "export": masker(e)})
    return out


def _prepare_report() -> None:
    try:
        from portcheck.report.html import prepare
    except ImportError:  # the HTML report is optional (no jinja2)
        return
    prepare()


def _comparison_files(obj: str, c: ObjectComparison, masker: Any) -> dict[str, bytes]:
    """missing-, extra- and mismatches-<object>.csv of one comparison, values masked."""
    from portcheck.report.writer import csv_bytes

    return {
        f"missing-{obj}.csv": csv_bytes(["key"], ([k] for k in c.missing_keys)),
        f"extra-{obj}.csv": csv_bytes(["key"], ([k] for k in c.extra_keys)),
        f"mismatches-{obj}.csv": csv_bytes(
            ["key", "field", "defect", "reference", "export"],
            ((k, fl, d, masker(r), masker(e)) for k, fl, d, r, e in c.mismatches)),
    }


def _write_outputs(folder: Any, report: dict[str, Any], tables: dict[str, Any], opts: CheckOptions,
                   masker: Any) -> None:
    from portcheck.report.jsonout import canonical_json
    from portcheck.report.writer import csv_bytes

    for obj, t in tables.items():
        c, f = t["comparison"], t["findings"]
        if c is not None:
            for name, data in t["files"].items():  # made beside the checks (_comparison_files)
                folder.write_bytes(name, data)
        if t["present"]:
            rows = [(f"key:{k}", k, "same key", "") for k in f.duplicate_key_values]
            for i, cl in enumerate(f.fuzzy, 1):
                rows.extend((i, k, "fuzzy", "+".join(cl.matched_on)) for k in cl.keys)
            folder.write_bytes(f"duplicates-{obj}.csv", csv_bytes(["cluster", "key", "kind", "matched_on"], rows))
            folder.write_bytes(f"orphans-{obj}.csv", csv_bytes(
                ["key", "field", "value"], ((r["key"], r["field"], r["value"]) for r in f.orphan_rows)))
            if f.gx_result is not None:
                doc = f.gx_result
                try:
                    from portcheck.checks.validity import mask_gx_result

                    doc = mask_gx_result(doc, masker)
                except ImportError:
                    pass
                folder.write_bytes(f"gx-{obj}.json", canonical_json(doc))
    folder.write_bytes("report.json", canonical_json(report))
    try:
        from portcheck.report.html import render_html
    except ImportError:
        return
    folder.write_bytes("report.html", render_html(report, lang=opts.lang).encode("utf-8"))
