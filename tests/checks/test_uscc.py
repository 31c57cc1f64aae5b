"""Unified Social Credit Code check digits, computed vectorised, equal python-stdnum's verdict (oracle)."""

from __future__ import annotations

import random

import pyarrow as pa
from stdnum.cn import uscc

from portcheck.checks.rules import INVALID, VALID, uscc_flags

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def codes(rng: random.Random, n: int) -> list[str | None]:
    out: list[str | None] = [None, "", "91110000600037341L", "9111 0000-6000 37341l", "A1110000600037341L",
                             "91110000600037341", "911100006000373410X", "91110000I00037341L"]
    for _ in range(n):
        body = "".join(rng.choice("0123456789") for _ in range(8))
        body += "".join(rng.choice(ALPHABET + "IOSVZ") for _ in range(9))
        good = body + uscc.calc_check_digit(body + "0") if all(c in ALPHABET for c in body) else body + "0"
        out.append(good)
        out.append(body + rng.choice(ALPHABET + "IOSVZ"))  # a random last character: mostly wrong
    return out


def test_check_digit_flags_equal_python_stdnum():
    values = codes(random.Random(18), 3000)
    got = uscc_flags(pa.array(values, pa.string())).to_pylist()
    for value, flag in zip(values, got, strict=True):
        compact = (value or "").replace(" ", "").replace("-", "").upper()
        if len(compact) != 18 or not compact.isascii() or not compact.isalnum():
            assert flag is None, value
        else:
            assert flag == (VALID if uscc.is_valid(value) else INVALID), value
    assert got.count(VALID) > 500 and got.count(INVALID) > 1000
