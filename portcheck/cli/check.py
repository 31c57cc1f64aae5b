"""CLI: ``portcheck check`` — check an export on its own, or against a reference."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import click

from portcheck.cli.inspect import read_options_from, reader_options


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


@click.command("check")
@click.argument("export", type=str)
@click.option("--profile", help="Vendor profile of the export (see `portcheck profiles`); picked if omitted.")
@click.option("--mapping", type=click.Path(dir_okay=False), help="Mapping file extending (or replacing) the profile.")
@click.option("--reference", help="What the data should be: a file, folder, ZIP, canary folder or SQLAlchemy URL.")
@click.option("--reference-profile", default="canonical", show_default=True, help="Profile of the reference.")
@click.option("--reference-mapping", type=click.Path(dir_okay=False), help="Mapping file for the reference.")
@click.option("--pair-on", "pair_on", multiple=True, metavar="OBJ=FIELD[:FIELD]",
              help="Pair records on another field: export field, then reference field (repeatable).")
@click.option("--value-map", "value_maps", multiple=True, metavar="FIELD=FILE.csv",
              help="Translate reference values (old,new rows), e.g. owner=users.csv (repeatable).")
@click.option("--timezone", help="Zone of naive date-times in the export (default: the profile's).")
@click.option("--reference-timezone", help="Zone of naive date-times in the reference (default: its profile's).")
@click.option("--region", help="Default phone region, ISO 3166 code such as CN (overrides the profiles).")
@click.option("--threshold", type=float, help="Set completeness, fidelity and uniqueness to T, orphans to 1-T.")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), help="Policy file (YAML/JSON).")
@click.option("--clauses", "clauses_file", type=click.Path(dir_okay=False), help="Contract clause file.")
@click.option("--requested-at", help="Date the export was requested (YYYY-MM-DD), for the delivery clause.")
@click.option("--delivered-at", help="When it was delivered (default: the newest file time in the export).")
@click.option("--out", default="portcheck-report", show_default=True, help="Folder to write the report into.")
@click.option("--force", is_flag=True, help="Replace an existing report in --out.")
@click.option("--sign-key", type=click.Path(dir_okay=False), help="Ed25519 private key: sign the report.")
@click.option("--passphrase-file", type=click.Path(dir_okay=False), help="File holding the key's passphrase.")
@click.option("--bundle", help="Also write a signed bundle: a folder, or a .zip when the name ends in .zip.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of report.html and the summary.")
@click.option("--show-values", is_flag=True, help="Write customer values unmasked (default: masked).")
@click.option("--engine", type=click.Choice(["fast", "gx"]), default="fast", show_default=True,
              help="Validity engine: vectorised (same results as GX) or Great Expectations itself.")
@click.option("--no-fuzzy", is_flag=True, help="Skip fuzzy duplicate detection.")
@click.option("--include-deleted", is_flag=True, help="Compare records the vendor marks deleted/archived too.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line.")
@reader_options
def check_command(export: str, **kw: object) -> None:
    """Check EXPORT (a file, folder or ZIP), on its own or against --reference.

    Writes report.json, report.html and per-object CSV files into --out, prints a summary, and exits
    0 when the export is accepted, 1 when it is not, 2 when an input cannot be used.
    """
    from portcheck import cli

    if cli.OWN_PROCESS:  # the process is the check's alone: not a caller's, which keeps its own settings
        from portcheck.allocator import tune_for_batch

        tune_for_batch()  # before pyarrow loads
    from portcheck.run import CheckOptions, run_check

    quiet = bool(kw.pop("quiet"))
    read_options = read_options_from(kw)
    passphrase_file = kw.pop("passphrase_file")
    passphrase = None
    if kw.get("sign_key"):
        from portcheck.cli.evidence import passphrase_for_key

        passphrase = passphrase_for_key(str(kw["sign_key"]), passphrase_file)
    opts = CheckOptions(
        export=export, out=str(kw["out"]), profile=kw["profile"], mapping=kw["mapping"],  # type: ignore[arg-type]
        reference=kw["reference"], reference_profile=str(kw["reference_profile"]),  # type: ignore[arg-type]
        reference_mapping=kw["reference_mapping"], pair_on=list(kw["pair_on"]),  # type: ignore[arg-type]
        value_maps=list(kw["value_maps"]), timezone=kw["timezone"],  # type: ignore[arg-type]
        reference_timezone=kw["reference_timezone"], region=kw["region"],  # type: ignore[arg-type]
        threshold=kw["threshold"], policy_file=kw["policy_file"],  # type: ignore[arg-type]
        clauses_file=kw["clauses_file"], force=bool(kw["force"]), sign_key=kw["sign_key"],  # type: ignore[arg-type]
        passphrase=passphrase, bundle=kw["bundle"], lang=str(kw["lang"]),  # type: ignore[arg-type]
        show_values=bool(kw["show_values"]), encoding=read_options.encoding, password=read_options.password,
        read_options=read_options,
        engine=str(kw["engine"]), fuzzy=not kw["no_fuzzy"], include_deleted=bool(kw["include_deleted"]),
        requested_at=kw["requested_at"], delivered_at=kw["delivered_at"],  # type: ignore[arg-type]
    )
    _validate(opts)
    timer = _StageTimer() if os.environ.get("PORTCHECK_STAGE_TIMES") else None
    progress = timer or (None if quiet or not sys.stderr.isatty() else (lambda m: _echo_err(f"… {m}")))
    with _without_pandas(cli.OWN_PROCESS and opts.engine != "gx"):
        result = run_check(opts, progress=progress)
    if timer:
        timer("done")
    detection = result.report.get("detection") or {}
    if detection.get("method") == "auto" and not quiet:
        from portcheck.profiles.detection import describe

        zh = opts.lang == "zh"
        reason = describe(detection["why"], opts.lang) if detection.get("why") else detection.get("reason")
        click.echo(("配置档：" if zh else "Profile: ") + f"{detection.get('profile')} "
                   + ("（自动选择：" if zh else "(picked: ") + f"{reason}"
                   + ("；可用 --profile 指定）" if zh else "; pass --profile to choose)"))
    click.echo(_summary(result.report, opts.lang, quiet))
    click.echo(("报告已写入 " if opts.lang == "zh" else "Report written to ") + str(result.out))
    cli.finish(result.exit_code)


@contextlib.contextmanager
def _without_pandas(active: bool) -> Iterator[None]:
    """While a fast-engine check runs in the ``portcheck`` process, ``import pandas`` fails. pyarrow imports
    pandas the first time it is handed a list or a numpy array, only to learn that it is not a pandas
    object: 0.2 s of CPU (and both reading threads waiting on the import lock) for a library the fast
    engine never uses. pyarrow then takes pandas as absent in those type tests for the rest of the process
    (an explicit ``to_pandas()`` still imports it): so not in a caller's process (``main(argv)``), whose
    later pandas objects pyarrow must still recognise."""
    if not active or "pandas" in sys.modules:
        yield
        return
    blocker = _PandasBlocker()
    sys.meta_path.insert(0, blocker)
    try:
        yield
    finally:
        sys.meta_path.remove(blocker)


class _PandasBlocker:
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ImportError("pandas is not used by a fast-engine check")


class _StageTimer:
    """PORTCHECK_STAGE_TIMES=1: print each stage's wall time to stderr (used by bench/check.py)."""

    def __init__(self) -> None:
        import time

        self._clock = time.perf_counter
        self._t0 = self._last = self._clock()
        self._stage: str | None = None

    def __call__(self, stage: str) -> None:
        now = self._clock()
        if self._stage is not None:
            _echo_err(f"stage {self._stage:<32} {now - self._last:8.2f} s")
        if stage == "done":
            _echo_err(f"stage {'total':<32} {now - self._t0:8.2f} s")
        self._stage, self._last = stage, now


