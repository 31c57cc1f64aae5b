"""Profiles: turn a vendor's raw tables into canonical customer, contact and opportunity tables.

A profile is a declarative YAML file (see :mod:`portcheck.profiles.spec` for the format); the built-in ones
are in ``builtin/``. A user's mapping file (YAML or TOML) extends a built-in profile or stands alone.

Public API::

    load_dataset(source, *, profile=None, mapping=None, timezone=None, region=None,
                 include_deleted=False) -> CanonicalDataset
    detect(source) -> [(name, score, reason), …]            # best first
    list_profiles() -> [Profile, …];  get_profile(name) -> Profile
    infer_mapping(source) -> (yaml_text, {"object.field": confidence})
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from portcheck.errors import ProfileError
from portcheck.profiles.spec import Profile

if TYPE_CHECKING:  # pragma: no cover
    from portcheck.canonical import CanonicalDataset
    from portcheck.readers.interface import ExportSource

__all__ = ["Profile", "ProfileError", "choose_profile", "detect", "get_profile", "infer_mapping",
           "list_profiles", "load_dataset", "resolve_profile"]


def list_profiles() -> list[Profile]:
    """The built-in profiles (canonical first)."""
    from portcheck.profiles.registry import list_profiles as _list

    return _list()


def get_profile(name: str) -> Profile:
    """A built-in profile by name; ProfileError when there is none."""
    from portcheck.profiles.registry import get_profile as _get

    return _get(name)


def resolve_profile(profile: str | None = None, mapping: str | Path | None = None) -> Profile:
    """The profile for ``--profile`` and/or ``--mapping`` (a mapping extends the profile, or stands alone)."""
    from portcheck.profiles.registry import resolve

    return resolve(profile, mapping)


def detect(source: ExportSource) -> list[tuple[str, float, str]]:
    """How well each built-in profile fits ``source``: (name, score 0–1, reason), best first."""
    from portcheck.profiles.detection import detect as _detect

    return _detect(source)


def choose_profile(source: ExportSource) -> tuple[Profile, dict]:
    """Pick the best-fitting built-in profile, or raise ProfileError when none fits or two fit alike."""
    from portcheck.profiles.detection import MARGIN, describe, detect_fits

    fits = detect_fits(source)
    ranked = [(n, s, describe(why)) for n, s, why in fits]
    scores = [{"name": n, "score": s, "reason": r} for n, s, r in ranked]
    if not ranked or ranked[0][1] <= 0.0:
        raise ProfileError(f"no built-in profile fits {source.root}",
                           hint="name one with --profile, or write a mapping with "
                                "`portcheck profiles infer EXPORT --out mapping.yaml` and pass --mapping")
    best = ranked[0]
    if len(ranked) > 1 and ranked[1][1] > 0 and best[1] - ranked[1][1] < MARGIN:
        close = [f"{n} ({s:.2f})" for n, s, _ in ranked if best[1] - s < MARGIN]
        raise ProfileError(f"{source.root} fits several profiles about equally: {', '.join(close)}",
                           hint=f"say which with --profile {best[0]} (or --profile {ranked[1][0]})")
    detection = {"method": "auto", "profile": best[0], "score": best[1], "reason": best[2], "why": fits[0][2],
                 "scores": scores}
    return get_profile(best[0]), detection


def load_dataset(source: ExportSource, *, profile: str | None = None, mapping: str | Path | None = None,
                 timezone: str | None = None, region: str | None = None,
                 include_deleted: bool = False) -> CanonicalDataset:
    """Map an export (as read by ``portcheck.readers.read_export``) to canonical tables.

    With neither ``profile`` nor ``mapping`` the best-fitting built-in profile is chosen (see :func:`detect`);
    ``timezone`` and ``region`` override the profile's zone for naive date-times and its phone region.
    """
    from portcheck.profiles.engine import apply_profile
    from portcheck.profiles.transforms import prepare

    if timezone:
        _check_zone(timezone)
    if profile is None and mapping is None:
        prof, detection = choose_profile(source)
    else:
        prof = resolve_profile(profile, mapping)
        detection = {"method": "given", "profile": prof.name,
                     "reason": " + ".join(x for x in (f"--profile {profile}" if profile else "",
                                                      f"--mapping {mapping}" if mapping else "") if x)}
    source = prepare(source, prof, timezone=timezone)  # the profile's raw-table transforms, if any
    return apply_profile(source, prof, timezone=timezone, region=region, include_deleted=include_deleted,
                         detection=detection)


def infer_mapping(source: ExportSource) -> tuple[str, dict[str, float]]:
    """A starter mapping file (YAML text) for an export, and a confidence per ``object.field``."""
    from portcheck.profiles.infer import infer

    return infer(source)


def _check_zone(zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f"unknown time zone {zone!r}",
                           hint="use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC") from None
