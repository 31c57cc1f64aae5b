"""CLI: ``portcheck profiles`` — list the built-in profiles, show one, infer a starter mapping."""

from __future__ import annotations

from pathlib import Path

import click

from portcheck.errors import OutputError


class _ProfilesGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group("profiles", cls=_ProfilesGroup, invoke_without_command=True)
@click.pass_context
def profiles(ctx: click.Context) -> None:
    """List the built-in vendor profiles (name, vendor, formats).

    \b
    portcheck profiles                      list them
    portcheck profiles show NAME            show one (add --mapping FILE to see it merged with yours)
    portcheck profiles infer EXPORT         write a starter mapping for an export
    """
    if ctx.invoked_subcommand is not None:
        return
    from portcheck.profiles import list_profiles

    rows = [(p.name, p.vendor, ", ".join(p.formats)) for p in list_profiles()]
    w0 = max(len("NAME"), *(len(r[0]) for r in rows))
    w1 = max(len("VENDOR"), *(_width(r[1]) for r in rows))
    click.echo(f"{'NAME'.ljust(w0)}  {_pad('VENDOR', w1)}  FORMATS")
    for name, vendor, formats in rows:
        click.echo(f"{name.ljust(w0)}  {_pad(vendor, w1)}  {formats}")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


@profiles.command("show")
@click.argument("name", required=False)
@click.option("--mapping", type=click.Path(dir_okay=False),
              help="A mapping file: show the profile it makes (merged with NAME when given).")
def show(name: str | None, mapping: str | None) -> None:
    """Show a profile as YAML: the built-in NAME, a mapping file, or NAME extended by a mapping."""
    import yaml

    from portcheck.errors import UsageError
    from portcheck.profiles import resolve_profile

    if name is None and mapping is None:
        raise UsageError("say which profile to show",
                         hint="portcheck profiles show NAME (see `portcheck profiles`)")
    prof = resolve_profile(name, mapping)
    click.echo(f"# profile {prof.name}, built from {' + '.join(prof.files)}")
    click.echo(f"# sha256 {prof.sha256}")
    raw = _plain(prof.raw)
    raw.pop("extends", None)
    order = ["profile", "name", "vendor", "description", "formats", "timezone", "region", "ids",
             "id_strip_prefixes", "dates", "null_tokens", "type_columns", "column_prefixes", "ignore_columns",
             "detect", "value_maps", "objects"]
    data = {k: raw[k] for k in order if k in raw} | {k: v for k, v in raw.items() if k not in order}
    click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110).rstrip())


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@profiles.command("infer")
@click.argument("export", type=click.Path(exists=True))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping to this file (default: print it).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--encoding", help="Encoding of text files (default: detected).")
@click.option("--password", envvar="PORTCHECK_PASSWORD", help="Password of encrypted ZIPs or workbooks.")
def infer(export: str, out: Path | None, force: bool, encoding: str | None, password: str | None) -> None:
    """Write a starter mapping for EXPORT: headers matched against canonical names and synonyms.

    Each proposal carries its confidence; check the ones marked "check", then pass the file to
    `portcheck check EXPORT --mapping FILE`.
    """
    from portcheck.profiles import infer_mapping
    from portcheck.readers import ReadOptions, read_export

    source = read_export(export, options=ReadOptions(encoding=encoding, password=password))
    text, confidences = infer_mapping(source)
    if out is None:
        click.echo(text, nl=False)
    else:
        if out.exists() and not force:
            raise OutputError(f"{out} already exists",
                              hint="choose another --out, or pass --force to replace it")
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"{out} cannot be written ({e.strerror or e})",
                              hint="check the folder exists and is writable") from e
    sure = sum(1 for c in confidences.values() if c >= 0.9)
    where = f" to {out}" if out else ""
    unsure = len(confidences) - sure
    click.echo(f"Proposed {len(confidences)} fields{where} ({sure} confident, {unsure} to check).", err=True)


COMMANDS = [profiles]