def _validate(opts: object) -> None:
    from portcheck.errors import UsageError

    tz = getattr(opts, "timezone", None)
    for name in ("timezone", "reference_timezone"):
        tz = getattr(opts, name)
        if tz:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise UsageError(f"--{name.replace('_', '-')} {tz!r} is not a time zone",
                                 hint="use an IANA name such as Asia/Shanghai or UTC") from None
    region = getattr(opts, "region", None)
    if region and not (len(region) == 2 and region.isalpha()):
        raise UsageError(f"--region {region!r} is not a two-letter country code", hint="e.g. --region CN")


def _summary(report: dict, lang: str, quiet: bool) -> str:
    try:
        from portcheck.report.terminal import render_summary
    except ImportError:
        render_summary = None
    if render_summary is not None and not quiet:
        return render_summary(report, lang=lang)
    verdict = report["verdict"]
    if lang == "zh":
        line = "结论：通过" if verdict == "pass" else "结论：不通过"
    else:
        line = "Verdict: PASS" if verdict == "pass" else "Verdict: FAIL"
    if quiet:
        return line
    failing = [c for c in report["checks"] if c["status"] == "fail"]
    lines = [line] + [f"  ✗ {c['id']}: {c['message']}" for c in failing[:20]]
    if len(failing) > 20:
        lines.append(f"  … and {len(failing) - 20} more")
    return "\n".join(lines)


COMMANDS = [check_command]
