"""With masking on (the default) no customer value appears in any output of ``check``.

Every string field of every object — names, emails, phones, notes, addresses, owners, custom fields — holds
a distinctive planted token (``PLANTcuname03X``, ``plantcoemail05x@…``, a unique phone number). The export
truncates a third of them and changes a third (so they reach mismatches CSVs and the report's examples),
drops a customer (orphaning its contacts), adds one, repeats one under another key (a fuzzy duplicate), and
gives a contact an invalid email (so the validity results list it). ``check --reference … --sign-key …
--bundle`` then runs, and every file it wrote — report.json, report.html, every CSV, gx-*.json, the signed
statement, every member of the bundle ZIP —, its terminal output and what ``inspect`` prints are searched
for every token (case folded; phones in their written, E.164 and national forms). Keys and IDs are allowed
by DESIGN and are not planted. The same run with ``--show-values`` must show the tokens: proof that they
do reach the outputs.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_portcheck

pytestmark = pytest.mark.slow

FIELDS = {
    "customer": [
        "name",
        "industry",
        "level",
        "status",
        "owner",
        "phone",
        "email",
        "website",
        "tax_id",
        "region",
        "city",
        "address",
        "postal_code",
        "source",
        "notes",
        "x_secret",
    ],
    "contact": [
        "full_name",
        "first_name",
        "last_name",
        "title",
        "email",
        "phone",
        "mobile",
        "owner",
        "notes",
        "x_secret",
    ],
    "opportunity": ["name", "owner", "source", "notes", "x_secret"],
}
N = {"customer": 12, "contact": 24, "opportunity": 12}
PREFIX = {"customer": "cu", "contact": "co", "opportunity": "op"}


def _phone(obj: str, field: str, i: int) -> tuple[str, list[str]]:
    """A unique mainland mobile number, and the forms in which it could leak."""
    base = {"customer": 1, "contact": 3, "opportunity": 5}[obj] * 100 + (field == "mobile") * 50 + i
    national = f"139{base:04d}{base:04d}"
    written = f"+86 {national[:3]} {national[3:7]} {national[7:]}"
    return written, [written, "+86" + national, national, national[3:]]


def _value(obj: str, field: str, i: int) -> tuple[str, list[str]]:
    """The planted value and the tokens that must never appear in masked output."""
    if field in ("phone", "mobile"):
        return _phone(obj, field, i)
    token = f"plant{PREFIX[obj]}{field.replace('_', '')}{i:02d}x"
    if field == "email":
        return f"{token}@corp.example", [token]
    if field == "website":
        return f"https://{token}.example", [token]
    return f"Q {token.upper()} Z", [token]


def _row(obj: str, i: int) -> tuple[dict[str, str], list[str]]:
    key = {"customer": f"C{i:02d}", "contact": f"P{i:02d}", "opportunity": f"O{i:02d}"}[obj]
    row = {f"{obj}_id": key}
    tokens = []
    if obj == "contact":
        row["customer_id"] = f"C{i % N['customer']:02d}"
    if obj == "opportunity":
        row.update(
            customer_id=f"C{i:02d}", contact_id=f"P{i:02d}", stage="proposal", amount="100.50", currency="CNY"
        )
    for f in FIELDS[obj]:
        row[f], t = _value(obj, f, i)
        tokens += t
    return row, tokens


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _plant(root: Path) -> list[str]:
    tokens: list[str] = []
    for obj in FIELDS:
        reference, export = [], []
        for i in range(N[obj]):
            row, t = _row(obj, i)
            tokens += t
            reference.append(row)
            out = dict(row)
            for f in FIELDS[obj]:
                if f in ("phone", "mobile"):
                    if i % 3 == 0:
                        out[f] = out[f].replace("+86 ", "")[:-2]  # digits lost
                elif i % 3 == 0:
                    out[f] = out[f][:-3]  # truncated
                elif i % 3 == 1:
                    out[f] = out[f].replace("Q ", "Q-") if "Q " in out[f] else out[f] + "0"  # changed
            if obj == "contact" and i == 5:
                out["email"] = out["email"].replace("@", "-at-")  # invalid: listed by the validity checks
            if obj == "customer" and i == N[obj] - 1:
                continue  # missing: its contacts become orphans
            export.append(out)
        extra, t = _row(obj, 90)
        tokens += t
        export.append(extra)
        if obj == "customer":
            twin = dict(export[1])
            twin["customer_id"] = "C77"  # the same customer again under another key: a fuzzy duplicate
            export.append(twin)
        _write(root / "reference" / f"{obj}.csv", reference)
        _write(root / "export" / f"{obj}.csv", export)
    return tokens


def _outputs(root: Path, out: str, bundle: str) -> dict[str, str]:
    texts = {}
    for p in sorted((root / out).rglob("*")):
        if p.is_file():
            texts[p.relative_to(root).as_posix()] = p.read_bytes().decode("utf-8", errors="replace")
    with zipfile.ZipFile(root / bundle) as zf:
        for name in zf.namelist():
            texts[f"{bundle}/{name}"] = zf.read(name).decode("utf-8", errors="replace")
    return texts


def _leaks(texts: dict[str, str], tokens: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, text in texts.items():
        low = text.lower()
        hits = [t for t in tokens if t.lower() in low]
        if hits:
            found[name] = hits
    return found


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("masking")
    tokens = _plant(root)
    keys = run_portcheck("keys", "generate", "--out", "keys", "--no-passphrase", cwd=root)
    assert keys.returncode == 0, keys.stderr
    runs = {}
    for label, extra in (("masked", []), ("shown", ["--show-values"])):
        run = run_portcheck(
            "check",
            "export",
            "--reference",
            "reference",
            "--profile",
            "canonical",
            "--region",
            "CN",
            "--out",
            f"out-{label}",
            "--sign-key",
            "keys/private.pem",
            "--bundle",
            f"bundle-{label}.zip",
            *extra,
            cwd=root,
        )
        assert run.returncode in (0, 1), run.stderr
        texts = _outputs(root, f"out-{label}", f"bundle-{label}.zip")
        texts["(terminal)"] = run.stdout + run.stderr
        for args in (["inspect", "export"], ["inspect", "export", "--json"], ["inspect", "reference"]):
            shown = run_portcheck(*args, *extra, cwd=root)
            assert shown.returncode == 0, shown.stderr
            texts["(" + " ".join(args) + ")"] = shown.stdout + shown.stderr
        runs[label] = texts
    return tokens, runs


def test_the_outputs_are_all_there(planted):
    _tokens, runs = planted
    names = {n.split("/", 1)[1] for n in runs["masked"] if n.startswith("out-masked/")}
    for obj in FIELDS:
        for prefix in ("missing", "extra", "mismatches", "duplicates", "orphans"):
            assert f"{prefix}-{obj}.csv" in names
        assert f"gx-{obj}.json" in names
    assert {"report.json", "report.html", "report.intoto.jsonl"} <= names


def test_no_planted_value_appears_in_any_output_when_masked(planted):
    tokens, runs = planted
    assert _leaks(runs["masked"], tokens) == {}


def test_planted_values_do_reach_the_outputs_with_show_values(planted):
    """Negative control: unmasked, each field's values are in the mismatch files and the report."""
    tokens, runs = planted
    leaks = _leaks(runs["shown"], tokens)
    shown = {t for hits in leaks.values() for t in hits}
    for obj, fields in FIELDS.items():
        for f in fields:
            _v, field_tokens = _value(obj, f, 0 if f in ("phone", "mobile") else 1)  # records that differ
            assert set(field_tokens) & shown, (obj, f)
    assert any(name.endswith("gx-contact.json") for name in leaks)  # the invalid email is listed unmasked


@pytest.mark.parametrize("secret_len", [1, 32, 64, 65, 200])
def test_the_mask_tag_is_hmac_sha256_of_the_value(secret_len):
    """DESIGN's tag: the first 8 hex characters of HMAC-SHA256(secret, value), whatever the secret's
    length (longer than a SHA-256 block, the key is hashed first), for any value."""
    import hashlib
    import hmac
    import random

    from portcheck.masking import Masker

    rng = random.Random(secret_len)
    secret = bytes(rng.randrange(256) for _ in range(secret_len))
    mask = Masker(secret)
    for value in ["ab", "Acme", "北京星辰科技有限公司", "x" * 300, "e\u0301", "13800138000", 12345]:
        text = str(value)
        tag = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:8]
        shown = text[0] + "…" if len(text) <= 2 else f"{text[0]}…{text[-1]}"
        assert mask(value) == f"{shown}#{tag}"
    assert mask("") == "" and mask(None) is None and Masker(None)("Acme") == "Acme"
