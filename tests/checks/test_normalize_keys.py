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
