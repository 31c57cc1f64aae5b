"""CLI: signing keys, signing a report folder, and verifying signed evidence.

``portcheck keys generate --out DIR``, ``portcheck keys id public.pem``, ``portcheck sign DIR --sign-key
private.pem [--bundle PATH]``, ``portcheck verify BUNDLE_OR_DIR [--pubkey] [--export] [--reference]``.

Passphrases come from ``--passphrase-file``, else ``PORTCHECK_KEY_PASSPHRASE``, else a hidden prompt when a
terminal is attached. They are never echoed, and private keys are never printed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from portcheck.errors import UsageError

PASSPHRASE_ENV = "PORTCHECK_KEY_PASSPHRASE"


def read_passphrase_file(path: str | os.PathLike) -> bytes:
    """The passphrase in ``path`` (its trailing line break removed)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"the passphrase file {path} cannot be read ({e.strerror})",
                         hint="pass a readable file with --passphrase-file") from e
    data = data.rstrip(b"\r\n")
    if not data:
        raise UsageError(f"the passphrase file {path} is empty",
                         hint="write the passphrase into it, on one line")
    return data


def _env_passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def _interactive() -> bool:
    return sys.stdin.isatty()


def passphrase_for_key(key_path: str | os.PathLike,
                       passphrase_file: str | os.PathLike | None) -> bytes | None:
    """The passphrase to open ``key_path`` with: file, environment, or a hidden prompt if the key needs one.

    ``portcheck check --sign-key`` can call this too, so both commands ask the same way.
    """
    from portcheck.evidence.keys import private_key_is_encrypted

    if passphrase_file:
        return read_passphrase_file(passphrase_file)
    env = _env_passphrase()
    if env:
        return env
    if private_key_is_encrypted(key_path) and _interactive():
        return click.prompt(f"Passphrase for {key_path}", hide_input=True, err=True).encode("utf-8")
    return None  # load_private_key says, in one sentence, that a passphrase is needed


def _passphrase_for_new_key(passphrase_file: str | None, no_passphrase: bool) -> bytes | None:
    if no_passphrase:
        if passphrase_file:
            raise UsageError("--no-passphrase and --passphrase-file contradict each other",
                             hint="pass one of them")
        return None
    if passphrase_file:
        return read_passphrase_file(passphrase_file)
    env = _env_passphrase()
    if env:
        return env
    if not _interactive():
        raise UsageError("no passphrase was given for the new private key",
                         hint=f"set {PASSPHRASE_ENV}, pass --passphrase-file FILE, or --no-passphrase "
                              "to leave the key unencrypted")
    text = click.prompt("Passphrase for the new private key (empty: none)", hide_input=True,
                        confirmation_prompt=True, default="", show_default=False, err=True)
    return text.encode("utf-8") or None


_passphrase_option = click.option(
    "--passphrase-file", type=click.Path(dir_okay=False),
    help=f"File holding the key's passphrase (else ${PASSPHRASE_ENV}, else a prompt).")


@click.group("keys")
def keys_group() -> None:
    """Create and inspect Ed25519 signing keys."""


@keys_group.command("generate")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for private.pem (mode 0600) and public.pem; existing keys are never overwritten.")
@_passphrase_option
@click.option("--no-passphrase", is_flag=True,
              help="Leave the private key unencrypted (protect it otherwise).")
def keys_generate(out_dir: str, passphrase_file: str | None, no_passphrase: bool) -> None:
    """Write a new Ed25519 key pair: private.pem (PKCS#8, 0600) and public.pem.

    The key ID printed is the SHA-256 of the raw public key: give it to whoever will verify your reports.
    """
    from portcheck.evidence.keys import generate_keypair

    info = generate_keypair(out_dir, _passphrase_for_new_key(passphrase_file, no_passphrase))
    click.echo(f"Private key: {info.private_path} (mode 0600, "
               f"{'encrypted with your passphrase' if info.encrypted else 'NOT encrypted'})")
    click.echo(f"Public key:  {info.public_path}")
    click.echo(f"Key ID:      {info.key_id}")


@keys_group.command("id")
@click.argument("public_key", type=click.Path(dir_okay=False))
def keys_id(public_key: str) -> None:
    """Print the key ID (SHA-256 of the raw Ed25519 public key) of PUBLIC_KEY."""
    from portcheck.evidence.keys import key_id, load_public_key

    click.echo(key_id(load_public_key(public_key)))


@click.command("sign")
@click.argument("report_dir", type=click.Path(file_okay=False))
@click.option("--sign-key", required=True, type=click.Path(dir_okay=False),
              help="Ed25519 private key (private.pem).")
