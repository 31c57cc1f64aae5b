"""Write the validity suites to disk as GX 1.x JSON (``portcheck suite export``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from portcheck.errors import OutputError, UsageError


def export_suites(out: str | os.PathLike, objects: list[str] | None = None, *,
                  force: bool = False) -> list[Path]:
    """Write ``<out>/<object>.json`` for each object (all three by default); returns the paths written.

    Each file is written completely or not at all; an existing file is replaced only with ``force``.
    """
    from portcheck.checks.suite import build_suite
    from portcheck.schema import OBJECTS

    wanted = list(objects) if objects else list(OBJECTS)
    unknown = [o for o in wanted if o not in OBJECTS]
    if unknown:
        raise UsageError(f"unknown object(s): {', '.join(unknown)}",
                         hint=f"objects are {', '.join(OBJECTS)}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder", hint="choose another --out")
    targets = [folder / f"{obj}.json" for obj in wanted]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists",
                          hint="pass --force to replace it, or choose another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder} ({e.strerror})",
                          hint="choose a folder you can write to") from e
    written = []
    for obj, target in zip(wanted, targets, strict=True):
        data = json.dumps(build_suite(obj), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except OSError as e:
            raise OutputError(f"could not write {target} ({e.strerror})",
                              hint="free some disk space or choose another --out") from e
        written.append(target)
    return written
