"""report.json as canonical JSON (RFC 8785): identical inputs give identical bytes apart from the timestamp."""

from __future__ import annotations

from typing import Any


def _plain(obj: Any) -> Any:
    """RFC 8785 takes JSON types only: tuples become lists, sets sorted lists, Decimals strings."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_plain(v) for v in obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return str(obj)


def canonical_json(obj: Any) -> bytes:
    import rfc8785

    return rfc8785.dumps(_plain(obj))
