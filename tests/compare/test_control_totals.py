"""Amount totals per currency (report.json ``control_totals``): summed vectorised, equal to summing every
amount as ``normalize.number`` reads it, one by one in Decimal (the oracle)."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from portcheck.canonical import CanonicalTable
from portcheck.compare.normalize import number
from portcheck.run import _amount_sums, _amount_sums_python


def _table(amounts, currencies):
    return CanonicalTable("opportunity", pa.table({"amount": pa.array(amounts, pa.string()),
                                                   "currency": pa.array(currencies, pa.string())}))


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_sums_equal_decimal_sums_row_by_row(seed):
    rng = random.Random(seed)
    forms = [lambda: f"{rng.randint(0, 10**7)}.{rng.randint(0, 99):02d}", lambda: str(rng.randint(0, 10**6)),
             lambda: f"¥{rng.randint(0, 9999):,}.5", lambda: f"-{rng.randint(0, 999)}", lambda: "",
             lambda: None, lambda: "n/a", lambda: "3.38893E+18", lambda: " 12.5 ", lambda: "1.234,50",
             lambda: f"0.{rng.randint(0, 10**9):09d}", lambda: "0", lambda: "80%"]
    n = 3000
    amounts = [rng.choice(forms)() for _ in range(n)]
    currencies = [rng.choice(["CNY", "cny ", "USD", None, "", "ｃｎｙ", "EUR"]) for _ in range(n)]
    t = _table(amounts, currencies)
    got = _amount_sums(t, number)
    want = _amount_sums_python(t.table.column("amount"), t.table.column("currency"), number)
    assert {k: v.normalize() for k, v in got.items()} == {k: v.normalize() for k, v in want.items()}


def test_totals_beyond_decimal_precision_are_summed_as_python_would_round_them():
    amounts = ["9" * 27 + ".5", "1.25", "0.000000001"] * 3
    t = _table(amounts, ["CNY"] * len(amounts))
    got = _amount_sums(t, number)
    want = _amount_sums_python(t.table.column("amount"), t.table.column("currency"), number)
    assert got == want
