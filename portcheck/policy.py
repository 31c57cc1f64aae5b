"""Acceptance policy: thresholds per check, with per-object and per-field overrides (``--policy FILE``).

Defaults per DESIGN: completeness, fidelity and uniqueness ≥ 0.99; orphans ≤ 0.01. ``--threshold t`` sets the
first three to t and orphans to 1 − t. A policy file (YAML or JSON) can override per object and per field::

    completeness: 0.99
    fidelity: 0.99
    objects:
      contact:
        fidelity:
          notes: 0.95          # a per-field threshold
          owner: informational # reported, never gating
        completeness: 1.0
    email_local_part_case: false

Rates are exact fractions compared unrounded with thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

INFORMATIONAL = "informational"
_TOP_KEYS = {"completeness", "fidelity", "uniqueness", "orphans", "objects", "email_local_part_case",
             "include_deleted"}


@dataclass
class Policy:
    completeness: float = 0.99
    fidelity: float = 0.99
    uniqueness: float = 0.99
    orphans: float = 0.01
    # object -> {"completeness": x, "uniqueness": x, "orphans": x, "fidelity": {field: x | "informational"}}
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    email_local_part_case: bool = False  # keep the case of an email's local part when comparing
    include_deleted: bool = False

    @classmethod
    def with_threshold(cls, t: float) -> Policy:
        return cls(completeness=t, fidelity=t, uniqueness=t, orphans=round(1 - t, 12))

    def threshold(self, obj: str, kind: str, fld: str | None = None) -> float | str:
        """The threshold for a check, or ``"informational"``."""
        o = self.overrides.get(obj, {})
        if kind == "fidelity":
            per_field = o.get("fidelity", {})
            if isinstance(per_field, dict) and fld in per_field:
                return per_field[fld]
            if not isinstance(per_field, dict):
                return per_field
            return self.fidelity
        if kind in o:
            return o[kind]
        return getattr(self, kind)

    def mark_informational(self, obj: str, fields: list[str]) -> None:
        fid = self.overrides.setdefault(obj, {}).setdefault("fidelity", {})
        for f in fields:
            fid.setdefault(f, INFORMATIONAL)

    def to_dict(self) -> dict[str, Any]:
        return {"completeness": self.completeness, "fidelity": self.fidelity, "uniqueness": self.uniqueness,
                "orphans": self.orphans, "overrides": self.overrides}


def passes_at_least(numerator: int, denominator: int, threshold: float) -> bool:
    """numerator / denominator ≥ threshold, exactly (no float rounding of the rate)."""
    return Fraction(numerator, denominator) >= Fraction(str(threshold))


def passes_at_most(numerator: int, denominator: int, threshold: float) -> bool:
    return Fraction(numerator, denominator) <= Fraction(str(threshold))


def rate(numerator: int, denominator: int) -> float | None:
    """A rate as shown in reports: rounded to 5 decimals, ``None`` for a zero denominator."""
    if denominator == 0:
        return None
    return round(numerator / denominator, 5)


def parse_policy(data: Any, source: str) -> Policy:
    """Build a Policy from a parsed policy file, or raise ProfileError naming the problem."""
    from portcheck.errors import UsageError

    if not isinstance(data, dict):
        raise UsageError(f"policy file {source} is not a mapping of settings",
                         hint="see the README, 'Policy', for the format")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise UsageError(f"policy file {source} has unknown setting(s): {', '.join(sorted(unknown))}",
                         hint=f"known settings: {', '.join(sorted(_TOP_KEYS))}")
    p = Policy()
    for k in ("completeness", "fidelity", "uniqueness", "orphans"):
        if k in data:
            p.__setattr__(k, _threshold(data[k], source, k))
    p.email_local_part_case = bool(data.get("email_local_part_case", False))
    p.include_deleted = bool(data.get("include_deleted", False))
    for obj, spec in (data.get("objects") or {}).items():
        if obj not in ("customer", "contact", "opportunity") or not isinstance(spec, dict):
            raise UsageError(f"policy file {source}: '{obj}' is not an object with settings",
                             hint="objects are customer, contact and opportunity")
        o: dict[str, Any] = {}
        for k, v in spec.items():
            if k == "fidelity" and isinstance(v, dict):
                o["fidelity"] = {f: _threshold(t, source, f"{obj}.fidelity.{f}") for f, t in v.items()}
            elif k in ("completeness", "fidelity", "uniqueness", "orphans"):
                o[k] = _threshold(v, source, f"{obj}.{k}")
            else:
                raise UsageError(f"policy file {source}: unknown setting {obj}.{k}",
                                 hint="per object: completeness, fidelity, uniqueness, orphans")
        p.overrides[obj] = o
    return p


def _threshold(v: Any, source: str, where: str) -> float | str:
    from portcheck.errors import UsageError

    if v == INFORMATIONAL:
        return INFORMATIONAL
    try:
        f = float(v)
    except (TypeError, ValueError):
        f = -1.0
    if not 0.0 <= f <= 1.0:
        raise UsageError(f"policy file {source}: {where} must be a rate between 0 and 1 or 'informational'",
                         hint="write rates as fractions: 0.99, not 99")
    return f
