"""CLI: ``portcheck diff OLD_REPORT NEW_REPORT`` — what changed between two deliveries of the same export."""

from __future__ import annotations

import json

import click

from portcheck.errors import EXIT_NOT_ACCEPTED, EXIT_OK


@click.command("diff")
@click.argument("old_report", type=click.Path(dir_okay=True, path_type=str))
@click.argument("new_report", type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the summary.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON instead of words.")
def diff_command(old_report: str, new_report: str, lang: str, as_json: bool) -> None:
    """Compare two report.json files (or check output folders) of the same export delivered twice.

    Lists per object what got better and what got worse: record counts, completeness, per-field fidelity,
    defect counts, duplicates, orphans, check and clause statuses, drill traps and the verdict.

    \b
    Exit codes: 0 nothing got worse, 1 something got worse, 2 a report cannot be used.
    """
    from portcheck.report.diff import change_label, diff_reports, load_report, render_diff

    old, new = load_report(old_report), load_report(new_report)
    result = diff_reports(old, new)
    if as_json:
        for key in ("worse", "better", "changed"):
            for c in result[key]:
                c["label"] = change_label(c, lang)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(render_diff(result, lang=lang, old_name=old_report, new_name=new_report), nl=False)
    raise click.exceptions.Exit(EXIT_NOT_ACCEPTED if result["worse"] else EXIT_OK)


COMMANDS = [diff_command]
