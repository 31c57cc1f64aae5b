"""Canonical JSON (RFC 8785, JCS): the same data always gives the same bytes.

report.json and the signed statement are written this way, so two runs on the same inputs give files that
differ only where the data differs (``generated_at``), and a verifier can re-serialise without ambiguity.
"""

from __future__ import annotations

from typing import Any


def canonical_json_bytes(obj: Any) -> bytes:
    """``obj`` as RFC 8785 canonical JSON (UTF-8, sorted keys, no insignificant whitespace, ES6 numbers).

    Raises ``rfc8785.CanonicalizationError`` (a bug in the caller, not a user error) for values JSON cannot
    hold exactly: NaN, infinities, integers beyond ±(2**53 − 1), non-string keys.
    """
    import rfc8785

    return rfc8785.dumps(obj)
