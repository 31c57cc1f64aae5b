"""Small helpers shared by the readers (names, number text, limits)."""

from __future__ import annotations

import math
from decimal import Decimal

from portcheck.errors import LimitExceeded


class NotTabular(Exception):
    """A file that is not a table (a README.txt, an image): listed in ``skipped`` with this reason."""


def column_names(header: list[str | None]) -> list[str]:
    """Arrow column names for a header as written: an empty name becomes ``col_N`` (N its 1-based position),
    a repeated one gets ``.2``, ``.3`` … — always unique."""
    out: list[str] = []
    used: set[str] = set()
    for i, h in enumerate(header, start=1):
        base = h if h else f"col_{i}"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}.{n}"
        used.add(name)
        out.append(name)
    return out


def number_text(value: float | int) -> str:
    """The shortest decimal text that round-trips to ``value``, never in exponent form, no ``.0`` on integers.

    ``3388926000000166021`` stored by Excel as a double reads back as ``3388926000000166000`` — the damage
    stays visible instead of turning into ``3.388926000000166e+18``.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return repr(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    if text == "-0":
        text = "0"
    return text


class Budget:
    """Counts files and uncompressed bytes across a whole read, and enforces ``ReadOptions`` limits."""

    def __init__(self, max_total_bytes: int, max_files: int) -> None:
        self.max_total_bytes = max_total_bytes
        self.max_files = max_files
        self.bytes = 0
        self.files = 0

    def add_file(self, name: str) -> None:
        self.files += 1
        if self.files > self.max_files:
            raise LimitExceeded(
                f"the export holds more than {self.max_files:,} files (limit max_files, reached at {name})",
                hint="if the export really is that large, raise the limit with --max-files "
                "or PORTCHECK_MAX_FILES",
            )

    def add_bytes(self, n: int, name: str) -> None:
        self.bytes += n
        if self.bytes > self.max_total_bytes:
            raise LimitExceeded(
                f"archives in the export expand to more than {human_bytes(self.max_total_bytes)} "
                f"(limit max_total_bytes, reached in {name})",
                hint="if you trust the export, raise the limit with --max-bytes (e.g. --max-bytes 32G) "
                "or PORTCHECK_MAX_BYTES",
            )


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} TiB"  # pragma: no cover
