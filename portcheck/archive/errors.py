"""The archive's own errors: what ``verify`` found, named per entry."""

from __future__ import annotations

from dataclasses import dataclass

from portcheck.errors import VerificationError

# kinds of problem, in the words `verify` prints
ALTERED = "altered"
REMOVED = "removed"
INSERTED = "inserted"
REORDERED = "reordered"
CHECKPOINT = "checkpoint"
TIMESTAMP = "timestamp"
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Problem:
    """One finding of ``verify``: its kind, the entries it names (leaf indices), and one sentence."""

    kind: str
    entries: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        return self.message


class ArchiveTampered(VerificationError):
    """The archive no longer matches what it signed (exit code 1); ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]) -> None:
        first, extra = problems[0].message, len(problems) - 1
        more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
        super().__init__(f"the archive has been tampered with: {first}{more}",
                         hint="restore the archive from a backup; the receipts in the bundles still prove "
                              "what was archived")
        self.problems = problems
