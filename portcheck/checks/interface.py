"""What the single-export checks hand to the run: plain result objects, no rendering.

``run_checks(dataset, policy, *, engine="fast", fuzzy=True) -> dict[str, ObjectFindings]`` (in
``portcheck.checks.run``) is the entry point; the run folds these into report.json, the CSV files and
``gx-<object>.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Check:
    """One entry of report.json's ``checks[]``."""

    id: str  # e.g. contact.completeness, contact.fidelity.email, contact.validity.email_format
    status: str  # pass | fail | warn | not_assessed
    gating: bool
    observed: float | None
    threshold: float | None
    message: str
    message_zh: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "gating": self.gating, "observed": self.observed,
                "threshold": self.threshold, "message": self.message}


@dataclass
class FuzzyCluster:
    keys: list[str]  # primary keys of the records judged the same entity, in reading order
    matched_on: list[str]  # fields that matched (e.g. ["name", "phone"])
    score: float = 1.0  # the weakest name similarity among the pairs that joined the cluster (0..1)


@dataclass
class ObjectFindings:
    object: str
    duplicate_keys: int = 0  # surplus rows whose primary key an earlier row already used
    duplicate_rows: int = 0  # surplus fully identical rows
    duplicate_key_values: list[str] = field(default_factory=list)  # the repeated keys (for the CSV)
    fuzzy: list[FuzzyCluster] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)  # fk field -> records whose FK has no parent
    with_fk: dict[str, int] = field(default_factory=dict)  # fk field -> records with a non-empty FK
    orphan_rows: list[dict[str, str]] = field(default_factory=list)  # {"key","field","value"}
    parent_absent: dict[str, bool] = field(default_factory=dict)  # fk field -> parent object absent
    declared_total: dict[str, int] | None = None  # {"declared": n, "read": m}
    validity_checks: list[Check] = field(default_factory=list)  # warn-level, from the GX suite
    gx_result: dict[str, Any] | None = None  # GX validation result document for gx-<object>.json
    notes: list[str] = field(default_factory=list)
    # Added by the checks issue:
    checks: list[Check] = field(default_factory=list)  # gating: required_fields, orphans.<fk>, declared_total
    repeated_across_pages: int = 0  # records whose key appears on more than one API page
    missing_required: list[str] = field(default_factory=list)  # required canonical fields not mapped
    fuzzy_records: int = 0  # records beyond the first in each fuzzy cluster
