"""The gated Unicode normalisation equals pyarrow's own, and its table covers every unstable code point."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portcheck.checks import _unistable
from portcheck.checks._unicode_gate import _GATE_MIN_MEAN_BYTES, unstable_code_points, utf8_normalize


def _covered(ranges: tuple[tuple[int, int], ...]) -> set[int]:
    return {cp for a, b in ranges for cp in range(a, b + 1)}


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_stored_table_covers_every_code_point_this_python_calls_unstable(form):
    stored = _covered(getattr(_unistable, f"{form}_RANGES"))
    missing = unstable_code_points(form) - stored
    assert not missing, f"{len(missing)} missing, e.g. {sorted(missing)[:5]}: regenerate _unistable.py"


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_no_stable_looking_code_point_changes_on_its_own_or_after_a_letter(form):
    import unicodedata

    stored = _covered(getattr(_unistable, f"{form}_RANGES"))
    for cp in range(0x110000):
        if cp in stored or 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        assert unicodedata.normalize(form, c) == c
        for before in ("e", "\u1100", "\uac00", "\u0915", "\u0b47"):
            assert unicodedata.normalize(form, before + c) == before + c, hex(cp)


def _long(values):
    # long values, so that the gate (not the plain normalisation) is what runs
    return [None if v is None else v + "长文本" * _GATE_MIN_MEAN_BYTES for v in values]


TRICKY = ["e\u0301", "\u212b", "\ufb01 ligature", "\uff21\uff22 full width", "\u1100\u1161\u11a8", "Å",
          "\u0b47\u0b3e", "a\u0323\u0302", "\u00c5\u0301", "\uf900 compat ideograph", "plain", "", None, "①",
          "\u2126 ohm", "\U0002f800", "\u0345", "x\u0300\u0316"]


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
@pytest.mark.parametrize("make_long", [False, True])
def test_equals_pyarrow_on_tricky_values(form, make_long):
    values = _long(TRICKY) if make_long else TRICKY
    arr = pa.array(values, pa.string())
    assert utf8_normalize(arr, form).to_pylist() == pc.utf8_normalize(arr, form).to_pylist()


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_mostly_stable_long_text_normalises_only_what_changes(form):
    rng = random.Random(4)
    values = ["客户备注，第" + str(i) + "条：正常文本。" * 5 for i in range(500)]
    for i in rng.sample(range(500), 20):
        values[i] = values[i] + rng.choice(TRICKY[:12])
    arr = pa.array(values)
    assert utf8_normalize(arr, form).to_pylist() == pc.utf8_normalize(arr, form).to_pylist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(min_size=0, max_size=40)), min_size=1, max_size=30),
       st.sampled_from(["NFC", "NFKC"]), st.booleans())
def test_equals_pyarrow_on_random_text(values, form, make_long):
    values = _long(values) if make_long else values
    arr = pa.array(values, pa.string())
    assert utf8_normalize(arr, form).to_pylist() == pc.utf8_normalize(arr, form).to_pylist()


def test_ascii_and_chunked_arrays():
    arr = pa.chunked_array([["abc", None], ["déf"]])
    assert utf8_normalize(arr, "NFC").to_pylist() == ["abc", None, "déf"]
    assert utf8_normalize(pa.array(["x"] * 3), "NFKC").to_pylist() == ["x"] * 3


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_the_lead_byte_gate_flags_every_unstable_code_point(form):
    """Every code point of the stored table begins with a byte the byte gate flags: at or above the
    form's lowest lead byte, and not E4-E9."""
    from portcheck.checks._unicode_gate import _LOW_LEAD

    for cp in _covered(getattr(_unistable, f"{form}_RANGES")):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        lead = chr(cp).encode("utf-8")[0]
        assert lead >= _LOW_LEAD[form] and not 0xE4 <= lead <= 0xE9, hex(cp)


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_short_names_are_read_by_their_bytes_and_only_the_flagged_ones_normalised(form):
    names = [f"{a}{b}" for a in "王李张刘陈杨黄赵" for b in "伟娜静敏强磊军洋"] * 80  # 5,120 names
    names[7], names[900], names[4000] = "e\u0301mile", "\uff21\uff22", "Zoe\u0308"
    names[10] = None
    arr = pa.array(names)
    assert utf8_normalize(arr, form).to_pylist() == pc.utf8_normalize(arr, form).to_pylist()
    stable = pa.array([n for n in names if n is None or n.isascii() or all(0x4E00 <= ord(c) <= 0x9FFF
                                                                            for c in n)])
    assert utf8_normalize(stable, form) is stable  # nothing flagged: the column itself, not a copy
    sliced = arr.slice(5, 1000)
    assert utf8_normalize(sliced, form).to_pylist() == pc.utf8_normalize(sliced, form).to_pylist()


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_text_full_of_flagged_bytes_still_equals_pyarrow(form):
    values = ["表情😀，标点。" + ("e\u0301" if i % 7 == 0 else "") for i in range(3000)]
    arr = pa.array(values)
    assert utf8_normalize(arr, form).to_pylist() == pc.utf8_normalize(arr, form).to_pylist()
