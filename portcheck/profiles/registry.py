"""Built-in profiles (``builtin/*.yaml``) and user mappings: finding, merging and hashing them."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from portcheck.errors import ProfileError
from portcheck.profiles.files import parse_mapping_bytes, read_mapping_file
from portcheck.profiles.spec import Profile, build, merge, validate

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_names(*, hidden: bool = False) -> list[str]:
    """Names of the built-in profiles, in display order (canonical first). ``_``-names are bases."""
    names = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml") if hidden or not p.stem.startswith("_"))
    return sorted(names, key=lambda n: (n != "canonical", n))


@cache
def _builtin_raw(name: str) -> tuple[Any, bytes]:
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ProfileError(f"there is no built-in profile named {name!r}",
                           hint=f"the built-in profiles are: {', '.join(builtin_names())}")
    raw = path.read_bytes()
    data = parse_mapping_bytes(raw, f"builtin/{name}.yaml")
    validate(data, f"builtin/{name}.yaml")
    return data, raw


def _expand(data: dict, raw: bytes, label: str, seen: tuple[str, ...]
            ) -> tuple[dict, list[tuple[str, bytes]]]:
    """Resolve ``extends`` chains: returns the merged data and the (label, bytes) of every file used."""
    parent = data.get("extends")
    if not parent:
        return data, [(label, raw)]
    parent = str(parent)
    if parent in seen:
        raise ProfileError(f"{label}: profile {parent!r} extends itself (through {' → '.join(seen)})",
                           hint="remove the circular `extends`")
    pdata, praw = _builtin_raw(parent)
    merged_parent, used = _expand(pdata, praw, f"builtin/{parent}.yaml", seen + (parent,))
    child = {k: v for k, v in data.items() if k != "extends"}
    for k in ("name", "vendor", "description", "formats", "detect"):  # a child's own, not merged
        if k in child:
            merged_parent.pop(k, None)
    return merge(merged_parent, child), used + [(label, raw)]


def _finish(data: dict, used: list[tuple[str, bytes]]) -> Profile:
    digest = hashlib.sha256()
    for _, b in used:
        digest.update(b)
    return build(data, sha256=digest.hexdigest(), files=tuple(label for label, _ in used))


def get_profile(name: str) -> Profile:
    """A built-in profile by name (``canonical``, ``salesforce``, ``hubspot``, ``zoho``, ``wukong``)."""
    data, raw = _builtin_raw(name)
    merged, used = _expand(dict(data), raw, f"builtin/{name}.yaml", (name,))
    merged.setdefault("name", name)
    return _finish(merged, used)


def list_profiles() -> list[Profile]:
    """Every built-in profile (bases such as ``_common`` left out)."""
    return [get_profile(n) for n in builtin_names()]


def resolve(profile: str | None, mapping: str | Path | None) -> Profile:
    """The profile a run uses: a built-in, a mapping file alone, or a mapping extending a built-in."""
    if mapping is None:
        if profile is None:
            raise ProfileError("no profile was given", hint="pass --profile NAME or --mapping FILE")
        return get_profile(profile)
    mdata, mraw, mname = read_mapping_file(mapping)
    validate(mdata, mname)
    base_name = profile or (str(mdata["extends"]) if mdata.get("extends") else None)
    if base_name is None:
        merged, used = _expand(dict(mdata), mraw, mname, ())
        merged.setdefault("name", Path(str(mapping)).stem)
        return _finish(merged, used)
    bdata, braw = _builtin_raw(base_name)
    base, used = _expand(dict(bdata), braw, f"builtin/{base_name}.yaml", (base_name,))
    base.setdefault("name", base_name)
    child = {k: v for k, v in mdata.items() if k != "extends"}
    merged = merge(base, child)
    if "name" not in child:
        merged["name"] = f"{base_name}+{Path(str(mapping)).name}"
    return _finish(merged, used + [(mname, mraw)])
