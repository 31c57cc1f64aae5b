"""ZIP archives, read in memory with every safety limit checked while decompressing.

Nothing is ever extracted to disk. Member paths are never trusted: a member whose path is absolute, has a
drive letter or climbs out with ``..`` makes the whole archive refused (exit 2) — an export built that way is
either broken or hostile, and reading "the rest" would hide it. Symbolic-link members are not followed
(listed in ``skipped``). Each member is decompressed in 1 MiB chunks while counting: more than
``max_ratio`` times its compressed size (once past 1 MiB), or more than ``max_total_bytes`` for the whole
export, stops the read with :class:`~portcheck.errors.LimitExceeded` — the sizes a ZIP header declares are
not trusted. Encrypted members (ZipCrypto or AES, via pyzipper) need ``ReadOptions.password``.

Member names written by Chinese Windows tools without the UTF-8 flag are decoded as GB18030 when they are
not valid UTF-8 (instead of zipfile's CP437 mojibake).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from portcheck.errors import InputError, LimitExceeded, ReadError
from portcheck.readers._common import Budget, human_bytes

CHUNK = 1 << 20
RATIO_FLOOR = 1 << 20  # a member may always expand to 1 MiB, whatever its ratio
PASSWORD_HINT = "pass --password, or set PORTCHECK_PASSWORD, with the password the vendor gave"


@dataclass
class Member:
    """One member of an archive, decompressed."""

    path: str  # inside the archive, '/'-separated, checked safe
    data: bytes | None  # None for members that are skipped
    mtime: float | None
    skip_reason: str | None = None


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def iter_members(
    data: bytes, name: str, *, password: str | None, max_ratio: float, budget: Budget
) -> Iterator[Member]:
    """Yield the members of the ZIP ``data`` (named ``name`` in messages), in sorted path order."""
    import pyzipper

    try:
        zf = pyzipper.AESZipFile(io.BytesIO(data))
    except NotImplementedError as e:  # e.g. a "version needed to extract" zipfile does not support
        raise ReadError(
            f"{name} uses a ZIP feature portcheck cannot read ({e})",
            hint="unpack it with your archive tool and pass the folder instead",
        ) from e
    except (*_bad_zip(), ValueError, OSError, EOFError) as e:
        raise ReadError(
            f"{name} is not a readable ZIP archive ({e})",
            hint="the download may be incomplete: download the export again",
        ) from e
    with zf:
        infos = zf.infolist()
        named = [(_member_name(info), info) for info in infos]
        for path, _info in named:
            _check_path(path, name)
        for path, info in sorted(named, key=lambda x: x[0]):
            if info.is_dir():
                continue
            mtime = _zip_mtime(info.date_time)
            mode = info.external_attr >> 16
            if mode and stat.S_ISLNK(mode):
                yield Member(path, None, mtime, "symbolic link inside an archive: not followed")
                continue
            full = f"{name}/{path}"
            budget.add_file(full)
            yield Member(path, _read_member(zf, info, full, password, max_ratio, budget), mtime)


def check_declared_sizes(data: bytes, name: str, *, max_ratio: float, max_total_bytes: int) -> None:
    """Refuse a ZIP-based document (an .xlsx workbook) whose parts declare more than the limits allow.

    The parts are not decompressed here: the sizes checked are those the ZIP's central directory declares.
    That bounds what is read, because the libraries that open the parts (zipfile, calamine's zip crate) stop
    at a part's declared size; a part whose data runs on past it reads as damaged. Members inflating more
    than ``max_ratio`` times (past 1 MiB) or all together past ``max_total_bytes`` raise
    :class:`~portcheck.errors.LimitExceeded`, as for any archive.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (*_bad_zip(), ValueError, OSError, EOFError, NotImplementedError):
        return  # not readable as a ZIP: the document's own reader says so
    total = 0
    for info in infos:
        if info.file_size > max(RATIO_FLOOR, max_ratio * max(info.compress_size, 1)):
            raise LimitExceeded(
                f"{name}/{info.filename} expands more than {max_ratio:g} times its compressed size "
                f"({human_bytes(info.compress_size)} compressed to {human_bytes(info.file_size)}; "
                "limit max_ratio)",
                hint="this is how ZIP bombs look; if you trust the file, raise the limit with "
                "--max-ratio or PORTCHECK_MAX_RATIO",
            )
        total += info.file_size
        if total > max_total_bytes:
            raise LimitExceeded(
                f"{name} expands to more than {human_bytes(max_total_bytes)} "
                f"(limit max_total_bytes, reached at {info.filename})",
                hint="if you trust the file, raise the limit with --max-bytes (e.g. --max-bytes 32G) "
                "or PORTCHECK_MAX_BYTES",
            )


def _read_member(
    zf, info: zipfile.ZipInfo, full: str, password: str | None, max_ratio: float, budget: Budget
) -> bytes:
    encrypted = bool(info.flag_bits & 0x1)
    if encrypted and not password:
        raise InputError(f"{full} is encrypted", hint=PASSWORD_HINT)
    pwd = password.encode("utf-8") if (encrypted and password) else None
    allowed = max(RATIO_FLOOR, max_ratio * max(info.compress_size, 1))
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info, pwd=pwd) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > allowed:
                    raise LimitExceeded(
                        f"{full} expands more than {max_ratio:g} times its compressed size "
                        f"({human_bytes(info.compress_size)} compressed; limit max_ratio)",
                        hint="this is how ZIP bombs look; if you trust the file, raise the limit with "
                        "--max-ratio or PORTCHECK_MAX_RATIO",
                    )
                budget.add_bytes(len(chunk), full)
                chunks.append(chunk)
    except RuntimeError as e:  # zipfile / pyzipper: bad password, or a password is required
        text = str(e).lower()
        if "password" in text:
            if password:
                raise InputError(f"the password does not open {full}", hint=PASSWORD_HINT) from e
            raise InputError(f"{full} is encrypted", hint=PASSWORD_HINT) from e
        raise ReadError(
            f"{full} cannot be decompressed ({e})",
            hint="the download may be incomplete: download the export again",
        ) from e
    except NotImplementedError as e:
        raise ReadError(
            f"{full} uses a compression method portcheck cannot read ({e})",
            hint="re-pack the archive with ordinary ZIP (deflate) compression",
        ) from e
    except (*_bad_zip(), EOFError, OSError, ValueError, zlib.error) as e:
        if password and encrypted and ("bad password" in str(e).lower() or "hmac" in str(e).lower()):
            raise InputError(f"the password does not open {full}", hint=PASSWORD_HINT) from e
        raise ReadError(
            f"{full} is damaged inside its ZIP archive ({e})",
            hint="the download may be incomplete: download the export again",
        ) from e
    return b"".join(chunks)


