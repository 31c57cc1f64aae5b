"""CLI: ``portcheck archive add | list | show | verify`` — the evidence archive (an RFC 6962 Merkle log).

Only parsing, calling :mod:`portcheck.archive` and printing happen here.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import click

DB_HELP = ("Archive database URL: sqlite:///path/archive.db or postgresql://user@host/db "
           "[env PORTCHECK_ARCHIVE_URL; default: $XDG_DATA_HOME/portcheck/archive.db].")
KEY_HELP = ("The archive's private signing key (made on first use; default: beside the SQLite file, "
            "else in the portcheck config folder) [env PORTCHECK_ARCHIVE_KEY].")


def _db_option(f):
    return click.option("--db", "db_url", envvar="PORTCHECK_ARCHIVE_URL", metavar="URL", help=DB_HELP)(f)


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def _read_file(path: str | None, what: str) -> bytes | None:
    from portcheck.errors import InputError

    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError(f"the {what} {path} cannot be read ({err.strerror})", hint="check the path") from err


def _time_label(entry) -> tuple[str, str]:
    """(time, label): the RFC 3161 time when the entry has a token, else the report's claimed time."""
    if entry.tsa_token:
        return entry.tsa_time or "?", "rfc3161"
    return entry.claimed_time or entry.added_at, "claimed"


@click.group("archive", context_settings={"help_option_names": ["-h", "--help"]})
def archive() -> None:
    """The evidence archive: an append-only, signed Merkle log (RFC 6962) of signed reports.

    \b
    Exit codes of verify: 0 consistent, 1 tampered (the entries are named), 2 unusable archive.
    """


@archive.command("add")
@click.argument("bundle", metavar="BUNDLE_OR_DIR")
@_db_option
@click.option("--key", "key_path", envvar="PORTCHECK_ARCHIVE_KEY", metavar="FILE", help=KEY_HELP)
@click.option("--pubkey", metavar="PEM",
              help="The report signer's public.pem: the envelope must verify with it "
                   "(default: the bundle's own public.pem, integrity only).")
@click.option("--tsa-url", metavar="URL", help="RFC 3161 time-stamping authority: adds a trusted time.")
@click.option("--tsa-cert", metavar="PEM", help="The TSA's CA certificate (and the TSA's own): its tokens "
                                                "are checked against it now and by verify.")
@click.option("--force", is_flag=True, help="Archive a bundle that already has a receipt, replacing it.")
@_json_option
def add_cmd(bundle: str, db_url: str | None, key_path: str | None, pubkey: str | None, tsa_url: str | None,
            tsa_cert: str | None, force: bool, as_json: bool) -> None:
    """Append a signed report folder or bundle (.zip) and write its archive receipt.

    The receipt goes into the folder as archive-receipt.json, or beside a .zip as
    BUNDLE.zip.archive-receipt.json.
    """
    from portcheck.archive import Archive

    certs = _read_file(tsa_cert, "TSA certificate file")
    pub = _read_file(pubkey, "public key")
    with Archive.open(db_url, key_path=key_path, create=True) as arc:
        result = arc.add_bundle(bundle, tsa_url=tsa_url, tsa_certs=certs, pubkey_pem=pub, force=force)
    r = result.receipt
    if as_json:
        click.echo(json.dumps({"indices": list(result.indices), "receipt_path": str(result.receipt_path),
                               "signature": result.signature, "receipt": r}, indent=2, ensure_ascii=False))
        return
    cp = r["checkpoint"]
    for e in r["entries"]:
        if e["timestamp"]:
            when = e["timestamp"]["time"] + " (rfc3161)"
        else:
            when = f"{e['claimed_time'] or e['added_at']} (claimed)"
        click.echo(f"archived {r['bundle']['source']} as entry {e['index']}  leaf {e['leaf_hash'][:16]}  "
                   f"time {when}")
    click.echo(f"checkpoint: size {cp['size']}, root {cp['root_hash']}, signed by {r['archive']['origin']}")
    click.echo(f"signature of the report: {result.signature}")
    click.echo(f"receipt: {result.receipt_path}")


