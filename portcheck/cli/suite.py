"""CLI: ``portcheck suite export`` — the validity suites as GX JSON, for a team's own GX project."""

from __future__ import annotations

import click


@click.group("suite")
def suite() -> None:
    """The Great Expectations suites portcheck validates each object with."""


@suite.command("export")
@click.option("--object", "objects", multiple=True, metavar="OBJECT",
              help="customer, contact or opportunity (repeatable; default: all three).")
@click.option("--out", default=".", show_default=True, help="Folder to write <object>.json suites into.")
@click.option("--force", is_flag=True, help="Replace suite files that already exist.")
def export(objects: tuple[str, ...], out: str, force: bool) -> None:
    """Write each object's expectation suite as GX 1.x JSON (load with gx.ExpectationSuite(**json)).

    Columns named pc__<field>_valid are flags portcheck derives before validating (phone validity for the
    record's region, USCC check digits, calendar dates); each expectation's meta.portcheck.derived_rule
    says how, and portcheck.checks.validity.prepare_table() computes them.
    """
    from portcheck.checks.suite_export import export_suites

    for path in export_suites(out, list(objects) or None, force=force):
        click.echo(str(path))


COMMANDS = [suite]