def _bad_zip() -> tuple[type[Exception], ...]:
    import pyzipper

    return (zipfile.BadZipFile, zipfile.LargeZipFile, pyzipper.BadZipFile, pyzipper.LargeZipFile)


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not (info.flag_bits & 0x800) and not name.isascii():
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = None
        if raw is not None:
            for codec in ("utf-8", "gb18030"):
                try:
                    name = raw.decode(codec)
                    break
                except UnicodeDecodeError:
                    continue
    return name.replace("\\", "/")


def _check_path(path: str, archive: str) -> None:
    parts = path.split("/")
    unsafe = (
        path.startswith("/")
        or (len(path) > 1 and path[1] == ":")
        or any(p == ".." for p in parts)
        or "\x00" in path
    )
    if unsafe:
        raise InputError(
            f"{archive} contains a member whose path leaves the archive ({path!r}); portcheck refuses it",
            hint="nothing was extracted; ask the vendor for a clean export, or unpack it yourself with care "
            "and pass the folder",
        )


def _zip_mtime(date_time: tuple[int, int, int, int, int, int]) -> float | None:
    """ZIP times carry no zone: they are read as UTC, so the same archive gives the same figures anywhere."""
    try:
        return datetime(*date_time, tzinfo=UTC).timestamp()
    except ValueError:
        return None
