"""Name, e-mail and ID keys are the same whether computed per value or per distinct value."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from portcheck.checks import normalize as nz

POOL = ["王 伟", "王偉", "Acme Ltd.", "ACME LIMITED", "  Müller & Söhne GmbH ", "ＡＢＣ有限公司", "Straße 1",
        "j.doe+x@GMAIL.com", "https://www.Example.com/a", "91350211MA2YXXXX1X", "", None, "e\u0301", "李 娜"]
KEYS = [nz.company_key, nz.person_key, nz.text_key, nz.id_key, nz.email_key, nz.domain_key]


@pytest.mark.parametrize("fn", KEYS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("repeat", [True, False])
def test_distinct_path_equals_direct(fn, repeat):
    rng = random.Random(2)
    if repeat:  # few distinct values: the per-distinct path
        values = [rng.choice(POOL) for _ in range(20_000)]
    else:  # mostly unique: the direct path
        values = [f"{rng.choice(POOL) or ''} {i}" for i in range(20_000)]
    arr = pa.array(values, pa.string())
    direct = fn.__wrapped__(arr).to_pylist()
    assert fn(arr).to_pylist() == direct
    assert fn(pa.chunked_array([arr.slice(0, 7000), arr.slice(7000)])).to_pylist() == direct


@pytest.mark.parametrize("alphabet", ["王伟12", "a1b2 ３٣", "0123456789", "杨超"])
def test_digits_of_equals_a_character_by_character_reading(alphabet):
    """The ASCII digits of each value, in order; '' for none and for a null — also a null whose slot still
    holds bytes (as :func:`~portcheck.checks._arrow.null_where` leaves it), a slice, and chunks."""
    from portcheck.checks._arrow import null_where

    rng = random.Random(5)
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(5000)]
    blank = pa.array([rng.random() < 0.1 for _ in values])
    arr = null_where(pa.array(["9"] + values, pa.string()).slice(1), blank)
    pairs = list(zip(values, blank.to_pylist(), strict=True))
    want = ["" if b else "".join(ch for ch in v if ch in "0123456789") for v, b in pairs]
    hidden = [v for v, b in pairs if b and any(ch in "0123456789" for ch in v)]
    assert arr.null_count and (bool(hidden) or not any(ch in "0123456789" for ch in alphabet))
    assert nz.digits_of(arr).to_pylist() == want
    assert nz.digits_of(pa.chunked_array([arr.slice(0, 1234), arr.slice(1234)])).to_pylist() == want
    assert nz.digits_of(pa.array([], pa.string())).to_pylist() == []


@pytest.mark.parametrize("share", [0.05, 0.9])
def test_company_key_equals_every_step_on_every_name(share):
    """Only names the steps may change go through them: the result equals running them on all names
    (letters-only names, suffixes with and without a space, white space of every kind, brackets, empty)."""
    rng = random.Random(int(share * 100))
    plain = ["深圳华信科技", "Acme", "华信12", "ＡＢＣ", "Straße", "", None]
    odd = ["深圳华信科技有限公司", "Acme Ltd.", "华信 科技", "\u3000华信\u3000", "华信(深圳)", "a\u00a0b",
           "Acme GmbH", "acme limited", "華信", "华信\u2028", "[华信]", " ", "e\u0301"]
    values = [rng.choice(odd if rng.random() < share else plain) for _ in range(6000)]
    arr = pa.array(values, pa.string())
    every = nz._null_if_empty(nz._company_steps(nz._base(arr, True))).to_pylist()
    assert nz.company_key.__wrapped__(arr).to_pylist() == every


def test_gmail_addresses_are_those_ending_in_a_gmail_domain():
    """Dots and +tags are dropped only where the address ends with @gmail.com or @googlemail.com."""
    cases = {"J.Doe+x@GMAIL.com": "jdoe@gmail.com", " a.b@googlemail.com ": "ab@gmail.com",
             "a.b@gmail.com.cn": "a.b@gmail.com.cn", "a.b@gmail.co": "a.b@gmail.co",
             "a.b@mygmail.com": "a.b@mygmail.com", "gmail.com": "gmail.com", "a.b@x.cn": "a.b@x.cn"}
    assert nz.email_key.__wrapped__(pa.array(list(cases), pa.string())).to_pylist() == list(cases.values())
