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
