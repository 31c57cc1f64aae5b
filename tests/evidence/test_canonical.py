"""canonical_json_bytes: RFC 8785, so equal data always gives equal bytes."""

from __future__ import annotations

import pytest

from portcheck.evidence.canonical import canonical_json_bytes


def test_identical_dicts_give_identical_bytes():
    a = {"verdict": "fail", "objects": {"customer": {"completeness": 0.99633, "records": {"export": 2995}}}}
    b = {"verdict": "fail", "objects": {"customer": {"completeness": 0.99633, "records": {"export": 2995}}}}
    assert canonical_json_bytes(a) == canonical_json_bytes(b)


def test_key_order_does_not_matter():
    a = {"b": 1, "a": {"y": [1, 2], "x": None}}
    b = {"a": {"x": None, "y": [1, 2]}, "b": 1}
    assert list(a) != list(b)
    assert canonical_json_bytes(a) == canonical_json_bytes(b)


def test_output_is_jcs_sorted_compact_utf8_with_es6_numbers():
    # RFC 8785: keys sorted by UTF-16 code units, no whitespace, UTF-8 strings unescaped, 1.0 written as 1.
    assert canonical_json_bytes({"b": 1.0, "a": ["é", 1e21, 0.5]}) == '{"a":["é",1e+21,0.5],"b":1}'.encode()


def test_values_json_cannot_hold_exactly_are_refused():
    import rfc8785

    with pytest.raises(rfc8785.CanonicalizationError):
        canonical_json_bytes({"rate": float("nan")})
