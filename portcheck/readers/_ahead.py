"""Hashing inputs ahead of their reading (``readers.hash_ahead``).

A run first imports pyarrow, numpy and DuckDB, a fifth of a second on one core, and only then reads; the
SHA-256 of each input, half a second of CPU per 800 MB, was computed beside the parsing, on the core that
the other side's parsing needed. Started at once, most of it is done on the idle core.

Each large delimited text file under the given paths is mapped (read-only) and registered under its real
path with its identity (device, inode, size, modification time). One thread hashes them in the readers'
order, the paths' files in turn (one, not one per path: the thread importing what the reading needs
keeps a core to itself). When a reader comes to the file, :func:`take` hands it the same map if the file
is still the one registered; :func:`digest_of` then gives the digest, for which the reader waits at the
end of the file if the thread has not finished it: the thread comes to it in turn, and a second hashing
thread beside the two parsing ones slowed them more than it gained. Should no thread come to a file
(:func:`forget`, or none started), the reader hashes it itself; never twice. The report's digest is of
the very bytes parsed, as without this.
"""

from __future__ import annotations

import hashlib
import itertools
import mmap
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_FILES: dict[str, _File] = {}  # registered, not yet taken by a reader: by real path
# taken, digest not yet asked for: by id() of the map (held here, so that ids stay unique)
_TAKEN: dict[int, _File] = {}
_UNDONE: set[_File] = set()  # registered and not yet hashed by the thread (a reader may wait for one)


class _File:
    def __init__(self, data: mmap.mmap, ident: tuple[int, ...]) -> None:
        self.data = data
        self.ident = ident
        self.claimed = False  # by the hashing thread, or by a reader it will not come to (under _LOCK)
        self.thread: threading.Thread | None = None
        self.done = threading.Event()
        self.value: str | None = None

    def hexdigest(self) -> str:
        while not self.done.wait(0.05):
            with _LOCK:  # no thread will come to it (none started, or it stopped): hash it here
                mine = not self.claimed and (self.thread is None or not self.thread.is_alive())
                if mine:
                    self.claimed = True
            if mine:
                break
        if self.value is None:  # not hashed by the thread (skipped, or it failed on it): hash here
            self.value = hashlib.sha256(self.data).hexdigest()
        return self.value


def _ident(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def start(paths: Iterable[str | os.PathLike[str] | None], suffixes: set[str], min_size: int) -> None:
    """Register and start hashing the files of each path (see the module docstring): one thread, which
    takes the paths' files in turn (their readers start together), so that the thread importing what the
    reading needs keeps a core to itself."""
    per_path = []
    for path in paths:
        if path is None:
            continue
        try:
            per_path.append(_files_under(Path(path), suffixes, min_size))
        except OSError:
            continue
    files = [f for group in itertools.zip_longest(*per_path) for f in group if f is not None]
    if files:
        thread = threading.Thread(target=_hash_all, args=(files,), name="portcheck-sha256-ahead", daemon=True)
        for f in files:
            f.thread = thread
        thread.start()


def _files_under(root: Path, suffixes: set[str], min_size: int) -> list[_File]:
    """Map and register the large text files under ``root`` in the readers' order (sorted relative paths).
    Links and anything unusual are left to the readers, which check them."""
    if root.is_symlink():
        return []
    if root.is_file():
        candidates = [root]
    elif root.is_dir():
        found: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__MACOSX"]
            here = Path(dirpath)
            found.extend(((here / f).relative_to(root).as_posix(), here / f) for f in filenames)
        candidates = [p for _, p in sorted(found)]
    else:
        return []
    out = []
    for p in candidates:
        if p.suffix.lower() not in suffixes or p.is_symlink():
            continue
        try:
            with p.open("rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size < min_size:
                    continue
                data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            continue
        f = _File(data, _ident(st))
        with _LOCK:
            _FILES[os.path.realpath(p)] = f
            _UNDONE.add(f)
        out.append(f)
    return out


def _hash_all(files: list[_File]) -> None:
    for f in files:
        with _LOCK:
            if f.claimed:
                continue  # forgotten, or hashed by a reader
            f.claimed = True
        try:
            f.value = hashlib.sha256(f.data).hexdigest()
        except Exception:  # noqa: BLE001 - the reader then hashes it (see _File.hexdigest)
            f.value = None
        finally:
            with _LOCK:
                _UNDONE.discard(f)
            f.done.set()


def take(path: Path, st: os.stat_result) -> mmap.mmap | None:
    """The registered map of ``path`` if it is still the same file (then :func:`digest_of` gives its
    digest), else None."""
    with _LOCK:
        f = _FILES.pop(os.path.realpath(path), None)
        if f is None:
            return None
        if f.ident != _ident(st):  # changed since: read afresh, and not hashed ahead
            f.claimed = True
            return None
        _TAKEN[id(f.data)] = f  # hashed by the thread, begun or not: no second hashing thread
        return f.data


def digest_of(data: Any) -> _File | None:
    """The digest (an object with ``hexdigest()``, which waits for the thread) of a map :func:`take`
    returned; None for any other data."""
    with _LOCK:
        f = _TAKEN.get(id(data))
        if f is None or f.data is not data:
            return None
        del _TAKEN[id(data)]
        return f


def forget() -> None:
    """Drop what no reader took; the thread skips the files it has not begun, and a reader waiting for one
    hashes it itself."""
    with _LOCK:
        for f in _UNDONE:
            if not f.claimed:  # not begun: skipped, and whoever waits for it hashes it
                f.claimed = True
                f.done.set()
        _UNDONE.clear()
        _FILES.clear()
        _TAKEN.clear()