@archive.command("list")
@_db_option
@_json_option
def list_cmd(db_url: str | None, as_json: bool) -> None:
    """List the archived reports: index, time, source, verdict, leaf hash."""
    from portcheck.archive import Archive
    from portcheck.archive.bundle import statement_info

    with Archive.open(db_url) as arc:
        snap = arc.snapshot()
    rows = []
    for e in snap.entries:
        when, label = _time_label(e)
        rows.append({"index": e.index, "time": when, "time_label": label, "source": e.source,
                     "verdict": statement_info(e.envelope).verdict, "leaf_hash": e.leaf_hash.hex()})
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"the archive {snap.origin} is empty")
        return
    click.echo(f"{'index':>5}  {'time':<31}  {'verdict':<7}  {'leaf':<12}  source")
    for r in rows:
        when = f"{r['time']} ({r['time_label']})"
        click.echo(f"{r['index']:>5}  {when:<31}  {r['verdict'] or '?':<7}  {r['leaf_hash'][:12]:<12}  "
                   f"{r['source']}")


@archive.command("show")
@click.argument("index", type=int)
@_db_option
@click.option("--receipt", "receipt_out", metavar="FILE",
              help="Also write a fresh receipt for this entry (against the latest checkpoint) to FILE.")
@_json_option
def show_cmd(index: int, db_url: str | None, receipt_out: str | None, as_json: bool) -> None:
    """Show entry INDEX and verify its inclusion proof (exit 1 when it does not hold)."""
    from portcheck.archive import Archive
    from portcheck.archive.bundle import statement_info
    from portcheck.archive.receipt import write_receipt
    from portcheck.errors import OutputError

    with Archive.open(db_url) as arc:
        snap = arc.snapshot()
        proof = arc.prove(index, snapshot=snap)
        receipt = arc.receipt(index, snapshot=snap) if receipt_out else None
    e = proof.entry
    info = statement_info(e.envelope)
    when, label = _time_label(e)
    data = {
        "index": e.index, "source": e.source, "bundle_sha256": e.bundle_sha256, "added_at": e.added_at,
        "time": when, "time_label": label, "claimed_time": e.claimed_time, "tsa_time": e.tsa_time,
        "verdict": info.verdict, "predicate_type": info.predicate_type, "subjects": info.subjects,
        "envelope_sha256": e.envelope_sha256, "leaf_hash": proof.leaf_hash.hex(),
        "inclusion_proof": {"tree_size": proof.checkpoint.size, "root_hash": proof.checkpoint.root.hex(),
                            "path": [h.hex() for h in proof.inclusion_proof], "verified": True},
        "consistency_proof": {"from_size": proof.added_checkpoint.size, "to_size": proof.checkpoint.size,
                              "path": [h.hex() for h in proof.consistency_proof], "verified": True},
        "archive": {"origin": snap.origin, "public_key": base64.b64encode(snap.public_key).decode()},
    }
    if receipt_out:
        try:
            write_receipt(receipt, Path(receipt_out))
        except OSError as err:
            raise OutputError(f"the receipt cannot be written to {receipt_out} ({err.strerror})",
                              hint="pass a writable path") from err
        data["receipt_path"] = receipt_out
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"entry {e.index} of {snap.origin}")
    for key, label_ in (("source", "source"), ("bundle_sha256", "bundle sha256"), ("added_at", "added at"),
                        ("verdict", "verdict"), ("predicate_type", "predicate type"),
                        ("envelope_sha256", "envelope sha256"), ("leaf_hash", "leaf hash")):
        click.echo(f"  {label_:<16} {data[key] if data[key] is not None else '?'}")
    click.echo(f"  {'time':<16} {when} ({label})")
    click.echo(f"  inclusion proof  verified: {len(proof.inclusion_proof)} hashes to the signed checkpoint "
               f"of size {proof.checkpoint.size} (root {proof.checkpoint.root.hex()[:16]}…)")
    click.echo(f"  consistency      verified: the checkpoint signed when it was added (size "
               f"{proof.added_checkpoint.size}) is a prefix of the latest")
    if receipt_out:
        click.echo(f"  receipt          {receipt_out}")


@archive.command("verify")
@_db_option
@click.option("--pubkey", metavar="FILE",
              help="Pin the archive's public key (PEM, or the base64 in a receipt).")
