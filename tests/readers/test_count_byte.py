"""The quote counter that finds a never-closed quote agrees with bytes.count across slice boundaries."""

from __future__ import annotations

import pytest

from portcheck.readers.csvfile import _count_byte


@pytest.mark.parametrize("data", [b"", b'"', b'a"b"' * 1000, b"x" * 4096 + b'"', b'"' * 5000])
@pytest.mark.parametrize("chunk", [1, 7, 1024, 1 << 20])
def test_counts_like_bytes_count(data, chunk):
    assert _count_byte(data, 0x22, chunk=chunk) == data.count(b'"')
