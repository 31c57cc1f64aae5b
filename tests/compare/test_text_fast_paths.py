"""Shortcuts that skip copying text leave it as the full operation would (cells.ascii_text)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from portcheck.compare.cells import _ASCII_SPACE_CHARS, ascii_text


def test_text_is_stripped_as_ascii_trim_strips_it_whether_or_not_the_copy_is_skipped():
    cases = [[chr(c) + "x" for c in range(0x80)], ["x" + chr(c) for c in range(0x80)],
             ["x" + chr(c) + "y" for c in range(0x80)], ["张三", " 张三", "张三\u3000", ""], ["", ""],
             ["plain", "values", "only"], ["a", None, " b"]]
    for values in cases:
        arr = pa.array(values, pa.string())
        want = pc.ascii_trim(arr, characters=_ASCII_SPACE_CHARS).to_pylist()
        got, ascii_ok = ascii_text(arr)
        assert got.to_pylist() == want, values
        assert ascii_ok.tolist() == [v is not None and v.isascii() for v in values]
        assert ascii_text(arr.slice(1))[0].to_pylist() == want[1:]
    plain = pa.array(["plain", "values", ""], pa.string())
    assert ascii_text(plain)[0] is plain  # nothing to strip: not copied


def test_phone_characters_found_by_byte_as_the_pattern_finds_them():
    import numpy as np

    from portcheck.compare.cells import _PHONE_CHARS, _only_phone_chars

    values = [chr(c) for c in range(0x80)] + [f"0755{chr(c)}1234" for c in range(0x80)] + \
        ["", None, "+86 (755) 8888-1234", "0755\u30001234", "０７５５", "１", "Tel: 0755", "12/34.5"]
    arr = pa.array(values, pa.string())
    want = pc.fill_null(pc.match_substring_regex(arr, _PHONE_CHARS), False).to_numpy(zero_copy_only=False)
    assert (_only_phone_chars(arr) == want).all()
    assert (_only_phone_chars(arr.slice(7, 200)) == want[7:207]).all()
    assert np.count_nonzero(want) > 40  # the cases hold both kinds