@click.option("--tsa-cert", metavar="PEM", help="Check time-stamp tokens against this CA certificate "
                                                "instead of the certificates stored with them.")
@click.option("--receipt", "receipts", metavar="FILE", multiple=True,
              help="Also check this receipt against the archive (repeatable).")
@_json_option
def verify_cmd(db_url: str | None, pubkey: str | None, tsa_cert: str | None, receipts: tuple[str, ...],
               as_json: bool) -> None:
    """Recompute the tree from the stored envelopes and check it against every signed checkpoint.

    Names every entry altered, removed, inserted or reordered. Exit 0 consistent, 1 tampered, 2 unusable.
    """
    from portcheck.archive import Archive, ArchiveTampered, default_archive_url
    from portcheck.archive.receipt import verify_receipt_file
    from portcheck.errors import VerificationError

    pin = _public_key(pubkey) if pubkey else None
    certs = _read_file(tsa_cert, "TSA certificate file")
    with Archive.open(db_url) as arc:
        report = arc.audit(public_key=pin, tsa_certs=certs)
    receipt_results: list[tuple[str, str | None]] = []
    for r in receipts:
        try:
            verify_receipt_file(r, db_url or default_archive_url())
            receipt_results.append((r, None))
        except VerificationError as err:
            receipt_results.append((r, err.message))
    if as_json:
        click.echo(json.dumps({
            "consistent": report.ok, "origin": report.origin, "key_id": report.key_id,
            "public_key": base64.b64encode(report.public_key).decode(), "entries": report.entries,
            "root_hash": report.root.hex() if report.root else None, "checkpoints": report.checkpoints,
            "checkpoints_signed": report.checkpoints_signed, "consistency_proofs": report.consistency_proofs,
            "timestamps": report.timestamps, "timestamps_trusted": report.timestamps_trusted,
            "problems": [{"kind": p.kind, "entries": list(p.entries), "message": p.message}
                         for p in report.problems],
            "notes": list(report.notes),
            "receipts": [{"path": r, "verified": e is None, "problem": e} for r, e in receipt_results]},
            indent=2, ensure_ascii=False))
    else:
        click.echo(f"archive {report.origin}")
        pub = base64.b64encode(report.public_key).decode()
        click.echo(f"  public key {pub} (key ID {report.key_id[:16]}…)")
        click.echo(f"  {report.entries} entries, root {report.root.hex() if report.root else '?'}")
        click.echo(f"  {report.checkpoints_signed} of {report.checkpoints} checkpoints carry a valid "
                   f"signature; {report.consistency_proofs} consistency proofs verified")
        if report.timestamps:
            click.echo(f"  {report.timestamps} time-stamp tokens match their entries "
                       f"({report.timestamps_trusted} checked against TSA certificates)")
        for r, e in receipt_results:
            click.echo(f"  receipt {r}: {'verified' if e is None else 'FAILED: ' + e}")
        for p in report.problems:
            click.echo(f"  {p.kind.upper():<10} {p.message}")
        for n in report.notes:
            click.echo(f"  note: {n}")
        click.echo("consistent" if report.ok and all(e is None for _, e in receipt_results) else "TAMPERED")
    if not report.ok:
        raise ArchiveTampered(list(report.problems))
    for r, e in receipt_results:
        if e is not None:
            raise VerificationError(f"the receipt {r} does not verify: {e}",
                                    hint="the bundle or the archive changed after the receipt was issued")


def _public_key(value: str) -> bytes:
    """A pinned archive key: a PEM file, or the raw key's base64 (as a receipt carries it)."""
    import binascii

    from portcheck.errors import KeyError_

    p = Path(value)
    if p.is_file():
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

        try:
            key = load_pem_public_key(p.read_bytes())
        except (ValueError, OSError) as err:
            raise KeyError_(f"{value} is not a PEM public key", hint="pass the archive's public key") from err
        if not isinstance(key, Ed25519PublicKey):
            raise KeyError_(f"{value} is not an Ed25519 public key", hint="pass the archive's public key")
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyError_(f"{value!r} is neither a PEM file nor a base64 Ed25519 public key",
                        hint="pass the archive public_key from a receipt, or a PEM file")
    return raw


COMMANDS = [archive]
