"""One error hierarchy with words a procurement analyst understands.

Every expected failure is a :class:`PortcheckError` subclass carrying one sentence (``message``) and a
``hint`` saying what to do about it. The CLI is the only place that catches them and exits; unexpected
bugs keep their traceback (shown with ``--debug``).

Exit codes are part of the interface:

- 0  accepted / valid
- 1  not accepted / invalid signature
- 2  usage error or unusable input
- 130 interrupted
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_ACCEPTED = 1
EXIT_UNUSABLE = 2
EXIT_INTERRUPTED = 130


class PortcheckError(Exception):
    """Base of every error portcheck reports to a user (exit code 2 unless a subclass says otherwise)."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(PortcheckError):
    """The command line asks for something that cannot be done."""


class InputError(PortcheckError):
    """An input file, folder or URL cannot be used."""


class ReadError(InputError):
    """A file could not be read as the format it claims to be."""


class LimitExceeded(InputError):
    """A safety limit (size, ratio, depth) was hit while reading an input."""


class ProfileError(PortcheckError):
    """A profile or mapping file is malformed, or no profile fits."""


class ReferenceError_(InputError):
    """The reference (file, folder or database) cannot be used."""


class OutputError(PortcheckError):
    """The output folder cannot be written as asked."""


class VerificationError(PortcheckError):
    """A signature, hash or proof does not hold (exit code 1)."""

    exit_code = EXIT_NOT_ACCEPTED


class KeyError_(PortcheckError):
    """A signing key cannot be used safely."""


class ArchiveError(PortcheckError):
    """The evidence archive cannot be opened or written."""
