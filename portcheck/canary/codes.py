"""Identifier arithmetic the canary needs: Chinese Unified Social Credit Codes (GB 32100-2015)."""

from __future__ import annotations

import random

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC: 31 minus the weighted sum mod 31, over the 31-character alphabet."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=False))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714): 11 minus the weighted sum mod 11; 10 is 'X'."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=False))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(rng: random.Random, division: str, *, numeric: bool = False) -> str:
    """A valid USCC: '9' (SAMR), '1' (enterprise), 6-digit division, 9-char organisation code, check char.

    ``numeric=True`` draws until all 18 characters are digits: a code that spreadsheets take for a number.
    """
    while True:
        body = "".join(
            rng.choice("0123456789") if numeric or rng.random() < 0.8 else rng.choice("ABCDEFGHJKLMNPQRTUWXY")
            for _ in range(8)
        )
        org = body + org_code_check_char(body)
        first17 = "91" + division + org
        code = first17 + uscc_check_char(first17)
        if not numeric or code.isdigit():
            return code