@_passphrase_option
@click.option("--bundle", help="Also write a bundle: a folder, or a .zip when the name ends in .zip.")
@click.option("--force", is_flag=True, help="Replace an existing bundle at --bundle.")
def sign_command(report_dir: str, sign_key: str, passphrase_file: str | None, bundle: str | None,
                 force: bool) -> None:
    """Sign the report folder REPORT_DIR that `portcheck check --out` wrote.

    Writes report.intoto.jsonl (an in-toto statement naming every input and output file by SHA-256, in a
    DSSE envelope signed with Ed25519) and public.pem into REPORT_DIR.
    """
    from portcheck.evidence.keys import key_id, load_public_key
    from portcheck.evidence.sign import sign_report_dir

    envelope = sign_report_dir(report_dir, sign_key, passphrase_for_key(sign_key, passphrase_file))
    kid = key_id(load_public_key(envelope.parent / "public.pem"))
    click.echo(f"Signed: {envelope} (key ID {kid})")
    if bundle:
        from portcheck.evidence.bundle import write_bundle

        click.echo(f"Bundle: {write_bundle(report_dir, bundle, force=force)}")


@click.command("verify")
@click.argument("bundle", type=click.Path())
@click.option("--pubkey", type=click.Path(dir_okay=False),
              help="The signer's public.pem (default: the bundle's own: proves integrity, not identity).")
@click.option("--export", type=click.Path(), help="The export files: check they are the signed inputs.")
@click.option("--reference", type=click.Path(), help="The reference files: check they are the signed inputs.")
@click.option("--db", "db_url", envvar="PORTCHECK_ARCHIVE_URL", show_envvar=True,
              help="The evidence archive to check the bundle's receipt against (default: the local archive, "
                   "when it exists).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify_command(bundle: str, pubkey: str | None, export: str | None, reference: str | None,
                   db_url: str | None, as_json: bool) -> None:
    """Verify a signed report folder, bundle folder or bundle .zip.

    Checks the signature, every file's SHA-256 against the signed statement and, given --export /
    --reference, that those files are exactly the inputs the report speaks of.
    Exit 0 valid, 1 invalid (what broke is named), 2 unusable (no signature, no key, unreadable zip).
    """
    from portcheck.errors import VerificationError
    from portcheck.evidence.verify import iter_problems, verify_bundle

    # Only --db on the command line names *the* archive that must hold the bundle; the configured archive
    # (PORTCHECK_ARCHIVE_URL, or this machine's default one) is consulted when it issued the receipt.
    source = click.get_current_context().get_parameter_source("db_url")
    explicit = source == click.core.ParameterSource.COMMANDLINE
    archive_url = db_url or _local_archive_if_present()
    try:
        result = verify_bundle(bundle, pubkey=pubkey, export=export, reference=reference, archive_url=archive_url,
                               implicit_archive=not explicit)
    except VerificationError as err:
        problems = list(iter_problems(err))
        if as_json:
            click.echo(json.dumps({"valid": False, "problems": problems}, ensure_ascii=False, indent=2))
        else:
            click.echo(f"INVALID: {bundle}")
            for problem in problems:
                click.echo(f"  ✗ {problem}")
            if err.hint:
                click.echo(f"hint: {err.hint}", err=True)
        sys.exit(err.exit_code)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    source = "public.pem in the bundle" if result.key_source == "bundle" else result.key_source
    click.echo(f"VALID: {bundle}")
    click.echo(f"  ✓ signature by key ID {result.key_id} ({source})")
    shown = ", ".join(result.files_checked[:4]) + (", …" if len(result.files_checked) > 4 else "")
    click.echo(f"  ✓ {len(result.files_checked)} signed files unchanged ({shown})")
    for role, count in result.inputs_checked.items():
        click.echo(f"  ✓ {role}: its {count} files are exactly the signed inputs")
    predicate = result.statement.get("predicate") or {}
    click.echo(f"  signed verdict: {result.verdict} (report generated at {predicate.get('generated_at')})")
    if result.receipt:
        where = (f"against the archive {result.receipt_archive}" if result.receipt_archive
                 else "on its own (no archive reachable: pass --db to check it against the archive)")
        click.echo(f"  ✓ archive receipt {Path(result.receipt).name} verified {where}")
    for warning in result.warnings:
        click.echo(f"  ! {warning}")


def _local_archive_if_present() -> str | None:
    """The default archive (a SQLite file), when this machine has one; else None."""
    from portcheck.archive.store import default_archive_url

    url = default_archive_url()
    if url.startswith("sqlite:///"):
        return url if Path(url[len("sqlite:///"):]).is_file() else None
    return url


COMMANDS = [keys_group, sign_command, verify_command]
