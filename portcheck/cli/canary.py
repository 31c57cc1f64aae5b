"""CLI: ``portcheck canary`` writes a canary set for a trial export drill."""

from __future__ import annotations

from pathlib import Path

import click

from portcheck.errors import OutputError


@click.command("canary")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the canary set into (refused when not empty, unless --force).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same files, byte for byte.")
@click.option(
    "--customers",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Customers to generate (3 contacts and 2 opportunities each).",
)
@click.option(
    "--format",
    "fmt",
    default="csv",
    show_default=True,
    type=click.Choice(["csv", "xlsx", "both"]),
    help="csv: customer/contact/opportunity.csv; xlsx: canary.xlsx; both: DIR/csv and DIR/xlsx.",
)
@click.option(
    "--lang",
    default="mixed",
    show_default=True,
    type=click.Choice(["mixed", "zh", "en"]),
    help="Language of names, companies and picklist values.",
)
@click.option(
    "--force", is_flag=True, help="Write into a non-empty folder, replacing canary files of the same names."
)
def canary(out: Path, seed: int, customers: int, fmt: str, lang: str, force: bool) -> None:
    """Generate a canary dataset full of values exports are known to break.

    Import it into the trial CRM, export it back with the vendor's own tools, then run
    `portcheck check EXPORT --reference DIR` to see which traps the vendor fell into.
    """
    from portcheck.canary.generate import generate_canary

    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder", hint="pass --out with a folder path")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(
            f"{out} is not empty", hint="choose an empty folder, or pass --force to write into it"
        )
    info = generate_canary(out, seed=seed, customers=customers, fmt=fmt, lang=lang)
    sizes = info.sizes
    click.echo(
        f"Wrote a canary set (seed {seed}, {sizes['customer']:,} customers, {sizes['contact']:,} contacts, "
        f"{sizes['opportunity']:,} opportunities, language {lang}):"
    )
    for s in info.sets:
        for path in s.files:
            click.echo(f"  {path}  ({path.stat().st_size:,} bytes)")
        click.echo(
            f"  {s.format}: {len(s.meta['traps'])} traps in {len({t['trap'] for t in s.meta['traps']})} kinds"
        )
    reference = info.sets[0].folder
    click.echo("")
    click.echo(
        "Next: import these records into the trial CRM (keep the x_canary_id column as a custom field),"
    )
    click.echo("export them back with the vendor's own tools, then run:")
    click.echo(f"  portcheck check EXPORT --reference {reference}")


COMMANDS = [canary]
